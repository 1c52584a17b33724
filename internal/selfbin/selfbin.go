// Package selfbin finds credchain's own binaries: the one running (to start
// it again: serve --detach; or to name it in a credential_process line) and
// the full build the front hands commands to. It is the one place that
// looks them up.
package selfbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// FullName is the full build's name, next to the front or on PATH.
const FullName = "credchain-aws"

// Self is the absolute path of the running binary; the PATH entry of its
// name when that is the same file (a line written with it keeps working
// after an upgrade that replaces the file).
func Self() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find credchain's own path: %w", err)
	}
	if onPath, err := exec.LookPath(filepath.Base(self)); err == nil {
		if abs, err := filepath.Abs(onPath); err == nil && sameFile(abs, self) {
			return abs, nil
		}
	}
	return self, nil
}

// NotFoundError says the full build is neither next to the running binary
// nor on PATH.
type NotFoundError struct{ Name, Near string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s, the part of credchain that calls AWS, is neither next to %s nor on PATH", e.Name, e.Near)
}

// Full finds the full build: next to the running binary (as started, then
// with symlinks resolved), else on PATH; else a *NotFoundError.
func Full() (string, error) {
	name := FullName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	exe, err := os.Executable()
	if err == nil {
		dirs := []string{filepath.Dir(exe)}
		if real, err := filepath.EvalSymlinks(exe); err == nil && filepath.Dir(real) != dirs[0] {
			dirs = append(dirs, filepath.Dir(real))
		}
		for _, dir := range dirs {
			p := filepath.Join(dir, name)
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath(FullName); err == nil {
		return p, nil
	}
	return "", &NotFoundError{Name: name, Near: exe}
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
