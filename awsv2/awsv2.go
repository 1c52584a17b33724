// Package awsv2 plugs credchain into aws-sdk-go-v2. LoadConfig is the
// one-line replacement of config.LoadDefaultConfig that configures the SDK
// as boto3 configures itself (credentials, region, endpoints, retries):
//
//	cfg, err := awsv2.LoadConfig(ctx, credchain.WithProfile("dev"))
//	client := sts.NewFromConfig(cfg)
//
// Provider satisfies aws.CredentialsProvider over a Session, for a config
// built by hand.
package awsv2

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/creds"
)

// Provider adapts a Session to aws.CredentialsProvider. It needs no
// aws.CredentialsCache: the Session caches and refreshes by botocore's
// windows (its fast path is one atomic load; inside the advisory window one
// caller refreshes and the others keep the current keys). If you wrap it
// anyway, give the cache an ExpiryWindow of credchain.AdvisoryRefresh:
// with the default window of zero, the SDK's cache hands out the keys it
// holds until their last second.
type Provider struct {
	Session *credchain.Session
}

// New returns a Provider for s.
func New(s *credchain.Session) Provider { return Provider{Session: s} }

// ErrNoSession says a Provider was made without a Session (Provider{}):
// use New.
var ErrNoSession = errors.New("awsv2: the Provider has no Session: make it with awsv2.New")

// Retrieve implements aws.CredentialsProvider.
func (p Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	if p.Session == nil {
		return aws.Credentials{}, ErrNoSession
	}
	c, err := p.Session.Credentials(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	return sdkCredentials(c), nil
}

var _ aws.CredentialsProvider = Provider{}

// FromProvider adapts any credchain provider (a chain built in code:
// Session.AssumeRoles, one source's Provider) to aws.CredentialsProvider,
// cached and refreshed by botocore's windows (creds.Refreshing).
func FromProvider(p creds.Provider) aws.CredentialsProvider {
	r := &creds.Refreshing{Provider: p}
	return aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		c, err := r.Retrieve(ctx)
		if err != nil {
			return aws.Credentials{}, err
		}
		return sdkCredentials(c), nil
	})
}

func sdkCredentials(c creds.Credentials) aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Source: "credchain:" + c.Method, CanExpire: c.CanExpire(), Expires: c.Expires, AccountID: c.AccountID}
}
