package credchain

import (
	"path/filepath"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/sessionlink"
)

// The sign-in flows of the CLI read a Session through internal/sessionlink
// rather than through exported methods.
func init() {
	sessionlink.SSOTarget = func(s any, session string) (sessionlink.SSO, error) {
		return s.(*Session).ssoTarget(session)
	}
	sessionlink.LoginTarget = func(s any) (sessionlink.Login, error) {
		return s.(*Session).loginTarget()
	}
	sessionlink.Retry = func(s any) (awsconfig.Retry, error) {
		r := s.(*Session).newResolution()
		if err := r.construct(); err != nil {
			return awsconfig.Retry{}, err
		}
		return r.retry()
	}
}

func (s *Session) ssoTarget(session string) (sessionlink.SSO, error) {
	r := s.newResolution()
	if err := r.construct(); err != nil {
		return sessionlink.SSO{}, err
	}
	cfg, session, err := r.ssoTarget(session)
	if err != nil {
		return sessionlink.SSO{}, err
	}
	out := sessionlink.SSO{Profile: r.effectiveProfile(), Session: session, Now: r.o.now,
		TokenDir: filepath.Join(awsconfig.ExpandUser("~", r.env), ".aws", "sso", "cache")}
	out.StartURL, _ = cfg.Get("sso_start_url")
	out.Region, _ = cfg.Get("sso_region")
	if v, ok := cfg.Get("sso_registration_scopes"); ok {
		for _, sc := range strings.Split(v, ",") {
			if sc = strings.TrimSpace(sc); sc != "" {
				out.Scopes = append(out.Scopes, sc)
			}
		}
	}
	return out, nil
}

func (s *Session) loginTarget() (sessionlink.Login, error) {
	r := s.newResolution()
	if err := r.construct(); err != nil {
		return sessionlink.Login{}, err
	}
	out := sessionlink.Login{Profile: r.effectiveProfile(), Dir: r.loginCacheDir()}
	p, err := r.scoped()
	if err != nil {
		return sessionlink.Login{}, err
	}
	out.Session, _ = p.Get("login_session")
	return out, nil
}
