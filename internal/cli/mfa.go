package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/internal/prompt"
)

// asker is the one place that chooses how to ask the person for a secret:
// the profile's mfa_process when it has one, then the controlling terminal
// (never the command's stdin, which may carry a pipe meant for the child of
// exec), then a desktop dialog (zenity, kdialog, osascript, PowerShell).
func asker(e *env, process, where string) prompt.Asker {
	var as []prompt.Asker
	if process != "" {
		as = append(as, prompt.Command{Line: process, Where: where, Stderr: e.stderr})
	}
	return prompt.First(append(as, prompt.TTY, prompt.Desktop{Lookup: e.lookup})...)
}

// noWayToAsk is the error when nothing could ask for an MFA code.
func noWayToAsk(serial, profile string) error {
	return fmt.Errorf("no way to ask for the MFA code of %s: no terminal, no desktop dialog (zenity or kdialog), and profile %q has no mfa_process: "+
		"pass --mfa-code CODE, set mfa_process = COMMAND (a command that prints the code) in the profile, or run on a terminal", serial, profile)
}

// mfaLabel is botocore's MFA prompt.
func mfaLabel(serial string) string { return fmt.Sprintf("Enter MFA code for %s: ", serial) }

// askMFA asks for the MFA code of req's profile through asker (its
// mfa_process, the terminal, a desktop dialog); prompt.ErrUnavailable
// when none of them can ask here.
func askMFA(ctx context.Context, e *env, req credchain.MFARequest) (string, error) {
	return asker(e, req.Process, fmt.Sprintf("profile %q: mfa_process", req.Profile)).Ask(ctx, prompt.Question{Label: mfaLabel(req.Serial)})
}

// mfa returns the MFA code source of credchain's own chain: --mfa-code;
// else botocore's prompt ("Enter MFA code for SERIAL: ") through asker, one
// prompt per role; only when nothing can ask, exactly one line of stdin and
// nothing after it.
func (g *globals) mfa(e *env) func(context.Context, credchain.MFARequest) (string, error) {
	return func(ctx context.Context, req credchain.MFARequest) (string, error) {
		if g.mfaCode != "" {
			return g.mfaCode, nil
		}
		code, err := askMFA(ctx, e, req)
		if !errors.Is(err, prompt.ErrUnavailable) {
			return code, err
		}
		if e.stdin == nil {
			return "", noWayToAsk(req.Serial, req.Profile)
		}
		fmt.Fprint(e.stderr, mfaLabel(req.Serial))
		line, err := prompt.Line(e.stdin)
		if err != nil {
			if err == io.EOF {
				return "", fmt.Errorf("no terminal and no MFA code on stdin for %s: pass --mfa-code CODE or run on a terminal", req.Serial)
			}
			return "", fmt.Errorf("reading the MFA code from stdin: %w", err)
		}
		return line, nil
	}
}
