// Package ssocreds gets role credentials from AWS IAM Identity Center (SSO)
// like botocore's SSOProvider (method "sso"): the access token is read from
// the token cache the AWS CLI writes (~/.aws/sso/cache/<sha1>.json, keyed by
// the start URL for legacy profiles and by the sso-session name otherwise),
// an sso-session token within 15 minutes of expiry is refreshed through SSO
// OIDC and written back, and GetRoleCredentials is called with it.
package ssocreds

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/smithy-go"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/internal/botomodel"
	"github.com/credchain/credchain/internal/timefmt"
)

// Method is botocore's name for this source.
const Method = "sso"

// Error kinds of this source: botocore's exception names.
const (
	KindTokenLoad      = "SSOTokenLoadError"
	KindUnauthorized   = "UnauthorizedSSOTokenError"
	KindTokenRetrieval = "TokenRetrievalError"
)

// RefreshWindow: an sso-session token with less time left is refreshed.
const RefreshWindow = 15 * time.Minute

// Config is a profile's resolved SSO settings.
type Config struct {
	Profile   string
	StartURL  string
	Region    string
	RoleName  string
	AccountID string
	// Session is the sso-session name; empty for a legacy profile.
	Session string
}

// Provider fetches the role credentials of Config.
type Provider struct {
	Config
	// TokenDir is the token cache directory (~/.aws/sso/cache).
	TokenDir string
	// Endpoint and OIDCEndpoint override the SSO portal and SSO OIDC
	// endpoints (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC).
	Endpoint, OIDCEndpoint string
	Cache                  cache.Cache
	Now                    func() time.Time
	HTTPClient             *http.Client
	// Retry returns botocore's retry configuration, read when the SSO client
	// is created (nil: legacy, 5 attempts); its error stops the fetch.
	Retry func() (awsconfig.Retry, error)
	// ClientCheck, when set, runs first when the client is created
	// (botocore's bearer-token provider check of the session's profile).
	ClientCheck func() error
	// Client returns the SSO portal and SSO OIDC client (NewClient). nil
	// returns cached role credentials only: a miss fails with
	// creds.ErrNoClient before the token is read.
	Client func(ClientOptions) API
}

// API is the calls this source makes: the SSO portal's GetRoleCredentials
// and SSO OIDC's CreateToken with a refresh token.
type API interface {
	GetRoleCredentials(ctx context.Context, roleName, accountID, accessToken string) (RoleCredentials, error)
	RefreshToken(ctx context.Context, clientID, clientSecret, refreshToken string) (RefreshedToken, error)
}

// ClientOptions say where the SSO portal and SSO OIDC are.
type ClientOptions struct {
	// Region is sso_region.
	Region string
	// Endpoint and OIDCEndpoint override the portal and OIDC endpoints.
	Endpoint, OIDCEndpoint string
	// Retry applies to the portal (botocore's retry configuration).
	Retry      awsconfig.Retry
	HTTPClient *http.Client
}

// RoleCredentials is GetRoleCredentials' answer; nil where it has none.
type RoleCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken *string
	// Expiration is in milliseconds since the epoch.
	Expiration int64
}

// RefreshedToken is CreateToken's answer.
type RefreshedToken struct {
	AccessToken, RefreshToken *string
	ExpiresIn                 int32
}

// Method implements creds.Provider.
func (p *Provider) Method() string { return Method }

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Provider) where() string {
	return fmt.Sprintf("profile %q: sso role %s in account %s", p.Profile, p.RoleName, p.AccountID)
}

// TokenFile is the token cache file for a start URL or session name.
func TokenFile(dir, startURL, session string) string {
	in := startURL
	if session != "" {
		in = session
	}
	sum := sha1.Sum([]byte(in))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json")
}

// cacheKey is botocore's SSO role-credential cache key.
func (p *Provider) cacheKey() (string, error) {
	args := map[string]any{"roleName": p.RoleName, "accountId": p.AccountID}
	if p.Session != "" {
		args["sessionName"] = p.Session
	} else {
		args["startUrl"] = p.StartURL
	}
	return cache.SSOKey(args)
}

func (p *Provider) httpClient() *http.Client {
	if p.HTTPClient != nil {
		return p.HTTPClient
	}
	return awshttp.Client()
}

// Retrieve implements creds.Provider.
func (p *Provider) Retrieve(ctx context.Context) (creds.Credentials, error) {
	c := p.Cache
	if c == nil {
		c = &cache.Memory{}
	}
	key, err := p.cacheKey()
	if err != nil {
		return creds.Credentials{}, err
	}
	if e, ok := c.Get(key); ok && e.FreshFor(p.now(), 15*time.Minute) {
		cr := e.Credentials
		cr.Method, cr.Source = Method, p.where()+" (cache hit)"
		return cr, nil
	}
	if p.Client == nil {
		return creds.Credentials{}, fmt.Errorf("%s: %w", p.where(), creds.ErrNoClient)
	}
	// botocore creates the sso client with sso_region (checked as a host
	// label, then the retry settings) before it loads or refreshes the token.
	if p.ClientCheck != nil {
		if err := p.ClientCheck(); err != nil {
			return creds.Credentials{}, err
		}
	}
	if !awsconfig.ValidRegion(p.Region) {
		return creds.Credentials{}, creds.Errorf("InvalidRegionError", "Provided region_name '%s' doesn't match a supported format. (sso_region of %s)", p.Region, p.where())
	}
	if p.Region == "" && p.Endpoint == "" {
		// botocore builds https://portal.sso..amazonaws.com and raises a raw
		// ValueError (Invalid endpoint) when it creates the client.
		return creds.Credentials{}, creds.Errorf(creds.KindInvalidConfig,
			"Invalid endpoint: https://portal.sso..amazonaws.com (sso_region of %s is empty)", p.where())
	}
	var retry awsconfig.Retry
	if p.Retry != nil {
		if retry, err = p.Retry(); err != nil {
			return creds.Credentials{}, err
		}
	}
	client := p.Client(ClientOptions{Region: p.Region, Endpoint: p.Endpoint, OIDCEndpoint: p.OIDCEndpoint, Retry: retry, HTTPClient: p.httpClient()})
	token, err := p.accessToken(ctx, client)
	if err != nil {
		return creds.Credentials{}, err
	}
	rc, err := client.GetRoleCredentials(ctx, p.RoleName, p.AccountID, token)
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "UnauthorizedException" {
			return creds.Credentials{}, p.unauthorized(token)
		}
		// Any other failure is botocore's: the modeled exception's class
		// or ClientError (a 503, say), or a connection error.
		kind := creds.KindCredentialRetrieval
		if errors.As(err, &ae) {
			kind = botomodel.ExceptionName("sso", ae.ErrorCode())
		} else if k := awshttp.TransportKind(err); k != "" {
			kind = k
		}
		return creds.Credentials{}, &creds.Error{Kind: kind, Msg: p.where() + ": GetRoleCredentials", Err: err}
	}
	if rc.AccessKeyID == nil || rc.SecretAccessKey == nil || rc.SessionToken == nil {
		return creds.Credentials{}, creds.Errorf(creds.KindCredentialRetrieval, "%s: the SSO portal answered without credentials", p.where())
	}
	cr := creds.Credentials{AccessKeyID: *rc.AccessKeyID, SecretAccessKey: *rc.SecretAccessKey, SessionToken: *rc.SessionToken,
		AccountID: p.AccountID, Expires: time.UnixMilli(rc.Expiration).UTC().Truncate(time.Second)}
	if err := c.Put(key, cache.Entry{Credentials: cr, ProviderType: "sso"}); err != nil {
		// Not fatal: the credentials are good.
		_ = err
	}
	cr.Method, cr.Source = Method, p.where()+" (GetRoleCredentials)"
	return cr, nil
}

func (p *Provider) unauthorized(token string) error {
	err := p.loginNeeded(creds.Errorf(KindUnauthorized,
		"The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile. (%s)", p.where()))
	err.(*LoginNeededError).Stale = token
	return err
}

// LoginNeededError is an SSO failure that a new sign-in fixes: no token,
// an expired one that cannot be refreshed, or one the portal refuses. It
// reads (and has the kind) of the error it wraps.
type LoginNeededError struct {
	Err *creds.Error
	// Session is the sso-session to sign in to; for a legacy profile it
	// is "" and Profile is the profile holding sso_start_url.
	Session, Profile, StartURL string
	// Stale is the access token that failed (a secret: never shown), so
	// that a sign-in does not take it for a fresh one.
	Stale string
}

func (e *LoginNeededError) Error() string { return e.Err.Error() }
func (e *LoginNeededError) Unwrap() error { return e.Err }

func (p *Provider) loginNeeded(err *creds.Error) error {
	return &LoginNeededError{Err: err, Session: p.Session, Profile: p.Profile, StartURL: p.StartURL}
}

// AccessToken returns a usable access token for the provider's sso-session
// (refreshed when it nears expiry) or legacy start URL.
func (p *Provider) AccessToken(ctx context.Context) (string, error) {
	if p.Client == nil {
		return "", fmt.Errorf("%s: %w", p.where(), creds.ErrNoClient)
	}
	return p.accessToken(ctx, p.Client(ClientOptions{Region: p.Region, Endpoint: p.Endpoint, OIDCEndpoint: p.OIDCEndpoint, HTTPClient: p.httpClient()}))
}

// token is the cached token document, as the AWS CLI writes it.
type token struct {
	AccessToken           *string `json:"accessToken"`
	ExpiresAt             *string `json:"expiresAt"`
	RefreshToken          *string `json:"refreshToken,omitempty"`
	ClientID              *string `json:"clientId,omitempty"`
	ClientSecret          *string `json:"clientSecret,omitempty"`
	RegistrationExpiresAt *string `json:"registrationExpiresAt,omitempty"`
	Region                string  `json:"region,omitempty"`
	StartURL              string  `json:"startUrl,omitempty"`
}

const maxToken = 1 << 20

func (p *Provider) loadToken() (*token, string, error) {
	path := TokenFile(p.TokenDir, p.StartURL, p.Session)
	name := p.StartURL
	if p.Session != "" {
		name = p.Session
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, path, p.loginNeeded(creds.Errorf(KindTokenLoad, "Error loading SSO Token: Token for %s does not exist (%s; sign in with: credchain sso login --profile %s)", name, path, p.Profile))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxToken))
	var t token
	if err != nil || json.Unmarshal(data, &t) != nil || t.AccessToken == nil || t.ExpiresAt == nil {
		return nil, path, creds.Errorf(KindTokenLoad, "Error loading SSO Token: Token for %s is invalid (%s)", p.StartURL, path)
	}
	return &t, path, nil
}

// accessToken returns a usable access token: legacy tokens are used until
// they expire; sso-session tokens are refreshed within RefreshWindow.
func (p *Provider) accessToken(ctx context.Context, client API) (string, error) {
	t, path, err := p.loadToken()
	if err != nil {
		return "", err
	}
	exp, err := timefmt.Parse(*t.ExpiresAt)
	if err != nil {
		return "", creds.Errorf(KindTokenLoad, "Error loading SSO Token: expiresAt in %s: %v", path, err)
	}
	if p.Session == "" {
		if !exp.After(p.now()) {
			return "", p.unauthorized(*t.AccessToken)
		}
		return *t.AccessToken, nil
	}
	if exp.Sub(p.now()) < RefreshWindow {
		fresh, ok, err := p.refresh(ctx, client, t)
		if err != nil {
			return "", err
		}
		if ok {
			if err := writeToken(path, fresh); err != nil {
				return "", creds.Errorf(KindTokenRetrieval, "Error when retrieving token from sso: writing %s: %v", path, err)
			}
			t = fresh
			exp, _ = timefmt.Parse(*t.ExpiresAt)
		}
	}
	if !exp.After(p.now()) {
		return "", p.loginNeeded(creds.Errorf(KindTokenRetrieval, "Error when retrieving token from sso: Token has expired and refresh failed (sso-session %q; sign in with: credchain sso login --sso-session %s)", p.Session, p.Session))
	}
	return *t.AccessToken, nil
}

// refresh is botocore's _refresh_access_token: CreateToken with the refresh
// token, when the client registration has not expired. SSO OIDC refusing
// the refresh (botocore's ClientError) is ignored, as botocore ignores it;
// no answer at all (the endpoint unreachable, a timeout) is the error
// botocore raises: it swallows ClientError only.
func (p *Provider) refresh(ctx context.Context, client API, t *token) (*token, bool, error) {
	if t.RefreshToken == nil || t.ClientID == nil || t.ClientSecret == nil || t.RegistrationExpiresAt == nil {
		return nil, false, nil
	}
	regExp, err := timefmt.Parse(*t.RegistrationExpiresAt)
	if err != nil || !regExp.After(p.now()) {
		return nil, false, nil
	}
	out, err := client.RefreshToken(ctx, *t.ClientID, *t.ClientSecret, *t.RefreshToken)
	if k := awshttp.TransportKind(err); k != "" {
		return nil, false, &creds.Error{Kind: k, Msg: fmt.Sprintf("%s: refreshing the SSO token of sso-session %q: SSO OIDC (region %s) did not answer", p.where(), p.Session, p.Region), Err: err}
	}
	if err != nil || out.AccessToken == nil {
		return nil, false, nil
	}
	exp := p.now().UTC().Add(time.Duration(out.ExpiresIn) * time.Second).Format("2006-01-02T15:04:05Z")
	fresh := &token{StartURL: p.StartURL, Region: p.Region, AccessToken: out.AccessToken, ExpiresAt: &exp,
		ClientID: t.ClientID, ClientSecret: t.ClientSecret, RegistrationExpiresAt: t.RegistrationExpiresAt, RefreshToken: t.RefreshToken}
	if out.RefreshToken != nil {
		fresh.RefreshToken = out.RefreshToken
	}
	return fresh, true, nil
}

// writeToken replaces the token file atomically, mode 0600.
func writeToken(path string, t *token) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}

// TokenStatus is the state of a cached SSO token, read without refreshing
// it.
type TokenStatus struct {
	Path string
	// Found is false when there is no readable token.
	Found     bool
	ExpiresAt time.Time
	// Refreshable says an sso-session token has a refresh token and a
	// client registration that has not expired: botocore renews it.
	Refreshable bool
}

// ReadTokenStatus reads the token of an sso-session (or a legacy start
// URL) from dir.
func ReadTokenStatus(dir, startURL, session string, now time.Time) TokenStatus {
	p := &Provider{Config: Config{StartURL: startURL, Session: session}, TokenDir: dir}
	t, path, err := p.loadToken()
	st := TokenStatus{Path: path}
	if err != nil {
		return st
	}
	exp, err := timefmt.Parse(*t.ExpiresAt)
	if err != nil {
		return st
	}
	st.Found, st.ExpiresAt = true, exp
	if session != "" && t.RefreshToken != nil && t.ClientID != nil && t.ClientSecret != nil && t.RegistrationExpiresAt != nil {
		if reg, err := timefmt.Parse(*t.RegistrationExpiresAt); err == nil && reg.After(now) {
			st.Refreshable = true
		}
	}
	return st
}
