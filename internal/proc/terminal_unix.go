//go:build unix

package proc

import (
	"context"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// lendTerminal arranges for cmd's process group to be the foreground of
// this process's controlling terminal while it runs, when this process is
// in that foreground now. release takes the foreground back and restores
// the terminal's modes (a helper killed while it read a secret leaves echo
// off). With no terminal, or from the background, cmd runs as it is.
func lendTerminal(ctx context.Context, cmd *exec.Cmd) (release func(), err error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return func() {}, nil
	}
	select {
	case terminal <- struct{}{}:
	case <-ctx.Done():
		tty.Close()
		return nil, ctx.Err()
	}
	fd := int(tty.Fd())
	if pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err != nil || pgrp != unix.Getpgrp() {
		<-terminal
		tty.Close()
		return func() {}, nil
	}
	state, _ := term.GetState(fd)
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Foreground = true
	cmd.SysProcAttr.Ctty = fd
	return func() {
		// This process is in the background now: the kernel stops it with
		// SIGTTOU when it sets the foreground or the modes, unless that
		// signal is blocked or ignored.
		withoutSIGTTOU(func() {
			_ = unix.IoctlSetPointerInt(fd, unix.TIOCSPGRP, unix.Getpgrp())
			if state != nil {
				_ = term.Restore(fd, state)
			}
		})
		tty.Close()
		<-terminal
	}, nil
}
