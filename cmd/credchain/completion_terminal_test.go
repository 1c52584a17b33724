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

// TestCcswitchCompletesProfiles: after shell-init, ccswitch <TAB> completes
// profile names in bash, zsh and fish (it completed file names).
func TestCcswitchCompletesProfiles(t *testing.T) {
	bin := credchainBinary(t)
	home := home(t, "[profile dev-vpc]\nregion = us-east-1\n[profile prod-db]\nregion = us-east-1\n")
	os.WriteFile(filepath.Join(home, "prod-file.txt"), nil, 0o600)
	term := newTerminal(t)
	path := "PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH")
	term.Bash("bash", []string{path, "HOME=" + home})
	term.Keys("bash", "cd; eval \"$(credchain shell-init bash)\"; echo sourced", "Enter")
	term.WaitFor("bash", "sourced")
	term.Keys("bash", "C-l")
	term.Keys("bash", "ccswitch pr", "Tab")
	if screen := term.WaitFor("bash", "ccswitch prod-db"); strings.Contains(screen, "prod-file") {
		t.Fatalf("bash offered a file:\n%s", screen)
	}

	if zsh, err := exec.LookPath("zsh"); err == nil {
		term.Start("zsh", "env", "-i", path, "HOME="+home, "PS1=%% ", zsh, "-f")
		term.Keys("zsh", "cd; autoload -Uz compinit && compinit -u; eval \"$(credchain shell-init zsh)\"; echo sourced", "Enter")
		term.WaitFor("zsh", "sourced")
		term.Keys("zsh", "C-l")
		term.Keys("zsh", "ccswitch pr", "Tab")
		if screen := term.WaitFor("zsh", "ccswitch prod-db"); strings.Contains(screen, "prod-file") {
			t.Fatalf("zsh offered a file:\n%s", screen)
		}
	} else if os.Getenv("CREDCHAIN_REQUIRE_ZSH") != "" {
		t.Fatal("zsh is required")
	}

	fish, err := exec.LookPath("fish")
	if err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_FISH") != "" {
			t.Fatal("fish is required")
		}
		t.Skip("fish not installed")
	}
	term.Start("fish", "env", "-i", path, "HOME="+home, fish, "--no-config")
	term.Keys("fish", "function fish_prompt; echo 'PROMPT> '; end; cd", "Enter")
	term.Keys("fish", "credchain shell-init fish | source; echo sourced", "Enter")
	term.WaitFor("fish", "sourced")
	term.Keys("fish", "C-l")
	term.Keys("fish", "ccswitch pr", "Tab")
	if screen := term.WaitFor("fish", "ccswitch prod-db"); strings.Contains(screen, "prod-file") {
		t.Fatalf("fish offered a file:\n%s", screen)
	}
}
