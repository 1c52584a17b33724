//go:build !credchain_front

package main

import "github.com/rogpeppe/go-internal/testscript"

// setupBuild: in the full build the scripts' credchain runs every command
// itself.
func setupBuild(*testscript.Env) error { return nil }
