package proc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// A Helper is a program credchain runs for an answer: a credential_process,
// an mfa_process, pass. Run runs it the one way credchain runs helpers:
//
//   - in a process group of its own, killed whole (the helper and everything
//     it started) when Timeout passes or ctx ends;
//   - with the terminal: when this process is in the foreground of its
//     controlling terminal, the helper's group is made the foreground for
//     the run (so it can prompt on /dev/tty, as under botocore, which runs
//     helpers in the caller's group), then the foreground and the terminal's
//     modes are taken back, even when the helper was killed mid-prompt; one
//     helper holds the terminal at a time;
//   - with the caller's stdin unless Stdin is set, as botocore's subprocess
//     inherits it;
//   - with stdout read up to MaxOutput, and no longer than a short grace
//     after the helper exits (a background child it left may hold the pipe).
type Helper struct {
	Argv []string
	// Env is the helper's environment; nil means this process's.
	Env []string
	// Stdin is the helper's stdin; nil means this process's.
	Stdin io.Reader
	// Stderr receives the helper's stderr as it is written; nil keeps it in
	// Result.Stderr (up to MaxOutput) instead.
	Stderr io.Writer
	// Timeout bounds the run; it must be positive.
	Timeout time.Duration
	// MaxOutput bounds what is kept of stdout (and stderr); 1 MiB when zero.
	MaxOutput int
}

// Result is what a helper printed.
type Result struct {
	Stdout []byte
	Stderr []byte
	// Truncated says stdout was longer than MaxOutput.
	Truncated bool
}

// TimeoutError says a helper did not finish in time; it and everything it
// started were killed.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("did not finish within %s (it was stopped with everything it started)", e.After)
}

// outputGrace is how long output is awaited after the helper exits.
const outputGrace = 250 * time.Millisecond

// Run runs h. An error is a *TimeoutError, an *exec.ExitError (Result still
// holds what was printed), or the reason the program could not start.
func Run(ctx context.Context, h Helper) (Result, error) {
	if len(h.Argv) == 0 {
		return Result{}, errors.New("empty command")
	}
	if h.Timeout <= 0 {
		return Result{}, errors.New("proc: a helper needs a timeout")
	}
	max := h.MaxOutput
	if max <= 0 {
		max = 1 << 20
	}
	ctx, cancel := context.WithTimeout(ctx, h.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.Argv[0], h.Argv[1:]...)
	cmd.Env = h.Env
	cmd.Stdin = h.Stdin
	if cmd.Stdin == nil {
		cmd.Stdin = os.Stdin
	}
	stdout, stderr := &limitedBuffer{max: max}, &limitedBuffer{max: max}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if h.Stderr != nil {
		cmd.Stderr = h.Stderr
	}
	NewGroup(cmd)
	cmd.Cancel = func() error { return KillGroup(cmd.Process) }
	cmd.WaitDelay = outputGrace

	release, err := lendTerminal(ctx, cmd)
	if err != nil {
		// ctx ended while another helper held the terminal.
		if ctx.Err() == context.DeadlineExceeded {
			return Result{}, &TimeoutError{After: h.Timeout}
		}
		return Result{}, err
	}
	err = cmd.Run()
	release()
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), Truncated: stdout.truncated}
	if ctx.Err() == context.DeadlineExceeded {
		return res, &TimeoutError{After: h.Timeout}
	}
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		// Exited with status 0; a child of it still holds the pipe.
		err = nil
	}
	var ee *exec.Error
	if errors.As(err, &ee) {
		err = ee.Err
	}
	return res, err
}

// limitedBuffer keeps the first max bytes written and discards the rest. It
// does not embed bytes.Buffer: io.Copy would use its ReadFrom and bypass the
// limit.
type limitedBuffer struct {
	buf       bytes.Buffer
	max       int
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	room := b.max - b.buf.Len()
	if room < len(p) {
		b.truncated = true
		if room > 0 {
			b.buf.Write(p[:room])
		}
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *limitedBuffer) Bytes() []byte { return b.buf.Bytes() }

// terminal is held by the helper that has the terminal.
var terminal = make(chan struct{}, 1)
