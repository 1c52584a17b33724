//go:build unix

package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Lock implements Locker with an flock(2) on <dir>/<key>.lock, so that
// processes starting together with an empty cache make one fetch: the first
// holds the lock while it fetches and writes, the others then find the entry.
func (c *File) Lock(key string) (func(), error) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", c.Dir, err)
	}
	path := filepath.Join(c.Dir, key+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cache lock %s: %w", path, err)
	}
	// Poll rather than block, so that a holder that never finishes (a
	// stuck MFA prompt) cannot hang every other process.
	deadline := time.Now().Add(c.lockTimeout())
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err != syscall.EWOULDBLOCK || time.Now().After(deadline) {
			f.Close()
			if err == syscall.EWOULDBLOCK {
				return nil, fmt.Errorf("cache lock %s: another process has held it for %s; retry, or run with --no-cache", path, c.lockTimeout())
			}
			return nil, fmt.Errorf("cache lock %s: %w", path, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
