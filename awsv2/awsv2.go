// Package awsv2 plugs a credchain Session into aws-sdk-go-v2: Provider
// satisfies aws.CredentialsProvider, so any aws-sdk-go-v2 client signs with
// the credentials boto3 would have chosen.
//
//	sess := credchain.NewSession(credchain.WithProfile("dev"))
//	cfg := aws.Config{Region: "eu-west-1", Credentials: awsv2.New(sess)}
//	client := sts.NewFromConfig(cfg)
package awsv2

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain"
)

// Provider adapts a Session to aws.CredentialsProvider. The Session caches
// and refreshes; wrap Provider in aws.NewCredentialsCache only if you want
// the SDK's own expiry handling on top.
type Provider struct {
	Session *credchain.Session
}

// New returns a Provider for s.
func New(s *credchain.Session) Provider { return Provider{Session: s} }

// Retrieve implements aws.CredentialsProvider.
func (p Provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.Session.Credentials(ctx)
	if err != nil {
		return aws.Credentials{}, err
	}
	return aws.Credentials{
		AccessKeyID:     c.AccessKeyID,
		SecretAccessKey: c.SecretAccessKey,
		SessionToken:    c.SessionToken,
		Source:          "credchain:" + c.Method,
		CanExpire:       c.CanExpire(),
		Expires:         c.Expires,
		AccountID:       c.AccountID,
	}, nil
}

var _ aws.CredentialsProvider = Provider{}
