package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// mfa returns the MFA code source: --mfa-code, else a prompt on the terminal
// without echo ("Enter MFA code for SERIAL: ", botocore's text), else one line
// read from stdin.
func (g *globals) mfa(e *env) func(serial string) (string, error) {
	return func(serial string) (string, error) {
		if g.mfaCode != "" {
			return g.mfaCode, nil
		}
		fmt.Fprintf(e.stderr, "Enter MFA code for %s: ", serial)
		if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			code, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(e.stderr)
			return strings.TrimSpace(string(code)), err
		}
		if e.stdin == nil {
			return "", errors.New("no terminal to ask for the MFA code: pass --mfa-code")
		}
		line, err := bufio.NewReader(io.LimitReader(e.stdin, 1024)).ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return "", errors.New("no MFA code on stdin: pass --mfa-code or run on a terminal")
		}
		return strings.TrimSpace(line), nil
	}
}
