// Package dockercred answers Docker's credential-helper protocol for ECR
// registries: `get` reads a registry host on stdin and prints its
// ServerURL, Username and Secret (an ECR authorization token, decoded),
// `list` prints the registries it holds tokens for; tokens are cached until
// they expire. store and erase are refused: ECR tokens are made, not kept.
package dockercred

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/awshttp"
)

// ecrHost is an ECR registry host: ACCOUNT.dkr.ecr(-fips).REGION.amazonaws.com(.cn).
var ecrHost = regexp.MustCompile(`^(?:https://)?(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|sc2s\.sgov\.gov|c2s\.ic\.gov)(?:/.*)?$`)

// Registry parses an ECR registry host (or URL): its account and region.
func Registry(server string) (account, region string, ok bool) {
	m := ecrHost.FindStringSubmatch(strings.TrimSpace(server))
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// Credentials are what `get` prints.
type Credentials struct {
	ServerURL string `json:"ServerURL"`
	Username  string `json:"Username"`
	Secret    string `json:"Secret"`
}

type cached struct {
	Credentials
	Expires time.Time `json:"Expires"`
}

// Helper answers for one profile's credentials.
type Helper struct {
	// Creds are the AWS credentials that call ECR.
	Creds func(ctx context.Context) (creds.Credentials, error)
	// Endpoint is the ECR endpoint when configured ("" for ECR's own).
	Endpoint func(region string) (string, error)
	// CacheDir keeps tokens (0600 files in a 0700 folder).
	CacheDir string
	Now      func() time.Time
}

func (h *Helper) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

// Get is the token for server: cached while it has a minute left, else
// GetAuthorizationToken, decoded.
func (h *Helper) Get(ctx context.Context, server string) (Credentials, error) {
	server = strings.TrimSpace(server)
	account, region, ok := Registry(server)
	if !ok {
		return Credentials{}, fmt.Errorf("%s is not an ECR registry (ACCOUNT.dkr.ecr.REGION.amazonaws.com): credchain only answers for ECR", server)
	}
	path := filepath.Join(h.CacheDir, account+"-"+region+".json")
	if data, err := os.ReadFile(path); err == nil {
		var c cached
		if json.Unmarshal(data, &c) == nil && c.Expires.Sub(h.now()) > time.Minute {
			c.ServerURL = server
			return c.Credentials, nil
		}
	}
	k, err := h.Creds(ctx)
	if err != nil {
		return Credentials{}, err
	}
	o := ecr.Options{Region: region, HTTPClient: awshttp.Client(), Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey, SessionToken: k.SessionToken}, nil
	})}
	if h.Endpoint != nil {
		ep, err := h.Endpoint(region)
		if err != nil {
			return Credentials{}, err
		}
		if ep != "" {
			o.BaseEndpoint = aws.String(ep)
		}
	}
	out, err := ecr.New(o).GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return Credentials{}, fmt.Errorf("ECR GetAuthorizationToken in %s: %w", region, err)
	}
	if len(out.AuthorizationData) == 0 || out.AuthorizationData[0].AuthorizationToken == nil {
		return Credentials{}, errors.New("ECR answered without an authorization token")
	}
	raw, err := base64.StdEncoding.DecodeString(*out.AuthorizationData[0].AuthorizationToken)
	if err != nil {
		return Credentials{}, fmt.Errorf("ECR's authorization token is not base64: %w", err)
	}
	user, secret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return Credentials{}, errors.New("ECR's authorization token is not USER:PASSWORD")
	}
	c := cached{Credentials: Credentials{ServerURL: server, Username: user, Secret: secret}}
	if exp := out.AuthorizationData[0].ExpiresAt; exp != nil && exp.Sub(h.now()) > time.Minute {
		c.Expires = *exp
		if data, err := json.Marshal(c); err == nil && os.MkdirAll(h.CacheDir, 0o700) == nil {
			_ = atomicfile.Write(path, data, 0o600)
		}
	}
	return c.Credentials, nil
}

// List is the registries with a cached token, and their user names.
func (h *Helper) List() (map[string]string, error) {
	out := map[string]string{}
	entries, err := os.ReadDir(h.CacheDir)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(h.CacheDir, e.Name()))
		if err != nil {
			continue
		}
		var c cached
		if json.Unmarshal(data, &c) == nil && c.Expires.After(h.now()) && c.ServerURL != "" {
			out[c.ServerURL] = c.Username
		}
	}
	return out, nil
}
