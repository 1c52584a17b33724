package awsv2

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/internal/awshttp"
)

// LoadConfig is the one-line drop-in for config.LoadDefaultConfig that
// configures aws-sdk-go-v2 the way boto3 (botocore 1.43) configures itself
// for the same environment and files (opts are the Session's: profile,
// environment, clock, ...):
//
//   - credentials from credchain's chain, botocore's order (Provider);
//   - the region as botocore finds it: AWS_DEFAULT_REGION, then the
//     profile's region. boto3 ignores AWS_REGION (the SDK reads it first);
//     pass credchain.WithRegion to choose another;
//   - endpoints: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the
//     profile's [services] block and endpoint_url, unless
//     ignore_configured_endpoint_urls, for every service client built from
//     the config;
//   - retries: botocore's mode and total attempts (AWS_RETRY_MODE or
//     retry_mode, AWS_MAX_ATTEMPTS or max_attempts); legacy, botocore's
//     default, is the SDK's standard retryer with botocore's attempts (5),
//     retryable errors and delays and no retry quota.
//
// A profile that does not exist, and an invalid retry setting, are errors
// here, as botocore raises them when the session's client is made; the
// credentials themselves are resolved at the first call.
func LoadConfig(ctx context.Context, opts ...credchain.Option) (aws.Config, error) {
	s := credchain.NewSession(opts...)
	if err := s.CheckProfile(); err != nil {
		return aws.Config{}, err
	}
	region, _, err := s.Region()
	if err != nil {
		return aws.Config{}, err
	}
	mode, attempts, err := s.RetrySettings()
	if err != nil {
		return aws.Config{}, err
	}
	global, err := s.EndpointURL("")
	if err != nil {
		return aws.Config{}, err
	}
	cfg := aws.Config{
		Region:        region,
		Credentials:   New(s),
		ConfigSources: []any{endpoints{s}},
		Retryer: func() aws.Retryer {
			return awshttp.Retryer(awshttp.Retry{Mode: mode, MaxAttempts: attempts}, "")
		},
	}
	if global != "" {
		cfg.BaseEndpoint = aws.String(global)
	}
	return cfg, nil
}

// endpoints gives every service client built from the config the endpoint
// botocore would use for it (aws-sdk-go-v2 asks its config sources for a
// service's base endpoint by the service's SDK id, "STS", "DynamoDB").
type endpoints struct{ s *credchain.Session }

// GetServiceBaseEndpoint implements aws-sdk-go-v2's
// ServiceBaseEndpointProvider.
func (e endpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	u, err := e.s.EndpointURL(strings.ToLower(strings.ReplaceAll(sdkID, " ", "_")))
	if err != nil || u == "" {
		return "", false, err
	}
	return u, true, nil
}
