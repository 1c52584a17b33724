// Package lifecycle starts, finds and stops credchain's background servers
// (serve --detach). A server started in the background reports back on a
// pipe once it listens (Announce, Start), registers itself in a folder of
// the user's state while it runs (Registry.Add), and is stopped by pid only
// when the registry and a probe of its endpoint agree that the pid is that
// server (Registry.Stop), so that a reused pid is never killed.
package lifecycle

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/proc"
)

// Report is what a background server tells the command that started it,
// once it listens.
type Report struct {
	PID      int    `json:"pid"`
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
	// Token authorizes requests. It travels only on the pipe to the
	// starting command, never into the registry.
	Token   string    `json:"token,omitempty"`
	Log     string    `json:"log,omitempty"`
	Started time.Time `json:"started"`
}

// maxReport bounds what is read of a report.
const maxReport = 64 << 10

// Announce writes r to w, the pipe the starting command reads, as one JSON
// line.
func Announce(w io.Writer, r Report) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// ExitError says the server exited before it reported; its reason is in
// its log.
type ExitError struct{ Code int }

func (e *ExitError) Error() string {
	return fmt.Sprintf("the server exited with status %d before it listened", e.Code)
}

// Start starts cmd in the background (a new session: no terminal, so
// Ctrl-C and the terminal's hangup do not reach it), gives it input on its
// stdin, and waits up to timeout for its Report. cmd's Stderr is the
// caller's (a log file). On a timeout the server is killed.
func Start(cmd *exec.Cmd, input []byte, timeout time.Duration) (Report, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return Report{}, err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return Report{}, err
	}
	proc.Detach(cmd)
	if err := cmd.Start(); err != nil {
		return Report{}, fmt.Errorf("starting the server: %w", err)
	}
	go func() {
		_, _ = in.Write(input)
		in.Close()
	}()
	type result struct {
		r   Report
		err error
	}
	got := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(io.LimitReader(out, maxReport)).ReadBytes('\n')
		if err != nil {
			got <- result{err: err}
			return
		}
		var r Report
		if err := json.Unmarshal(line, &r); err != nil {
			got <- result{err: fmt.Errorf("the server's report does not parse: %w", err)}
			return
		}
		got <- result{r: r}
	}()
	select {
	case res := <-got:
		if res.err == nil {
			_ = cmd.Process.Release()
			return res.r, nil
		}
		// No report: the server stopped before it listened.
		code := -1
		waited := make(chan struct{})
		go func() {
			if cmd.Wait(); cmd.ProcessState != nil {
				code = cmd.ProcessState.ExitCode()
			}
			close(waited)
		}()
		select {
		case <-waited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-waited
		}
		return Report{}, &ExitError{Code: code}
	case <-time.After(timeout):
		_ = cmd.Process.Kill()
		return Report{}, fmt.Errorf("the server did not start within %s", timeout)
	}
}

// Registry is the folder where running servers are registered, one 0600
// file per pid.
type Registry struct{ Dir string }

func (g Registry) path(pid int) string { return filepath.Join(g.Dir, strconv.Itoa(pid)+".json") }

// Add registers r (without its token) until remove is called.
func (g Registry) Add(r Report) (remove func(), err error) {
	if err := os.MkdirAll(g.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("server registry %s: %w", g.Dir, err)
	}
	r.Token = ""
	data, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(g.path(r.PID), data, 0o600); err != nil {
		return nil, fmt.Errorf("server registry: %w", err)
	}
	return func() { _ = os.Remove(g.path(r.PID)) }, nil
}

// Get returns the registered server pid.
func (g Registry) Get(pid int) (Report, bool) {
	data, err := os.ReadFile(g.path(pid))
	if err != nil {
		return Report{}, false
	}
	var r Report
	if json.Unmarshal(data, &r) != nil || r.PID != pid {
		return Report{}, false
	}
	return r, true
}

// ErrNotRunning says no registered server runs with that pid.
var ErrNotRunning = errors.New("no credchain server runs with that pid")

// stopWait bounds the wait for a server to exit after SIGTERM, then after
// SIGKILL.
const stopWait = 5 * time.Second

// Stop stops the server registered as pid: only if it is registered, runs,
// and answers probe (any answer from its endpoint; a reused pid's process
// has none), it gets SIGTERM, then SIGKILL if it has not exited after a
// few seconds. A stale registration is removed. ErrNotRunning when there
// was nothing to stop.
func (g Registry) Stop(pid int, probe func(Report) error) error {
	r, ok := g.Get(pid)
	if !ok {
		return ErrNotRunning
	}
	if !proc.Alive(pid) || probe(r) != nil {
		_ = os.Remove(g.path(pid))
		return ErrNotRunning
	}
	if err := proc.Terminate(pid); err != nil {
		return fmt.Errorf("stopping server %d: %w", pid, err)
	}
	for _, kill := range []bool{false, true} {
		if kill {
			_ = proc.KillPID(pid)
		}
		for deadline := time.Now().Add(stopWait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if !proc.Alive(pid) {
				_ = os.Remove(g.path(pid))
				return nil
			}
		}
	}
	return fmt.Errorf("server %d did not exit", pid)
}
