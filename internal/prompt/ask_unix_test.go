//go:build unix

package prompt

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMFAProcessWithBackgroundChildHoldingStdout: an mfa_process that
// prints the code and leaves a background child holding stdout gives its
// code (it failed after 1 s before it ran through proc.Run).
func TestMFAProcessWithBackgroundChildHoldingStdout(t *testing.T) {
	p := filepath.Join(t.TempDir(), "code.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\necho 123456\nsleep 30 &\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, err := Command{Line: p, Where: `profile "dev" (mfa_process)`}.Ask(context.Background(), Question{})
	if err != nil || code != "123456" || time.Since(start) > 10*time.Second {
		t.Fatalf("Ask = %q, %v after %v", code, err, time.Since(start))
	}
}

func TestMFAProcessTimeout(t *testing.T) {
	_, err := Command{Line: "sleep 30", Where: `profile "dev" (mfa_process)`, Timeout: 200 * time.Millisecond}.Ask(context.Background(), Question{})
	if err == nil || err.Error() != `profile "dev" (mfa_process): sleep: no answer within 200ms` {
		t.Fatalf("err = %v", err)
	}
}

// TestMFAProcessDoesNotReadTheCommandsStdin: an mfa_process gets no stdin:
// what is piped into credchain belongs to the command exec runs (proc.Run
// gave helpers the caller's stdin, so a helper could take the command's
// first line).
func TestMFAProcessDoesNotReadTheCommandsStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w.WriteString("the command's line\n")
	w.Close()
	saved := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = saved }()
	p := filepath.Join(t.TempDir(), "code.sh")
	os.WriteFile(p, []byte("#!/bin/sh\nread x\necho \"code[$x]\"\n"), 0o755)
	code, err := Command{Line: p, Where: `profile "dev" (mfa_process)`}.Ask(context.Background(), Question{})
	if err != nil || code != "code[]" {
		t.Fatalf("Ask = %q, %v", code, err)
	}
}
