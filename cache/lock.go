package cache

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// lockWith opens <dir>/<key>.lock and takes it with try, which reports
// whether the lock is held by another process (busy) or failed. It polls
// rather than blocks, so that a holder that never finishes (a stuck MFA
// prompt) cannot hang every other process. unlock releases the lock.
func (c *File) lockWith(key string, try func(*os.File) (busy bool, err error), unlock func(*os.File)) (func(), error) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", c.Dir, err)
	}
	path := filepath.Join(c.Dir, key+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cache lock %s: %w", path, err)
	}
	deadline := time.Now().Add(c.lockTimeout())
	for {
		busy, err := try(f)
		switch {
		case err != nil:
			f.Close()
			return nil, fmt.Errorf("cache lock %s: %w", path, err)
		case !busy:
			return func() {
				unlock(f)
				f.Close()
			}, nil
		case time.Now().After(deadline):
			f.Close()
			return nil, fmt.Errorf("cache lock %s: another process has held it for %s; retry, or run with --no-cache", path, c.lockTimeout())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
