// Package signin runs the sign-ins of credchain's commands for a
// credchain.Session: IAM Identity Center (`aws sso login`), AWS Sign-In
// (`aws login`), and the portal access `sso populate` lists accounts with.
// The flows themselves are ssocreds' and logincreds'; this package finds
// what they are for.
package signin

import (
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/sessionlink"
)

// Options choose how a sign-in happens.
type Options struct {
	// DeviceCode chooses the device authorization flow; the default is
	// the authorization code flow with PKCE (the AWS CLI's since 2.22).
	DeviceCode bool
	// Open sends a browser to the sign-in page (PKCE flow); when it is nil
	// or fails, Prompt shows the URL.
	Open func(url string) error
	// Prompt shows a URL to open and, in the device flow, the code to
	// confirm.
	Prompt func(url, code string)
	// Timeout bounds the wait for the browser (10 minutes when zero).
	Timeout time.Duration
	// Stale is an access token the portal refused: the sign-in happens
	// even though the cache holds it unexpired.
	Stale string
}

// Portal is access to the IAM Identity Center portal of an sso-session
// (or a legacy SSO profile): its configuration and a usable access token
// from the token cache (refreshed when it nears expiry).
type Portal struct {
	// Session is the sso-session's name; "" for a legacy profile.
	Session             string
	StartURL, SSORegion string
	Token               string
	// Endpoint is the configured SSO endpoint, if any.
	Endpoint string
	Retry    awsconfig.Retry
}

// LoginCache returns the `aws login` token cache directory, the profile in
// effect and its login_session ("" when it has none), as `aws logout`
// reads them.
func LoginCache(s *credchain.Session) (dir, profile, session string, err error) {
	l, err := sessionlink.LoginTarget(s)
	return l.Dir, l.Profile, l.Session, err
}

// loginTarget is the profile's login_session, which a sign-in needs.
func loginTarget(s *credchain.Session) (sessionlink.Login, error) {
	l, err := sessionlink.LoginTarget(s)
	if err == nil && l.Session == "" {
		err = creds.Errorf(creds.KindInvalidConfig, "profile %q has no login_session to sign in to", l.Profile)
	}
	return l, err
}
