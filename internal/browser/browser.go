// Package browser opens a URL in the person's web browser with the
// platform's opener (xdg-open, open, rundll32), and says why when it cannot,
// so that a caller prints the URL instead of claiming it was opened.
package browser

import (
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// settle is how long an opener is given to fail before it counts as having
// handed the URL over (xdg-open and open exit at once when they cannot).
const settle = 2 * time.Second

// Available says why no browser can be opened here (nil when one can):
// no desktop session, or no opener installed.
func Available(env func(string) (string, bool)) error {
	name, _, err := opener("about:blank", env)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Errorf("no %s to open a browser with", name)
	}
	return nil
}

// Open opens url. env looks up environment variables (the desktop session
// on Linux). An error says why nothing was opened.
func Open(url string, env func(string) (string, bool)) error {
	name, args, err := opener(url, env)
	if err != nil {
		return err
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("no %s to open a browser with", name)
	}
	cmd := exec.Command(path, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("%s failed with status %d", name, ee.ExitCode())
		}
		return err
	case <-time.After(settle):
		return nil // still running: the browser has it
	}
}

// sshSession says when this process runs in an SSH session (SSH_CONNECTION,
// SSH_CLIENT or SSH_TTY set), where a browser opened here is not in front
// of the person.
func sshSession(env func(string) (string, bool)) error {
	if env == nil {
		return nil
	}
	for _, v := range []string{"SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"} {
		if s, ok := env(v); ok && s != "" {
			return errors.New("an SSH session: a browser would open on this machine's screen, not yours")
		}
	}
	return nil
}
