package credchain

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/ssocreds"
)

// sso builds the sso source for profile name: botocore's SSOProvider
// configuration checks, legacy or sso-session.
func (r *resolution) sso(name string) (creds.Provider, error) {
	p, err := r.profileSection(name)
	if err != nil {
		return nil, err
	}
	if !p.Has("sso_role_name") && !p.Has("sso_account_id") {
		return nil, creds.Skip("profile %q has no sso_account_id or sso_role_name", name)
	}
	get := func(k string) (string, bool) { return p.Get(k) }
	lookup := p.Lookup
	var session *awsconfig.Section
	required := []string{"sso_role_name", "sso_account_id", "sso_start_url", "sso_region"}
	if sessionName, ok := p.Get("sso_session"); ok {
		s, ok := r.config.SSOSession(sessionName)
		if !ok {
			return nil, creds.Errorf(creds.KindInvalidConfig, "The specified sso-session does not exist: \"%s\" (profile %q at %s)", sessionName, name, p.Pos())
		}
		session = s
		for _, k := range s.Keys {
			if pv, ok := p.Get(k.Name); ok && pv != k.Value {
				return nil, creds.Errorf(creds.KindInvalidConfig,
					"The value for %s is inconsistent between profile (%s) and sso-session (%s). (profile %q, sso-session %q at %s)", k.Name, pv, k.Value, name, sessionName, s.Pos())
			}
		}
		get = func(k string) (string, bool) {
			if v, ok := s.Get(k); ok {
				return v, true
			}
			return p.Get(k)
		}
		lookup = func(k string) (awsconfig.Value, bool) {
			if v, ok := s.Lookup(k); ok {
				return v, true
			}
			return p.Lookup(k)
		}
		required = append(required, "sso_session")
	}
	var missing []string
	vals := map[string]string{}
	for _, k := range required {
		v, ok := get(k)
		if !ok {
			missing = append(missing, k)
		}
		vals[k] = v
	}
	if len(missing) > 0 {
		return nil, creds.Errorf(creds.KindInvalidConfig,
			"The profile \"%s\" is configured to use SSO but is missing required configuration: %s", name, strings.Join(missing, ", "))
	}
	if session != nil {
		// The token provider reads the sso-session section alone.
		var lacking []string
		for _, k := range []string{"sso_start_url", "sso_region"} {
			if !session.Has(k) {
				lacking = append(lacking, k)
			}
		}
		if len(lacking) > 0 {
			return nil, creds.Errorf(creds.KindInvalidConfig,
				"The profile \"%s\" is configured to use the SSO token provider but is missing the following configuration: %s.", name, awsconfig.PyList(lacking))
		}
	}
	endpoint, err := r.endpointURL("SSO", "sso")
	if err != nil {
		return nil, err
	}
	oidc, err := r.endpointURL("SSO_OIDC", "sso_oidc")
	if err != nil {
		return nil, err
	}
	home := awsconfig.ExpandUser("~", r.env)
	check := r.tokenProviderCheck
	if v, _ := lookup("sso_region"); v.Nested != nil {
		// A nested block is a dict in botocore, which fails on it (a raw
		// TypeError) where it checks the SSO client's region.
		check = func() error {
			if err := r.tokenProviderCheck(); err != nil {
				return err
			}
			return creds.Errorf(creds.KindInvalidConfig, "sso_region at %s is a nested block, not a region name", v.Pos())
		}
	}
	return &ssocreds.Provider{
		Config: ssocreds.Config{Profile: name, StartURL: vals["sso_start_url"], Region: vals["sso_region"],
			RoleName: vals["sso_role_name"], AccountID: vals["sso_account_id"], Session: vals["sso_session"]},
		TokenDir: filepath.Join(home, ".aws", "sso", "cache"), Endpoint: endpoint, OIDCEndpoint: oidc,
		Cache: r.o.cache, Now: r.o.now, Retry: r.ssoRetry, ClientCheck: check, Client: awsClients.sso}, nil
}

// ssoRetry is the SSO client's retry settings, then the check botocore
// makes after its endpoint (sts_regional_endpoints).
func (r *resolution) ssoRetry() (awsconfig.Retry, error) {
	retry, err := r.retry()
	if err != nil {
		return retry, err
	}
	return retry, r.stsRegionalEndpointsCheck()
}

// ssoTarget finds the SSO configuration a login or a listing is for: the
// sso-session named session, or else the selected profile's (its
// sso_session, or its legacy sso_start_url and sso_region). It returns the
// section holding sso_start_url and sso_region and the sso-session name (""
// for a legacy profile).
func (r *resolution) ssoTarget(session string) (cfg *awsconfig.Section, name string, err error) {
	where := ""
	if session == "" {
		p, err := r.scoped()
		if err != nil {
			return nil, "", err
		}
		profile := r.effectiveProfile()
		if p == nil {
			return nil, "", creds.Errorf(creds.KindInvalidConfig, "profile %q has no SSO configuration (sso_session, or sso_start_url and sso_region)", profile)
		}
		if v, ok := p.Get("sso_session"); ok {
			session = v
		} else {
			cfg, where = p, fmt.Sprintf("profile %q", profile)
		}
	}
	if session != "" {
		sec, ok := r.config.SSOSession(session)
		if !ok {
			return nil, "", creds.Errorf(creds.KindInvalidConfig, "The specified sso-session does not exist: \"%s\"", session)
		}
		cfg, where = sec, fmt.Sprintf("sso-session %q", session)
	}
	if !cfg.Has("sso_start_url") || !cfg.Has("sso_region") {
		return nil, "", creds.Errorf(creds.KindInvalidConfig, "%s at %s needs sso_start_url and sso_region", where, cfg.Pos())
	}
	return cfg, session, nil
}
