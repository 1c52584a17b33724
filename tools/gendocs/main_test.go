package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/cli"
	"github.com/spf13/cobra"
)

// TestManPagesAndCompletions: a page for every command of the tree (so a
// new command cannot lack one), and completions each shell parses.
func TestManPagesAndCompletions(t *testing.T) {
	man, comp := t.TempDir(), t.TempDir()
	if err := run(man, comp); err != nil {
		t.Fatal(err)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		page := filepath.Join(man, strings.ReplaceAll(c.CommandPath(), " ", "-")+".1")
		data, err := os.ReadFile(page)
		if err != nil || !strings.Contains(string(data), ".TH \"CREDCHAIN\" \"1\"") || !strings.Contains(string(data), strings.Fields(c.Short)[0]) {
			t.Errorf("%s: no man page with its summary (%v)", c.CommandPath(), err)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(cli.CommandTree())
	for file, shell := range map[string][]string{"credchain.bash": {"bash", "-n"}, "_credchain": {"zsh", "-n"}, "credchain.fish": {"fish", "-n"}} {
		if _, err := exec.LookPath(shell[0]); err != nil {
			continue
		}
		if out, err := exec.Command(shell[0], append(shell[1:], filepath.Join(comp, file))...).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse %s: %v %s", shell[0], file, err, out)
		}
	}
	if data, err := os.ReadFile(filepath.Join(comp, "credchain.ps1")); err != nil || !strings.Contains(string(data), "Register-ArgumentCompleter") {
		t.Errorf("PowerShell completion: %v", err)
	}
}
