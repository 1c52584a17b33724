// Package envcreds reads credentials from environment variables, like
// botocore's EnvProvider (method "env").
package envcreds

import (
	"context"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/timefmt"
)

// Method is botocore's name for this source.
const Method = "env"

// The variables read.
const (
	AccessKeyID   = "AWS_ACCESS_KEY_ID"
	SecretKey     = "AWS_SECRET_ACCESS_KEY"
	SecurityToken = "AWS_SECURITY_TOKEN"
	SessionToken  = "AWS_SESSION_TOKEN"
	Expiration    = "AWS_CREDENTIAL_EXPIRATION"
	AccountID     = "AWS_ACCOUNT_ID"
)

// Provider reads the environment through Env.
type Provider struct {
	Env func(string) (string, bool)
}

// Method implements creds.Provider.
func (p Provider) Method() string { return Method }

func (p Provider) get(name string) string {
	v, _ := p.Env(name)
	return v
}

// Retrieve implements creds.Provider. It applies only when AWS_ACCESS_KEY_ID
// is non-empty; then the secret must be non-empty too.
func (p Provider) Retrieve(context.Context) (creds.Credentials, error) {
	ak := p.get(AccessKeyID)
	if ak == "" {
		return creds.Credentials{}, creds.Skip("%s is not set", AccessKeyID)
	}
	sk := p.get(SecretKey)
	if sk == "" {
		return creds.Credentials{}, creds.Partial(Method, SecretKey, "")
	}
	c := creds.Credentials{AccessKeyID: ak, SecretAccessKey: sk, AccountID: p.get(AccountID),
		Method: Method, Source: "environment variables " + AccessKeyID + ", " + SecretKey}
	// LEGACY: AWS_SECURITY_TOKEN is read before AWS_SESSION_TOKEN; the first
	// non-empty one wins (botocore's TOKENS order).
	for _, name := range []string{SecurityToken, SessionToken} {
		if v := p.get(name); v != "" {
			c.SessionToken = v
			c.Source += ", " + name
			break
		}
	}
	if exp := p.get(Expiration); exp != "" {
		t, err := timefmt.Parse(exp)
		if err != nil {
			return creds.Credentials{}, &creds.Error{Kind: creds.KindCredentialRetrieval,
				Msg: "Error when retrieving credentials from env: " + Expiration, Err: err}
		}
		c.Expires = t
	}
	return c, nil
}

// Refresh re-reads the environment for credentials that expire; unlike the
// first read it requires AWS_CREDENTIAL_EXPIRATION, as botocore's refresh does.
func (p Provider) Refresh(ctx context.Context) (creds.Credentials, error) {
	if p.get(AccessKeyID) == "" {
		return creds.Credentials{}, creds.Partial(Method, AccessKeyID, "")
	}
	c, err := p.Retrieve(ctx)
	if err != nil {
		return c, err
	}
	if !c.CanExpire() {
		return creds.Credentials{}, creds.Partial(Method, Expiration, "")
	}
	return c, nil
}

var _ creds.Refresher = Provider{}
