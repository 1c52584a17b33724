// Package containercreds fetches credentials from the container credentials
// endpoint (ECS, EKS Pod Identity, and local servers such as credchain
// serve), like botocore's ContainerProvider (method "container-role").
//
// Exactly as botocore: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (against
// 169.254.170.2) wins over _FULL_URI; a full URI must be https, a loopback
// address, or one of 169.254.170.2, 169.254.170.23, fd00:ec2::23,
// localhost; the Authorization header comes from
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every fetch) or
// AWS_CONTAINER_AUTHORIZATION_TOKEN and may not contain CR or LF; each
// request has a 2 s timeout, 3 attempts 1 s apart. Better: redirects are not
// followed, proxies are not used, and response bodies are read up to 1 MiB.
package containercreds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/timefmt"
)

// Method is botocore's name for this source.
const Method = "container-role"

// The variables read.
const (
	EnvRelativeURI = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
	EnvFullURI     = "AWS_CONTAINER_CREDENTIALS_FULL_URI"
	EnvToken       = "AWS_CONTAINER_AUTHORIZATION_TOKEN"
	EnvTokenFile   = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"
)

// botocore's fetcher settings.
const (
	Timeout  = 2 * time.Second
	Attempts = 3
	Pause    = time.Second
	// MaxBody bounds a response body.
	MaxBody = 1 << 20
)

var allowedHosts = []string{"169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"}

// Provider reads the environment through Env.
type Provider struct {
	Env func(string) (string, bool)
	// Client defaults to one with Timeout, no proxy and no redirects.
	Client *http.Client
	// Sleep defaults to time.Sleep (tests shorten the pause).
	Sleep func(time.Duration)
}

// Method implements creds.Provider.
func (p *Provider) Method() string { return Method }

func (p *Provider) fail(format string, args ...any) *creds.Error {
	return creds.Errorf(creds.KindCredentialRetrieval, "Error when retrieving credentials from container-role: "+format, args...)
}

// URL returns the endpoint and the variable it came from; ok is false when
// neither variable is set.
func (p *Provider) URL() (u, from string, ok bool) {
	if rel, ok := p.Env(EnvRelativeURI); ok {
		return "http://169.254.170.2" + rel, EnvRelativeURI, true
	}
	if full, ok := p.Env(EnvFullURI); ok {
		return full, EnvFullURI, true
	}
	return "", "", false
}

// Retrieve implements creds.Provider.
func (p *Provider) Retrieve(ctx context.Context) (creds.Credentials, error) {
	endpoint, from, ok := p.URL()
	if !ok {
		return creds.Credentials{}, creds.Skip("%s and %s are not set", EnvRelativeURI, EnvFullURI)
	}
	headers, err := p.headers()
	if err != nil {
		return creds.Credentials{}, err
	}
	if err := checkHost(endpoint, from); err != nil {
		return creds.Credentials{}, err
	}
	if u, err := url.Parse(endpoint); err == nil {
		if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
			// LEGACY: an allowed host with another scheme reaches urllib3,
			// whose refusal botocore wraps as HTTPClientError.
			return creds.Credentials{}, creds.Errorf("HTTPClientError",
				"An HTTP Client raised an unhandled exception: Not supported URL scheme %s (%s)", scheme, from)
		}
	}
	body, err := p.fetch(ctx, endpoint, headers)
	if err != nil {
		return creds.Credentials{}, err
	}
	var doc map[string]any
	_ = json.Unmarshal(body, &doc) // validated by fetch
	get := func(k string) (string, error) {
		v, ok := doc[k].(string)
		if !ok {
			return "", p.fail("the response from %s has no string %s", redact(endpoint), k)
		}
		return v, nil
	}
	var c creds.Credentials
	for _, f := range []struct {
		key string
		to  *string
	}{{"AccessKeyId", &c.AccessKeyID}, {"SecretAccessKey", &c.SecretAccessKey}, {"Token", &c.SessionToken}} {
		if *f.to, err = get(f.key); err != nil {
			return creds.Credentials{}, err
		}
	}
	exp, err := get("Expiration")
	if err != nil {
		return creds.Credentials{}, err
	}
	if c.Expires, err = timefmt.Parse(exp); err != nil {
		return creds.Credentials{}, p.fail("Expiration from %s: %v", redact(endpoint), err)
	}
	c.AccountID, _ = doc["AccountId"].(string)
	c.Method, c.Source = Method, fmt.Sprintf("%s (%s)", redact(endpoint), from)
	return c, nil
}

// headers builds the Authorization header, re-reading the token file.
func (p *Provider) headers() (http.Header, error) {
	h := http.Header{"Accept": {"application/json"}}
	var token string
	var have bool
	if path, ok := p.Env(EnvTokenFile); ok {
		data, err := readLimited(path)
		if err != nil {
			return nil, p.fail("reading %s (%s): %v", EnvTokenFile, path, err)
		}
		token, have = string(data), true
	} else if v, ok := p.Env(EnvToken); ok {
		token, have = v, true
	}
	if !have {
		return h, nil
	}
	if strings.ContainsAny(token, "\r\n") {
		// botocore raises a raw ValueError here.
		return nil, creds.Errorf(creds.KindInvalidConfig,
			"Auth token value is not a legal header value: the container authorization token contains CR or LF (a token file must not end with a newline)")
	}
	h.Set("Authorization", token)
	return h, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBody+1))
	if err == nil && len(data) > MaxBody {
		err = fmt.Errorf("larger than %d bytes", MaxBody)
	}
	return data, err
}

// checkHost is botocore's _validate_allowed_url.
func checkHost(endpoint, from string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return creds.Errorf(creds.KindInvalidConfig, "%s is not a valid URL: %v", from, err)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	for _, h := range allowedHosts {
		if host == h {
			return nil
		}
	}
	// botocore raises a raw ValueError with this text.
	return creds.Errorf(creds.KindInvalidConfig,
		"Unsupported host '%s'.  Can only retrieve metadata from a loopback address or one of these hosts: %s (from %s; use https for other hosts)",
		host, strings.Join(allowedHosts, ", "), from)
}

func (p *Provider) client() *http.Client {
	if p.Client != nil {
		return p.Client
	}
	return &http.Client{
		Timeout:       Timeout,
		Transport:     &http.Transport{Proxy: nil, DialContext: (&net.Dialer{Timeout: Timeout}).DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// fetch GETs endpoint up to Attempts times; a non-200 status, a body that
// is not JSON and a connection error are retried.
func (p *Provider) fetch(ctx context.Context, endpoint string, h http.Header) ([]byte, error) {
	sleep := p.Sleep
	if sleep == nil {
		sleep = time.Sleep
	}
	var last error
	for attempt := 1; attempt <= Attempts; attempt++ {
		body, err := p.get(ctx, endpoint, h)
		if err == nil {
			return body, nil
		}
		last = err
		if ctx.Err() != nil {
			break
		}
		if attempt < Attempts {
			sleep(Pause)
		}
	}
	return nil, p.fail("Error retrieving metadata: %v", last)
}

func (p *Provider) get(ctx context.Context, endpoint string, h http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return nil, err
	}
	req.Header = h.Clone()
	resp, err := p.client().Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("received error when attempting to retrieve container metadata from %s: %v", redact(endpoint), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response from %s: %v", redact(endpoint), err)
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("the response from %s is larger than %d bytes", redact(endpoint), MaxBody)
	}
	if resp.StatusCode != http.StatusOK {
		// Unlike botocore, the body is not shown: it may echo a token.
		return nil, fmt.Errorf("received non 200 response %d from container metadata %s", resp.StatusCode, redact(endpoint))
	}
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil || doc == nil {
		return nil, errors.New("unable to parse JSON returned from container metadata services")
	}
	return body, nil
}

// redact drops the query and user info of a URL for messages.
func redact(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "the container endpoint"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
