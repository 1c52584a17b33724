//go:build !unix

package main

// detachTerminal: nothing to detach from outside Unix.
func detachTerminal() {}
