//go:build unix

// Package tmuxtest gives tests a real terminal: a tmux server on a private
// socket that a test types into and reads from, as a person would.
package tmuxtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Terminal is one tmux server.
type Terminal struct {
	t    testing.TB
	sock string
}

// New starts nothing yet: it returns a Terminal whose server is killed when
// the test ends. Without tmux the test is skipped, or fails when
// CREDCHAIN_REQUIRE_TMUX is set (CI).
func New(t testing.TB) *Terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is required")
		}
		t.Skip("tmux not installed")
	}
	term := &Terminal{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", term.sock, "kill-server").Run() })
	return term
}

// Tmux runs a tmux command against this server.
func (term *Terminal) Tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", term.sock}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// Start runs argv in a new 160x40 window named session.
func (term *Terminal) Start(session string, argv ...string) {
	term.t.Helper()
	term.Tmux(append([]string{"new-session", "-d", "-s", session, "-x", "160", "-y", "40"}, argv...)...)
}

// Keys types into session (tmux send-keys arguments).
func (term *Terminal) Keys(session string, keys ...string) {
	term.t.Helper()
	term.Tmux(append([]string{"send-keys", "-t", session}, keys...)...)
}

// Screen is what session shows now.
func (term *Terminal) Screen(session string) string {
	term.t.Helper()
	return term.Tmux("capture-pane", "-p", "-t", session)
}

// WaitFor waits up to 15 seconds until want is on session's screen, and
// returns the screen.
func (term *Terminal) WaitFor(session, want string) string {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		screen := term.Screen(session)
		if strings.Contains(screen, want) {
			return screen
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("%q not on screen:\n%s", want, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Bash starts a bare bash (no rc files, prompt "$ ", no history file) in a
// new window named session, with exactly the environment env.
func (term *Terminal) Bash(session string, env []string) {
	term.t.Helper()
	argv := append([]string{"env", "-i"}, env...)
	term.Start(session, append(argv, "PS1=$ ", "HISTFILE=/dev/null", "bash", "--norc", "--noprofile")...)
}
