// Package prompt asks the person at the terminal for a secret (an MFA code,
// a passphrase) the way botocore's getpass does: on the controlling
// terminal (/dev/tty; CONIN$ and CONOUT$ on Windows), never on the
// command's own stdin, which may carry data for another program
// (seq 1 100000 | credchain exec -- wc -l).
package prompt

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/term"
)

// ErrNoTerminal says there is no terminal to ask on.
var ErrNoTerminal = errors.New("no terminal to ask on")

// Terminal asks on the controlling terminal: label, then a line read without
// echo. ErrNoTerminal when the process has none (a daemon, CI, setsid).
func Terminal(label string) (string, error) {
	in, out, err := openTTY()
	if err != nil {
		return "", ErrNoTerminal
	}
	defer in.Close()
	if out != in {
		defer out.Close()
	}
	if _, err := io.WriteString(out, label); err != nil {
		return "", ErrNoTerminal
	}
	b, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(out)
	if err != nil {
		return "", fmt.Errorf("reading from the terminal: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// maxLine bounds one answer read from a pipe.
const maxLine = 4096

// Line reads one line from r, byte by byte, so that nothing after the
// newline is consumed: the rest of r stays for whoever reads it next. The
// line is returned without its line ending; io.EOF when r is empty.
func Line(r io.Reader) (string, error) {
	var b strings.Builder
	var one [1]byte
	for b.Len() < maxLine {
		n, err := r.Read(one[:])
		if n == 1 {
			if one[0] == '\n' {
				return strings.TrimRight(b.String(), "\r"), nil
			}
			b.WriteByte(one[0])
			continue
		}
		if err == io.EOF {
			if b.Len() == 0 {
				return "", io.EOF
			}
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("the line is longer than %d bytes", maxLine)
}

// HasTerminal reports whether the process has a controlling terminal to ask
// on.
func HasTerminal() bool {
	in, out, err := openTTY()
	if err != nil {
		return false
	}
	in.Close()
	if out != in {
		out.Close()
	}
	return true
}

// Tell writes msg to the controlling terminal, for the person to read
// while the process's stderr may be a pipe (a credential_process run by
// boto3). ErrNoTerminal when there is none.
func Tell(msg string) error {
	in, out, err := openTTY()
	if err != nil {
		return ErrNoTerminal
	}
	defer in.Close()
	if out != in {
		defer out.Close()
	}
	_, err = io.WriteString(out, msg)
	return err
}

// Confirm asks a yes/no question on the controlling terminal (the answer
// echoed); only "y" or "yes" is yes. ErrNoTerminal when there is none.
func Confirm(question string) (bool, error) {
	in, out, err := openTTY()
	if err != nil {
		return false, ErrNoTerminal
	}
	defer in.Close()
	if out != in {
		defer out.Close()
	}
	if _, err := io.WriteString(out, question+" [y/N] "); err != nil {
		return false, ErrNoTerminal
	}
	answer, err := Line(in)
	if err != nil && err != io.EOF {
		return false, fmt.Errorf("reading from the terminal: %w", err)
	}
	answer = strings.ToLower(strings.TrimSpace(answer))
	return answer == "y" || answer == "yes", nil
}
