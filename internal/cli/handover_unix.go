//go:build !windows

package cli

import (
	"os"
	"syscall"
)

// run replaces this process with path, given args and the environment.
func run(path string, args []string) (int, error) {
	return 0, syscall.Exec(path, append([]string{path}, args...), os.Environ())
}
