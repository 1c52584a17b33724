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
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
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
	tmp, err := temp(path, data, Meta{Mode: perm, UID: -1})
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // a no-op after the rename
	return os.Rename(tmp, path)
}

// Meta is what a replacement file gets: its mode and, when UID is not -1
// and this process may set it (root), its owner.
type Meta struct {
	Mode     os.FileMode
	UID, GID int
}

// temp writes data to a new temporary file beside path and returns its
// name.
func temp(path string, data []byte, m Meta) (string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	RemoveStale(dir)
	tmp, err := os.CreateTemp(dir, "."+base+marker+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", err
	}
	if err := tmp.Chmod(m.Mode); err != nil {
		return fail(err)
	}
	if m.UID != -1 && os.Geteuid() == 0 {
		if err := tmp.Chown(m.UID, m.GID); err != nil {
			return fail(err)
		}
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(fmt.Errorf("writing %s: %w", tmp.Name(), err))
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// Displaced is the file that was at a path the instant before Replace put
// another there: an open file (Linux, macOS) or, where an open file cannot
// be renamed over (Windows), what it held, read just before.
type Displaced interface {
	io.ReaderAt
	Stat() (fs.FileInfo, error)
	Close() error
}

// Replace puts data in path's place, like Write, and returns the file that
// was at path the instant before (nil when there was none), so that the
// caller can tell whether anyone replaced or rewrote the file it read
// (and redo its change on top). On Linux the two are exchanged atomically
// (renameat2 RENAME_EXCHANGE); elsewhere the file is opened (on Windows
// read) just before a plain rename.
func Replace(path string, data []byte, m Meta) (Displaced, error) {
	tmp, err := temp(path, data, m)
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp) // after an exchange: the displaced file's last name
	if ok, err := exchange(tmp, path); ok || err != nil {
		if err != nil {
			return nil, err
		}
		f, err := os.Open(tmp)
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	var old Displaced
	if f, err := os.Open(path); err == nil {
		old = f
		if runtime.GOOS == "windows" {
			// Windows refuses to rename over a file that is open.
			old, err = snapshotOf(f)
			f.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		if old != nil {
			old.Close()
		}
		return nil, err
	}
	return old, nil
}

// snapshot is a file's content and information, read at one moment.
type snapshot struct {
	*bytes.Reader
	info fs.FileInfo
}

func (s snapshot) Stat() (fs.FileInfo, error) { return s.info, nil }
func (s snapshot) Close() error               { return nil }

func snapshotOf(f *os.File) (Displaced, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return snapshot{bytes.NewReader(data), info}, nil
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
