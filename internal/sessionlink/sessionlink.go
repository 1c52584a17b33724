// Package sessionlink gives credchain's own commands what a
// credchain.Session resolves for a sign-in, without making it part of the
// library's API. The root package sets the functions when it is
// initialised; they take the *credchain.Session as s (this package cannot
// name the type: the root package imports it).
package sessionlink

import (
	"time"

	"github.com/credchain/credchain/awsconfig"
)

// SSO is the IAM Identity Center configuration a sign-in or a portal
// listing is for.
type SSO struct {
	// Profile is the profile in effect ("default" when none is set).
	Profile string
	// Session is the sso-session's name; "" for a legacy profile.
	Session, StartURL, Region string
	// Scopes are sso_registration_scopes, split.
	Scopes []string
	// TokenDir is the AWS CLI's token cache (~/.aws/sso/cache).
	TokenDir string
	Now      func() time.Time
}

// Login is the `aws login` configuration of the profile in effect.
type Login struct {
	Profile string
	// Session is the profile's login_session; "" when it has none.
	Session string
	// Dir is the login token cache (AWS_LOGIN_CACHE_DIRECTORY or
	// ~/.aws/login/cache).
	Dir string
}

// The functions the root package provides.
var (
	// SSOTarget finds the sso-session named session, or else the
	// profile's SSO configuration (its sso_session, or its legacy
	// sso_start_url and sso_region); an error when there is none or it
	// lacks sso_start_url or sso_region.
	SSOTarget func(s any, session string) (SSO, error)
	// LoginTarget reads the profile's login_session.
	LoginTarget func(s any) (Login, error)
	// Retry is the profile's retry settings as botocore reads them ("" mode
	// for none).
	Retry func(s any) (awsconfig.Retry, error)
)
