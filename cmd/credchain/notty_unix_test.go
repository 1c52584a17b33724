//go:build unix

package main

import "syscall"

// detachTerminal starts a new session without a controlling terminal, so
// that credchain run by a test script never prompts on the terminal of
// whoever runs the tests (it falls back to stdin, as on CI).
func detachTerminal() { _, _ = syscall.Setsid() }
