//go:build unix

package proc

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// Forwarded are the signals exec passes on to its child.
var Forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// Stop are the signals that ask a long-running command (serve) to stop.
var Stop = []os.Signal{syscall.SIGINT, syscall.SIGTERM}

// FromTerminal reports whether sig was most likely sent by the terminal to
// the whole foreground process group, which the child of exec is part of:
// SIGINT (Ctrl-C) and SIGQUIT (Ctrl-\) while this process is in the
// foreground group of its controlling terminal. Such a signal already
// reached the child; sending it again makes programs that count interrupts
// (terraform: a second Ctrl-C aborts without cleanup) misbehave.
func FromTerminal(sig os.Signal) bool {
	if sig != syscall.SIGINT && sig != syscall.SIGQUIT {
		return false
	}
	return Foreground()
}

// Foreground reports whether this process belongs to the foreground process
// group of its controlling terminal. A process started in the background
// (cmd &) must not read from or draw on the terminal: it would be stopped.
func Foreground() bool {
	f, err := os.Open("/dev/tty")
	if err != nil {
		return false
	}
	defer f.Close()
	pgrp, err := unix.IoctlGetInt(int(f.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// NewGroup makes cmd the leader of a new process group, so that KillGroup
// reaches its children too.
func NewGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// KillGroup kills the process group led by p (started with NewGroup).
func KillGroup(p *os.Process) error {
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		return p.Kill()
	}
	return nil
}

// Detach makes cmd outlive this process and its terminal: a new session, no
// controlling terminal, so Ctrl-C and the terminal's hangup do not reach it.
func Detach(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
}

// Signaled returns the signal that ended a process, if one did.
func Signaled(state *os.ProcessState) (int, bool) {
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return int(ws.Signal()), true
	}
	return 0, false
}

// Alive reports whether a process with pid exists.
func Alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// Terminate asks the process pid to stop (SIGTERM).
func Terminate(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }

// KillPID kills the process pid.
func KillPID(pid int) error { return syscall.Kill(pid, syscall.SIGKILL) }
