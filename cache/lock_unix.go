//go:build unix

package cache

import (
	"os"
	"syscall"
)

// Lock implements Locker with an flock(2) on <dir>/<key>.lock, so that
// processes starting together with an empty cache make one fetch: the first
// holds the lock while it fetches and writes, the others then find the entry.
func (c *File) Lock(key string) (func(), error) {
	return c.lockWith(key, func(f *os.File) (bool, error) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == syscall.EWOULDBLOCK {
			return true, nil
		}
		return false, err
	}, func(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) })
}
