//go:build !darwin && !windows

package browser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenSaysWhy(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	if err := Open("https://example.com/", none); err == nil || !strings.Contains(err.Error(), "no desktop session") {
		t.Errorf("no display: %v", err)
	}
	display := func(k string) (string, bool) {
		if k == "DISPLAY" {
			return ":0", true
		}
		return "", false
	}
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	if err := Open("https://example.com/", display); err == nil || !strings.Contains(err.Error(), "no xdg-open") {
		t.Errorf("no opener: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Open("https://example.com/", display); err == nil || !strings.Contains(err.Error(), "status 3") {
		t.Errorf("failing opener: %v", err)
	}
	out := filepath.Join(dir, "opened")
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\necho \"$1\" > "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Open("https://example.com/x", display); err != nil {
		t.Fatalf("working opener: %v", err)
	}
	if got, _ := os.ReadFile(out); strings.TrimSpace(string(got)) != "https://example.com/x" {
		t.Errorf("opened %q", got)
	}
}

// TestSSHSessionIsNoBrowser: in an SSH session a browser opened here is not
// in front of the person: Available says so (sso login then uses the
// device code).
func TestSSHSessionIsNoBrowser(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	err := Available(env(map[string]string{"SSH_TTY": "/dev/pts/3"}))
	if err == nil || !strings.Contains(err.Error(), "an SSH session") {
		t.Fatalf("Available in SSH = %v", err)
	}
	if err := sshSession(env(map[string]string{})); err != nil {
		t.Fatalf("no SSH: %v", err)
	}
}
