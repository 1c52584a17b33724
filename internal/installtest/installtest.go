// Package installtest builds credchain as `make build` does and a person
// installs it, for the tests that run it as a person would: the front
// (credchain, tag credchain_front) and the full build (credchain-aws) side
// by side, static, stripped and trimmed.
package installtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

var (
	once sync.Once
	dir  string
	err  error
)

// Dir builds both binaries once per test binary and returns their
// directory. It runs the go command, so the test must run inside the
// module.
func Dir() (string, error) {
	once.Do(func() {
		if dir, err = os.MkdirTemp("", "credchain-bin-"); err != nil {
			return
		}
		for _, b := range []struct{ name, tags string }{{"credchain", "credchain_front"}, {"credchain-aws", ""}} {
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-tags="+b.tags,
				"-o", filepath.Join(dir, Exe(b.name)), "github.com/credchain/credchain/cmd/"+b.name)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, berr := cmd.CombinedOutput(); berr != nil {
				err = fmt.Errorf("go build %s: %v: %s", b.name, berr, out)
				return
			}
		}
	})
	return dir, err
}

// Exe is the file name of the binary name on this system.
func Exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}
