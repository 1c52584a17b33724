//go:build !unix && !windows

package filelock

import (
	"os"
	"sync"
)

// Without flock(2) the lock only serialises this process.
var held sync.Mutex

func try(*os.File) (busy bool, err error) { return !held.TryLock(), nil }

func release(*os.File) { held.Unlock() }
