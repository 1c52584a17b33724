package atomicfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestWriteReplacesWithMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(data) != "new" || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%q %v", data, fi.Mode())
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*credchain-tmp-*"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	if err := Write(filepath.Join(dir, "missing", "f"), nil, 0o600); err == nil {
		t.Fatal("wrote into a missing directory")
	}
}

// TestStaleTempFilesAreRemoved: a writer killed before its rename leaves a
// temporary file holding credentials; the next write removes it once the
// writer is gone (6 of 200 kills left such files).
func TestStaleTempFilesAreRemoved(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true command")
	}
	deadPid := dead.Process.Pid
	left := filepath.Join(dir, ".key.json.credchain-tmp-"+strconv.Itoa(deadPid)+"-123")
	live := filepath.Join(dir, ".other.json.credchain-tmp-"+strconv.Itoa(os.Getppid())+"-456")
	oldLive := filepath.Join(dir, ".old.json.credchain-tmp-"+strconv.Itoa(os.Getppid())+"-789")
	foreign := filepath.Join(dir, "key.json.1234.tmp")
	for _, f := range []string{left, live, oldLive, foreign} {
		must(t, os.WriteFile(f, []byte(`{"SecretAccessKey": "x"}`), 0o600))
	}
	long := time.Now().Add(-2 * StaleAfter)
	must(t, os.Chtimes(oldLive, long, long))
	must(t, Write(filepath.Join(dir, "key.json"), []byte("new"), 0o600))
	for f, want := range map[string]bool{left: false, oldLive: false, live: true, foreign: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s: exists=%v, want %v", filepath.Base(f), err == nil, want)
		}
	}
	names, _ := filepath.Glob(filepath.Join(dir, ".key.json.credchain-tmp-*"))
	if len(names) != 0 {
		t.Errorf("left: %v", names)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestReplaceReturnsTheDisplacedFile: what Replace displaced reads as the
// file that was there (an exchange on Linux); the snapshot Windows uses
// holds what the file held when it was taken.
func TestReplaceReturnsTheDisplacedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	os.WriteFile(path, []byte("old"), 0o640)
	before, _ := os.Stat(path)
	d, err := Replace(path, []byte("new"), Meta{Mode: 0o600, UID: -1})
	if err != nil || d == nil {
		t.Fatalf("Replace = %v, %v", d, err)
	}
	defer d.Close()
	fi, _ := d.Stat()
	buf := make([]byte, 3)
	if n, _ := d.ReadAt(buf, 0); string(buf[:n]) != "old" || !os.SameFile(fi, before) {
		t.Fatalf("displaced holds %q (same file %v)", buf[:n], os.SameFile(fi, before))
	}
	if data, _ := os.ReadFile(path); string(data) != "new" {
		t.Fatalf("path holds %q", data)
	}
	f, _ := os.Open(path)
	snap, err := snapshotOf(f)
	f.Close()
	os.WriteFile(path, []byte("changed"), 0o600)
	if n, _ := snap.ReadAt(buf, 0); err != nil || string(buf[:n]) != "new" {
		t.Fatalf("snapshot holds %q, %v", buf[:n], err)
	}
}
