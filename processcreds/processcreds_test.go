//go:build unix

package processcreds

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credchain/credchain/creds"
)

func writeScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "helper.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRetrieve(t *testing.T) {
	tests := []struct {
		name     string
		script   string
		wantKind string
		wantMsg  string
		check    func(t *testing.T, c creds.Credentials)
	}{
		{name: "static", script: `echo '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK"}'`,
			check: func(t *testing.T, c creds.Credentials) {
				if c.AccessKeyID != "AK" || c.SecretAccessKey != "SK" || c.CanExpire() || c.AccountID != "acct-from-profile" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "expiring_with_fraction_and_offset", script: `echo '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK", "SessionToken": "T", "Expiration": "2030-01-02T03:04:05.411365+01:00"}'`,
			check: func(t *testing.T, c creds.Credentials) {
				want := time.Date(2030, 1, 2, 2, 4, 5, 411365000, time.UTC)
				if !c.Expires.Equal(want) || c.SessionToken != "T" {
					t.Errorf("got %+v", c)
				}
			}},
		{name: "nonzero_exit", script: "echo 'token expired, run login' >&2\nexit 3", wantKind: creds.KindCredentialRetrieval, wantMsg: "exited with status 3"},
		{name: "garbage_stdout", script: "echo hello", wantKind: creds.KindCredentialRetrieval, wantMsg: "not a JSON object"},
		{name: "trailing_garbage", script: `echo '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK"} x'`, wantKind: creds.KindCredentialRetrieval},
		{name: "version_string", script: `echo '{"Version": "1", "AccessKeyId": "AK", "SecretAccessKey": "SK"}'`, wantKind: creds.KindCredentialRetrieval, wantMsg: "Unsupported version '1'"},
		{name: "version_missing", script: `echo '{"AccessKeyId": "AK", "SecretAccessKey": "SK"}'`, wantKind: creds.KindCredentialRetrieval, wantMsg: "<Version key not provided>"},
		{name: "secret_missing", script: `echo '{"Version": 1, "AccessKeyId": "AK"}'`, wantKind: creds.KindCredentialRetrieval, wantMsg: "Missing required key in response: 'SecretAccessKey'"},
		{name: "naive_expiration", script: `echo '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK", "Expiration": "2030-01-01T00:00:00"}'`, wantKind: creds.KindCredentialRetrieval, wantMsg: "no time zone"},
		{name: "key_not_string", script: `echo '{"Version": 1, "AccessKeyId": 5, "SecretAccessKey": "SK"}'`, wantKind: creds.KindCredentialRetrieval, wantMsg: "AccessKeyId must be a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Provider{Profile: "p", Command: writeScript(t, tt.script), Where: "config:3", AccountID: "acct-from-profile"}
			c, err := p.Retrieve(context.Background())
			if tt.wantKind != "" {
				if creds.KindOf(err) != tt.wantKind || !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("err = %v, want %s containing %q", err, tt.wantKind, tt.wantMsg)
				}
				if strings.Contains(err.Error(), `"SK"`) {
					t.Errorf("error leaks process output: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

// TestFailingHelperStderrGoesToTheTerminalNotTheError: the helper's stderr
// is shown to the person (Stderr) and kept out of the error, which reaches
// --json output and server responses.
func TestFailingHelperStderrGoesToTheTerminalNotTheError(t *testing.T) {
	var shown strings.Builder
	p := &Provider{Profile: "p", Command: writeScript(t, "echo 'token expired, run login' >&2\nprintf 'esc \\033[31m\\n' >&2\nexit 3"), Where: "config:3", Stderr: &shown}
	_, err := p.Retrieve(context.Background())
	if err == nil || strings.Contains(err.Error(), "token expired") || !strings.Contains(err.Error(), "its stderr is shown above") {
		t.Fatalf("err = %v", err)
	}
	want := "credential_process (profile p): token expired, run login\ncredential_process (profile p): esc ?[31m\n"
	if shown.String() != want {
		t.Errorf("shown %q, want %q", shown.String(), want)
	}
}

// TestBackgroundChildHoldingStdout: a helper that prints complete output
// and leaves a child holding stdout succeeds (it failed after 1 s with
// "WaitDelay expired").
func TestBackgroundChildHoldingStdout(t *testing.T) {
	p := &Provider{Profile: "p", Command: writeScript(t, `echo '{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK"}'
sleep 30 &
exit 0`), Where: "config:1"}
	start := time.Now()
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "AK" {
		t.Fatalf("Retrieve = %+v, %v", c.AccessKeyID, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestTimeoutKillsGrandchildren: on timeout the helper's whole process
// group is killed; before, its children survived.
func TestTimeoutKillsGrandchildren(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	p := &Provider{Profile: "p", Command: writeScript(t, "sleep 60 &\necho $! > "+pidFile+"\nwait"), Where: "config:1", Timeout: 300 * time.Millisecond}
	if _, err := p.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "did not finish within") {
		t.Fatalf("err = %v", err)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d survived the timeout", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHangingProcessIsBounded pins the timeout that botocore lacks.
func TestHangingProcessIsBounded(t *testing.T) {
	p := &Provider{Profile: "p", Command: writeScript(t, "sleep 30"), Where: "config:1", Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err := p.Retrieve(context.Background())
	if creds.KindOf(err) != creds.KindCredentialRetrieval || !strings.Contains(err.Error(), "did not finish within") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

// TestHugeOutputIsBounded pins the output limit; it once failed because
// io.Copy used the embedded bytes.Buffer.ReadFrom and bypassed the limit.
func TestHugeOutputIsBounded(t *testing.T) {
	p := &Provider{Profile: "p", Command: writeScript(t, "head -c 3000000 /dev/zero"), Where: "config:1"}
	_, err := p.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "printed more than") {
		t.Fatalf("err = %v", err)
	}
}

func TestMissingBinaryAndEmptyCommand(t *testing.T) {
	for _, cmd := range []string{"/nonexistent/helper", "", `"unterminated`} {
		p := &Provider{Profile: "p", Command: cmd, Where: "config:1"}
		if _, err := p.Retrieve(context.Background()); creds.KindOf(err) != creds.KindCredentialRetrieval {
			t.Errorf("%q: err = %v, want CredentialRetrievalError", cmd, err)
		}
	}
}

func TestSplitNoShellNoExpansion(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		cmd     string
		windows *bool
		want    []string
	}{
		{`helper --name "a b" $HOME ~/x 'c|d'`, &no, []string{"helper", "--name", "a b", "$HOME", "~/x", "c|d"}},
		{`"C:\Program Files\helper.exe" --x "a \"b\""`, &yes, []string{`C:\Program Files\helper.exe`, "--x", `a "b"`}},
	} {
		p := &Provider{Command: tt.cmd, Windows: tt.windows}
		got, err := p.Split()
		if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Split(%q) = %q, %v; want %q", tt.cmd, got, err, tt.want)
		}
	}
}
