package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/credchain/credchain/internal/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"credchain": func() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)) },
	})
}

// TestScripts runs the CLI acceptance scripts in testdata/script: each is a
// readable example of the tool. HOME is the script's work directory and no
// AWS variable leaks in from the test's environment.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("BOTO_CONFIG", filepath.Join(e.WorkDir, "no-boto.cfg"))
			e.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			return nil
		},
	})
}
