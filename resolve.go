package credchain

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/containercreds"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/envcreds"
	"github.com/credchain/credchain/imdscreds"
	"github.com/credchain/credchain/internal/pystr"
	"github.com/credchain/credchain/legacycreds"
	"github.com/credchain/credchain/stscreds"
)

// resolution is one run of botocore's create_credential_resolver and
// load_credentials. Files are read at most once, and only when botocore would
// read them.
type resolution struct {
	o options

	profile     string
	profileSet  bool
	profileFrom string
	explicit    bool

	files    *sharedFiles
	imds     *imdscreds.Provider // built with the chain's settings
	config   *awsconfig.Config
	credFile *awsconfig.File
	profiles *awsconfig.Profiles

	// scope narrows the profile's own role, and where it comes from.
	scope     Scope
	scopeFrom string
}

func (s *Session) newResolution() *resolution {
	s.defaults()
	return s.newResolutionWith(s.files)
}

func (s *Session) newResolutionWith(files *sharedFiles) *resolution {
	r := &resolution{o: s.opts, files: files}
	switch {
	case s.opts.profileSet:
		r.profile, r.profileSet, r.profileFrom, r.explicit = s.opts.profile, true, "explicit", true
	default:
		// LEGACY: botocore reads AWS_DEFAULT_PROFILE before AWS_PROFILE (the
		// AWS CLI v2 reverses them); presence counts, even an empty value.
		for _, name := range []string{"AWS_DEFAULT_PROFILE", "AWS_PROFILE"} {
			if v, ok := s.opts.env(name); ok {
				r.profile, r.profileSet, r.profileFrom = v, true, name
				break
			}
		}
	}
	return r
}

func (r *resolution) env(name string) (string, bool) { return r.o.env(name) }

// effectiveProfile is botocore's `get_config_variable('profile') or 'default'`.
func (r *resolution) effectiveProfile() string {
	if r.profile == "" {
		return "default"
	}
	return r.profile
}

// load reads both shared files (once per Session): session.full_config.
func (r *resolution) load() error {
	if err := r.files.load(r.env); err != nil {
		return err
	}
	r.config, r.credFile, r.profiles = r.files.config, r.files.credFile, r.files.profiles
	return nil
}

// scoped is botocore's get_scoped_config: the selected profile's merged
// section; ProfileNotFound when a set profile exists in neither file.
func (r *resolution) scoped() (*awsconfig.Section, error) {
	if err := r.load(); err != nil {
		return nil, err
	}
	if !r.profileSet {
		return r.profiles.Lookup("default"), nil
	}
	p, ok := r.profiles.Get(r.profile)
	if !ok {
		return nil, r.profileNotFound()
	}
	return p, nil
}

func (r *resolution) profileNotFound() error {
	cfgPath, _ := awsconfig.ConfigFile(r.env)
	credPath, _ := awsconfig.CredentialsFile(r.env)
	from := "set explicitly"
	if r.profileFrom != "explicit" {
		from = "set by " + r.profileFrom
	}
	msg := fmt.Sprintf("no profile %q (%s; looked in %s and %s)", r.profile, from, cfgPath, credPath)
	if r.profiles != nil {
		if near := awsconfig.Suggest(r.profile, r.profiles.Names()); len(near) > 0 {
			msg += "; did you mean " + quoteList(near) + "?"
		}
	}
	return creds.Errorf(creds.KindProfileNotFound, "%s", msg)
}

// quoteList is `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

type setting struct {
	value string
	set   bool
	from  string
}

// configVar is botocore's config lookup: environment variable (presence
// counts), then the selected profile's key.
func (r *resolution) configVar(envName, key string) (setting, error) {
	if v, ok := r.env(envName); ok {
		return setting{v, true, envName}, nil
	}
	p, err := r.scoped()
	if err != nil {
		return setting{}, err
	}
	if v, ok := p.Lookup(key); ok {
		return setting{v.Raw, true, v.Pos()}, nil
	}
	return setting{}, nil
}

func (r *resolution) region() (setting, error) {
	if r.o.regionSet {
		return setting{r.o.region, true, "explicit"}, nil
	}
	v, err := r.configVar("AWS_DEFAULT_REGION", "region")
	if err == nil && v.set && v.from != "AWS_DEFAULT_REGION" {
		if p, perr := r.scoped(); perr == nil {
			if raw, ok := p.Lookup("region"); ok && raw.Nested != nil {
				// botocore returns the nested block as a dict and fails
				// with a raw TypeError where it is used as a region.
				return setting{}, creds.Errorf(creds.KindInvalidConfig, "region at %s is a nested block, not a region name", raw.Pos())
			}
		}
	}
	return v, err
}

// readChainSettings makes the config reads that botocore's
// create_credential_resolver makes before any provider runs. Their side
// effects are observable: they raise ProfileNotFound for a missing profile
// (unless every one of them is set in the environment) and reject malformed
// values even when the instance metadata source is never reached.
func (r *resolution) readChainSettings() error {
	ints := [2]int64{1, 1} // botocore's defaults: 1 s, 1 attempt
	for i, v := range []struct{ env, key string }{
		{"AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"},
		{"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts"},
	} {
		s, err := r.configVar(v.env, v.key)
		if err != nil {
			return err
		}
		if s.set {
			n, ok := pystr.ParseInt(s.value)
			if !ok {
				// botocore raises a raw ValueError from int().
				return creds.Errorf(creds.KindInvalidConfig, "%s: %s = %q is not an integer", s.from, v.key, s.value)
			}
			ints[i] = n
		}
	}
	endpoint, err := r.configVar("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
	if err != nil {
		return err
	}
	mode, err := r.configVar("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")
	if err != nil {
		return err
	}
	ipv6 := false
	if mode.set {
		m := pystr.Lower(mode.value)
		if m != "ipv4" && m != "ipv6" {
			return creds.Errorf(creds.KindInvalidIMDSEndpointMode,
				"Invalid EC2 Instance Metadata endpoint mode: %s Valid endpoint modes (case-insensitive): ('ipv4', 'ipv6'). (%s)", mode.value, mode.from)
		}
		ipv6 = m == "ipv6"
	} else {
		use, err := r.configVar("AWS_IMDS_USE_IPV6", "imds_use_ipv6")
		if err != nil {
			return err
		}
		ipv6 = pystr.Lower(use.value) == "true"
	}
	v1, err := r.configVar("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled")
	if err != nil {
		return err
	}
	// botocore builds the metadata fetcher here, whether or not it is used.
	base := imdscreds.BaseIPv4
	switch {
	case endpoint.value != "":
		base = endpoint.value
	case ipv6:
		base = imdscreds.BaseIPv6
	}
	if !awsconfig.ValidEndpointURL(base) {
		return creds.Errorf("InvalidIMDSEndpointError", "Invalid endpoint EC2 Instance Metadata endpoint: %s (from %s)", base, endpoint.from)
	}
	// Both are used as given (botocore): 0 attempts makes no request, a
	// timeout of 0 or less fails the first one.
	timeout := time.Duration(max(min(ints[0], 1<<32), -1<<32)) * time.Second
	r.imds = &imdscreds.Provider{BaseURL: base, Timeout: timeout, Attempts: int(max(min(ints[1], 1<<20), -1)),
		V1Disabled: pystr.Lower(v1.value) == "true", Now: r.o.now}
	return nil
}

// resolve runs the chain; refresh, when non-nil, re-fetches the winner's
// credentials.
func (r *resolution) resolve(ctx context.Context) (creds.Credentials, func(context.Context) (creds.Credentials, error), []creds.Step, error) {
	if err := r.construct(); err != nil {
		return creds.Credentials{}, nil, r.notTried(), err
	}
	if c, ok, err := r.explicitCredentials(); ok || err != nil {
		step := creds.Step{Method: "explicit", Result: creds.ResultFound, Detail: "keys passed to the session"}
		if err != nil {
			step.Result, step.Detail = creds.ResultError, err.Error()
		}
		return c, nil, []creds.Step{step}, err
	}
	if err := r.readChainSettings(); err != nil {
		return creds.Credentials{}, nil, r.notTried(), err
	}
	chain := r.chain()
	c, steps, err := chain.Resolve(ctx)
	if err != nil {
		return c, nil, steps, err
	}
	return c, refreshFor(chain, c), steps, nil
}

// refreshFor is the function that re-fetches c, the winner of chain; nil
// for credentials that do not expire.
func refreshFor(chain creds.Chain, c creds.Credentials) func(context.Context) (creds.Credentials, error) {
	if !c.CanExpire() {
		return nil
	}
	var refresh func(context.Context) (creds.Credentials, error)
	for _, p := range chain {
		if p.Method() != c.Method {
			continue
		}
		if rf, ok := p.(creds.Refresher); ok {
			refresh = rf.Refresh
		} else {
			refresh = p.Retrieve
		}
	}
	return refresh
}

// frozen is botocore's get_frozen_credentials on a source it loaded: a
// loaded source whose credentials need a refresh is refreshed (and fails
// when they are still expired); a deferred one was just fetched.
func (r *resolution) frozen(ctx context.Context, c creds.Credentials, refresh func(context.Context) (creds.Credentials, error)) (creds.Credentials, error) {
	if deferred[c.Method] {
		return c, nil
	}
	return creds.RefreshIfNeeded(ctx, c, refresh, r.o.now())
}

// construct mirrors what boto3.Session's constructor checks: an account id
// without keys, then the data_path lookup, whose scoped-config read raises
// ProfileNotFound and ConfigParseError before any credential is looked at.
func (r *resolution) construct() error {
	o := r.o
	if o.accountID != "" && (o.accessKey == "" || o.secretKey == "") {
		return creds.Errorf(creds.KindNoCredentials,
			"Unable to locate credentials (an account id was given without an access key and secret key)")
	}
	v, err := r.configVar("AWS_DATA_PATH", "data_path")
	if err != nil || v.from == "AWS_DATA_PATH" {
		return err
	}
	if p, perr := r.scoped(); perr == nil {
		if raw, ok := p.Lookup("data_path"); ok && raw.Nested != nil {
			// botocore makes its data loader from it (a raw AttributeError
			// on the dict) before any source runs.
			return creds.Errorf(creds.KindInvalidConfig, "data_path at %s is a nested block, not a list of folders", raw.Pos())
		}
	}
	return nil
}

// notTried lists the chain with no source tried: resolution failed before
// the first one ran (while reading the profile or the chain's settings).
func (r *resolution) notTried() []creds.Step {
	var steps []creds.Step
	for _, p := range r.chain() {
		steps = append(steps, creds.Step{Method: p.Method(), Result: creds.ResultNotTried})
	}
	return steps
}

// explicitCredentials applies boto3.Session's explicit keys.
func (r *resolution) explicitCredentials() (creds.Credentials, bool, error) {
	o := r.o
	if o.accessKey == "" && o.secretKey == "" && o.token == "" && o.accountID == "" {
		return creds.Credentials{}, false, nil
	}
	if o.accessKey == "" || o.secretKey == "" {
		missing := "aws_secret_access_key"
		if o.accessKey == "" {
			missing = "aws_access_key_id"
		}
		return creds.Credentials{}, true, creds.Partial("explicit", missing, "")
	}
	return creds.Credentials{AccessKeyID: o.accessKey, SecretAccessKey: o.secretKey, SessionToken: o.token,
		AccountID: o.accountID, Method: "explicit", Source: "keys passed to the session"}, true, nil
}

// chain builds botocore's default provider list for the selected profile.
func (r *resolution) chain() creds.Chain {
	name := r.effectiveProfile()
	var c creds.Chain
	if !r.explicit {
		c = append(c, envcreds.Provider{Env: r.env})
	}
	c = append(c, &lazy{method: stscreds.MethodAssumeRole, build: func() (creds.Provider, error) { return r.assumeRole(name) }})
	c = append(c, r.profileChain(name, r.explicit)...)
	c = append(c,
		legacycreds.EC2File{Env: r.env},
		legacycreds.BotoConfig{Env: r.env, System: r.o.botoSystemCfg},
		&containercreds.Provider{Env: r.env},
		creds.Func(r.instanceMetadata, imdscreds.Method),
	)
	return c
}

// profileSection is full_config['profiles'].get(name, {}).
func (r *resolution) profileSection(name string) (*awsconfig.Section, error) {
	if err := r.load(); err != nil {
		return nil, err
	}
	return r.profiles.Lookup(name), nil
}

func (r *resolution) credentialsSection(name string) func() (*awsconfig.Section, error) {
	return func() (*awsconfig.Section, error) {
		if err := r.load(); err != nil {
			return nil, err
		}
		path, from := awsconfig.CredentialsFile(r.env)
		if r.credFile == nil {
			return nil, creds.Skip("no credentials file at %s (%s)", path, from)
		}
		s, ok := r.credFile.Section(name)
		if !ok {
			return nil, creds.Skip("%s has no [%s] section", path, name)
		}
		return s, nil
	}
}

func (r *resolution) configSection(name string) func() (*awsconfig.Section, error) {
	return func() (*awsconfig.Section, error) {
		if err := r.load(); err != nil {
			return nil, err
		}
		path, from := awsconfig.ConfigFile(r.env)
		if r.config.Path == "" {
			return nil, creds.Skip("no config file at %s (%s)", path, from)
		}
		s, ok := r.config.Profile(name)
		if !ok {
			return nil, creds.Skip("%s has no profile %q", path, name)
		}
		return s, nil
	}
}

// instanceMetadata is the iam-role source: off when AWS_EC2_METADATA_DISABLED
// is "true" in any case.
func (r *resolution) instanceMetadata(ctx context.Context) (creds.Credentials, error) {
	if v, _ := r.env("AWS_EC2_METADATA_DISABLED"); pystr.Lower(v) == "true" {
		return creds.Credentials{}, creds.Skip("AWS_EC2_METADATA_DISABLED is true")
	}
	if r.imds == nil {
		return creds.Credentials{}, creds.Skip("instance metadata settings were not read")
	}
	return r.imds.Retrieve(ctx)
}

func (r *resolution) describeFiles() []FileInfo {
	cfg, cfgFrom := awsconfig.ConfigFile(r.env)
	cred, credFrom := awsconfig.CredentialsFile(r.env)
	return []FileInfo{
		{Role: "config", Path: cfg, From: cfgFrom, Exists: awsconfig.IsRegularFile(cfg)},
		{Role: "credentials", Path: cred, From: strings.TrimSpace(credFrom), Exists: awsconfig.IsRegularFile(cred)},
	}
}
