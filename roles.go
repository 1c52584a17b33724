package credchain

import (
	"context"
	"errors"
	"fmt"
	"github.com/credchain/credchain/internal/scopes"
	"sync"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/containercreds"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/envcreds"
	"github.com/credchain/credchain/filecreds"
	"github.com/credchain/credchain/imdscreds"
	"github.com/credchain/credchain/internal/pystr"
	"github.com/credchain/credchain/logincreds"
	"github.com/credchain/credchain/processcreds"
	"github.com/credchain/credchain/ssocreds"
	"github.com/credchain/credchain/stscreds"
)

// lazy is a chain slot whose provider is built from the configuration when
// the chain reaches it. build returns an error wrapping creds.ErrNotFound
// when the source does not apply.
type lazy struct {
	method string
	build  func() (creds.Provider, error)

	once sync.Once
	p    creds.Provider
	err  error
}

func (l *lazy) Method() string { return l.method }

func (l *lazy) Retrieve(ctx context.Context) (creds.Credentials, error) {
	p, err := l.build1()
	if err != nil {
		return creds.Credentials{}, err
	}
	return p.Retrieve(ctx)
}

// build1 builds the provider (once) without fetching.
func (l *lazy) build1() (creds.Provider, error) {
	l.once.Do(func() { l.p, l.err = l.build() })
	return l.p, l.err
}

// Refresh re-fetches: the provider's own Refresh when it has one (login
// rotates its token), else Retrieve.
var _ creds.Refresher = (*lazy)(nil)

func (l *lazy) Refresh(ctx context.Context) (creds.Credentials, error) {
	p, err := l.build1()
	if err != nil {
		return creds.Credentials{}, err
	}
	if r, ok := p.(creds.Refresher); ok {
		return r.Refresh(ctx)
	}
	return p.Retrieve(ctx)
}

// login builds the login source: a profile with login_session.
func (r *resolution) login(name string) (creds.Provider, error) {
	p, err := r.profileSection(name)
	if err != nil {
		return nil, err
	}
	session, ok := p.Get("login_session")
	if !ok {
		return nil, creds.Skip("profile %q has no login_session", name)
	}
	dir := r.loginCacheDir()
	reg, err := r.region()
	if err != nil {
		return nil, err
	}
	region := reg.value
	if region == "" {
		region = "us-east-1"
	}
	endpoint, err := r.endpointURL("SIGNIN", "signin")
	if err != nil {
		return nil, err
	}
	return &logincreds.Provider{Profile: name, Session: session, Dir: dir, Region: region, Endpoint: endpoint, Now: r.o.now, Client: awsClients.login}, nil
}

// profileChain is botocore's ProfileProviderBuilder.providers: the sources
// read from one profile, in order.
func (r *resolution) profileChain(name string, disableEnv bool) creds.Chain {
	return creds.Chain{
		&lazy{method: stscreds.MethodWebIdentity, build: func() (creds.Provider, error) { return r.webIdentity(name, disableEnv) }},
		&lazy{method: ssocreds.Method, build: func() (creds.Provider, error) { return r.sso(name) }},
		filecreds.Provider{Name: filecreds.MethodCredentialsFile, Section: r.credentialsSection(name)},
		&lazy{method: logincreds.Method, build: func() (creds.Provider, error) { return r.login(name) }},
		&lazy{method: processcreds.Method, build: func() (creds.Provider, error) { return r.process(name) }},
		filecreds.Provider{Name: filecreds.MethodConfigFile, Section: r.configSection(name)},
	}
}

func (r *resolution) process(name string) (creds.Provider, error) {
	s, err := r.profileSection(name)
	if err != nil {
		return nil, err
	}
	v, ok := s.Lookup("credential_process")
	if !ok {
		return nil, creds.Skip("profile %q has no credential_process", name)
	}
	acct, _ := s.Get("aws_account_id")
	return &processcreds.Provider{Profile: name, Command: v.Raw, Where: v.Pos(), AccountID: acct, Timeout: r.o.processTTL, Stderr: r.o.processErr}, nil
}

// webIdentity builds the web identity source: each setting from the
// environment (unless disabled) else the profile, looked up independently.
func (r *resolution) webIdentity(name string, disableEnv bool) (creds.Provider, error) {
	p, err := r.profileSection(name)
	if err != nil {
		return nil, err
	}
	get := func(env, key string) (string, string, bool) {
		if !disableEnv {
			if v, ok := r.env(env); ok {
				return v, env, true
			}
		}
		if v, ok := p.Lookup(key); ok {
			return v.Raw, key + " at " + v.Pos(), true
		}
		return "", "", false
	}
	tokenFile, from, _ := get("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file")
	if tokenFile == "" {
		return nil, creds.Skip("no web identity token file configured")
	}
	// LEGACY: an empty role ARN counts as none (botocore: "if not role_arn").
	role, _, _ := get("AWS_ROLE_ARN", "role_arn")
	if role == "" {
		return nil, creds.Errorf(creds.KindInvalidConfig,
			"The provided profile or the current environment is configured to assume role with web identity but has no role ARN configured. Ensure that the profile has the role_arn configuration set or the AWS_ROLE_ARN env var is set. (token file from %s)", from)
	}
	session, _, _ := get("AWS_ROLE_SESSION_NAME", "role_session_name")
	w := &stscreds.WebIdentity{Profile: name, RoleARN: role, TokenFile: tokenFile, SessionName: session, Cache: r.o.cache, Now: r.o.now, Warn: r.o.warn}
	if awsClients.webIdentity != nil {
		w.Client = func() (stscreds.WebIdentityAPI, error) {
			opts, _, err := r.stsClientOptions()
			if err != nil {
				return nil, err
			}
			return awsClients.webIdentity(opts), nil
		}
	}
	return w, nil
}

// assumeRole builds the assume-role source for profile name: botocore's
// AssumeRoleProvider.load, with the whole chain of source profiles
// validated first.
func (r *resolution) assumeRole(name string) (creds.Provider, error) {
	p, err := r.profileSection(name)
	if err != nil {
		return nil, err
	}
	if !p.Has("role_arn") {
		return nil, creds.Skip("profile %q has no role_arn", name)
	}
	if p.Has("web_identity_token_file") {
		return nil, creds.Skip("profile %q has web_identity_token_file (web identity wins)", name)
	}
	// botocore reads duration_seconds before it validates the source.
	if err := nestedDuration(name, p); err != nil {
		return nil, err
	}
	visited, viaCS, err := awsconfig.ValidateRoleChain(r.profiles, name)
	if err != nil {
		return nil, err
	}
	// visited is [name, its source, ...]. Either every profile in it is a
	// role and the last takes its credentials from credential_source, or
	// the last is the source profile that holds the credentials.
	var loaded *loadedSource
	roles := visited
	if viaCS {
		holder := visited[len(visited)-1]
		cs, _ := r.profiles.Lookup(holder).Get("credential_source")
		if loaded, err = r.credentialSource(holder, cs); err != nil {
			return nil, err
		}
	} else {
		roles = visited[:len(visited)-1]
		loaded = r.sourceProfile(visited[len(visited)-1])
	}
	var source creds.Provider = loaded
	// LEGACY: botocore loads the source of the innermost role (static keys
	// checked, a credential_process run, a credential_source fetched) when
	// the outermost role is loaded, before any MFA prompt; each role's STS
	// call comes when its credentials are needed, after its prompt, and the
	// source's loaded credentials are refreshed then if they need it.
	var outer *stscreds.AssumeRole
	// Build the roles from the innermost out.
	for i := len(roles) - 1; i >= 0; i-- {
		role, err := r.roleProvider(roles[i], source)
		if err != nil {
			return nil, err
		}
		source, outer = role, role
	}
	outer.Preload = loaded.preload
	// WithScope (and the profile's credchain_* keys) narrow the profile's
	// own role.
	outer.Scope, r.scopeFrom = r.o.scope, "the command (WithScope)"
	if r.o.profileScopes {
		p := r.profiles.Lookup(name)
		if settings, ok := scopes.FromProfile(p.Get); ok {
			where := fmt.Sprintf("profile %q at %s", name, p.Pos())
			sc, err := settings.Scope(where, awsconfig.ExpandUser("~", r.env))
			if err != nil {
				return nil, creds.Errorf(creds.KindInvalidConfig, "%v", err)
			}
			outer.Scope = scopes.Overlay(sc, r.o.scope)
			r.scopeFrom = "the credchain_* keys of " + where + ", which boto3 ignores"
			if !r.o.scope.IsZero() {
				r.scopeFrom += ", under the command's"
			}
		}
	}
	r.scope = outer.Scope
	return source, nil
}

// loadedSource is the source of a role chain as botocore holds it: loaded
// when the outermost role is loaded (preload), then frozen when the
// innermost role is fetched: loaded again unless a preload is waiting, then
// fetched (a deferred source) or refreshed if its credentials need it.
type loadedSource struct {
	method string
	r      *resolution
	load   func(context.Context) (loaded, error)

	mu   sync.Mutex
	have bool
	l    loaded
	err  error
}

// loaded is what a load gave: credentials and the function that refreshes
// them, or, for a deferred source (web identity, SSO), only the fetch.
type loaded struct {
	c        creds.Credentials
	next     func(context.Context) (creds.Credentials, error)
	deferred bool
}

func (s *loadedSource) preload(ctx context.Context) error {
	l, err := s.load(ctx)
	s.mu.Lock()
	s.l, s.err, s.have = l, err, true
	s.mu.Unlock()
	var unsignable *creds.UnsignableError
	var unusable *creds.UnusableError
	if errors.As(err, &unsignable) || errors.As(err, &unusable) {
		return nil // raised by the role: when it would sign, or after its MFA prompt
	}
	return err
}

func (s *loadedSource) Method() string { return s.method }

func (s *loadedSource) Retrieve(ctx context.Context) (creds.Credentials, error) {
	s.mu.Lock()
	l, err, have := s.l, s.err, s.have
	s.have = false
	s.mu.Unlock()
	if !have {
		l, err = s.load(ctx)
	}
	switch {
	case err != nil:
		return l.c, err
	case l.deferred:
		return l.next(ctx)
	}
	return s.r.frozen(ctx, l.c, l.next)
}

// loadChain is botocore's load of a source profile's chain: the sources are
// tried in order; a deferred one (web identity, SSO) that applies wins
// without fetching anything.
func loadChain(ctx context.Context, chain creds.Chain) (loaded, error) {
	for _, p := range chain {
		if l, ok := p.(*lazy); ok && deferred[l.method] {
			prov, err := l.build1()
			if errors.Is(err, creds.ErrNotFound) {
				continue
			}
			if err != nil {
				return loaded{}, err
			}
			return loaded{c: creds.Credentials{Method: l.method}, next: prov.Retrieve, deferred: true}, nil
		}
		c, err := p.Retrieve(ctx)
		if errors.Is(err, creds.ErrNotFound) {
			continue
		}
		var unsignable *creds.UnsignableError
		var unusable *creds.UnusableError
		if errors.As(err, &unsignable) || errors.As(err, &unusable) {
			// The source applies (botocore holds the keys); the role
			// fails when it signs with them, or uses them.
			return loaded{c: c}, err
		}
		if err != nil {
			return loaded{}, err
		}
		return loaded{c: c, next: refreshFor(chain, c)}, nil
	}
	return loaded{}, creds.Errorf(creds.KindNoCredentials, "Unable to locate credentials")
}

// sourceProfile resolves a source profile's own credentials with the profile
// sources (environment variables off); none is an InvalidConfigError.
func (r *resolution) sourceProfile(name string) *loadedSource {
	chain := r.profileChain(name, true)
	return &loadedSource{method: "source_profile", r: r, load: func(ctx context.Context) (loaded, error) {
		l, err := loadChain(ctx, chain)
		if creds.KindOf(err) == creds.KindNoCredentials {
			return l, creds.Errorf(creds.KindInvalidConfig, "The source profile \"%s\" must have credentials.", name)
		}
		l.c.Source = fmt.Sprintf("source_profile %q: %s: %s", name, l.c.Method, l.c.Source)
		return l, err
	}}
}

// credentialSource is credential_source = Environment | Ec2InstanceMetadata
// | EcsContainer.
func (r *resolution) credentialSource(profile, name string) (*loadedSource, error) {
	var p creds.Provider
	switch name {
	case "Environment":
		p = envcreds.Provider{Env: r.env}
	case "EcsContainer":
		p = &containercreds.Provider{Env: r.env}
	default: // Ec2InstanceMetadata; validated before
		p = creds.Func(r.instanceMetadata, imdscreds.Method)
	}
	return &loadedSource{method: "credential_source", r: r, load: func(ctx context.Context) (loaded, error) {
		c, err := p.Retrieve(ctx)
		c.Source = "credential_source " + name + ": " + c.Source
		if err != nil && creds.KindOf(err) == "" {
			return loaded{c: c}, creds.Errorf(creds.KindCredentialRetrieval,
				"Error when retrieving credentials from %s: No credentials found in credential_source referenced in profile %s", name, profile)
		}
		return loaded{c: c, next: p.Retrieve}, err
	}}, nil
}

// tokenCode asks for the MFA code of profile name's role: through
// WithMFAPrompt, told the profile's mfa_process, else through WithMFA.
func (r *resolution) tokenCode(name string, p *awsconfig.Section) func(context.Context, string) (string, error) {
	if r.o.mfaPrompt == nil {
		return r.o.mfaCode()
	}
	process, _ := p.Get("mfa_process")
	return func(ctx context.Context, serial string) (string, error) {
		return r.o.mfaPrompt(ctx, MFARequest{Profile: name, Serial: serial, Process: process})
	}
}

// nestedDuration refuses a duration_seconds that is a nested block: botocore
// raises a raw TypeError from int() of a dict.
func nestedDuration(name string, p *awsconfig.Section) error {
	if v, ok := p.Lookup("duration_seconds"); ok && v.Nested != nil {
		return creds.Errorf(creds.KindInvalidConfig, "profile %q: duration_seconds at %s is a nested block, not an integer", name, v.Pos())
	}
	return nil
}

// roleProvider is the AssumeRole call of one role profile.
func (r *resolution) roleProvider(name string, source creds.Provider) (*stscreds.AssumeRole, error) {
	p := r.profiles.Lookup(name)
	get := func(k string) string { v, _ := p.Get(k); return v }
	// LEGACY: botocore sends external_id and mfa_serial whenever the key is
	// present, even empty (the parameter validation then refuses them).
	// A nested block ("external_id =\n  a = b") is a dict in botocore: sent
	// as it is, and refused by the parameter validation.
	dicts := map[string]bool{}
	present := func(k, param string) *string {
		v, ok := p.Lookup(k)
		if !ok {
			return nil
		}
		if v.Nested != nil {
			dicts[param] = true
			repr := pystr.DictRepr(v.Nested)
			return &repr
		}
		return &v.Raw
	}
	a := &stscreds.AssumeRole{Profile: name, RoleARN: get("role_arn"), SessionName: get("role_session_name"),
		ExternalID: present("external_id", "ExternalId"), MFASerial: present("mfa_serial", "SerialNumber"), Source: source,
		Client: r.stsClient(), Cache: r.o.cache, TokenCode: r.tokenCode(name, p), Now: r.o.now, Dicts: dicts, Warn: r.o.warn}
	if v, ok := p.Lookup("role_session_name"); ok && v.Nested != nil {
		a.SessionName, dicts["RoleSessionName"] = pystr.DictRepr(v.Nested), true
	}
	if err := nestedDuration(name, p); err != nil {
		return nil, err
	}
	if d, ok := p.Get("duration_seconds"); ok {
		// LEGACY: botocore drops a duration_seconds that is not an integer
		// and sends any integer, 0 and negative ones included.
		if n, ok := pystr.ParseInt(d); ok {
			a.Duration = &n
		}
	}
	return a, nil
}
