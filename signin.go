//go:build !credchain_front

package credchain

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/logincreds"
	"github.com/credchain/credchain/ssocreds"
)

// SSOLogin signs in like `aws sso login` for the sso-session named
// session, or else for the session's profile (its sso_session, or its
// legacy sso_start_url and sso_region), and writes the token to the AWS
// CLI's token cache, whose path it returns. Concurrent logins to the same
// session run one flow; the others use its token.
func (s *Session) SSOLogin(ctx context.Context, session string, o SSOLoginOptions) (string, error) {
	r := s.newResolution()
	if err := r.construct(); err != nil {
		return "", err
	}
	cfg, session, err := r.ssoTarget(session)
	if err != nil {
		return "", err
	}
	start, _ := cfg.Get("sso_start_url")
	region, _ := cfg.Get("sso_region")
	var scopes []string
	if v, ok := cfg.Get("sso_registration_scopes"); ok {
		for _, sc := range strings.Split(v, ",") {
			if sc = strings.TrimSpace(sc); sc != "" {
				scopes = append(scopes, sc)
			}
		}
	}
	oidc, err := r.endpointURL("SSO_OIDC", "sso_oidc")
	if err != nil {
		return "", err
	}
	home := awsconfig.ExpandUser("~", r.env)
	l := &ssocreds.Login{StartURL: start, Region: region, Session: session, Scopes: scopes,
		TokenDir: filepath.Join(home, ".aws", "sso", "cache"), OIDCEndpoint: oidc, Prompt: o.Prompt, Now: r.o.now,
		DeviceCode: o.DeviceCode, Open: o.Open, Timeout: o.Timeout, Stale: o.Stale}
	return l.Run(ctx)
}

// LoginSignIn signs the session's profile (its login_session) in to AWS
// Sign-In in the browser, as `aws login` does, and writes the login token
// cache; it returns the cache file. o.DeviceCode is not supported: the
// sign-in needs a browser on this machine.
func (s *Session) LoginSignIn(ctx context.Context, o SSOLoginOptions) (string, error) {
	r := s.newResolution()
	if err := r.construct(); err != nil {
		return "", err
	}
	name := r.effectiveProfile()
	p, err := r.scoped()
	if err != nil {
		return "", err
	}
	session, ok := p.Get("login_session")
	if !ok || session == "" {
		return "", creds.Errorf(creds.KindInvalidConfig, "profile %q has no login_session to sign in to", name)
	}
	reg, err := r.region()
	if err != nil {
		return "", err
	}
	region := reg.value
	if region == "" {
		region = "us-east-1"
	}
	endpoint, err := r.endpointURL("SIGNIN", "signin")
	if err != nil {
		return "", err
	}
	si := &logincreds.SignIn{Session: session, Dir: r.loginCacheDir(), Region: region, Endpoint: endpoint,
		Open: o.Open, Timeout: o.Timeout, Stale: o.Stale}
	if o.Prompt != nil {
		si.Prompt = func(url string) { o.Prompt(url, "") }
	}
	return si.Run(ctx)
}
