package keys

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/credchain/credchain/internal/awshttp"
)

// NewIAM returns an IAM client signing with k: IAM's global endpoint
// (signed for us-east-1) unless endpoint is configured.
func NewIAM(endpoint string, retry awshttp.Retry, k Key) *iam.Client {
	static := aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey, Source: "credchain"}
	o := iam.Options{Region: "us-east-1", HTTPClient: awshttp.Client(), Retryer: awshttp.Retryer(retry, "iam"),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return static, nil })}
	if endpoint != "" {
		o.BaseEndpoint = aws.String(endpoint)
	}
	return iam.New(o)
}
