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
