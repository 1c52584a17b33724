package filelock

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockExcludesAndTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	unlock, err := Lock(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// A second lock on the same file (another open file description, as
	// another process has) waits, then gives up naming the file.
	if _, err := Lock(path, 50*time.Millisecond); !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second lock: %v", err)
	}
	unlock()
	unlock2, err := Lock(path, time.Second)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	unlock2()
	if _, err := Lock(filepath.Join(t.TempDir(), "missing", "x.lock"), time.Second); err == nil {
		t.Fatal("a lock in a missing folder succeeded")
	}
}
