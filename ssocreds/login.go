//go:build !credchain_front

package ssocreds

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/internal/loopback"
	"github.com/credchain/credchain/internal/timefmt"
)

// Login runs the OAuth device authorization flow of `aws sso login` and
// writes the token where the AWS CLI and botocore look for it.
type Login struct {
	StartURL string
	Region   string
	// Session is the sso-session name; empty for a legacy profile.
	Session string
	// Scopes are the sso-session's sso_registration_scopes.
	Scopes       []string
	TokenDir     string
	OIDCEndpoint string
	HTTPClient   *http.Client
	// Prompt shows the verification URL and code to the user (and may open
	// a browser); in the authorization code flow it shows the sign-in URL
	// (code "") when Open could not open a browser.
	Prompt func(url, code string)
	// DeviceCode chooses the device authorization flow instead of the
	// authorization code flow with PKCE.
	DeviceCode bool
	// Open sends the browser to the sign-in page (authorization code flow).
	Open func(url string) error
	// Timeout bounds the wait for the browser's redirect (10 minutes when
	// zero).
	Timeout time.Duration
	// Stale is an access token known to be refused: a cached token equal
	// to it does not make the sign-in unnecessary (another one does: a
	// process that signed in meanwhile).
	Stale string
	Now   func() time.Time
	// Sleep waits between polls; ctx bounds the whole flow.
	Sleep func(context.Context, time.Duration) error
}

func (l *Login) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Run logs in. Concurrent runs for the same token (several processes) hold
// a lock: the first runs the flow, the others find its fresh token.
func (l *Login) Run(ctx context.Context) (path string, err error) {
	path = TokenFile(l.TokenDir, l.StartURL, l.Session)
	if err := os.MkdirAll(l.TokenDir, 0o700); err != nil {
		return path, err
	}
	locker := &cache.File{Dir: l.TokenDir, LockTimeout: 10 * time.Minute}
	unlock, err := locker.Lock(filepath.Base(path))
	if err != nil {
		return path, err
	}
	defer unlock()
	existing := &Provider{Config: Config{StartURL: l.StartURL, Session: l.Session}, TokenDir: l.TokenDir, Now: l.Now}
	if t, _, err := existing.loadToken(); err == nil && (l.Stale == "" || *t.AccessToken != l.Stale) {
		if exp, err := timefmt.Parse(*t.ExpiresAt); err == nil && exp.Sub(l.now()) > RefreshWindow {
			return path, nil // logged in by another process meanwhile
		}
	}
	client := l.client()
	scopes := l.Scopes
	if len(scopes) == 0 && l.Session != "" {
		scopes = []string{"sso:account:access"}
	}
	var g grant
	if l.DeviceCode {
		g, err = l.deviceFlow(ctx, client, scopes)
	} else {
		g, err = l.authCodeFlow(ctx, client, scopes)
	}
	if err != nil {
		return path, err
	}
	exp := l.now().UTC().Add(time.Duration(g.out.ExpiresIn) * time.Second).Format("2006-01-02T15:04:05Z")
	regExp := time.Unix(g.reg.ClientSecretExpiresAt, 0).UTC().Format("2006-01-02T15:04:05Z")
	t := &token{StartURL: l.StartURL, Region: l.Region, AccessToken: g.out.AccessToken, ExpiresAt: &exp}
	if l.Session != "" {
		t.ClientID, t.ClientSecret, t.RegistrationExpiresAt, t.RefreshToken = g.reg.ClientId, g.reg.ClientSecret, &regExp, g.out.RefreshToken
	}
	return path, writeToken(path, t)
}

// grant is a finished sign-in: the client registration and the token.
type grant struct {
	reg *ssooidc.RegisterClientOutput
	out *ssooidc.CreateTokenOutput
}

func (l *Login) clientName() *string { return aws.String(fmt.Sprintf("credchain-%d", l.now().Unix())) }

// deviceFlow is the device authorization grant: a code the person confirms
// on a verification page, polled for.
func (l *Login) deviceFlow(ctx context.Context, client *ssooidc.Client, scopes []string) (grant, error) {
	reg, err := client.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: l.clientName(),
		ClientType: aws.String("public"), Scopes: scopes})
	if err != nil {
		return grant{}, fmt.Errorf("registering with SSO OIDC in %s: %w", l.Region, err)
	}
	auth, err := client.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(l.StartURL)})
	if err != nil {
		return grant{}, fmt.Errorf("starting the device authorization for %s: %w", l.StartURL, err)
	}
	url := aws.ToString(auth.VerificationUriComplete)
	if url == "" {
		url = aws.ToString(auth.VerificationUri)
	}
	if l.Prompt != nil {
		l.Prompt(url, aws.ToString(auth.UserCode))
	}
	interval := time.Duration(auth.Interval) * time.Second
	if interval <= 0 {
		interval = 5 * time.Second
	}
	deadline := l.now().Add(time.Duration(auth.ExpiresIn) * time.Second)
	if auth.ExpiresIn <= 0 {
		deadline = l.now().Add(10 * time.Minute)
	}
	sleep := l.Sleep
	if sleep == nil {
		sleep = func(ctx context.Context, d time.Duration) error {
			select {
			case <-time.After(d):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	for {
		if l.now().After(deadline) {
			return grant{}, errors.New("the device authorization expired before it was approved: run the login again")
		}
		if err := sleep(ctx, interval); err != nil {
			return grant{}, err
		}
		out, err := client.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
			GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: auth.DeviceCode})
		var pending *types.AuthorizationPendingException
		var slow *types.SlowDownException
		switch {
		case errors.As(err, &pending):
			continue
		case errors.As(err, &slow):
			interval += 5 * time.Second
			continue
		case err != nil:
			return grant{}, fmt.Errorf("waiting for the authorization: %w", err)
		}
		return grant{reg: reg, out: out}, nil
	}
}

// authCodeFlow is the authorization code grant with PKCE (the AWS CLI's
// default since 2.22): a loopback listener, the browser sent to the
// authorize page, the code it brings back (state checked) exchanged with
// the code verifier.
func (l *Login) authCodeFlow(ctx context.Context, client *ssooidc.Client, scopes []string) (grant, error) {
	ln, err := loopback.Listen()
	if err != nil {
		return grant{}, fmt.Errorf("%w (use --use-device-code)", err)
	}
	defer ln.Close()
	redirect := ln.RedirectURI()
	reg, err := client.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: l.clientName(), ClientType: aws.String("public"),
		Scopes: scopes, GrantTypes: []string{"authorization_code", "refresh_token"},
		RedirectUris: []string{"http://127.0.0.1" + loopback.CallbackPath}, IssuerUrl: aws.String(l.StartURL)})
	if err != nil {
		return grant{}, fmt.Errorf("registering with SSO OIDC in %s: %w", l.Region, err)
	}
	verifier, state := randomString(32), randomString(16)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {aws.ToString(reg.ClientId)}, "redirect_uri": {redirect},
		"state": {state}, "code_challenge_method": {"S256"}, "scopes": {strings.Join(scopes, ",")},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}}
	base := l.OIDCEndpoint
	if base == "" {
		base = "https://oidc." + l.Region + ".amazonaws.com"
	}
	authURL := strings.TrimRight(base, "/") + "/authorize?" + q.Encode()

	prompt := func(u string) {
		if l.Prompt != nil {
			l.Prompt(u, "")
		}
	}
	code, err := ln.Await(ctx, authURL, state, l.Open, prompt, l.Timeout)
	if err != nil {
		return grant{}, err
	}
	out, err := client.CreateToken(ctx, &ssooidc.CreateTokenInput{ClientId: reg.ClientId, ClientSecret: reg.ClientSecret,
		GrantType: aws.String("authorization_code"), Code: aws.String(code), RedirectUri: aws.String(redirect),
		CodeVerifier: aws.String(verifier)})
	if err != nil {
		return grant{}, fmt.Errorf("exchanging the authorization code: %w", err)
	}
	return grant{reg: reg, out: out}, nil
}

// randomString is n random bytes, base64url without padding.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (l *Login) client() *ssooidc.Client {
	opts := ssooidc.Options{Region: l.Region, Credentials: aws.AnonymousCredentials{}}
	if l.HTTPClient != nil {
		opts.HTTPClient = l.HTTPClient
	} else {
		opts.HTTPClient = awshttp.Client()
	}
	if l.OIDCEndpoint != "" {
		opts.BaseEndpoint = aws.String(l.OIDCEndpoint)
	}
	return ssooidc.New(opts)
}
