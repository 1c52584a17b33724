// Package atomicfile replaces files atomically: a temporary file in the same
// directory, written, synced, given its mode, and renamed over the target.
// A reader sees the old file or the new one, never a part of either.
//
// Temporary files are named ".<name>.credchain-tmp-<pid>-<random>", so that
// they are recognisable as credchain's. A process killed between writing
// one and renaming it leaves it behind, holding what was being written
// (credentials, for the caches): the next write in the same directory
// removes such files once their writer is gone or they are older than
// StaleAfter.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/credchain/credchain/internal/proc"
)

// marker is in the name of every temporary file this package makes.
const marker = ".credchain-tmp-"

// StaleAfter is the age after which a temporary file is removed even when
// a process with its writer's pid runs (the pid was reused).
const StaleAfter = time.Minute

// Write replaces path with data, mode perm.
func Write(path string, data []byte, perm os.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	RemoveStale(dir)
	tmp, err := os.CreateTemp(dir, "."+base+marker+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// RemoveStale removes the temporary files of writers that died before
// renaming them (best effort).
func RemoveStale(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		i := strings.Index(name, marker)
		if i < 0 || !strings.HasPrefix(name, ".") || e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(name[i+len(marker):], "-")
		pid, err := strconv.Atoi(pidText)
		info, ierr := e.Info()
		if ierr != nil {
			continue
		}
		old := time.Since(info.ModTime()) > StaleAfter
		if err != nil || old || pid != os.Getpid() && !proc.Alive(pid) {
			_ = os.Remove(filepath.Join(dir, name))
		}
	}
}
