//go:build !credchain_front

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
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/signin/types"

	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/internal/loopback"
)

// SameDeviceClient is the client id of `aws login` in a browser on the
// same machine.
const SameDeviceClient = "arn:aws:signin:::devtools/same-device"

// SignIn is `aws login` in the browser (authorization code with PKCE and a
// DPoP key): the browser signs in at AWS Sign-In and brings the code back to
// a listener on 127.0.0.1; CreateOAuth2Token exchanges it; the token goes
// to the login token cache exactly as the AWS CLI writes it.
type SignIn struct {
	// Session is the profile's login_session: the principal who must sign
	// in (the token cache is keyed by it).
	Session string
	Dir     string
	// Region and Endpoint say where AWS Sign-In is.
	Region, Endpoint string
	// Open sends the browser to the sign-in page; when it is nil or fails,
	// Prompt shows the URL.
	Open   func(url string) error
	Prompt func(url string)
	// Timeout bounds the wait for the browser (10 minutes when zero).
	Timeout time.Duration
	// Stale is a cached access key id known to fail: a cached token with
	// it does not make the sign-in unnecessary.
	Stale      string
	HTTPClient *http.Client
}

// Run signs in. Concurrent runs for the same session hold a lock: the
// first runs the flow, the others find its token.
func (s *SignIn) Run(ctx context.Context) (string, error) {
	path := TokenFile(s.Dir, s.Session)
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return path, err
	}
	unlock, err := (&cache.File{Dir: s.Dir, LockTimeout: 10 * time.Minute}).Lock(filepath.Base(path))
	if err != nil {
		return path, err
	}
	defer unlock()
	existing := &Provider{Session: s.Session, Dir: s.Dir}
	if doc, _, err := existing.load(); err == nil {
		if c, err := existing.credentials(doc, ""); err == nil && c.AccessKeyID != s.Stale && c.Expires.Sub(time.Now()) > RefreshThreshold {
			return path, nil // signed in by another process meanwhile
		}
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return path, err
	}
	ln, err := loopback.Listen()
	if err != nil {
		return path, err
	}
	defer ln.Close()
	redirect := ln.RedirectURI()
	verifier := verifierString()
	sum := sha256.Sum256([]byte(verifier))
	state := uuid4()
	base := s.Endpoint
	if base == "" {
		base = "https://" + s.Region + ".signin.aws.amazon.com"
	}
	q := url.Values{"response_type": {"code"}, "client_id": {SameDeviceClient}, "state": {state},
		"code_challenge_method": {"SHA-256"}, "scope": {"openid"}, "redirect_uri": {redirect}}
	authURL := strings.TrimRight(base, "/") + "/v1/authorize?" + q.Encode() + "&code_challenge=" + base64.RawURLEncoding.EncodeToString(sum[:])

	code, err := ln.Await(ctx, authURL, state, s.Open, s.Prompt, s.Timeout)
	if err != nil {
		return path, err
	}
	out, err := newClient(s.Region, s.Endpoint, s.HTTPClient, key, time.Now).CreateOAuth2Token(ctx, &signin.CreateOAuth2TokenInput{TokenInput: &types.CreateOAuth2TokenRequestBody{
		ClientId: aws.String(SameDeviceClient), GrantType: aws.String("authorization_code"), Code: aws.String(code),
		CodeVerifier: aws.String(verifier), RedirectUri: aws.String(redirect)}})
	if err != nil {
		return path, fmt.Errorf("exchanging the authorization code: %w", (&Provider{Session: s.Session}).refreshError(denied(err)))
	}
	o := out.TokenOutput
	if o == nil || o.AccessToken == nil || o.ExpiresIn == nil || o.RefreshToken == nil || o.IdToken == nil {
		return path, errors.New("AWS Sign-In returned no token")
	}
	sub, err := subject(*o.IdToken)
	if err != nil {
		return path, err
	}
	if sub != s.Session {
		return path, fmt.Errorf("signed in as %s, but the profile's login_session is %s: sign in as that principal, or set login_session to the one you use", sub, s.Session)
	}
	account := ""
	if parts := strings.Split(sub, ":"); len(parts) > 4 {
		account = parts[4]
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return path, err
	}
	doc := map[string]any{
		"accessToken": map[string]any{"accessKeyId": aws.ToString(o.AccessToken.AccessKeyId), "secretAccessKey": aws.ToString(o.AccessToken.SecretAccessKey),
			"sessionToken": aws.ToString(o.AccessToken.SessionToken), "accountId": account,
			"expiresAt": time.Now().UTC().Add(time.Duration(*o.ExpiresIn) * time.Second).Format("2006-01-02T15:04:05Z")},
		"tokenType": aws.ToString(o.TokenType), "clientId": SameDeviceClient, "refreshToken": *o.RefreshToken,
		"idToken": *o.IdToken, "dpopKey": string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})),
	}
	return path, writeAtomic(path, doc)
}

// verifierString is a PKCE code verifier: 64 characters of [A-Za-z0-9-._~].
func verifierString() string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	b := make([]byte, 64)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			panic(err)
		}
		b[i] = chars[n.Int64()]
	}
	return string(b)
}

// subject is the "sub" claim of a JWT (not verified: it names the cache
// file, and the credentials are AWS's to check).
func subject(jwt string) (string, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", errors.New("AWS Sign-In returned an id token that is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	var claims struct {
		Sub string `json:"sub"`
	}
	if err != nil || json.Unmarshal(payload, &claims) != nil || claims.Sub == "" {
		return "", errors.New("AWS Sign-In returned an id token without a subject")
	}
	return claims.Sub, nil
}
