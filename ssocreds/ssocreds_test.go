package ssocreds

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/ssotest"
	"github.com/credchain/credchain/internal/ststest"
)

func TestTokenFileNames(t *testing.T) {
	for want, in := range map[string][2]string{
		"f395038c92f1828cbb3991d2d6152d326b895606.json": {"https://test.url/start", ""},
		"32096c2e0eff33d844ee6d675407ace18289357d.json": {"https://ignored", "C"},
	} {
		if got := filepath.Base(TokenFile("d", in[0], in[1])); got != want {
			t.Errorf("TokenFile(%q, %q) = %s, want %s", in[0], in[1], got, want)
		}
	}
}

// TestRefreshWritesBackForTheCLI: an sso-session token near expiry is
// refreshed through SSO OIDC, written back atomically, and botocore (the
// AWS CLI's loader) reads the new token.
func TestRefreshWritesBackForTheCLI(t *testing.T) {
	srv := ststest.NewMetadata()
	defer srv.Close()
	dir := t.TempDir()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	path := TokenFile(dir, "", "corp")
	old := `{"startUrl": "https://x/start", "region": "us-east-1", "accessToken": "tok-old", "expiresAt": "2030-01-01T00:05:00Z",
		"refreshToken": "refresh-1", "clientId": "client", "clientSecret": "secret", "registrationExpiresAt": "2099-01-01T00:00:00Z"}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &Provider{Client: NewClient, Config: Config{Profile: "dev", StartURL: "https://x/start", Region: "us-east-1", RoleName: "Dev", AccountID: "123456789012", Session: "corp"},
		TokenDir: dir, Endpoint: srv.URL + "/scope", OIDCEndpoint: srv.URL + "/scope", Cache: &cache.Memory{}, Now: func() time.Time { return now }}
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccountID != "123456789012" || !strings.HasPrefix(c.AccessKeyID, "ASIASSO") || !c.Expires.Equal(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("got %+v, %v", c, err)
	}
	var tok map[string]any
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &tok); err != nil || tok["accessToken"] != "refreshed-refresh-1" || tok["refreshToken"] != "new-refresh" || tok["expiresAt"] != "2030-01-01T01:00:00Z" {
		t.Fatalf("written token: %s", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	out, err := exec.Command("python3", "-c", `import sys
from botocore.utils import JSONFileCache, SSOTokenLoader
print(SSOTokenLoader(JSONFileCache(sys.argv[1]))("https://x/start", session_name="corp")["accessToken"])`, dir).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "refreshed-refresh-1" {
		t.Fatalf("botocore read %q, %v", out, err)
	}
}

func TestExpiredLegacyTokenIsNotSent(t *testing.T) {
	dir := t.TempDir()
	p := &Provider{Client: NewClient, Config: Config{Profile: "dev", StartURL: "https://x/start", Region: "us-east-1", RoleName: "Dev", AccountID: "1"},
		TokenDir: dir, Endpoint: "http://127.0.0.1:9", Now: time.Now}
	if err := os.WriteFile(TokenFile(dir, "https://x/start", ""), []byte(`{"accessToken": "t", "expiresAt": "2001-01-01T00:00:00Z"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Retrieve(context.Background()); creds.KindOf(err) != KindUnauthorized {
		t.Fatalf("err = %v", err)
	}
}

func TestDeviceLogin(t *testing.T) {
	srv := ststest.NewMetadata()
	defer srv.Close()
	dir := t.TempDir()
	var shown []string
	polls := 0
	l := &Login{StartURL: "https://x/start", Region: "us-east-1", Session: "corp", TokenDir: dir, OIDCEndpoint: srv.URL + "/login", DeviceCode: true,
		Prompt: func(url, code string) { shown = append(shown, url, code) },
		Sleep:  func(context.Context, time.Duration) error { polls++; return nil }}
	path, err := l.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(shown) != 2 || shown[1] != "ABCD-EFGH" || !strings.Contains(shown[0], "user_code=ABCD-EFGH") || polls != 2 {
		t.Fatalf("shown %q after %d polls", shown, polls)
	}
	var tok map[string]any
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &tok); err != nil || tok["accessToken"] != "device-token" || tok["refreshToken"] != "device-refresh" ||
		tok["clientId"] != "client-1" || tok["registrationExpiresAt"] != "2099-01-01T00:00:00Z" || tok["startUrl"] != "https://x/start" {
		t.Fatalf("token file: %s", data)
	}
	// A second login finds the fresh token and runs no flow.
	shown = nil
	if _, err := l.Run(context.Background()); err != nil || shown != nil {
		t.Fatalf("second login: %v, shown %q", err, shown)
	}
}

// TestAuthCodeLogin: the PKCE flow against the checking OIDC stand-in,
// with a "browser" that follows the authorize redirect; a browser that
// never comes back is bounded.
func TestAuthCodeLogin(t *testing.T) {
	srv := ssotest.New(ssotest.Accounts(1, "Admin"), "unused")
	defer srv.Close()
	dir := t.TempDir()
	follow := func(u string) error {
		go func() {
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	l := &Login{StartURL: "https://x/start", Region: "us-east-1", Session: "corp", TokenDir: dir, OIDCEndpoint: srv.URL, Open: follow}
	path, err := l.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, k := range []string{`"accessToken":"issued-token-`, `"refreshToken":"refresh-`, `"clientId":"client-1"`, `"registrationExpiresAt"`} {
		if !strings.Contains(string(data), k) {
			t.Fatalf("token cache lacks %s: %s", k, data)
		}
	}
	os.Remove(path)
	l.Open, l.Timeout = func(string) error { return nil }, 200*time.Millisecond
	if _, err := l.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "did not finish within 200ms") {
		t.Fatalf("a browser that never comes back: %v", err)
	}
}

// Without a client the provider returns cached role credentials, and on a
// miss fails with creds.ErrNoClient before its client check and before it
// reads (or refreshes) the token: the CLI's front build hands the command
// to the full build then.
func TestWithoutAClientOnlyTheCacheIsRead(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	mem := &cache.Memory{}
	p := &Provider{Config: Config{Profile: "dev", StartURL: "https://x/start", Region: "us-east-1", RoleName: "Dev", AccountID: "1", Session: "corp"},
		TokenDir: t.TempDir(), Cache: mem, Now: func() time.Time { return now },
		ClientCheck: func() error { panic("client check") }}
	if _, err := p.Retrieve(context.Background()); !errors.Is(err, creds.ErrNoClient) || !strings.Contains(err.Error(), `profile "dev": sso role Dev in account 1`) {
		t.Fatalf("miss: %v", err)
	}
	if _, err := p.AccessToken(context.Background()); !errors.Is(err, creds.ErrNoClient) {
		t.Fatalf("access token: %v", err)
	}
	key, err := p.cacheKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Put(key, cache.Entry{Credentials: creds.Credentials{AccessKeyID: "ASIACACHED", SecretAccessKey: "s", SessionToken: "t", Expires: now.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "ASIACACHED" {
		t.Fatalf("hit: %+v, %v", c, err)
	}
}

// TestRefreshWithNoAnswerIsTheConnectionError: SSO OIDC unreachable while
// a token near expiry is refreshed gives botocore's connection error
// (it swallows only ClientError), not "Token has expired and refresh
// failed"; a refusal (an error answer) still falls back to the token held.
func TestRefreshWithNoAnswerIsTheConnectionError(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := `{"startUrl": "https://x/start", "region": "us-east-1", "accessToken": "tok-old", "expiresAt": "2030-01-01T00:05:00Z",
		"refreshToken": "refresh-1", "clientId": "client", "clientSecret": "secret", "registrationExpiresAt": "2099-01-01T00:00:00Z"}`
	if err := os.WriteFile(TokenFile(dir, "", "corp"), []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	portal := ststest.NewMetadata() // answers the portal's GetRoleCredentials
	defer portal.Close()
	closed := ststest.NewMetadata()
	closed.Close() // nothing listens there now
	p := &Provider{Client: NewClient, Config: Config{Profile: "dev", StartURL: "https://x/start", Region: "us-east-1", RoleName: "Dev", AccountID: "123456789012", Session: "corp"},
		TokenDir: dir, Endpoint: portal.URL + "/scope", OIDCEndpoint: closed.URL, Cache: &cache.Memory{}, Now: func() time.Time { return now }}
	_, err := p.Retrieve(context.Background())
	if k := creds.KindOf(err); k != "EndpointConnectionError" {
		t.Fatalf("err = %v (kind %q), want EndpointConnectionError", err, k)
	}
	if strings.Contains(err.Error(), "refresh-1") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("the error shows the refresh token or client secret: %v", err)
	}
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_grant","error_description":"no"}`))
	}))
	defer refusing.Close()
	p.OIDCEndpoint = refusing.URL
	if _, err := p.AccessToken(context.Background()); err != nil {
		t.Fatalf("a refused refresh: %v; want the token held (5 minutes left)", err)
	}
}
