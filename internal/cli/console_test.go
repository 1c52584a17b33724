package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	env := map[string]string{"HOME": t.TempDir(), "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID": "ASIATEMP", "AWS_SECRET_ACCESS_KEY": "temp-secret", "AWS_SESSION_TOKEN": "temp-token"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
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
