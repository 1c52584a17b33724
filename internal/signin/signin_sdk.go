//go:build !credchain_front

package signin

import (
	"context"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/internal/sessionlink"
	"github.com/credchain/credchain/logincreds"
	"github.com/credchain/credchain/ssocreds"
)

// SSO signs in like `aws sso login` for the sso-session named session, or
// else for the session's profile (its sso_session, or its legacy
// sso_start_url and sso_region), and writes the token to the AWS CLI's
// token cache, whose path it returns. Concurrent logins to the same
// session run one flow; the others use its token.
func SSO(ctx context.Context, s *credchain.Session, session string, o Options) (string, error) {
	t, err := sessionlink.SSOTarget(s, session)
	if err != nil {
		return "", err
	}
	oidc, err := s.EndpointURL("sso_oidc")
	if err != nil {
		return "", err
	}
	l := &ssocreds.Login{StartURL: t.StartURL, Region: t.Region, Session: t.Session, Scopes: t.Scopes,
		TokenDir: t.TokenDir, OIDCEndpoint: oidc, Prompt: o.Prompt, Now: t.Now,
		DeviceCode: o.DeviceCode, Open: o.Open, Timeout: o.Timeout, Stale: o.Stale}
	return l.Run(ctx)
}

// Login signs the session's profile (its login_session) in to AWS Sign-In
// in the browser, as `aws login` does, and writes the login token cache; it
// returns the cache file. o.DeviceCode is not supported: the sign-in needs
// a browser on this machine.
func Login(ctx context.Context, s *credchain.Session, o Options) (string, error) {
	l, err := loginTarget(s)
	if err != nil {
		return "", err
	}
	region, _, err := s.Region()
	if err != nil {
		return "", err
	}
	if region == "" {
		region = "us-east-1"
	}
	endpoint, err := s.EndpointURL("signin")
	if err != nil {
		return "", err
	}
	si := &logincreds.SignIn{Session: l.Session, Dir: l.Dir, Region: region, Endpoint: endpoint,
		Open: o.Open, Timeout: o.Timeout, Stale: o.Stale}
	if o.Prompt != nil {
		si.Prompt = func(url string) { o.Prompt(url, "") }
	}
	return si.Run(ctx)
}

// OpenPortal returns the portal access of the sso-session named session,
// or else of the session's profile. A missing or expired token is an
// error that says to sign in.
func OpenPortal(ctx context.Context, s *credchain.Session, session string) (*Portal, error) {
	t, err := sessionlink.SSOTarget(s, session)
	if err != nil {
		return nil, err
	}
	out := &Portal{Session: t.Session, StartURL: t.StartURL, SSORegion: t.Region}
	if out.Endpoint, err = s.EndpointURL("sso"); err != nil {
		return nil, err
	}
	oidc, err := s.EndpointURL("sso_oidc")
	if err != nil {
		return nil, err
	}
	if out.Retry, err = sessionlink.Retry(s); err != nil {
		return nil, err
	}
	p := &ssocreds.Provider{Config: ssocreds.Config{Profile: t.Profile, StartURL: t.StartURL, Region: t.Region, Session: t.Session},
		TokenDir: t.TokenDir, OIDCEndpoint: oidc, Now: t.Now, Client: ssocreds.NewClient}
	if out.Token, err = p.AccessToken(ctx); err != nil {
		return nil, err
	}
	return out, nil
}
