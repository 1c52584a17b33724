//go:build windows

package proc

import (
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// Forwarded are the signals exec passes on to its child: Windows delivers
// only interrupts, and the console already sends Ctrl-C to every process
// attached to it.
var Forwarded = []os.Signal{os.Interrupt}

// Stop are the signals that ask a long-running command (serve) to stop.
var Stop = []os.Signal{os.Interrupt}

// FromTerminal reports whether sig came from the console: on Windows Ctrl-C
// and Ctrl-Break reach every process of the console, the child included.
func FromTerminal(sig os.Signal) bool { return sig == os.Interrupt }

// Foreground reports whether this process may use the console: Windows has
// no background jobs that the console would stop.
func Foreground() bool { return true }

// NewGroup starts cmd in a new process group.
func NewGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.CreationFlags |= windows.CREATE_NEW_PROCESS_GROUP
}

// KillGroup kills p. Windows has no process-group kill without job objects;
// grandchildren that outlive p are not reached.
func KillGroup(p *os.Process) error { return p.Kill() }

// Detach makes cmd outlive this process and its console.
func Detach(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.CreationFlags |= windows.CREATE_NEW_PROCESS_GROUP | windows.DETACHED_PROCESS
	cmd.SysProcAttr.HideWindow = true
}

// Signaled returns the signal that ended a process: never on Windows.
func Signaled(*os.ProcessState) (int, bool) { return 0, false }

// Alive reports whether a process with pid exists.
func Alive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	var code uint32
	return windows.GetExitCodeProcess(h, &code) == nil && code == 259 // STILL_ACTIVE
}

// Terminate stops the process pid: Windows has no polite signal for a
// detached process, so it is ended.
func Terminate(pid int) error { return KillPID(pid) }

// KillPID kills the process pid.
func KillPID(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
