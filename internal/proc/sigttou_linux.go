package proc

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// withoutSIGTTOU runs f with SIGTTOU blocked on its thread, which the
// kernel treats as ignored for terminal changes from the background. The
// signal's disposition is left alone, so programs started later get the
// default one.
func withoutSIGTTOU(f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var set, old unix.Sigset_t
	set.Val[0] |= 1 << (unix.SIGTTOU - 1) // the first word holds signals 1-32
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, &old); err != nil {
		f()
		return
	}
	defer unix.PthreadSigmask(unix.SIG_SETMASK, &old, nil)
	f()
}
