package ssocreds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/internal/awshttp"
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
	// a browser).
	Prompt func(url, code string)
	Now    func() time.Time
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
	if t, _, err := existing.loadToken(); err == nil {
		if exp, err := timefmt.Parse(*t.ExpiresAt); err == nil && exp.Sub(l.now()) > RefreshWindow {
			return path, nil // logged in by another process meanwhile
		}
	}
	client := l.client()
	scopes := l.Scopes
	if len(scopes) == 0 && l.Session != "" {
		scopes = []string{"sso:account:access"}
	}
	reg, err := client.RegisterClient(ctx, &ssooidc.RegisterClientInput{ClientName: aws.String(fmt.Sprintf("credchain-%d", l.now().Unix())),
		ClientType: aws.String("public"), Scopes: scopes})
	if err != nil {
		return path, fmt.Errorf("registering with SSO OIDC in %s: %w", l.Region, err)
	}
	auth, err := client.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: reg.ClientId, ClientSecret: reg.ClientSecret, StartUrl: aws.String(l.StartURL)})
	if err != nil {
		return path, fmt.Errorf("starting the device authorization for %s: %w", l.StartURL, err)
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
			return path, errors.New("the device authorization expired before it was approved: run the login again")
		}
		if err := sleep(ctx, interval); err != nil {
			return path, err
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
			return path, fmt.Errorf("waiting for the authorization: %w", err)
		}
		exp := l.now().UTC().Add(time.Duration(out.ExpiresIn) * time.Second).Format("2006-01-02T15:04:05Z")
		regExp := time.Unix(reg.ClientSecretExpiresAt, 0).UTC().Format("2006-01-02T15:04:05Z")
		t := &token{StartURL: l.StartURL, Region: l.Region, AccessToken: out.AccessToken, ExpiresAt: &exp}
		if l.Session != "" {
			t.ClientID, t.ClientSecret, t.RegistrationExpiresAt, t.RefreshToken = reg.ClientId, reg.ClientSecret, &regExp, out.RefreshToken
		}
		return path, writeToken(path, t)
	}
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
