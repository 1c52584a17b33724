//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// terminal is a tmux server on a private socket: a real terminal that a
// test types into and reads from, as a person would.
type terminal struct {
	t    *testing.T
	sock string
}

func newTerminal(t *testing.T) *terminal {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is required")
		}
		t.Skip("tmux not installed")
	}
	term := &terminal{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock")}
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", term.sock, "kill-server").Run() })
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", term.sock}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

// start runs argv in a new 160x40 window named session.
func (term *terminal) start(session string, argv ...string) {
	term.t.Helper()
	term.tmux(append([]string{"new-session", "-d", "-s", session, "-x", "160", "-y", "40"}, argv...)...)
}

// keys types into session (tmux send-keys arguments).
func (term *terminal) keys(session string, keys ...string) {
	term.t.Helper()
	term.tmux(append([]string{"send-keys", "-t", session}, keys...)...)
}

// waitFor waits until want is on session's screen, and returns the screen.
func (term *terminal) waitFor(session, want string) string {
	term.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		screen := term.tmux("capture-pane", "-p", "-t", session)
		if strings.Contains(screen, want) {
			return screen
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("%q not on screen:\n%s", want, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// home makes a HOME with the given ~/.aws/config.
func home(t *testing.T, config string) string {
	t.Helper()
	h := filepath.Join(t.TempDir(), "home")
	if err := os.MkdirAll(filepath.Join(h, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return h
}
