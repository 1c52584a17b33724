//go:build unix

package atomicfile

import (
	"io/fs"
	"syscall"
)

// MetaOf is the mode and owner of fi, for a replacement that keeps them.
func MetaOf(fi fs.FileInfo) Meta {
	m := Meta{Mode: fi.Mode().Perm(), UID: -1, GID: -1}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		m.UID, m.GID = int(st.Uid), int(st.Gid)
	}
	return m
}
