// Package stscreds assumes roles through STS like botocore's
// AssumeRoleProvider (method "assume-role") and
// AssumeRoleWithWebIdentityProvider (method "assume-role-with-web-identity"):
// the same arguments, the same default session name, the same cache keys and
// cache window, so that results are shared with the AWS CLI's cache.
package stscreds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/smithy-go"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/internal/botomodel"
)

// Methods: botocore's names for the two sources.
const (
	MethodAssumeRole  = "assume-role"
	MethodWebIdentity = "assume-role-with-web-identity"
)

// CacheWindow is botocore's expiry window for cached results: an entry with
// less time left is fetched again.
const CacheWindow = 15 * time.Minute

// ClientOptions say where STS is.
type ClientOptions struct {
	// Region is the signing and endpoint region; empty means botocore's
	// "aws-global": https://sts.amazonaws.com, signed for us-east-1.
	Region string
	// Endpoint overrides the endpoint (AWS_ENDPOINT_URL_STS and friends).
	Endpoint string
	// Retry is botocore's retry configuration (legacy, 5 attempts, when
	// zero).
	Retry awsconfig.Retry
	// HTTPClient defaults to awshttp.Client(): a timeout, no redirects
	// followed, bodies bounded.
	HTTPClient *http.Client
}

// AssumeRoleAPI is the STS call the assume-role source makes.
type AssumeRoleAPI interface {
	AssumeRole(ctx context.Context, in AssumeRoleInput) (Result, error)
}

// WebIdentityAPI is the STS call the web identity source makes.
type WebIdentityAPI interface {
	AssumeRoleWithWebIdentity(ctx context.Context, in WebIdentityInput) (Result, error)
}

// AssumeRoleInput is an AssumeRole request. A nil field is not sent.
type AssumeRoleInput struct {
	RoleARN         string
	RoleSessionName string
	ExternalID      *string
	DurationSeconds *int32
	SerialNumber    *string
	TokenCode       *string
	// The Scope's parameters.
	Policy            *string
	PolicyARNs        []string
	Tags              []Tag
	TransitiveTagKeys []string
	SourceIdentity    *string
}

// WebIdentityInput is an AssumeRoleWithWebIdentity request.
type WebIdentityInput struct {
	RoleARN          string
	RoleSessionName  string
	WebIdentityToken string
}

// Result is STS's answer to either call: its Credentials and
// AssumedRoleUser fields, nil where the answer has none.
type Result struct {
	AccessKeyID     *string
	SecretAccessKey *string
	SessionToken    *string
	Expiration      *time.Time
	AssumedRoleARN  *string
	AssumedRoleID   *string
}

// DefaultSessionName is botocore's generated RoleSessionName.
func DefaultSessionName(now time.Time) string {
	return fmt.Sprintf("botocore-session-%d", now.Unix())
}

// AssumeRole assumes RoleARN with the credentials of Source.
type AssumeRole struct {
	// Profile names the profile, for messages.
	Profile string
	RoleARN string
	// SessionName is role_session_name; empty means DefaultSessionName.
	SessionName string
	// ExternalID, MFASerial and Duration are sent whenever they are set,
	// even empty or zero (botocore sends what is configured; the
	// parameter validation then refuses it). nil sends none.
	ExternalID *string
	MFASerial  *string
	Duration   *int64
	// Dicts names the parameters (RoleSessionName, ExternalId,
	// SerialNumber) whose setting is a nested block of the config file: a
	// dict in botocore, refused by the parameter validation. Their string
	// fields hold the dict's Python repr.
	Dicts map[string]bool
	// Scope narrows the session (session policies, tags, source
	// identity): credchain's own, never read from a profile's botocore
	// settings.
	Scope  Scope
	Source creds.Provider
	// Client returns an STS client signing with the source credentials;
	// its error is botocore's at client creation (InvalidRegionError).
	Client func(creds.Credentials) (AssumeRoleAPI, error)
	// Cache defaults to an in-memory cache (boto3's default).
	Cache cache.Cache
	// TokenCode returns the MFA code for serial (prompting the user).
	// It ends with ctx: cancelling the retrieval cancels the prompt.
	TokenCode func(ctx context.Context, serial string) (string, error)
	// Preload, when set, runs on a cache miss before the MFA prompt: the
	// load of the innermost source of a chain, which botocore does when the
	// outermost role is loaded.
	Preload func(context.Context) error
	Now     func() time.Time
	// Warn receives non-fatal warnings (a cache that cannot be locked or
	// written); nil drops them.
	Warn func(msg string)

	role    role
	mu      sync.Mutex
	fetched bool // an MFA role is fetched from STS once per provider
}

// Method implements creds.Provider.
func (p *AssumeRole) Method() string { return MethodAssumeRole }

func (p *AssumeRole) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *AssumeRole) init() { p.role.init(p.SessionName, p.now(), &p.Cache) }

// CacheKey is botocore's cache key for this role's arguments.
func (p *AssumeRole) CacheKey() (string, error) {
	p.init()
	args := p.role.keyArgs(p.RoleARN)
	if p.ExternalID != nil {
		args["ExternalId"] = *p.ExternalID
	}
	if p.MFASerial != nil {
		args["SerialNumber"] = *p.MFASerial
	}
	if p.Duration != nil {
		args["DurationSeconds"] = *p.Duration
	}
	p.Scope.addTo(args)
	return cache.Key(args)
}

func (p *AssumeRole) where() string {
	return fmt.Sprintf("profile %q: assume role %s", p.Profile, p.RoleARN)
}

// Retrieve implements creds.Provider: a cached result with at least
// CacheWindow left, else an AssumeRole call with the source credentials.
func (p *AssumeRole) Retrieve(ctx context.Context) (creds.Credentials, error) {
	p.init()
	if err := p.Scope.Validate(); err != nil {
		return creds.Credentials{}, fmt.Errorf("%s: %w", p.where(), err)
	}
	key, err := p.CacheKey()
	if err != nil {
		return creds.Credentials{}, err
	}
	if c, ok := p.cached(key); ok {
		return c, nil
	}
	if p.Client == nil {
		return creds.Credentials{}, fmt.Errorf("%s: %w", p.where(), creds.ErrNoClient)
	}
	if l, ok := p.Cache.(cache.Locker); ok {
		// A cache that cannot be locked (a read-only directory) only costs
		// the sharing: fetch anyway.
		if unlock, err := l.Lock(key); err != nil {
			warnf(p.Warn, "%s: %v; fetching without the cache lock", p.where(), err)
		} else {
			defer unlock()
			// Another process may have fetched while we waited.
			if c, ok := p.cached(key); ok {
				return c, nil
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.MFASerial != nil && p.fetched {
		return creds.Credentials{}, creds.Errorf(creds.KindRefreshWithMFA,
			"%s: Cannot refresh credentials: MFA token required. (run the command again to enter a new code)", p.where())
	}
	if p.Preload != nil {
		if err := p.Preload(ctx); err != nil {
			return creds.Credentials{}, err
		}
	}
	// botocore's order (AssumeRoleCredentialFetcher._get_credentials): the
	// MFA prompt, then the source's credentials, then the client (its
	// region check), then parameter validation, then signing.
	// The arguments in botocore's keyword order: RoleSessionName,
	// ExternalId, SerialNumber, DurationSeconds, RoleArn, TokenCode.
	args := []botomodel.Arg{{Name: "RoleSessionName", Value: p.role.name}}
	in := AssumeRoleInput{RoleARN: p.RoleARN, RoleSessionName: p.role.name}
	p.Scope.input(&in)
	if p.ExternalID != nil {
		in.ExternalID = p.ExternalID
		args = append(args, botomodel.Arg{Name: "ExternalId", Value: *p.ExternalID})
	}
	if p.MFASerial != nil {
		args = append(args, botomodel.Arg{Name: "SerialNumber", Value: *p.MFASerial})
	}
	if p.Duration != nil {
		d := int32(min(max(*p.Duration, math.MinInt32), math.MaxInt32))
		in.DurationSeconds = &d
		args = append(args, botomodel.Arg{Name: "DurationSeconds", Value: *p.Duration})
	}
	args = append(args, botomodel.Arg{Name: "RoleArn", Value: p.RoleARN})
	if p.MFASerial != nil {
		if p.TokenCode == nil {
			return creds.Credentials{}, creds.Errorf(creds.KindCredentialRetrieval, "%s: the role needs an MFA code for %s and no way to ask for one was given", p.where(), *p.MFASerial)
		}
		code, err := p.TokenCode(ctx, *p.MFASerial)
		if err != nil {
			return creds.Credentials{}, &creds.Error{Kind: creds.KindCredentialRetrieval, Msg: p.where() + ": reading the MFA code", Err: err}
		}
		code = strings.TrimSpace(code)
		in.SerialNumber, in.TokenCode = p.MFASerial, &code
		args = append(args, botomodel.Arg{Name: "TokenCode", Value: code})
	}
	for i, a := range args {
		if v, ok := a.Value.(string); ok && p.Dicts[a.Name] {
			args[i].Value = botomodel.Dict{Repr: v}
		}
	}
	src, err := p.Source.Retrieve(ctx)
	var unsignable *creds.UnsignableError
	if errors.As(err, &unsignable) {
		err = nil // the source's keys fail when they sign, below
	}
	if err != nil {
		return creds.Credentials{}, err
	}
	client, err := p.Client(src)
	if err != nil {
		return creds.Credentials{}, err
	}
	if err := botomodel.Check("sts.AssumeRole", args...); err != nil {
		return creds.Credentials{}, err
	}
	if unsignable != nil {
		// A client that cannot sign either (no region) fails first:
		// botocore resolves the region before it signs with the keys.
		if sc, ok := client.(interface{ SigningError() error }); ok {
			if err := sc.SigningError(); err != nil {
				return creds.Credentials{}, err
			}
		}
		// Plain from here: a role chained from this one fails with it
		// before its own validation, as botocore does.
		return creds.Credentials{}, unsignable.Err
	}
	out, err := client.AssumeRole(ctx, in)
	if err != nil {
		return creds.Credentials{}, apiError(p.where(), err)
	}
	p.fetched = true
	c, err := save(p.where(), p.Cache, key, out, p.Warn)
	if err != nil {
		return creds.Credentials{}, err
	}
	// The source of each hop, so explain shows the whole chain.
	c.Method, c.Source = MethodAssumeRole, fmt.Sprintf("%s (STS AssumeRole, session %s, cache miss) <- %s", p.where(), p.role.name, src.Source)
	return c, nil
}

func (p *AssumeRole) cached(key string) (creds.Credentials, bool) {
	return fromCache(p.Cache, key, p.now(), MethodAssumeRole, fmt.Sprintf("%s (cache hit, key %s)", p.where(), key))
}

// role is what both role sources share: the session name botocore sends
// (the one given, or one generated once per provider) and the arguments
// its cache key hashes.
type role struct {
	once      sync.Once
	name      string
	generated bool
}

// init fixes the session name and defaults the cache to boto3's in-memory one.
func (r *role) init(given string, now time.Time, c *cache.Cache) {
	r.once.Do(func() {
		r.name = given
		if r.name == "" {
			r.name, r.generated = DefaultSessionName(now), true
		}
		if *c == nil {
			*c = &cache.Memory{}
		}
	})
}

// keyArgs are the cache-key arguments common to both sources: a generated
// session name is left out so that the key is stable across runs.
func (r *role) keyArgs(arn string) map[string]any {
	args := map[string]any{"RoleArn": arn}
	if !r.generated {
		args["RoleSessionName"] = r.name
	}
	return args
}

// fromCache returns the cached credentials under key when they have at
// least CacheWindow left.
func fromCache(c cache.Cache, key string, now time.Time, method, source string) (creds.Credentials, bool) {
	e, ok := c.Get(key)
	if !ok || !e.FreshFor(now, CacheWindow) {
		return creds.Credentials{}, false
	}
	cr := e.Credentials
	cr.Method, cr.Source = method, source
	return cr, true
}

// warnf gives a non-fatal warning (a cache problem) to warn, when set.
func warnf(warn func(string), format string, args ...any) {
	if warn != nil {
		warn(fmt.Sprintf(format, args...))
	}
}

// entry converts an STS result; the account id comes from the assumed role
// ARN, as in botocore.
func entry(r Result) (cache.Entry, error) {
	if r.AccessKeyID == nil || r.SecretAccessKey == nil || r.SessionToken == nil || r.Expiration == nil {
		return cache.Entry{}, errors.New("the STS response lacks a credential field")
	}
	e := cache.Entry{Credentials: creds.Credentials{AccessKeyID: *r.AccessKeyID, SecretAccessKey: *r.SecretAccessKey,
		SessionToken: *r.SessionToken, Expires: r.Expiration.UTC()}}
	if r.AssumedRoleARN != nil {
		e.AssumedRoleARN = *r.AssumedRoleARN
	}
	if r.AssumedRoleID != nil {
		e.AssumedRoleID = *r.AssumedRoleID
	}
	if a, err := arn.Parse(e.AssumedRoleARN); err == nil {
		e.Credentials.AccountID = a.AccountID
	}
	return e, nil
}

// save converts an STS result and stores it in c under key. A cache that
// cannot be written is not fatal: the keys are good.
func save(where string, c cache.Cache, key string, r Result, warn func(string)) (creds.Credentials, error) {
	e, err := entry(r)
	if err != nil {
		return creds.Credentials{}, &creds.Error{Kind: creds.KindCredentialRetrieval, Msg: where, Err: err}
	}
	if err := c.Put(key, e); err != nil {
		warnf(warn, "%s: cannot write the credential cache: %v", where, err)
	}
	return e.Credentials, nil
}

// apiError turns an STS failure into botocore's exception, with a message
// naming the role and profile: a modeled exception's class
// (ExpiredTokenException, InvalidIdentityTokenException, ...), else
// ClientError for an error answer; EndpointConnectionError and the timeout
// errors when no answer came.
func apiError(where string, err error) error {
	if creds.KindOf(err) != "" {
		return err // already botocore's kind (NoRegionError before sending)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		hint := ""
		switch ae.ErrorCode() {
		case "AccessDenied":
			hint = " (check the role's trust policy and that the source identity may call sts:AssumeRole)"
		case "ExpiredToken", "ExpiredTokenException":
			hint = " (the source credentials have expired: refresh them)"
		case "InvalidClientTokenId", "SignatureDoesNotMatch":
			hint = " (the source credentials are not valid)"
		case "PackedPolicyTooLarge":
			hint = " (the session policies and tags, packed, are over STS's limit: shorten the inline policy (--policy-file), use fewer or shorter tags, or name managed policies (--policy-arn) instead of inline text)"
		}
		return &creds.Error{Kind: botomodel.ExceptionName("sts", ae.ErrorCode()), Msg: fmt.Sprintf("%s: %s: %s%s", where, ae.ErrorCode(), ae.ErrorMessage(), hint)}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &creds.Error{Kind: creds.KindCredentialRetrieval, Msg: where + ": STS did not answer in time", Err: err}
	}
	if kind := awshttp.TransportKind(err); kind != "" {
		return &creds.Error{Kind: kind, Msg: where + ": calling STS", Err: err}
	}
	return &creds.Error{Kind: creds.KindCredentialRetrieval, Msg: where + ": calling STS", Err: err}
}

// KindClientError is botocore's ClientError: STS refused the call.
const KindClientError = "ClientError"

// WebIdentity assumes RoleARN with the token in TokenFile.
type WebIdentity struct {
	Profile     string
	RoleARN     string
	TokenFile   string
	SessionName string
	// Client returns an unsigned STS client; its error is botocore's at
	// client creation (InvalidRegionError).
	Client func() (WebIdentityAPI, error)
	Cache  cache.Cache
	Now    func() time.Time
	// Warn receives non-fatal warnings (a cache that cannot be written);
	// nil drops them.
	Warn func(msg string)

	role role
}

// Method implements creds.Provider.
func (p *WebIdentity) Method() string { return MethodWebIdentity }

func (p *WebIdentity) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *WebIdentity) init() { p.role.init(p.SessionName, p.now(), &p.Cache) }

func (p *WebIdentity) where() string {
	if p.Profile == "" {
		return "assume role with web identity " + p.RoleARN
	}
	return fmt.Sprintf("profile %q: assume role with web identity %s", p.Profile, p.RoleARN)
}

// maxToken bounds the token file read.
const maxToken = 1 << 20

// Retrieve implements creds.Provider. The token file is read on every fetch,
// verbatim (botocore does not strip it).
func (p *WebIdentity) Retrieve(ctx context.Context) (creds.Credentials, error) {
	p.init()
	key, err := cache.Key(p.role.keyArgs(p.RoleARN))
	if err != nil {
		return creds.Credentials{}, err
	}
	if c, ok := fromCache(p.Cache, key, p.now(), MethodWebIdentity, p.where()+" (cached)"); ok {
		return c, nil
	}
	if p.Client == nil {
		return creds.Credentials{}, fmt.Errorf("%s: %w", p.where(), creds.ErrNoClient)
	}
	// botocore reads the token, then creates the client, then validates.
	token, err := readToken(p.TokenFile)
	if err != nil {
		return creds.Credentials{}, &creds.Error{Kind: creds.KindCredentialRetrieval, Msg: p.where(), Err: err}
	}
	client, err := p.Client()
	if err != nil {
		return creds.Credentials{}, err
	}
	// botocore's keyword order: RoleArn, RoleSessionName, WebIdentityToken.
	if err := botomodel.Check("sts.AssumeRoleWithWebIdentity", botomodel.Arg{Name: "RoleArn", Value: p.RoleARN},
		botomodel.Arg{Name: "RoleSessionName", Value: p.role.name}, botomodel.Arg{Name: "WebIdentityToken", Value: token}); err != nil {
		return creds.Credentials{}, err
	}
	out, err := client.AssumeRoleWithWebIdentity(ctx, WebIdentityInput{RoleARN: p.RoleARN, RoleSessionName: p.role.name, WebIdentityToken: token})
	if err != nil {
		return creds.Credentials{}, apiError(p.where(), err)
	}
	c, err := save(p.where(), p.Cache, key, out, p.Warn)
	if err != nil {
		return creds.Credentials{}, err
	}
	c.Method, c.Source = MethodWebIdentity, fmt.Sprintf("%s (token file %s, session %s)", p.where(), p.TokenFile, p.role.name)
	return c, nil
}

func readToken(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("web identity token file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxToken+1))
	if err != nil {
		return "", fmt.Errorf("web identity token file: %w", err)
	}
	if len(data) > maxToken {
		return "", fmt.Errorf("web identity token file %s is larger than %d bytes", path, maxToken)
	}
	// botocore opens the file in text mode, in the locale's encoding: under
	// a UTF-8 locale (the usual one; Python's C locale is UTF-8 too) bytes
	// that are not UTF-8 are a UnicodeDecodeError before any call.
	if !utf8.Valid(data) {
		return "", fmt.Errorf("web identity token file %s is not valid UTF-8 text (botocore fails to read it as text under a UTF-8 locale): write the token as issued", path)
	}
	// LEGACY: botocore opens the file in text mode: universal newlines turn
	// "\r\n" and a lone "\r" into "\n", and nothing is stripped.
	return strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n"), nil
}

// ErrNotAnIdentity says STS answered GetCallerIdentity with success but
// without an identity: the endpoint is not STS.
var ErrNotAnIdentity = errors.New("the endpoint answered GetCallerIdentity without an account and ARN: it is not STS (check AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL and [services] sts)")
