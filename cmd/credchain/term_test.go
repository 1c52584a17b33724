//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/credchain/credchain/internal/tmuxtest"
)

// terminal is a real terminal (tmux) that a test types into and reads from.
type terminal = tmuxtest.Terminal

func newTerminal(t *testing.T) *terminal { return tmuxtest.New(t) }

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
