package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/credchain/credchain/internal/proc"
	"github.com/credchain/credchain/internal/pystr"
)

// ErrUnavailable says an Asker cannot ask here (no terminal, no desktop).
var ErrUnavailable = errors.New("no way to ask here")

// A Question is one secret to ask the person for.
type Question struct {
	// Label is the prompt, botocore's for MFA codes:
	// "Enter MFA code for SERIAL: ".
	Label string
}

// An Asker gets the answer to a question, or ErrUnavailable (wrapped) when
// it has no way to ask in this context.
type Asker interface {
	Ask(ctx context.Context, q Question) (string, error)
}

// AskerFunc adapts a function to an Asker.
type AskerFunc func(ctx context.Context, q Question) (string, error)

// Ask implements Asker.
func (f AskerFunc) Ask(ctx context.Context, q Question) (string, error) { return f(ctx, q) }

// TTY asks on the controlling terminal without echo.
var TTY = AskerFunc(func(_ context.Context, q Question) (string, error) {
	s, err := Terminal(q.Label)
	if errors.Is(err, ErrNoTerminal) {
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return s, err
})

// First asks with the first Asker that is available.
func First(askers ...Asker) Asker {
	return AskerFunc(func(ctx context.Context, q Question) (string, error) {
		for _, a := range askers {
			s, err := a.Ask(ctx, q)
			if errors.Is(err, ErrUnavailable) {
				continue
			}
			return s, err
		}
		return "", ErrUnavailable
	})
}

// maxAnswer bounds what a helper program may print.
const maxAnswer = 4096

// Desktop asks in a desktop dialog: zenity or kdialog on Linux and the BSDs
// (with DISPLAY or WAYLAND_DISPLAY set), osascript on macOS, PowerShell on
// Windows. The answer is hidden where the tool can hide it. Timeout bounds
// the wait for the person (5 minutes when zero).
type Desktop struct {
	// Lookup reads the environment (DISPLAY, WAYLAND_DISPLAY).
	Lookup func(string) (string, bool)
	// GOOS overrides runtime.GOOS (tests).
	GOOS    string
	Timeout time.Duration
}

// command is the dialog program and its arguments for q, or nil.
func (d Desktop) command(q Question) []string {
	label := strings.TrimSpace(q.Label)
	goos := d.GOOS
	if goos == "" {
		goos = runtime.GOOS
	}
	switch goos {
	case "darwin":
		script := fmt.Sprintf(`text returned of (display dialog %s default answer "" with hidden answer with title "credchain")`, appleString(label))
		return []string{"osascript", "-e", script}
	case "windows":
		ps := fmt.Sprintf(`Add-Type -AssemblyName Microsoft.VisualBasic; [Microsoft.VisualBasic.Interaction]::InputBox('%s', 'credchain')`,
			strings.ReplaceAll(label, "'", "''"))
		return []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command", ps}
	}
	lookup := d.Lookup
	if lookup == nil {
		return nil
	}
	x, _ := lookup("DISPLAY")
	w, _ := lookup("WAYLAND_DISPLAY")
	if x == "" && w == "" {
		return nil
	}
	if _, err := exec.LookPath("zenity"); err == nil {
		return []string{"zenity", "--entry", "--hide-text", "--title=credchain", "--text=" + label}
	}
	if _, err := exec.LookPath("kdialog"); err == nil {
		return []string{"kdialog", "--title", "credchain", "--password", label}
	}
	return nil
}

// appleString quotes s for AppleScript.
func appleString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Ask implements Asker.
func (d Desktop) Ask(ctx context.Context, q Question) (string, error) {
	argv := d.command(q)
	if argv == nil {
		return "", fmt.Errorf("%w: no desktop session with zenity or kdialog", ErrUnavailable)
	}
	if _, err := exec.LookPath(argv[0]); err != nil {
		return "", fmt.Errorf("%w: %s is not available", ErrUnavailable, argv[0])
	}
	timeout := d.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	out, err := run(ctx, timeout, argv, nil)
	if err != nil {
		return "", fmt.Errorf("the %s dialog: %w (cancelled?)", argv[0], err)
	}
	return out, nil
}

// Command runs a program that prints the answer (mfa_process: a YubiKey's
// "ykman oath accounts code --single NAME", a password manager's CLI): the
// first line of its stdout, trimmed. Its stderr (a "touch your key" hint)
// goes to Stderr. The line is split like credential_process.
type Command struct {
	Line    string
	Where   string // what configured it, for errors: profile "dev" (mfa_process)
	Stderr  io.Writer
	Timeout time.Duration // 2 minutes when zero
}

// Ask implements Asker.
func (c Command) Ask(ctx context.Context, _ Question) (string, error) {
	var argv []string
	var err error
	if runtime.GOOS == "windows" {
		argv, err = pystr.WindowsSplit(c.Line)
	} else {
		argv, err = pystr.ShlexSplit(c.Line)
	}
	if err != nil || len(argv) == 0 {
		return "", fmt.Errorf("%s: cannot split the command %q", c.Where, c.Line)
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	out, err := run(ctx, timeout, argv, c.Stderr)
	if err != nil {
		return "", fmt.Errorf("%s: %s: %w", c.Where, argv[0], err)
	}
	if out == "" {
		return "", fmt.Errorf("%s: %s printed no code", c.Where, argv[0])
	}
	return out, nil
}

// run runs argv (through proc.Run: its own process group, killed whole on
// timeout, with the terminal, without stdin) and returns the first line of
// its stdout.
func run(ctx context.Context, timeout time.Duration, argv []string, stderr io.Writer) (string, error) {
	if stderr == nil {
		stderr = io.Discard
	}
	// No stdin: what is piped into credchain belongs to the command it
	// runs; a helper that asks does so on the terminal it is lent.
	out, err := proc.Run(ctx, proc.Helper{Argv: argv, Stdin: strings.NewReader(""), Stderr: stderr, Timeout: timeout, MaxOutput: maxAnswer})
	var te *proc.TimeoutError
	if errors.As(err, &te) {
		return "", fmt.Errorf("no answer within %s", timeout)
	}
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(out.Stdout), "\n")
	return strings.TrimSpace(line), nil
}

// NewSecret asks for a secret with ask; with confirm (a new passphrase) it
// asks again and refuses two different answers.
func NewSecret(ctx context.Context, ask Asker, label string, confirm bool) (string, error) {
	p, err := ask.Ask(ctx, Question{Label: label})
	if err != nil || !confirm {
		return p, err
	}
	again, err := ask.Ask(ctx, Question{Label: "Again, to confirm: "})
	if err != nil {
		return "", err
	}
	if again != p {
		return "", errors.New("the passphrases differ; nothing was stored")
	}
	return p, nil
}
