// Package imdscreds fetches the instance profile's credentials from the EC2
// instance metadata service, like botocore's InstanceMetadataProvider
// (method "iam-role"): an IMDSv2 token (PUT /latest/api/token, TTL 21600)
// with botocore's fallback to IMDSv1 by status code, unless IMDSv1 is
// disabled; then the role name and its credentials, each request retried up
// to the configured attempts with the configured timeout; and botocore's
// "static stability" extension of credentials that expire soon or have
// expired. Response bodies are read up to 1 MiB; redirects are not followed.
package imdscreds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/credchain/credchain/creds"
)

// Method is botocore's name for this source.
const Method = "iam-role"

// Base URLs and paths.
const (
	BaseIPv4  = "http://169.254.169.254/"
	BaseIPv6  = "http://[fd00:ec2::254]/"
	tokenPath = "latest/api/token"
	rolePath  = "latest/meta-data/iam/security-credentials/"
	tokenTTL  = "21600"
	maxBody   = 1 << 20
)

// RefreshWindow is the refresh window botocore's resolver gives the fetcher;
// static stability extends expiring credentials by it plus 2 to 10 minutes.
const RefreshWindow = 15 * time.Minute

// Provider fetches from BaseURL.
type Provider struct {
	BaseURL string
	// Timeout and Attempts are metadata_service_timeout and
	// metadata_service_num_attempts as botocore uses them: 0 attempts or
	// fewer make no request (no credentials); a Timeout of 0 or less fails
	// the first request (HTTPClientError).
	Timeout    time.Duration
	Attempts   int
	V1Disabled bool
	// Client defaults to one with Timeout and no redirects.
	Client *http.Client
	Now    func() time.Time
	// Jitter returns the extra extension (default: uniform 120..600 s).
	Jitter func() time.Duration
}

// Method implements creds.Provider.
func (p *Provider) Method() string { return Method }

func (p *Provider) url(path string) string {
	sep := ""
	if !strings.HasSuffix(p.BaseURL, "/") {
		sep = "/"
	}
	return p.BaseURL + sep + path
}

func (p *Provider) client() *http.Client {
	if p.Client != nil {
		return p.Client
	}
	return &http.Client{Timeout: p.Timeout,
		Transport:     &http.Transport{Proxy: http.ProxyFromEnvironment, DialContext: (&net.Dialer{Timeout: p.Timeout}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type response struct {
	status int
	body   []byte
}

func (p *Provider) do(ctx context.Context, method, u string, h http.Header) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return response{}, err
	}
	req.Header = h
	resp, err := p.client().Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return response{}, err
	}
	if len(body) > maxBody {
		return response{}, fmt.Errorf("response larger than %d bytes", maxBody)
	}
	return response{resp.StatusCode, body}, nil
}

func isReadTimeout(err error) bool {
	var ne net.Error
	var ue *url.Error
	// A timeout after the connection was made: botocore's ReadTimeoutError.
	return errors.As(err, &ue) && errors.As(err, &ne) && ne.Timeout() && !strings.Contains(err.Error(), "dial")
}

// errBadRequest is a 400 answer to the token request: no credentials, no
// fallback (botocore's BadIMDSRequestError).
var errBadRequest = errors.New("the metadata service refused the token request (400)")

// token is botocore's _fetch_metadata_token: "" means no token.
func (p *Provider) token(ctx context.Context) (string, error) {
	h := http.Header{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": {tokenTTL}}
	for i := 0; i < p.attempts(); i++ {
		r, err := p.do(ctx, http.MethodPut, p.url(tokenPath), h)
		switch {
		case err != nil && isReadTimeout(err):
			return "", nil
		case err != nil:
			continue // connection errors are retried
		case r.status == 200:
			return string(r.body), nil
		case r.status == 403 || r.status == 404 || r.status == 405:
			return "", nil
		case r.status == 400:
			return "", errBadRequest
		}
	}
	return "", nil
}

// attempts is metadata_service_num_attempts as given: botocore makes no
// request at all when it is 0 or less.
func (p *Provider) attempts() int { return max(p.Attempts, 0) }

// errExhausted: every attempt failed; the source then finds nothing.
var errExhausted = errors.New("attempts exhausted")

func (p *Provider) get(ctx context.Context, path, token string, ok func(response) bool) (response, error) {
	h := http.Header{}
	if token != "" {
		h.Set("X-Aws-Ec2-Metadata-Token", token)
	}
	for i := 0; i < p.attempts(); i++ {
		r, err := p.do(ctx, http.MethodGet, p.url(path), h)
		if err == nil && ok(r) {
			return r, nil
		}
	}
	return response{}, errExhausted
}

// Retrieve implements creds.Provider.
func (p *Provider) Retrieve(ctx context.Context) (creds.Credentials, error) {
	if p.attempts() > 0 && p.Timeout <= 0 {
		// LEGACY: botocore hands metadata_service_timeout to urllib3, which
		// refuses a timeout of 0 or less on the first request.
		return creds.Credentials{}, creds.Errorf("HTTPClientError",
			"An HTTP Client raised an unhandled exception: Attempted to set connect timeout to %d, but the timeout cannot be set to a value less than or equal to 0. (metadata_service_timeout)", int64(p.Timeout/time.Second))
	}
	token, err := p.token(ctx)
	if errors.Is(err, errBadRequest) {
		return creds.Credentials{}, creds.Skip("%s: %v", p.BaseURL, err)
	}
	if token == "" && p.V1Disabled {
		return creds.Credentials{}, creds.Errorf("MetadataRetrievalError",
			"Error retrieving metadata: Unable to retrieve token for use in IMDSv2 call and IMDSv1 has been disabled (from %s)", p.BaseURL)
	}
	nonEmpty := func(r response) bool { return r.status == 200 && len(r.body) > 0 }
	role, err := p.get(ctx, rolePath, token, nonEmpty)
	if err != nil {
		return creds.Credentials{}, creds.Skip("no instance metadata service answered at %s", p.BaseURL)
	}
	roleName := string(role.body)
	r, err := p.get(ctx, rolePath+roleName, token, func(r response) bool { return nonEmpty(r) && json.Valid(r.body) })
	if err != nil {
		return creds.Credentials{}, creds.Skip("the metadata service at %s gave no credentials for role %q", p.BaseURL, roleName)
	}
	var doc map[string]any
	_ = json.Unmarshal(r.body, &doc)
	fields := []string{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
	vals := map[string]string{}
	for _, f := range fields {
		v, ok := doc[f].(string)
		if !ok {
			// botocore logs a Code/Message error body and finds nothing.
			return creds.Credentials{}, creds.Skip("the metadata service at %s answered without %s for role %q", p.BaseURL, f, roleName)
		}
		vals[f] = v
	}
	c := creds.Credentials{AccessKeyID: vals["AccessKeyId"], SecretAccessKey: vals["SecretAccessKey"], SessionToken: vals["Token"],
		Method: Method, Source: fmt.Sprintf("instance metadata %s (role %s, IMDSv%d)", p.BaseURL, roleName, map[bool]int{true: 2, false: 1}[token != ""])}
	exp, err := time.Parse("2006-01-02T15:04:05Z", vals["Expiration"])
	if err != nil {
		if exp, err = time.Parse(time.RFC3339Nano, vals["Expiration"]); err != nil {
			return creds.Credentials{}, creds.Errorf(creds.KindCredentialRetrieval,
				"Error when retrieving credentials from iam-role: Expiration %q from %s is not a timestamp", vals["Expiration"], p.BaseURL)
		}
		c.Expires = exp
		return c, nil
	}
	c.Expires = p.extend(exp)
	return c, nil
}

// extend is botocore's static stability: credentials expiring within the
// refresh window plus 2-10 minutes (or already expired) are reported valid
// for that long from now, so a metadata outage does not stop the program.
func (p *Provider) extend(exp time.Time) time.Time {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	jitter := time.Duration(120+rand.IntN(481)) * time.Second
	if p.Jitter != nil {
		jitter = p.Jitter()
	}
	offset := RefreshWindow + jitter
	t := now().UTC()
	if !t.Before(exp.Add(-offset)) {
		return t.Add(offset).Truncate(time.Second)
	}
	return exp
}
