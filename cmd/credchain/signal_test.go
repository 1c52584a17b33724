//go:build unix

package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestExecForwardsSignalsAndStatus builds credchain, runs a command under
// `credchain exec`, sends credchain SIGTERM and expects the command to get
// it and credchain to exit with the command's status.
func TestExecForwardsSignalsAndStatus(t *testing.T) {
	dir := t.TempDir()
	bin := credchainBinary(t)
	if err := os.MkdirAll(filepath.Join(dir, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".aws", "credentials"), []byte("[default]\naws_access_key_id = AK\naws_secret_access_key = s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "exec", "--", "sh", "-c", `trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done`)
	cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "BOTO_CONFIG=" + filepath.Join(dir, "none"), "AWS_EC2_METADATA_DISABLED=true"}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("child did not start: %q %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 42 {
			t.Fatalf("credchain exited with %v, want status 42 from the child's TERM trap", err)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("credchain did not exit after SIGTERM")
	}
}
