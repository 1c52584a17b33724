//go:build !unix

package atomicfile

import "io/fs"

// MetaOf is the mode of fi, for a replacement that keeps it; files have no
// owner to keep here.
func MetaOf(fi fs.FileInfo) Meta { return Meta{Mode: fi.Mode().Perm(), UID: -1, GID: -1} }
