package cli

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

// TestLimitHeapFollowsTheFiles: a command reading large shared files gets
// a soft memory limit of three times their size (less the binary's own
// 12 MB); small files, or GOMEMLIMIT set, leave the runtime's settings
// alone.
func TestLimitHeapFollowsTheFiles(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	dir := t.TempDir()
	cfg, cred := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	// Sparse files: only their sizes count.
	if err := os.WriteFile(cfg, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(cfg, 30<<20); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cred, []byte("[x]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": cred}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }

	debug.SetMemoryLimit(math.MaxInt64)
	limitHeap(lookup)
	if got, want := debug.SetMemoryLimit(-1), int64(3*(30<<20+4)-12<<20); got != want {
		t.Errorf("30 MB of files: memory limit %d, want %d", got, want)
	}

	debug.SetMemoryLimit(math.MaxInt64)
	env["GOMEMLIMIT"] = "1GiB"
	limitHeap(lookup)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set: memory limit changed to %d", got)
	}

	delete(env, "GOMEMLIMIT")
	if err := os.Truncate(cfg, 1<<20); err != nil {
		t.Fatal(err)
	}
	limitHeap(lookup)
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("1 MB of files: memory limit changed to %d", got)
	}
}
