//go:build windows

package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows"
)

// Lock implements Locker with LockFileEx on <dir>/<key>.lock, the Windows
// counterpart of flock(2): processes starting together with an empty cache
// make one fetch.
func (c *File) Lock(key string) (func(), error) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", c.Dir, err)
	}
	path := filepath.Join(c.Dir, key+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cache lock %s: %w", path, err)
	}
	h := windows.Handle(f.Fd())
	deadline := time.Now().Add(c.lockTimeout())
	for {
		ol := new(windows.Overlapped)
		err := windows.LockFileEx(h, windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
		if err == nil {
			break
		}
		if !errors.Is(err, windows.ERROR_LOCK_VIOLATION) || time.Now().After(deadline) {
			f.Close()
			if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
				return nil, fmt.Errorf("cache lock %s: another process has held it for %s; retry, or run with --no-cache", path, c.lockTimeout())
			}
			return nil, fmt.Errorf("cache lock %s: %w", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return func() {
		_ = windows.UnlockFileEx(h, 0, 1, 0, new(windows.Overlapped))
		f.Close()
	}, nil
}
