package cli

import (
	"os"
	"runtime/debug"

	"github.com/credchain/credchain/awsconfig"
)

// largeFiles is the size of the two shared files from which a command's
// heap is bounded by limitHeap.
const largeFiles = 8 << 20

// limitHeap keeps a command's memory proportional to the shared files it
// reads. main sets GOGC=400, which suits the usual few-kilobyte files (no
// collection before the process ends) but would let a 100 MB config grow
// the heap to five times what it holds. From largeFiles on, a soft memory
// limit of three times the files (less what the binary itself occupies)
// makes the collector run as the limit nears instead. GOMEMLIMIT in the
// environment still wins.
func limitHeap(lookup func(string) (string, bool)) {
	if _, set := lookup("GOMEMLIMIT"); set {
		return
	}
	if size := filesSize(lookup); size >= largeFiles {
		debug.SetMemoryLimit(3*size - 12<<20)
	}
}

// filesSize is the size of the config and credentials files the
// environment names (0 for a missing one).
func filesSize(lookup func(string) (string, bool)) int64 {
	var size int64
	cfg, _ := awsconfig.ConfigFile(lookup)
	cred, _ := awsconfig.CredentialsFile(lookup)
	for _, path := range []string{cfg, cred} {
		if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
			size += fi.Size()
		}
	}
	return size
}
