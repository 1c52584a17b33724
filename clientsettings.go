package credchain

// The settings of the AWS clients the chain makes (STS, SSO, login): region,
// endpoints, retries, as botocore reads them for the active profile.

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/internal/pystr"
	"github.com/credchain/credchain/stscreds"
)

// stsOptions chooses STS's region and endpoint like botocore's client for
// the active profile: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's
// [services] block, the profile's endpoint_url, unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS; the session region, else the global
// endpoint.
func (r *resolution) stsOptions() (o stscreds.ClientOptions, regionMissing bool, err error) {
	reg, err := r.region()
	if err != nil {
		return o, false, err
	}
	o.Region = reg.value
	if reg.set && !awsconfig.ValidRegion(reg.value) {
		return o, false, creds.Errorf("InvalidRegionError", "Provided region_name '%s' doesn't match a supported format. (region from %s)", reg.value, reg.from)
	}
	o.Endpoint, err = r.endpointURL("STS", "sts")
	// botocore uses the global endpoint when no region is set, but a
	// configured endpoint URL needs a region to sign for (an empty one
	// will do; an unsigned call needs none).
	return o, o.Endpoint != "" && !reg.set, err
}

// loginCacheDir is botocore's login token cache directory:
// AWS_LOGIN_CACHE_DIRECTORY, else ~/.aws/login/cache.
func (r *resolution) loginCacheDir() string {
	if v, ok := r.env("AWS_LOGIN_CACHE_DIRECTORY"); ok {
		return awsconfig.ExpandPath(v, r.env)
	}
	return filepath.Join(awsconfig.ExpandUser("~", r.env), ".aws", "login", "cache")
}

// stsClientOptions is botocore's creation of an STS client, in its order
// (Session.create_client): the region check, the bearer-token provider's
// check of the profile's sso_session, the retry configuration, then the
// endpoint (an empty region with no endpoint configured makes
// https://sts..amazonaws.com, which botocore refuses with a raw
// ValueError).
func (r *resolution) stsClientOptions() (o stscreds.ClientOptions, regionMissing bool, err error) {
	if o, regionMissing, err = r.stsOptions(); err != nil {
		return o, false, err
	}
	if err := r.tokenProviderCheck(); err != nil {
		return o, false, err
	}
	if o.Retry, err = r.retry(); err != nil {
		return o, false, err
	}
	if o.Endpoint != "" && !awsconfig.ValidEndpointURL(o.Endpoint) {
		// botocore's create_endpoint raises a raw ValueError.
		return o, false, creds.Errorf(creds.KindInvalidConfig, "Invalid endpoint: %s (the STS endpoint URL configured for the profile)", o.Endpoint)
	}
	if o.Region == "" && o.Endpoint == "" {
		if reg, err := r.region(); err == nil && reg.set {
			return o, false, creds.Errorf(creds.KindInvalidConfig,
				"Invalid endpoint: https://sts..amazonaws.com (the region from %s is empty: set one, or unset it for the global endpoint)", reg.from)
		}
	}
	if err := r.stsRegionalEndpointsCheck(); err != nil {
		return o, false, err
	}
	return o, regionMissing, nil
}

// stsRegionalEndpointsCheck is botocore's validation of
// sts_regional_endpoints, made whenever it creates a client with an
// endpoint ruleset (STS, SSO, SSO OIDC), after the client's endpoint:
// AWS_STS_REGIONAL_ENDPOINTS or sts_regional_endpoints must be "legacy" or
// "regional" (unset or empty: regional), even where an endpoint URL is
// configured.
func (r *resolution) stsRegionalEndpointsCheck() error {
	v, err := r.configVar("AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints")
	if err != nil || !v.set {
		return err
	}
	value := v.value
	if v.from != "AWS_STS_REGIONAL_ENDPOINTS" {
		if p, perr := r.scoped(); perr == nil {
			if raw, ok := p.Lookup("sts_regional_endpoints"); ok && raw.Nested != nil {
				value = pystr.DictRepr(raw.Nested)
			}
		}
	}
	switch value {
	case "", "legacy", "regional":
		return nil
	}
	return creds.Errorf("InvalidSTSRegionalEndpointsConfigError",
		"STS regional endpoints option %s is invalid. Valid options are: \"legacy\", \"regional\" (%s)", value, v.from)
}

// retry is botocore's retry configuration of a client, read when the
// client is created (after its region check): AWS_MAX_ATTEMPTS or
// max_attempts (an integer of at least 1), then AWS_RETRY_MODE or
// retry_mode (legacy, standard or adaptive; legacy by default).
func (r *resolution) retry() (awshttp.Retry, error) {
	var out awshttp.Retry
	attempts, err := r.configVar("AWS_MAX_ATTEMPTS", "max_attempts")
	if err != nil {
		return out, err
	}
	if attempts.set {
		n, ok := pystr.ParseInt(attempts.value)
		if !ok {
			// botocore raises a raw ValueError from int().
			return out, creds.Errorf(creds.KindInvalidConfig, "%s: max_attempts = %q is not an integer", attempts.from, attempts.value)
		}
		if n < 1 {
			return out, creds.Errorf("InvalidMaxRetryAttemptsError", "Value provided to \"max_attempts\": %d must be an integer greater than or equal to 1. (%s)", n, attempts.from)
		}
		out.MaxAttempts = int(min(n, 1000))
	}
	mode, err := r.configVar("AWS_RETRY_MODE", "retry_mode")
	if err != nil {
		return out, err
	}
	out.Mode = awshttp.RetryLegacy
	if mode.set {
		switch mode.value {
		case awshttp.RetryLegacy, awshttp.RetryStandard, awshttp.RetryAdaptive:
			out.Mode = mode.value
		default:
			return out, creds.Errorf("InvalidRetryModeError", "Invalid value provided to \"mode\": \"%s\" must be one of: ('legacy', 'standard', 'adaptive') (%s)", mode.value, mode.from)
		}
	}
	return out, nil
}

// tokenProviderCheck is what botocore's create_client does before anything
// else of the client: it loads the session's bearer-token provider, which
// checks the selected profile's sso_session (the section must exist and
// have sso_start_url and sso_region) even for clients that never use a
// token (STS, SSO).
func (r *resolution) tokenProviderCheck() error {
	if err := r.load(); err != nil {
		return err
	}
	name := r.effectiveProfile()
	session, ok := r.profiles.Lookup(name).Get("sso_session")
	if !ok {
		return nil
	}
	cfg, ok := r.config.SSOSession(session)
	if !ok {
		return creds.Errorf(creds.KindInvalidConfig,
			"The profile \"%s\" is configured to use the SSO token provider but the \"%s\" sso_session configuration does not exist.", name, session)
	}
	var missing []string
	for _, k := range []string{"sso_start_url", "sso_region"} {
		if !cfg.Has(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return creds.Errorf(creds.KindInvalidConfig,
			"The profile \"%s\" is configured to use the SSO token provider but is missing the following configuration: %s.", name, awsconfig.PyList(missing))
	}
	return nil
}

// errNoRegion is botocore's NoRegionError when a signed STS call has a
// configured endpoint and no region.
func errNoRegion() error {
	return creds.Errorf("NoRegionError", "You must specify a region. (an STS endpoint URL is configured: set region in the profile or AWS_DEFAULT_REGION)")
}

// stsClient is botocore's creation of the STS client of a role source, made
// when the role is fetched: the region check (InvalidRegionError) happens
// then, after the source resolved; a missing region fails at signing, after
// parameter validation.
//
// Without an STS client (the CLI's front build) it is nil: the role
// returns cached credentials only.
func (r *resolution) stsClient() func(creds.Credentials) (stscreds.AssumeRoleAPI, error) {
	if awsClients.role == nil {
		return nil
	}
	return func(c creds.Credentials) (stscreds.AssumeRoleAPI, error) {
		opts, missing, err := r.stsClientOptions()
		if err != nil {
			return nil, err
		}
		if missing {
			return unsignable{}, nil
		}
		return awsClients.role(opts, c), nil
	}
}

// unsignable is an STS client that cannot sign: no region.
type unsignable struct{}

func (unsignable) AssumeRole(context.Context, stscreds.AssumeRoleInput) (stscreds.Result, error) {
	return stscreds.Result{}, errNoRegion()
}

// SigningError is why it cannot sign: botocore finds the region missing
// before it signs with the source's keys.
func (unsignable) SigningError() error { return errNoRegion() }

// endpointURL is botocore's configured endpoint for a service, for the
// active profile: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the
// profile's [services] block, the profile's endpoint_url; none when
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS (or ignore_configured_endpoint_urls)
// is true.
func (r *resolution) endpointURL(envSuffix, servicesKey string) (string, error) {
	ignore, err := r.configVar("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")
	if err != nil {
		return "", err
	}
	if strings.EqualFold(ignore.value, "true") {
		return "", nil
	}
	names := []string{"AWS_ENDPOINT_URL_" + envSuffix, "AWS_ENDPOINT_URL"}
	if envSuffix == "" {
		names = names[1:] // the global endpoint only
	}
	for _, name := range names {
		if v, ok := r.env(name); ok && v != "" {
			return v, nil
		}
	}
	scoped, err := r.scoped()
	if err != nil {
		return "", err
	}
	if svc, ok := scoped.Get("services"); ok && servicesKey != "" {
		// botocore: a services section that is missing or empty is an
		// error when the client is made (ConfiguredEndpointProvider).
		block, ok := r.config.Service(svc)
		if !ok || len(block.Keys) == 0 {
			return "", creds.Errorf(creds.KindInvalidConfig,
				"The profile is configured to use the services section but the \"%s\" services configuration does not exist.", svc)
		}
		if v, ok := block.Lookup(servicesKey); ok && v.Nested["endpoint_url"] != "" {
			return v.Nested["endpoint_url"], nil
		}
	}
	v, _ := scoped.Get("endpoint_url")
	return v, nil
}
