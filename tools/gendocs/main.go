// Command gendocs writes credchain's man pages and shell completions from
// its cobra command tree (cobra's doc package), so that they never drift
// from --help: make docs, make install.
//
//	go run ./tools/gendocs -man DIR -completions DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/credchain/credchain/internal/cli"
	"github.com/spf13/cobra/doc"
)

func main() {
	man := flag.String("man", "", "folder for the man pages (section 1)")
	completions := flag.String("completions", "", "folder for the bash, zsh, fish and PowerShell completions")
	flag.Parse()
	if *man == "" && *completions == "" {
		fmt.Fprintln(os.Stderr, "gendocs: give -man DIR and/or -completions DIR")
		os.Exit(2)
	}
	if err := run(*man, *completions); err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %v\n", err)
		os.Exit(1)
	}
}

func run(man, completions string) error {
	root := cli.CommandTree()
	root.DisableAutoGenTag = true // the same pages for the same tree
	if man != "" {
		if err := os.MkdirAll(man, 0o755); err != nil {
			return err
		}
		if err := doc.GenManTree(root, &doc.GenManHeader{Title: "CREDCHAIN", Section: "1", Source: "credchain", Manual: "credchain"}, man); err != nil {
			return err
		}
	}
	if completions == "" {
		return nil
	}
	if err := os.MkdirAll(completions, 0o755); err != nil {
		return err
	}
	for name, gen := range map[string]func(string) error{
		"credchain.bash": func(p string) error { return root.GenBashCompletionFileV2(p, true) },
		"_credchain":     root.GenZshCompletionFile,
		"credchain.fish": func(p string) error { return root.GenFishCompletionFile(p, true) },
		"credchain.ps1":  root.GenPowerShellCompletionFileWithDesc,
	} {
		if err := gen(filepath.Join(completions, name)); err != nil {
			return err
		}
	}
	return nil
}
