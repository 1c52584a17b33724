//go:build !unix && !windows

package cache

import "sync"

var processLocks sync.Mutex

// Lock implements Locker; without flock(2) it only serialises this process.
func (c *File) Lock(key string) (func(), error) {
	processLocks.Lock()
	return processLocks.Unlock, nil
}
