package awshttp

import (
	"errors"
	"math/rand/v2"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/credchain/credchain/awsconfig"
)

// Retry modes (botocore's retry_mode / AWS_RETRY_MODE).
const (
	RetryLegacy   = "legacy"
	RetryStandard = "standard"
	RetryAdaptive = "adaptive"
)

// Retry is botocore's retry configuration of a client (awsconfig.Retry).
type Retry = awsconfig.Retry

// legacyRetryables are botocore's _retry.json policies for the services
// credchain calls: connection errors, 429, 500, 502, 503, 504, 509, the
// throttling codes, and for STS IDPCommunicationError.
func legacyRetryables(service string) []retry.IsErrorRetryable {
	codes := map[string]struct{}{"Throttling": {}, "ThrottlingException": {}, "ThrottledException": {},
		"RequestThrottledException": {}, "ProvisionedThroughputExceededException": {}}
	if service == "sts" {
		codes["IDPCommunicationError"] = struct{}{}
	}
	return []retry.IsErrorRetryable{
		retry.NoRetryCanceledError{},
		noRetryTimeout,
		retry.RetryableConnectionError{},
		retry.RetryableHTTPStatusCode{Codes: map[int]struct{}{429: {}, 500: {}, 502: {}, 503: {}, 504: {}, 509: {}}},
		retry.RetryableErrorCode{Codes: codes},
	}
}

// noRetryTimeout: a request that got no answer within Timeout is not
// tried again. An endpoint that hangs (a stuck SSO portal) then costs one
// Timeout, not one per attempt (150 s over five attempts); botocore would
// retry, with a 60 s read timeout.
var noRetryTimeout = retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
})

// Retryer returns the aws-sdk-go-v2 retryer matching botocore's for the
// configuration and service ("sts", "sso"): legacy makes up to 5 attempts
// with botocore's delay (a random fraction of 2^(n-1) seconds) and no retry
// quota; standard and adaptive are the SDK's, which follow the same
// specification as botocore's.
func Retryer(r Retry, service string) aws.Retryer {
	switch r.Mode {
	case RetryStandard, RetryAdaptive:
		std := func(o *retry.StandardOptions) {
			if r.MaxAttempts > 0 {
				o.MaxAttempts = r.MaxAttempts
			}
			o.Retryables = append([]retry.IsErrorRetryable{noRetryTimeout}, o.Retryables...)
		}
		if r.Mode == RetryAdaptive {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, std)
			})
		}
		return retry.NewStandard(std)
	}
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 5
		if r.MaxAttempts > 0 {
			o.MaxAttempts = r.MaxAttempts
		}
		o.Retryables = legacyRetryables(service)
		o.RateLimiter = ratelimit.None
		o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
			return time.Duration(rand.Float64() * float64(int64(1)<<min(attempt-1, 20)) * float64(time.Second)), nil
		})
	})
}
