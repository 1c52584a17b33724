package atomicfile

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps the files at a and b atomically. ok is false when this
// cannot be done here (b does not exist, or the filesystem or kernel lacks
// RENAME_EXCHANGE); then nothing was changed.
func exchange(a, b string) (ok bool, err error) {
	err = unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return false, nil
	}
	return false, err
}
