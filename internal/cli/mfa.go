package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/credchain/credchain/internal/prompt"
)

// mfa returns the MFA code source: --mfa-code; else botocore's prompt
// ("Enter MFA code for SERIAL: ") on the controlling terminal, without echo,
// one prompt per role, never reading the command's stdin (it may carry a
// pipe meant for the child of exec); only when there is no terminal at all,
// exactly one line of stdin and nothing after it.
func (g *globals) mfa(e *env) func(serial string) (string, error) {
	return func(serial string) (string, error) {
		if g.mfaCode != "" {
			return g.mfaCode, nil
		}
		label := fmt.Sprintf("Enter MFA code for %s: ", serial)
		code, err := prompt.Terminal(label)
		if !errors.Is(err, prompt.ErrNoTerminal) {
			return code, err
		}
		if e.stdin == nil {
			return "", fmt.Errorf("no terminal to ask for the MFA code of %s: pass --mfa-code CODE", serial)
		}
		fmt.Fprint(e.stderr, label)
		line, err := prompt.Line(e.stdin)
		if err != nil {
			if err == io.EOF {
				return "", fmt.Errorf("no terminal and no MFA code on stdin for %s: pass --mfa-code CODE or run on a terminal", serial)
			}
			return "", fmt.Errorf("reading the MFA code from stdin: %w", err)
		}
		return line, nil
	}
}
