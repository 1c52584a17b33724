package logincreds

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/credchain/credchain/creds"
)

func keyPEM(t *testing.T) (*ecdsa.PrivateKey, string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalECPrivateKey(k)
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

// verifyDPoP checks a DPoP proof the way the Sign-In service would.
func verifyDPoP(proof, url string) error {
	parts := strings.Split(proof, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT")
	}
	dec := base64.RawURLEncoding
	var h struct {
		Typ, Alg string
		JWK      struct{ Kty, X, Y, Crv string }
	}
	var p struct {
		Htm, Htu, Jti string
		Iat           int64
	}
	hb, _ := dec.DecodeString(parts[0])
	pb, _ := dec.DecodeString(parts[1])
	if json.Unmarshal(hb, &h) != nil || json.Unmarshal(pb, &p) != nil {
		return fmt.Errorf("bad JSON")
	}
	if h.Typ != "dpop+jwt" || h.Alg != "ES256" || h.JWK.Kty != "EC" || h.JWK.Crv != "P-256" || p.Htm != "POST" || p.Htu != url || p.Jti == "" {
		return fmt.Errorf("bad claims %+v %+v", h, p)
	}
	x, _ := dec.DecodeString(h.JWK.X)
	y, _ := dec.DecodeString(h.JWK.Y)
	sig, _ := dec.DecodeString(parts[2])
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return fmt.Errorf("bad signature")
	}
	return nil
}

func TestRefreshWithDPoP(t *testing.T) {
	_, pemKey := keyPEM(t)
	var dpopErr error
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dpopErr = verifyDPoP(r.Header.Get("DPoP"), "http://"+r.Host+r.URL.RequestURI())
		data, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(data, &body)
		if body["refreshToken"] == "revoked" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"__type":"AccessDeniedException","error":"TOKEN_EXPIRED","message":"expired"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"accessToken":{"accessKeyId":"ASIANEW","secretAccessKey":"new-secret","sessionToken":"new-token"},"expiresIn":900,"refreshToken":"refresh-2","tokenType":"aws_sigv4"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	session := "arn:aws:sts::012345678910:assumed-role/Admin/admin"
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	write := func(refresh string) {
		doc := map[string]any{"accessToken": map[string]any{"accessKeyId": "ASIAOLD", "secretAccessKey": "old", "sessionToken": "old-token",
			"accountId": "012345678910", "expiresAt": "2030-01-01T00:02:00Z"}, "refreshToken": refresh, "clientId": "arn:aws:signin:::devtools/same-device",
			"dpopKey": pemKey, "idToken": "keep-me"}
		data, _ := json.Marshal(doc)
		if err := os.WriteFile(TokenFile(dir, session), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("refresh-1")
	p := &Provider{Client: NewClient, Profile: "dev", Session: session, Dir: dir, Region: "us-east-1", Endpoint: srv.URL, Now: func() time.Time { return now }}
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "ASIAOLD" {
		t.Fatalf("cached: %+v %v", c, err)
	}
	c, err := p.Refresh(context.Background())
	if err != nil || c.AccessKeyID != "ASIANEW" || c.AccountID != "012345678910" || !c.Expires.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("refresh: %+v %v", c, err)
	}
	if dpopErr != nil {
		t.Fatalf("DPoP proof: %v", dpopErr)
	}
	if body["grantType"] != "refresh_token" || body["refreshToken"] != "refresh-1" {
		t.Errorf("request body %v", body)
	}
	var saved map[string]any
	data, _ := os.ReadFile(TokenFile(dir, session))
	if json.Unmarshal(data, &saved) != nil || saved["refreshToken"] != "refresh-2" || saved["idToken"] != "keep-me" {
		t.Errorf("saved token %s", data)
	}
	write("revoked")
	if _, err := p.Refresh(context.Background()); creds.KindOf(err) != KindRefreshRequired {
		t.Fatalf("revoked: %v", err)
	}
}

func TestTokenFileAndMissingFields(t *testing.T) {
	if got := TokenFile("d", "arn:aws:sts::012345678910:assumed-role/Admin/admin"); !strings.HasSuffix(got, "4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255.json") {
		t.Errorf("TokenFile = %s", got)
	}
	dir := t.TempDir()
	p := &Provider{Profile: "dev", Session: "s", Dir: dir}
	if _, err := p.Retrieve(context.Background()); creds.KindOf(err) != KindTokenLoad || !strings.Contains(err.Error(), "Please reauthenticate with 'aws login'") {
		t.Fatalf("missing file: %v", err)
	}
	if err := os.WriteFile(TokenFile(dir, "s"), []byte(`{"accessToken": {}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Retrieve(context.Background()); creds.KindOf(err) != KindTokenLoad || !strings.Contains(err.Error(), "missing required fields: refreshToken, dpopKey, clientId.") {
		t.Fatalf("missing fields: %v", err)
	}
}

// Without a client the cached token's credentials are returned while they
// have more than RefreshThreshold left; a refresh fails with
// creds.ErrNoClient and leaves the token file as it was.
func TestWithoutAClientOnlyTheCacheIsRead(t *testing.T) {
	_, pemKey := keyPEM(t)
	dir := t.TempDir()
	session := "arn:aws:sts::012345678910:assumed-role/Admin/admin"
	doc := map[string]any{"accessToken": map[string]any{"accessKeyId": "ASIAOLD", "secretAccessKey": "old", "sessionToken": "old-token",
		"accountId": "012345678910", "expiresAt": "2030-01-01T01:00:00Z"}, "refreshToken": "r", "clientId": "arn:aws:signin:::devtools/same-device",
		"dpopKey": pemKey, "idToken": "keep-me"}
	data, _ := json.Marshal(doc)
	if err := os.WriteFile(TokenFile(dir, session), data, 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &Provider{Profile: "dev", Session: session, Dir: dir, Region: "us-east-1", Now: func() time.Time { return now }}
	if c, err := p.Refresh(context.Background()); err != nil || c.AccessKeyID != "ASIAOLD" {
		t.Fatalf("fresh: %+v, %v", c, err)
	}
	now = now.Add(58 * time.Minute)
	if _, err := p.Refresh(context.Background()); !errors.Is(err, creds.ErrNoClient) {
		t.Fatalf("near expiry: %v", err)
	}
	if after, _ := os.ReadFile(TokenFile(dir, session)); string(after) != string(data) {
		t.Errorf("the token file changed: %s", after)
	}
}
