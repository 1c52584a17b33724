package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/credchain/credchain/internal/filelock"
)

// Lock implements Locker with a lock between processes on <dir>/<key>.lock
// (flock(2), LockFileEx), so that processes starting together with an
// empty cache make one fetch: the first holds the lock while it fetches and
// writes, the others then find the entry.
func (c *File) Lock(key string) (func(), error) {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("cache directory %s: %w", c.Dir, err)
	}
	path := filepath.Join(c.Dir, key+".lock")
	unlock, err := filelock.Lock(path, c.lockTimeout())
	if errors.Is(err, filelock.ErrTimeout) {
		return nil, fmt.Errorf("cache lock %s: another process has held it for %s; retry, or run with --no-cache", path, c.lockTimeout())
	}
	if err != nil {
		return nil, fmt.Errorf("cache %w", err)
	}
	return unlock, nil
}
