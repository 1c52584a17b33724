package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/selfbin"
	"github.com/spf13/cobra"
)

// credchain ships as two binaries built from this package. The front,
// credchain (built with the credchain_front tag), links no AWS client: the
// commands a shell runs all day (prompt, completion, export and switch from
// static keys or cached credentials, profiles, lint) start without
// aws-sdk-go-v2's service packages. Whatever needs more runs in the full
// build, FullName, which the front execs with the same arguments:
//   - the commands it does not have (explain, whoami, sso, keys), the root's
//     help and version, and the completion of command names;
//   - serve, exec --server and the picker, from the start;
//   - any command whose resolution needs an AWS call (a role, SSO or login
//     cache miss) or a sign-in: the sources return creds.ErrNoClient before
//     they prompt, lock, run a process or read a token, so the full build
//     finds nothing done twice.
// The full build is complete on its own (go install gives it as credchain).

// FullName is the full build's name, next to the front or on PATH.
const FullName = selfbin.FullName

// errFullBuild is how a front command says that the full build runs it.
var errFullBuild = fmt.Errorf("this command runs in %s: %w", FullName, creds.ErrNoClient)

// handsOverAtStart reports whether the front runs args in the full build
// without trying: a command it does not have, the root itself (help,
// version, usage), and completion of anything but a front command's
// arguments and flags.
// The front answers --version and completion scripts itself (the script
// is the full build's: it calls credchain back), and with no full build
// installed also the root's help, with a note of what is missing.
func handsOverAtStart(root *cobra.Command, args []string) bool {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-v") || len(args) > 0 && args[0] == "completion" {
		return false
	}
	if rootHelp(root, args) {
		if _, err := fullBinary(); err != nil {
			return false // the front's own help, noted as partial in Main
		}
	}
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		args = args[1:]
		if len(args) > 0 {
			args = args[:len(args)-1] // the word being completed
		}
	}
	cmd, _, err := root.Find(args)
	return err != nil || cmd == root
}

// rootHelp reports whether args ask for the root's help or usage.
func rootHelp(root *cobra.Command, args []string) bool {
	if len(args) > 0 && args[0] == "help" {
		return true
	}
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-v") ||
		len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		return false
	}
	cmd, _, err := root.Find(args)
	return err == nil && cmd == root
}

// frontVersionVar carries the front's version to the full build it hands
// over to, which refuses to run for a front of another build.
const frontVersionVar = "CREDCHAIN_FRONT_VERSION"

// handedOverBy is the version of the front that started this full build
// ("" when none did); Run takes it out of the environment, so that nothing
// this process runs sees it.
var handedOverBy string

// checkFront refuses a hand-over between builds of different versions:
// their caches, flags and protocols may differ.
func checkFront() error {
	if front || handedOverBy == "" || handedOverBy == version() {
		return nil
	}
	return fmt.Errorf("credchain %s handed this command to %s %s: the two binaries are from different builds; install both from one release (%s)",
		handedOverBy, FullName, version(), installHint())
}

// installHint says how to install both binaries.
func installHint() string {
	at := "latest"
	if v := version(); strings.HasPrefix(v, "v") && !strings.ContainsAny(v, " -+") {
		at = v
	}
	return "make install from a checkout, or go install github.com/credchain/credchain/cmd/" + FullName + "@" + at
}

// fullBinary finds the full build (selfbin.Full). A front installed under
// the full build's name is refused: it would hand over to itself.
func fullBinary() (string, error) {
	if strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe") == FullName {
		return "", fmt.Errorf("%s is credchain's front build: install the full build under that name (make install)", os.Args[0])
	}
	p, err := selfbin.Full()
	if err != nil {
		return "", fmt.Errorf("%v: install both binaries (%s)", err, installHint())
	}
	return p, nil
}

// handOver runs args in the full build and returns its exit status; on
// Unix the full build replaces this process and handOver returns only when
// it cannot start it.
func handOver(args []string, stderr io.Writer) int {
	path, err := fullBinary()
	if err == nil {
		_ = os.Setenv(frontVersionVar, version())
		var code int
		if code, err = run(path, args); err == nil {
			return code
		}
	}
	fmt.Fprintf(stderr, "credchain: %v\n", err)
	return ExitError
}

// writeCounter remembers whether anything was written through it.
type writeCounter struct {
	w       io.Writer
	written bool
}

func (c *writeCounter) Write(p []byte) (int, error) {
	c.written = c.written || len(p) > 0
	return c.w.Write(p)
}

// unwrap is the writer under a writeCounter: what a child process gets,
// so that it sees the terminal (or file) itself.
func unwrap(w io.Writer) io.Writer {
	if c, ok := w.(*writeCounter); ok {
		return c.w
	}
	return w
}

// handOverAfter is the front's answer to a command that failed with err:
// the full build runs it when the error is creds.ErrNoClient and the
// command has written nothing to stdout (a warning on stderr may show
// twice); ok is false for any other error.
func handOverAfter(err error, args []string, stdout *writeCounter, stderr io.Writer) (code int, ok bool) {
	if !errors.Is(err, creds.ErrNoClient) {
		return 0, false
	}
	if stdout.written {
		fmt.Fprintf(stderr, "credchain: %v, after writing part of its output: run %s %s\n", err, FullName, strings.Join(args, " "))
		return ExitError, true
	}
	return handOver(args, stderr), true
}
