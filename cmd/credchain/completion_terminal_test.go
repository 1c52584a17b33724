//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFuzzyProfileCompletionInFish: in fish, TAB after letters that start
// no profile name but appear in one in order ("dvp") completes that name
// (dev-vpc); letters that start a name complete only names that start with
// them (d gives dev-vpc, not prod-db).
func TestFuzzyProfileCompletionInFish(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_FISH") != "" {
			t.Fatal("fish is required")
		}
		t.Skip("fish not installed")
	}
	term := newTerminal(t)
	bin := credchainBinary(t)
	home := home(t, "[profile dev-vpc]\nregion = us-east-1\n[profile prod-db]\nregion = us-east-1\n[profile staging]\nregion = us-east-1\n")
	binDir := filepath.Dir(bin)
	term.Start("fish", "env", "-i", "PATH="+binDir+":"+os.Getenv("PATH"), "HOME="+home, "AWS_EC2_METADATA_DISABLED=true", fish, "--no-config")
	term.Keys("fish", "function fish_prompt; echo 'PROMPT> '; end", "Enter")
	term.Keys("fish", "credchain completion fish | source; echo sourced", "Enter")
	term.WaitFor("fish", "sourced")

	term.Keys("fish", "C-l")
	term.Keys("fish", "credchain export --profile dvp", "Tab")
	screen := term.WaitFor("fish", "--profile dev-vpc")
	if strings.Contains(screen, "prod-db") || strings.Contains(screen, "staging") {
		t.Fatalf("other profiles offered for dvp:\n%s", screen)
	}

	term.Keys("fish", "C-u", "C-l")
	term.Keys("fish", "credchain export --profile d", "Tab")
	screen = term.WaitFor("fish", "--profile dev-vpc")
	if strings.Contains(screen, "prod-db") {
		t.Fatalf("a profile that does not start with d was offered:\n%s", screen)
	}
}
