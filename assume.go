package credchain

import (
	"fmt"
	"strings"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/internal/botomodel"
	"github.com/credchain/credchain/stscreds"
)

// Role describes one role to assume, like the arguments of sts.assume_role
// in the "switch role" snippets.
type Role struct {
	ARN         string
	SessionName string // empty: botocore-session-<unix seconds>
	ExternalID  string
	MFASerial   string
	Duration    int32 // seconds; zero: STS's default
	// Scope narrows the role's session (session policies, tags, source
	// identity).
	Scope Scope
}

// Scope narrows an assumed role's session with AssumeRole's parameters:
// session policies (inline and managed), session tags and which of them
// are transitive, and a source identity.
type Scope = stscreds.Scope

// Tag is a session tag.
type Tag = stscreds.Tag

// Validate checks r as botocore's parameter validation checks
// sts.assume_role with these arguments (the STS model's minimum lengths
// and values), the upper bound STS puts on DurationSeconds (43200), and the
// form of the ARN. The error names the parameter.
func (r Role) Validate() error {
	if !strings.HasPrefix(r.ARN, "arn:") || strings.Count(r.ARN, ":") < 5 {
		return creds.Errorf(botomodel.KindParamValidation, "Parameter validation failed:\nInvalid RoleArn %q: expected arn:PARTITION:iam::ACCOUNT:role/NAME", r.ARN)
	}
	if r.Duration > 43200 {
		return creds.Errorf(botomodel.KindParamValidation, "Parameter validation failed:\nInvalid value for parameter DurationSeconds, value: %d, valid max value: 43200", r.Duration)
	}
	session := r.SessionName
	if session == "" {
		session = "botocore-session-0" // the default, always valid
	}
	args := []botomodel.Arg{{Name: "RoleArn", Value: r.ARN}, {Name: "RoleSessionName", Value: session}}
	if r.ExternalID != "" {
		args = append(args, botomodel.Arg{Name: "ExternalId", Value: r.ExternalID})
	}
	if r.MFASerial != "" {
		args = append(args, botomodel.Arg{Name: "SerialNumber", Value: r.MFASerial})
	}
	if r.Duration != 0 {
		args = append(args, botomodel.Arg{Name: "DurationSeconds", Value: int64(r.Duration)})
	}
	if err := botomodel.Check("sts.AssumeRole", args...); err != nil {
		return err
	}
	return r.Scope.Validate()
}

// AssumeRoles returns a provider that assumes roles in order: the first with
// the session's own credentials, each next one with the previous role's.
// Each role is validated here (Role.Validate), not at the first call.
// Results go to the session's cache (WithCache), so a file cache shares
// them with the AWS CLI. awsv2.FromProvider hands the provider to
// aws-sdk-go-v2.
func (s *Session) AssumeRoles(roles ...Role) (creds.Provider, error) {
	for i, r := range roles {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("role %d (%s): %w", i+1, r.ARN, err)
		}
	}
	res := s.newResolution()
	if err := res.construct(); err != nil {
		return nil, err
	}
	// Empty fields are not set (unlike a profile's keys, which count when
	// present).
	opt := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	var source creds.Provider = creds.Func(s.Credentials, "session")
	for _, r := range roles {
		a := &stscreds.AssumeRole{Profile: "(command line)", RoleARN: r.ARN, SessionName: r.SessionName,
			ExternalID: opt(r.ExternalID), MFASerial: opt(r.MFASerial), Scope: r.Scope, Source: source,
			Client: res.stsClient(), Cache: s.opts.cache, TokenCode: s.opts.mfaCode(), Now: s.opts.now, Warn: s.opts.warn}
		if r.Duration != 0 {
			d := int64(r.Duration)
			a.Duration = &d
		}
		source = a
	}
	return source, nil
}

// STSOptions returns the STS region and endpoint botocore would use for this
// session's profile.
func (s *Session) STSOptions() (stscreds.ClientOptions, error) {
	r := s.newResolution()
	if err := r.construct(); err != nil {
		return stscreds.ClientOptions{}, err
	}
	o, missing, err := r.stsClientOptions()
	if err == nil && missing {
		err = errNoRegion()
	}
	return o, err
}

// EndpointURL returns the endpoint configured for a service (its botocore
// service id, lower case: "iam") for this session's profile, as botocore
// reads it: AWS_ENDPOINT_URL_<ID>, AWS_ENDPOINT_URL, the profile's
// [services] block, endpoint_url; "" for the service's default endpoint.
// An empty serviceID gives the global one (AWS_ENDPOINT_URL, endpoint_url).
// ignore_configured_endpoint_urls makes it "".
func (s *Session) EndpointURL(serviceID string) (string, error) {
	r := s.newResolution()
	if err := r.construct(); err != nil {
		return "", err
	}
	return r.endpointURL(strings.ToUpper(strings.ReplaceAll(serviceID, " ", "_")), strings.ReplaceAll(serviceID, " ", "_"))
}

// RetrySettings returns the retry mode ("legacy", "standard" or
// "adaptive") and total attempts botocore uses for this session's profile:
// AWS_MAX_ATTEMPTS or max_attempts (0: the mode's default, 5 for legacy and
// 3 for the others), AWS_RETRY_MODE or retry_mode (legacy by default). An
// invalid value is botocore's error.
func (s *Session) RetrySettings() (mode string, maxAttempts int, err error) {
	r := s.newResolution()
	if err := r.construct(); err != nil {
		return "", 0, err
	}
	retry, err := r.retry()
	if err != nil {
		return "", 0, err
	}
	mode = retry.Mode
	if mode == "" {
		mode = awshttp.RetryLegacy
	}
	return mode, retry.MaxAttempts, nil
}
