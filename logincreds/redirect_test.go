package logincreds

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/credchain/credchain/internal/ststest"
)

// TestNoRedirectCarriesTheRefreshToken: the sign-in client does not follow
// a redirect to another host.
func TestNoRedirectCarriesTheRefreshToken(t *testing.T) {
	h := ststest.NewHostile()
	defer h.Close()
	_, pemKey := keyPEM(t)
	dir := t.TempDir()
	session := "arn:aws:sts::012345678910:assumed-role/Admin/admin"
	doc := map[string]any{"accessToken": map[string]any{"accessKeyId": "ASIAOLD", "secretAccessKey": "old", "sessionToken": "old-token",
		"accountId": "012345678910", "expiresAt": "2030-01-01T00:02:00Z"}, "refreshToken": "refresh-secret", "clientId": "arn:aws:signin:::devtools/same-device",
		"dpopKey": pemKey}
	data, _ := json.Marshal(doc)
	if err := os.WriteFile(TokenFile(dir, session), data, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &Provider{Client: NewClient, Profile: "dev", Session: session, Dir: dir, Region: "us-east-1", Endpoint: h.URL, Now: func() time.Time { return now }}
	if _, err := p.Refresh(context.Background()); err == nil {
		t.Fatal("a redirect was followed to success")
	}
	if got := h.Reached(); len(got) != 0 {
		t.Fatalf("%d requests reached the redirect target", len(got))
	}
}
