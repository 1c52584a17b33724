// Package credchain resolves AWS credentials with boto3's exact semantics.
//
// A Session is the Go counterpart of boto3.Session: it selects a profile,
// honours explicit keys and a region, and resolves credentials through
// botocore's default chain, in botocore's order:
//
//  1. env: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (skipped when a
//     profile is set explicitly)
//  2. assume-role: a profile with role_arn
//  3. assume-role-with-web-identity: a web identity token file
//  4. sso: a profile with sso_account_id or sso_role_name
//  5. shared-credentials-file: static keys in ~/.aws/credentials
//  6. login: a profile with login_session
//  7. custom-process: a profile with credential_process
//  8. config-file: static keys in ~/.aws/config
//  9. ec2-credentials-file: the file named by AWS_CREDENTIAL_FILE
//  10. boto-config: boto2's [Credentials] (BOTO_CONFIG, /etc/boto.cfg, ~/.boto)
//  11. container-role: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI
//  12. iam-role: the EC2 instance metadata service (unless
//     AWS_EC2_METADATA_DISABLED=true)
//
// The first source that finds credentials wins; any error stops resolution,
// as in botocore.
package credchain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/creds"
)

// Re-exported core types, so most programs import only this package.
type (
	// Credentials are one set of AWS keys and what is known about them.
	Credentials = creds.Credentials
	// Error is a resolution failure whose Kind is botocore's exception name.
	Error = creds.Error
)

// Sentinels for errors.Is, one per botocore exception callers branch on:
// errors.Is(err, credchain.ErrProfileNotFound). ErrorKind gives the name of
// any kind.
var (
	ErrNoCredentials       = creds.ErrNoCredentials
	ErrPartialCredentials  = creds.ErrPartialCredentials
	ErrProfileNotFound     = creds.ErrProfileNotFound
	ErrConfigParse         = creds.ErrConfigParse
	ErrInvalidConfig       = creds.ErrInvalidConfig
	ErrInfiniteLoopConfig  = creds.ErrInfiniteLoopConfig
	ErrCredentialRetrieval = creds.ErrCredentialRetrieval
)

// Session resolves credentials like a boto3.Session. It is safe for
// concurrent use; resolved credentials are cached and refreshed like
// botocore's RefreshableCredentials.
type Session struct {
	opts  options
	files *sharedFiles

	setup sync.Once // defaults
	// held caches and refreshes the resolved credentials; its Load is a
	// resolution.
	held creds.Refreshing
}

type options struct {
	profile       string
	profileSet    bool
	region        string
	regionSet     bool
	accessKey     string
	secretKey     string
	token         string
	accountID     string
	env           func(string) (string, bool)
	now           func() time.Time
	processTTL    time.Duration
	botoSystemCfg string
	cache         cache.Cache
	mfa           func(serial string) (string, error)
	mfaPrompt     func(context.Context, MFARequest) (string, error)
	processErr    io.Writer
	warn          func(string)
	scope         Scope
	profileScopes bool
}

// Option configures a Session.
type Option func(*options)

// WithProfile selects a profile explicitly, like boto3.Session(profile_name=)
// or the CLI's --profile. An explicit profile removes the env source from the
// chain and makes web identity ignore its environment variables.
func WithProfile(name string) Option {
	return func(o *options) { o.profile, o.profileSet = name, true }
}

// WithRegion sets the region, like boto3.Session(region_name=).
func WithRegion(region string) Option {
	return func(o *options) { o.region, o.regionSet = region, true }
}

// WithCredentials sets explicit keys, like boto3.Session(aws_access_key_id=,
// aws_secret_access_key=, aws_session_token=). They win over every source.
// Unlike boto3, which stores partial keys and fails later at signing, a
// missing half is a PartialCredentialsError.
func WithCredentials(accessKeyID, secretAccessKey, sessionToken string) Option {
	return func(o *options) { o.accessKey, o.secretKey, o.token = accessKeyID, secretAccessKey, sessionToken }
}

// WithAccountID sets the account id of explicit keys (aws_account_id=).
func WithAccountID(id string) Option { return func(o *options) { o.accountID = id } }

// WithEnv replaces the process environment as the source of AWS_* variables
// and HOME.
func WithEnv(lookup func(string) (string, bool)) Option {
	return func(o *options) { o.env = lookup }
}

// WithEnviron is WithEnv over a list of "KEY=value" strings.
func WithEnviron(environ []string) Option {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				m[kv[:i]] = kv[i+1:]
				break
			}
		}
	}
	return WithEnv(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

// WithClock replaces time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithProcessTimeout bounds one run of a credential_process (default 5 min).
func WithProcessTimeout(d time.Duration) Option { return func(o *options) { o.processTTL = d } }

// WithSystemBotoConfig replaces /etc/boto.cfg, the first boto2 file tried.
func WithSystemBotoConfig(path string) Option { return func(o *options) { o.botoSystemCfg = path } }

// WithCache stores assumed-role credentials in c. The default is an
// in-memory cache per Session, like boto3; a *cache.File shares them with
// the AWS CLI (~/.aws/cli/cache).
func WithCache(c cache.Cache) Option { return func(o *options) { o.cache = c } }

// WithMFA sets the function that returns the MFA code for a role's
// mfa_serial (botocore prompts "Enter MFA code for SERIAL: ").
func WithMFA(code func(serial string) (string, error)) Option {
	return func(o *options) { o.mfa = code }
}

// MFARequest is one MFA code a role needs: the role's Profile, its
// mfa_serial, and the profile's mfa_process (a command that prints the code,
// such as "ykman oath accounts code --single NAME"), if it has one.
type MFARequest struct {
	Profile, Serial, Process string
}

// WithMFAPrompt sets the function that returns MFA codes, told the
// profile's mfa_process. ctx is the resolution's: cancelling it should end
// the prompt. It takes precedence over WithMFA.
func WithMFAPrompt(ask func(ctx context.Context, req MFARequest) (string, error)) Option {
	return func(o *options) { o.mfaPrompt = ask }
}

// mfaCode is WithMFA's function for a role's TokenCode (nil without one).
func (o *options) mfaCode() func(context.Context, string) (string, error) {
	if o.mfa == nil {
		return nil
	}
	return func(_ context.Context, serial string) (string, error) { return o.mfa(serial) }
}

// WithProcessStderr shows a failing credential_process's stderr on w (the
// person's terminal). It never goes into an error: errors travel into JSON
// output and server responses.
func WithProcessStderr(w io.Writer) Option { return func(o *options) { o.processErr = w } }

// WithWarnings receives the Session's non-fatal warnings (an assumed-role
// cache that cannot be locked or written); by default they are dropped.
func WithWarnings(warn func(msg string)) Option { return func(o *options) { o.warn = warn } }

// WithScope narrows the session of the role the profile assumes (its
// role_arn; the last role of a source_profile chain) with session
// policies, tags and a source identity. Profiles that assume no role are
// not changed: the credentials' Method says which source gave them. boto3
// has no such setting: with a scope, the keys differ from boto3's.
func WithScope(s Scope) Option { return func(o *options) { o.scope = s } }

// WithProfileScopes makes the session narrow the profile's own role with
// the profile's credchain_* keys (credchain_session_policy_file,
// credchain_policy_arns, credchain_session_tags "key=value, ...",
// credchain_transitive_tags, credchain_source_identity), under WithScope's
// fields. boto3 reads none of these keys: the credchain CLI sets this.
func WithProfileScopes() Option { return func(o *options) { o.profileScopes = true } }

// NewSession returns a Session configured by opts.
// A zero Session is boto3.Session(): the process's environment and files,
// no explicit profile.
func NewSession(opts ...Option) *Session {
	s := &Session{}
	for _, o := range opts {
		o(&s.opts)
	}
	s.defaults()
	return s
}

// defaults fills what no option set, once: the zero Session works too.
func (s *Session) defaults() {
	s.setup.Do(func() {
		s.files = &sharedFiles{}
		if s.opts.env == nil {
			s.opts.env = os.LookupEnv
		}
		if s.opts.now == nil {
			s.opts.now = time.Now
		}
		if s.opts.cache == nil {
			s.opts.cache = &cache.Memory{}
		}
		s.held.Now = s.opts.now
		s.held.Load = func(ctx context.Context) (creds.Credentials, func(context.Context) (creds.Credentials, error), bool, error) {
			c, refresh, _, err := s.newResolution().resolve(ctx)
			return c, refresh, deferred[c.Method], err
		}
	})
}

// Credentials resolves (once) and returns the session's credentials,
// refreshing expiring ones like botocore's RefreshableCredentials: within
// 15 minutes of expiry one caller refreshes while every other caller gets
// the current keys at once (a failed refresh is ignored, and not tried
// again for a few seconds); within 10 minutes callers wait for the refresh,
// each no longer than its own ctx, and a failed refresh is an error. Safe
// for concurrent use.
func (s *Session) Credentials(ctx context.Context) (Credentials, error) {
	s.defaults()
	return s.held.Retrieve(ctx)
}

// deferred are the sources botocore fetches on first use
// (DeferredRefreshableCredentials): that fetch is the first use, with no
// refresh right after it even when the new credentials are already inside
// the refresh window. The others (process, container, instance metadata,
// login, ...) are loaded first and refreshed on first use when needed.
var deferred = map[string]bool{"assume-role": true, "assume-role-with-web-identity": true, "sso": true}

// Windows of botocore's RefreshableCredentials.
const (
	AdvisoryRefresh  = creds.AdvisoryRefresh
	MandatoryRefresh = creds.MandatoryRefresh
)

// Region returns the region like botocore's get_config_variable('region'):
// WithRegion, then AWS_DEFAULT_REGION (AWS_REGION is not read by boto3), then
// the profile's region. ok is false when none is configured.
func (s *Session) Region() (region string, ok bool, err error) {
	region, from, err := s.RegionSource()
	return region, from != "", err
}

// RegionSource is Region with where the region came from: "explicit"
// (WithRegion), the environment variable's name (AWS_DEFAULT_REGION), or the
// file:line of the profile's region key; "" when no region is configured.
func (s *Session) RegionSource() (region, from string, err error) {
	r := s.newResolution()
	if err := r.construct(); err != nil {
		return "", "", err
	}
	v, err := r.region()
	return v.value, v.from, err
}

// CheckProfile returns the error boto3 raises for the selected profile
// before any source runs: ProfileNotFound (with the closest names) when it
// is in neither file, or the files' own errors; nil otherwise.
func (s *Session) CheckProfile() error {
	_, err := s.newResolution().scoped()
	return err
}

// AvailableProfiles lists the profiles of the config and credentials
// files, as boto3.Session.available_profiles does: the config file's
// profiles in file order, then the credentials file's others. The files'
// errors (a malformed line) are returned as boto3 raises them.
func (s *Session) AvailableProfiles() ([]string, error) {
	r := s.newResolution()
	if err := r.load(); err != nil {
		return nil, err
	}
	return r.profiles.Names(), nil
}

// ProfileName returns the profile in effect and whether one was set (by
// WithProfile or AWS_DEFAULT_PROFILE / AWS_PROFILE). When none is set the
// providers use "default".
func (s *Session) ProfileName() (string, bool) {
	r := s.newResolution()
	return r.profile, r.profileSet
}

// Explain resolves credentials afresh (files re-read, nothing cached) and
// reports every source tried.
func (s *Session) Explain(ctx context.Context) *Explanation {
	s.defaults()
	r := s.newResolutionWith(&sharedFiles{})
	e := &Explanation{Files: r.describeFiles()}
	if r.profileSet {
		p := r.profile
		e.Profile = &p
		e.ProfileFrom = r.profileFrom
	}
	c, refresh, steps, err := r.resolve(ctx)
	if err == nil && !deferred[c.Method] {
		c, err = creds.RefreshIfNeeded(ctx, c, refresh, s.opts.now())
	}
	e.Steps = steps
	if !r.scope.IsZero() {
		sc := r.scope
		e.Scope, e.ScopeFrom = &sc, r.scopeFrom
	}
	if err != nil {
		e.Err = err
	} else {
		e.Credentials = &c
	}
	// What can be known is shown: AWS_DEFAULT_REGION (or WithRegion) is read
	// without any file, even when the profile is missing or a file does not
	// parse.
	if reg, rerr := r.region(); rerr == nil && reg.set {
		v := reg.value
		e.Region, e.RegionFrom = &v, reg.from
	}
	return e
}

// Explanation is what Explain found.
type Explanation struct {
	// Profile is the profile set explicitly or by the environment; nil when
	// none is (the providers then read "default").
	Profile     *string
	ProfileFrom string
	Region      *string
	RegionFrom  string
	// Credentials are the winner's, nil when resolution failed.
	Credentials *Credentials
	Err         error
	Steps       []creds.Step
	Files       []FileInfo
	// Scope narrowed the profile's own role (WithScope, WithProfileScopes),
	// from ScopeFrom; nil when nothing did.
	Scope     *Scope
	ScopeFrom string
}

// FileInfo says which file a setting points at and whether it exists.
type FileInfo struct {
	Role   string // "config", "credentials"
	Path   string
	From   string
	Exists bool
}

// ErrorKind returns the botocore exception name of err ("" for nil).
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
	if k := creds.KindOf(err); k != "" {
		return k
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return creds.KindCredentialRetrieval
	}
	return fmt.Sprintf("%T", err)
}
