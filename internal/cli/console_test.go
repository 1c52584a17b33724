package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestConsoleSignInURL(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("Action") != "getSigninToken" {
			http.Error(w, "bad action", 400)
			return
		}
		_ = json.Unmarshal([]byte(r.URL.Query().Get("Session")), &got)
		fmt.Fprint(w, `{"SigninToken": "signin-token-123"}`)
	}))
	defer srv.Close()
	env, lookup := temporaryKeysEnv(t)
	var out, errOut strings.Builder
	if c := Main([]string{"console", "--print", "--federation-endpoint", srv.URL}, nil, &out, &errOut, lookup); c != 0 {
		t.Fatalf("exit %d: %s", c, errOut.String())
	}
	if got["sessionId"] != "ASIATEMP" || got["sessionKey"] != "temp-secret" || got["sessionToken"] != "temp-token" {
		t.Errorf("Session sent: %v", got)
	}
	u, err := url.Parse(strings.TrimSpace(out.String()))
	if err != nil || u.Query().Get("Action") != "login" || u.Query().Get("SigninToken") != "signin-token-123" || u.Query().Get("Destination") != "https://console.aws.amazon.com/" {
		t.Fatalf("URL %q", out.String())
	}
	// Long-term keys cannot sign in to the console.
	delete(env, "AWS_SESSION_TOKEN")
	out.Reset()
	errOut.Reset()
	if c := Main([]string{"console", "--print", "--federation-endpoint", srv.URL}, nil, &out, &errOut, lookup); c != 1 || out.Len() != 0 ||
		!strings.Contains(errOut.String(), "needs temporary credentials") || strings.Contains(errOut.String(), "temp-secret") {
		t.Fatalf("exit %d, %q, %q", c, out.String(), errOut.String())
	}
}

// TestConsoleWithoutBrowserPrintsTheURL: with no desktop to open a browser
// on, console prints the URL and says why instead of claiming it opened it.
func TestConsoleWithoutBrowserPrintsTheURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"SigninToken": "signin-token-123"}`)
	}))
	defer srv.Close()
	_, lookup := temporaryKeysEnv(t)
	var out, errOut strings.Builder
	if c := Main([]string{"console", "--federation-endpoint", srv.URL}, nil, &out, &errOut, lookup); c != 0 {
		t.Fatalf("exit %d: %s", c, errOut.String())
	}
	if runtime.GOOS == "linux" && !strings.Contains(errOut.String(), "no browser opened (no desktop session") {
		t.Errorf("stderr %q", errOut.String())
	}
	if strings.Contains(errOut.String(), "opened the console") || !strings.Contains(out.String(), "SigninToken=signin-token-123") {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}

// TestExecExitStatuses: 127 for a command that does not exist, 126 for one
// that cannot run, 2 for neither a profile nor a command, the command's own
// status otherwise (a profile and no command: $SHELL, here /bin/sh reading
// an empty stdin).
func TestExecExitStatuses(t *testing.T) {
	home := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(home, ".aws"), 0o700))
	must(t, os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(home, "not-executable"), []byte("#!/bin/sh\n"), 0o600))
	env := map[string]string{"HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "BOTO_CONFIG": filepath.Join(home, "none")}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"exec", "dev", "--", "no-such-command-xyz"}, ExitNotFound},
		{[]string{"exec", "dev", "--", filepath.Join(home, "not-executable")}, ExitCannotRun},
		{[]string{"exec"}, ExitUsage},
		{[]string{"exec", "dev", "--"}, 0},
		{[]string{"exec", "--profile", "dev"}, 0},
		{[]string{"exec", "dev", "--", "sh", "-c", "exit 7"}, 7},
	} {
		var out, errOut strings.Builder
		if got := Main(tc.args, nil, &out, &errOut, lookup); got != tc.want {
			t.Errorf("%q: exit %d, want %d (%s)", tc.args, got, tc.want, errOut.String())
		}
	}
}

// temporaryKeysEnv is an environment with temporary keys, and its lookup.
func temporaryKeysEnv(t *testing.T) (map[string]string, func(string) (string, bool)) {
	env := map[string]string{"HOME": t.TempDir(), "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID": "ASIATEMP", "AWS_SECRET_ACCESS_KEY": "temp-secret", "AWS_SESSION_TOKEN": "temp-token"}
	return env, func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}
