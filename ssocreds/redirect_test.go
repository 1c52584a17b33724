package ssocreds

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/internal/ststest"
)

// TestNoRedirectCarriesTheBearerToken: neither the portal (GetRoleCredentials,
// x-amz-sso_bearer_token) nor SSO-OIDC (CreateToken, the refresh token)
// follows a redirect to another host.
func TestNoRedirectCarriesTheBearerToken(t *testing.T) {
	h := ststest.NewHostile()
	defer h.Close()
	dir := t.TempDir()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ name, expires, portal, oidc string }{
		{"portal", "2030-01-01T05:00:00Z", h.URL, "http://127.0.0.1:9"},
		{"oidc refresh", "2030-01-01T00:05:00Z", "http://127.0.0.1:9", h.URL},
	} {
		tok := `{"startUrl": "https://x/start", "region": "us-east-1", "accessToken": "bearer-secret", "expiresAt": "` + tc.expires + `",
			"refreshToken": "refresh-secret", "clientId": "client", "clientSecret": "secret", "registrationExpiresAt": "2099-01-01T00:00:00Z"}`
		if err := os.WriteFile(TokenFile(dir, "", "corp"), []byte(tok), 0o600); err != nil {
			t.Fatal(err)
		}
		p := &Provider{Client: NewClient, Config: Config{Profile: "dev", StartURL: "https://x/start", Region: "us-east-1", RoleName: "Dev", AccountID: "123456789012", Session: "corp"},
			TokenDir: dir, Endpoint: tc.portal, OIDCEndpoint: tc.oidc, Cache: &cache.Memory{}, Now: func() time.Time { return now }}
		_, _ = p.Retrieve(context.Background())
		if got := h.Reached(); len(got) != 0 {
			t.Fatalf("%s: %d requests reached the redirect target (bearer sent: %v)", tc.name, len(got), got[0].Get("X-Amz-Sso_bearer_token") != "")
		}
	}
}
