// Package filelock takes an exclusive lock between processes on a lock
// file: flock(2) on Unix, LockFileEx on Windows, a process-wide mutex
// elsewhere. It polls rather than blocks, so that a holder that never
// finishes (a stuck prompt) cannot hang everyone else past the timeout.
package filelock

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrTimeout says another process held the lock for the whole timeout.
var ErrTimeout = errors.New("another process holds the lock")

// Lock creates path (0600) if needed and locks it, waiting up to timeout.
// The error names path; unlock releases the lock.
func Lock(path string, timeout time.Duration) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		busy, err := try(f)
		switch {
		case err != nil:
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		case !busy:
			return func() {
				release(f)
				f.Close()
			}, nil
		case time.Now().After(deadline):
			f.Close()
			return nil, fmt.Errorf("lock %s: %w, for %s", path, ErrTimeout, timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
