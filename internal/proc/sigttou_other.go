//go:build unix && !linux

package proc

import (
	"os/signal"
	"syscall"
)

// withoutSIGTTOU runs f with SIGTTOU ignored. LEGACY: x/sys/unix has no
// per-thread signal mask outside Linux, and Go's runtime keeps an ignored
// SIGTTOU ignored after signal.Reset, so the process ignores it from then
// on, as shells do.
func withoutSIGTTOU(f func()) {
	signal.Ignore(syscall.SIGTTOU)
	f()
}
