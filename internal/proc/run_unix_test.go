//go:build unix

package proc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/credchain/credchain/internal/tmuxtest"
)

func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "helper.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// gone waits until pid is neither running nor a zombie.
func gone(pid int) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if syscall.Kill(pid, 0) != nil {
			return true
		}
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		s := string(stat)
		if i := strings.LastIndexByte(s, ')'); i > 0 && i+2 < len(s) && s[i+2] == 'Z' {
			return true
		}
	}
	return false
}

func TestRunTimeoutKillsGrandchildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	_, err := Run(context.Background(), Helper{Argv: []string{script(t, "sleep 60 &\necho $! > "+pidFile+"\nwait")}, Timeout: 300 * time.Millisecond})
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	data, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	if pid == 0 || !gone(pid) {
		t.Fatalf("grandchild %d survived the timeout", pid)
	}
}

func TestRunBackgroundChildHoldingStdoutIsSuccess(t *testing.T) {
	start := time.Now()
	out, err := Run(context.Background(), Helper{Argv: []string{script(t, "echo 123456\nsleep 30 &\nexit 0")}, Timeout: time.Minute})
	if err != nil || string(out.Stdout) != "123456\n" || time.Since(start) > 10*time.Second {
		t.Fatalf("Run = %q, %v after %v", out.Stdout, err, time.Since(start))
	}
}

func TestRunBoundsOutputAndReportsStatus(t *testing.T) {
	out, err := Run(context.Background(), Helper{Argv: []string{script(t, "head -c 5000 /dev/zero; echo oops >&2; exit 3")}, Timeout: time.Minute, MaxOutput: 100})
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 || len(out.Stdout) != 100 || !out.Truncated || string(out.Stderr) != "oops\n" {
		t.Fatalf("Run = %d bytes (truncated %v), %q, %v", len(out.Stdout), out.Truncated, out.Stderr, err)
	}
	if _, err := Run(context.Background(), Helper{Argv: []string{"/nonexistent/helper"}, Timeout: time.Minute}); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing program: %v", err)
	}
}

// TestMain lets TestHelperOnTheTerminal run this test binary in tmux as a
// program that runs helpers.
func TestMain(m *testing.M) {
	if os.Getenv("PROC_TEST_TERMINAL") != "" {
		os.Exit(onTheTerminal())
	}
	os.Exit(m.Run())
}

// onTheTerminal runs, on a terminal: a helper that asks on /dev/tty; a
// helper that turns echo off, starts a grandchild and hangs past its
// timeout; then reads a line itself, which it can only do in the
// foreground.
func onTheTerminal() int {
	dir := os.Getenv("PROC_TEST_TERMINAL")
	ask := filepath.Join(dir, "ask.sh")
	hang := filepath.Join(dir, "hang.sh")
	out, err := Run(context.Background(), Helper{Argv: []string{ask}, Timeout: time.Minute})
	fmt.Printf("helper printed %q err=%v\n", strings.TrimSpace(string(out.Stdout)), err)

	tty, _ := os.Open("/dev/tty")
	before, _ := unix.IoctlGetTermios(int(tty.Fd()), ioctlGetTermios)
	_, err = Run(context.Background(), Helper{Argv: []string{hang}, Timeout: time.Second})
	after, _ := unix.IoctlGetTermios(int(tty.Fd()), ioctlGetTermios)
	pgrp, _ := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	data, _ := os.ReadFile(filepath.Join(dir, "pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	var te *TimeoutError
	fmt.Printf("timeout=%v modes-restored=%v foreground=%v grandchild-gone=%v\n",
		errors.As(err, &te), before != nil && after != nil && before.Lflag == after.Lflag, pgrp == unix.Getpgrp(), pid > 0 && gone(pid))
	fmt.Print("own line: ")
	var line string
	_, err = fmt.Fscanln(tty, &line)
	fmt.Printf("read %q err=%v\n", line, err)
	return 0
}

// TestHelperOnTheTerminal: a helper prompts on the terminal and reads the
// answer (before the fix it was stopped by SIGTTIN in its background
// group); a helper that times out mid-prompt is killed with its
// grandchild, and the terminal comes back in its modes and foreground.
func TestHelperOnTheTerminal(t *testing.T) {
	term := tmuxtest.New(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ask.sh"), []byte("#!/bin/sh\nprintf 'code: ' > /dev/tty\nread code < /dev/tty\necho got-$code\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "hang.sh"), []byte("#!/bin/sh\nstty -echo < /dev/tty\nsleep 60 &\necho $! > "+filepath.Join(dir, "pid")+"\nread x < /dev/tty\n"), 0o755)
	term.Start("t", "sh", "-c", "PROC_TEST_TERMINAL="+dir+" "+os.Args[0]+"; echo exit=$?; sleep 60")
	term.WaitFor("t", "code:")
	term.Keys("t", "271828", "Enter")
	term.WaitFor("t", `helper printed "got-271828" err=<nil>`)
	screen := term.WaitFor("t", "own line:")
	if !strings.Contains(screen, "timeout=true modes-restored=true foreground=true grandchild-gone=true") {
		t.Fatalf("after the timeout:\n%s", screen)
	}
	term.Keys("t", "typed", "Enter")
	screen = term.WaitFor("t", "exit=")
	if !strings.Contains(screen, `read "typed" err=<nil>`) || !strings.Contains(screen, "own line: typed") {
		t.Fatalf("the terminal did not come back (or echo stayed off):\n%s", screen)
	}
}
