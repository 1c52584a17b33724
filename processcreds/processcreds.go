// Package processcreds runs a profile's credential_process, like botocore's
// ProcessProvider (method "custom-process"): the command line is split like
// POSIX shlex (MSVC rules on Windows) and executed directly, with no shell and
// no expansion; stdout must be the JSON document of the credential_process
// protocol, Version 1.
//
// Better than botocore: the run is bounded by a timeout, output is read up to
// a limit, and every failure is a typed error that names the profile and the
// command (botocore leaks raw FileNotFoundError, JSONDecodeError and
// IndexError).
package processcreds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"strings"
	"time"
	"unicode"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/proc"
	"github.com/credchain/credchain/internal/pystr"
	"github.com/credchain/credchain/internal/timefmt"
)

// Method is botocore's name for this source.
const Method = "custom-process"

// DefaultTimeout bounds one run of the process. botocore waits forever.
const DefaultTimeout = 5 * time.Minute

// MaxOutput bounds what is read from the process's stdout and stderr.
const MaxOutput = 1 << 20

// Provider runs Command.
type Provider struct {
	// Profile names the profile, for messages.
	Profile string
	// Command is the credential_process value; Where is its file:line.
	Command string
	Where   string
	// AccountID is the profile's aws_account_id, used when the output has
	// no AccountId.
	AccountID string
	// Timeout bounds a run; zero means DefaultTimeout.
	Timeout time.Duration
	// Windows selects the Windows splitting rules; the zero value follows
	// runtime.GOOS.
	Windows *bool
	// Stdin is the process's stdin; nil means this process's, as botocore's
	// subprocess inherits it.
	Stdin io.Reader
	// Stderr receives the process's stderr when it fails, for the person to
	// read; nil discards it. It never goes into the error, which may end up
	// in JSON output or a server's response.
	Stderr io.Writer
}

// Method implements creds.Provider.
func (p *Provider) Method() string { return Method }

func (p *Provider) fail(format string, args ...any) *creds.Error {
	return &creds.Error{Kind: creds.KindCredentialRetrieval,
		Msg: fmt.Sprintf("Error when retrieving credentials from custom-process: profile %q: credential_process at %s: ", p.Profile, p.Where) +
			fmt.Sprintf(format, args...)}
}

// Split splits a credential_process command line into argv.
func (p *Provider) Split() ([]string, error) {
	windows := runtime.GOOS == "windows"
	if p.Windows != nil {
		windows = *p.Windows
	}
	if windows {
		return pystr.WindowsSplit(p.Command)
	}
	return pystr.ShlexSplit(p.Command)
}

// Retrieve implements creds.Provider: it runs the process once.
func (p *Provider) Retrieve(ctx context.Context) (creds.Credentials, error) {
	argv, err := p.Split()
	if err != nil {
		return creds.Credentials{}, p.fail("cannot split the command line: %v", err)
	}
	if len(argv) == 0 {
		// botocore raises a raw IndexError.
		return creds.Credentials{}, p.fail("the command is empty")
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	out, err := proc.Run(ctx, proc.Helper{Argv: argv, Stdin: p.Stdin, Timeout: timeout, MaxOutput: MaxOutput})
	var timedOut *proc.TimeoutError
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &timedOut):
		p.showStderr(string(out.Stderr))
		return creds.Credentials{}, p.fail("%q %v", argv[0], timedOut)
	case errors.As(err, &exitErr):
		p.showStderr(string(out.Stderr))
		return creds.Credentials{}, p.fail("%q exited with status %d%s", argv[0], exitErr.ExitCode(), p.stderrHint(string(out.Stderr)))
	case err != nil:
		return creds.Credentials{}, p.fail("cannot run %q: %v", argv[0], err)
	}
	if out.Truncated {
		return creds.Credentials{}, p.fail("%q printed more than %d bytes", argv[0], MaxOutput)
	}
	return p.parse(out.Stdout)
}

// parse validates the process output like botocore: Version must equal 1
// (Python equality, so 1.0 and true pass), AccessKeyId and SecretAccessKey are
// required, and an Expiration makes the credentials expire. The output itself
// never appears in an error: it holds secrets.
func (p *Provider) parse(out []byte) (creds.Credentials, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&doc); err != nil || dec.InputOffset() < int64(len(bytes.TrimRightFunc(out, unicode.IsSpace))) {
		return creds.Credentials{}, p.fail("the output is not a JSON object (%d bytes)", len(out))
	}
	if doc == nil {
		return creds.Credentials{}, p.fail("the output is not a JSON object (null)")
	}
	switch v := doc["Version"].(type) {
	case float64:
		if v != 1 {
			return creds.Credentials{}, p.fail("Unsupported version '%v' for credential process provider, supported versions: 1", v)
		}
	case bool:
		if !v {
			return creds.Credentials{}, p.fail("Unsupported version 'False' for credential process provider, supported versions: 1")
		}
	case nil:
		if _, present := doc["Version"]; present {
			return creds.Credentials{}, p.fail("Unsupported version 'None' for credential process provider, supported versions: 1")
		}
		return creds.Credentials{}, p.fail("Unsupported version '<Version key not provided>' for credential process provider, supported versions: 1")
	default:
		return creds.Credentials{}, p.fail("Unsupported version '%v' for credential process provider, supported versions: 1 (Version must be the number 1)", v)
	}
	str := func(key string, required bool) (string, bool, error) {
		raw, ok := doc[key]
		if !ok || (raw == nil && !required) {
			if required {
				return "", false, p.fail("Missing required key in response: '%s'", key)
			}
			return "", false, nil
		}
		s, isStr := raw.(string)
		if !isStr {
			return "", false, p.fail("%s must be a string", key)
		}
		return s, true, nil
	}
	c := creds.Credentials{Method: Method, Source: fmt.Sprintf("credential_process at %s", p.Where)}
	var err error
	if c.AccessKeyID, _, err = str("AccessKeyId", true); err != nil {
		return creds.Credentials{}, err
	}
	if c.SecretAccessKey, _, err = str("SecretAccessKey", true); err != nil {
		return creds.Credentials{}, err
	}
	if c.SessionToken, _, err = str("SessionToken", false); err != nil {
		return creds.Credentials{}, err
	}
	exp, hasExp, err := str("Expiration", false)
	if err != nil {
		return creds.Credentials{}, err
	}
	if hasExp {
		t, err := timefmt.Parse(exp)
		if errors.Is(err, timefmt.ErrNaive) {
			// botocore loads these and fails when it first uses them.
			c.Method = Method
			return c, &creds.UnusableError{Err: p.fail("Expiration: %v", err)}
		}
		if err != nil {
			return creds.Credentials{}, p.fail("Expiration: %v", err)
		}
		c.Expires = t
	}
	acct, _, _ := str("AccountId", false)
	if acct == "" {
		acct = p.AccountID
	}
	c.AccountID = acct
	return c, nil
}

// showStderr writes the helper's stderr, made safe for a terminal, to
// p.Stderr.
func (p *Provider) showStderr(text string) {
	text = sanitize(text)
	if p.Stderr == nil || strings.TrimSpace(text) == "" {
		return
	}
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(p.Stderr, "credential_process (profile %s): %s\n", p.Profile, line)
	}
}

// stderrHint says where the helper's stderr went.
func (p *Provider) stderrHint(text string) string {
	switch {
	case strings.TrimSpace(text) == "":
		return " and printed nothing on stderr"
	case p.Stderr == nil:
		return ""
	}
	return " (its stderr is shown above)"
}

// sanitize makes stderr safe to show on one terminal line: control characters
// are escaped and the text is cut at 1 KiB.
func sanitize(s string) string {
	s = strings.TrimRight(s, "\r\n")
	if len(s) > 1024 {
		s = s[:1024] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return '?'
	}, s)
}
