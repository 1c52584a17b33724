// Package logincreds uses `aws login` sessions like botocore's LoginProvider
// (method "login"): the session's token is read from the login token cache
// (~/.aws/login/cache/<sha256(session)>.json, or AWS_LOGIN_CACHE_DIRECTORY),
// and refreshed through the AWS Sign-In service's CreateOAuth2Token with a
// DPoP proof (an ES256 JWT signed with the token's dpopKey) when fewer than
// five minutes are left; the rotated token is written back.
package logincreds

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/timefmt"
)

// Method is botocore's name for this source.
const Method = "login"

// Error kinds: botocore's exception names.
const (
	KindTokenLoad          = "LoginTokenLoadError"
	KindRefreshRequired    = "LoginRefreshRequired"
	KindInsufficientAccess = "LoginInsufficientPermissions"
	KindLogin              = "LoginError"
)

// RefreshThreshold: a token with less time left is refreshed.
const RefreshThreshold = 5 * time.Minute

// Provider reads the login session Session.
type Provider struct {
	Profile string
	Session string
	// Dir is the login token cache directory.
	Dir string
	// Region and Endpoint say where the Sign-In service is.
	Region, Endpoint string
	HTTPClient       *http.Client
	Now              func() time.Time
	// Client returns the Sign-In client (NewClient). nil: Refresh returns
	// the cached credentials while they have more than RefreshThreshold
	// left, else creds.ErrNoClient.
	Client func(ClientOptions) API
}

// API is the call this source makes: Sign-In's CreateOAuth2Token with a
// refresh token.
type API interface {
	RefreshToken(ctx context.Context, clientID, refreshToken string) (Token, error)
}

// ClientOptions say where Sign-In is, and the key that proves possession of
// the token (DPoP) on every request.
type ClientOptions struct {
	Region, Endpoint string
	HTTPClient       *http.Client
	Key              *ecdsa.PrivateKey
	Now              func() time.Time
}

// Token is CreateOAuth2Token's answer; nil where it has none. HasKeys says
// the answer has an accessToken (the keys).
type Token struct {
	HasKeys                                    bool
	AccessKeyID, SecretAccessKey, SessionToken *string
	RefreshToken                               *string
	ExpiresIn                                  *int32
}

// LoginNeededError is a login failure that a new sign-in fixes: no cached
// token, or one whose refresh is refused. It reads (and has the kind) of
// the error it wraps.
type LoginNeededError struct {
	Err *creds.Error
	// Profile and Session are the profile and its login_session.
	Profile, Session string
}

func (e *LoginNeededError) Error() string { return e.Err.Error() }
func (e *LoginNeededError) Unwrap() error { return e.Err }

func (p *Provider) loginNeeded(err *creds.Error) error {
	return &LoginNeededError{Err: err, Profile: p.Profile, Session: p.Session}
}

// DeniedError is Sign-In's AccessDeniedException, with its OAuth 2.0 error
// code (TOKEN_EXPIRED, USER_CREDENTIALS_CHANGED, INSUFFICIENT_PERMISSIONS,
// ...).
type DeniedError struct {
	Code string
	Err  error
}

func (e *DeniedError) Error() string { return e.Err.Error() }
func (e *DeniedError) Unwrap() error { return e.Err }

// Method implements creds.Provider.
func (p *Provider) Method() string { return Method }

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// TokenFile is the cache file of a login session.
func TokenFile(dir, session string) string {
	sum := sha256.Sum256([]byte(session))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
}

func (p *Provider) where() string {
	return fmt.Sprintf("profile %q: login session %s", p.Profile, p.Session)
}

func (p *Provider) load() (map[string]any, string, error) {
	path := TokenFile(p.Dir, p.Session)
	f, err := os.Open(path)
	if err != nil {
		return nil, path, p.loginNeeded(creds.Errorf(KindTokenLoad,
			"Error loading login session token: Unable to load a existing login session for session %s. Please reauthenticate with 'aws login'. (%s)", p.Session, path))
	}
	defer f.Close()
	var doc map[string]any
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil || json.Unmarshal(data, &doc) != nil || doc == nil {
		return nil, path, creds.Errorf(KindTokenLoad, "Error loading login session token: %s is not a JSON document", path)
	}
	var missing []string
	for _, k := range []string{"accessToken", "refreshToken", "dpopKey", "clientId"} {
		if _, ok := doc[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return nil, path, creds.Errorf(KindTokenLoad,
			"Error loading login session token: Failed to load access token from token cache, missing required fields: %s. (%s)", strings.Join(missing, ", "), path)
	}
	return doc, path, nil
}

func (p *Provider) credentials(doc map[string]any, source string) (creds.Credentials, error) {
	at, _ := doc["accessToken"].(map[string]any)
	str := func(k string) string { v, _ := at[k].(string); return v }
	c := creds.Credentials{AccessKeyID: str("accessKeyId"), SecretAccessKey: str("secretAccessKey"), SessionToken: str("sessionToken"),
		AccountID: str("accountId"), Method: Method, Source: p.where() + " (" + source + ")"}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return creds.Credentials{}, creds.Errorf(KindTokenLoad, "Error loading login session token: the cached access token has no keys (%s)", p.where())
	}
	exp, err := timefmt.Parse(str("expiresAt"))
	if err != nil {
		return creds.Credentials{}, creds.Errorf(KindTokenLoad, "Error loading login session token: expiresAt: %v", err)
	}
	c.Expires = exp
	return c, nil
}

// Retrieve implements creds.Provider: the cached credentials, even expired
// (the session refreshes them, as botocore's RefreshableCredentials does).
func (p *Provider) Retrieve(context.Context) (creds.Credentials, error) {
	doc, _, err := p.load()
	if err != nil {
		return creds.Credentials{}, err
	}
	return p.credentials(doc, "token cache")
}

// Refresh reloads the token and, within RefreshThreshold of expiry, rotates
// it with CreateOAuth2Token and writes it back.
func (p *Provider) Refresh(ctx context.Context) (creds.Credentials, error) {
	doc, path, err := p.load()
	if err != nil {
		return creds.Credentials{}, err
	}
	key, err := privateKey(doc["dpopKey"])
	if err != nil {
		return creds.Credentials{}, err
	}
	if c, err := p.credentials(doc, "token cache"); err == nil && c.Expires.Sub(p.now()) > RefreshThreshold {
		return c, nil
	}
	if p.Client == nil {
		return creds.Credentials{}, fmt.Errorf("%s: %w", p.where(), creds.ErrNoClient)
	}
	clientID, _ := doc["clientId"].(string)
	refresh, _ := doc["refreshToken"].(string)
	o, err := p.Client(ClientOptions{Region: p.Region, Endpoint: p.Endpoint, HTTPClient: p.HTTPClient, Key: key, Now: p.now}).RefreshToken(ctx, clientID, refresh)
	if err != nil {
		return creds.Credentials{}, p.refreshError(err)
	}
	if !o.HasKeys || o.ExpiresIn == nil || o.RefreshToken == nil {
		return creds.Credentials{}, creds.Errorf(KindTokenLoad,
			"Error loading login session token: Unable to refresh access token due to an invalid service response. Please try running 'aws login' again. If the issue persists, there may be a temporary signin service problem.")
	}
	old, _ := doc["accessToken"].(map[string]any)
	doc["accessToken"] = map[string]any{
		"accessKeyId": aws.ToString(o.AccessKeyID), "secretAccessKey": aws.ToString(o.SecretAccessKey),
		"sessionToken": aws.ToString(o.SessionToken), "accountId": old["accountId"],
		"expiresAt": p.now().UTC().Add(time.Duration(*o.ExpiresIn) * time.Second).Format("2006-01-02T15:04:05Z"),
	}
	doc["refreshToken"] = *o.RefreshToken
	if err := writeAtomic(path, doc); err != nil {
		return creds.Credentials{}, &creds.Error{Kind: KindLogin, Msg: p.where() + ": writing the refreshed token", Err: err}
	}
	return p.credentials(doc, "refreshed with CreateOAuth2Token")
}

func (p *Provider) refreshError(err error) error {
	var ad *DeniedError
	if errors.As(err, &ad) {
		switch ad.Code {
		case "TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED":
			return p.loginNeeded(creds.Errorf(KindRefreshRequired, "Your session has expired or credentials have changed. Please reauthenticate using 'aws login'. (%s)", p.where()))
		case "INSUFFICIENT_PERMISSIONS":
			return creds.Errorf(KindInsufficientAccess,
				"Unable to create or refresh login credentials due to insufficient permissions. You may be missing permission for the 'signin:CreateOAuth2Token' action. (%s)", p.where())
		}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return creds.Errorf(KindLogin, "%s: CreateOAuth2Token: %s", p.where(), ae.ErrorCode())
	}
	return &creds.Error{Kind: KindLogin, Msg: p.where() + ": CreateOAuth2Token", Err: err}
}

// privateKey decodes the token's dpopKey: an EC P-256 key in PEM (SEC 1 or
// PKCS #8).
func privateKey(v any) (*ecdsa.PrivateKey, error) {
	s, _ := v.(string)
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, creds.Errorf(KindTokenLoad, "Error loading login session token: Unable to load private key from cached token.")
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if ek, ok := k.(*ecdsa.PrivateKey); ok {
			return ek, nil
		}
	}
	return nil, creds.Errorf(KindTokenLoad, "Error loading login session token: Unable to load private key from cached token.")
}

// DPoP builds the proof botocore sends: an ES256 JWT over the method and
// URL, with the public key in the header.
func DPoP(key *ecdsa.PrivateKey, url string, iat time.Time, jti string) (string, error) {
	enc := base64.RawURLEncoding
	pub, err := key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil || len(pub) != 65 {
		return "", fmt.Errorf("dpopKey is not a P-256 key")
	}
	header, _ := json.Marshal(struct {
		Typ string `json:"typ"`
		Alg string `json:"alg"`
		JWK struct {
			Kty string `json:"kty"`
			X   string `json:"x"`
			Y   string `json:"y"`
			Crv string `json:"crv"`
		} `json:"jwk"`
	}{Typ: "dpop+jwt", Alg: "ES256", JWK: struct {
		Kty string `json:"kty"`
		X   string `json:"x"`
		Y   string `json:"y"`
		Crv string `json:"crv"`
	}{"EC", enc.EncodeToString(pub[1:33]), enc.EncodeToString(pub[33:]), "P-256"}})
	payload, _ := json.Marshal(struct {
		Htm string `json:"htm"`
		Htu string `json:"htu"`
		Iat int64  `json:"iat"`
		Jti string `json:"jti"`
	}{"POST", url, iat.Unix(), jti})
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	sig := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	return input + "." + enc.EncodeToString(sig), nil
}

func uuid4() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func writeAtomic(path string, doc map[string]any) error {
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}

// Logout removes the cached token of session from dir (`aws logout`); it
// reports whether there was one.
func Logout(dir, session string) (bool, error) {
	err := os.Remove(TokenFile(dir, session))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// LogoutAll removes every cached login token of dir (`aws logout --all`):
// the JSON files whose accessToken holds an accessKeyId. It returns the
// files removed.
func LogoutAll(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := os.ReadFile(path)
		var doc struct {
			AccessToken json.RawMessage `json:"accessToken"`
		}
		if err != nil || len(data) > 1<<20 || json.Unmarshal(data, &doc) != nil {
			continue
		}
		var tok map[string]any
		if json.Unmarshal(doc.AccessToken, &tok) != nil || tok["accessKeyId"] == nil {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return removed, err
		}
		removed = append(removed, path)
	}
	return removed, nil
}

var _ creds.Refresher = (*Provider)(nil)
