//go:build credchain_front

package main

import (
	"os"

	"github.com/credchain/credchain/internal/installtest"
	"github.com/rogpeppe/go-internal/testscript"
)

// setupBuild: built with the credchain_front tag (make test runs the
// scripts so too), the scripts' credchain is the front, and every script
// runs as a person's install does: the front hands whatever calls AWS to
// the full build, credchain-aws, found on PATH (after the scripts' own
// credchain).
func setupBuild(e *testscript.Env) error {
	dir, err := installtest.Dir()
	if err != nil {
		return err
	}
	e.Setenv("PATH", e.Getenv("PATH")+string(os.PathListSeparator)+dir)
	return nil
}
