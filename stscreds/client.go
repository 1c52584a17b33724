//go:build !credchain_front

// The STS clients: aws-sdk-go-v2's. The front build of the CLI
// (credchain_front) leaves them out, so that the commands that never call
// AWS start without the SDK's service packages; its role sources then return
// cached credentials or creds.ErrNoClient.

package stscreds

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"context"
	"github.com/credchain/credchain/cache"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/awshttp"
)

func (o ClientOptions) options(c aws.CredentialsProvider) sts.Options {
	opts := sts.Options{Region: o.Region, Credentials: c, APIOptions: []func(*middleware.Stack) error{normalizeErrors},
		Retryer: awshttp.Retryer(o.Retry, "sts")}
	// Assign a concrete client only: a nil *http.Client in the interface
	// field would not be replaced by the SDK's default.
	if o.HTTPClient != nil {
		opts.HTTPClient = o.HTTPClient
	} else {
		opts.HTTPClient = awshttp.Client()
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
		if o.Endpoint == "" {
			opts.BaseEndpoint = aws.String("https://sts.amazonaws.com")
		}
	}
	if o.Endpoint != "" {
		opts.BaseEndpoint = aws.String(o.Endpoint)
	}
	return opts
}

// NewClient returns an STS client signing with c. Throttling and transient
// errors are retried with backoff by the SDK's standard retryer.
func NewClient(o ClientOptions, c creds.Credentials) *sts.Client {
	static := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Source: "credchain"}
	return sts.New(o.options(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return static, nil })))
}

// CallerIdentity calls GetCallerIdentity signed with c and checks that the
// answer is one: an endpoint that answers 200 with something else (a
// proxy's page, a wrong AWS_ENDPOINT_URL_STS) is an error, not an empty
// identity.
func CallerIdentity(ctx context.Context, o ClientOptions, c creds.Credentials) (*sts.GetCallerIdentityOutput, error) {
	out, err := NewClient(o, c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, err
	}
	if aws.ToString(out.Arn) == "" || aws.ToString(out.Account) == "" {
		return nil, ErrNotAnIdentity
	}
	return out, nil
}

// RoleClient returns the AssumeRole client of the assume-role source,
// signing with c.
func RoleClient(o ClientOptions, c creds.Credentials) AssumeRoleAPI {
	return sdkClient{NewClient(o, c)}
}

// WebIdentityClient returns the unsigned AssumeRoleWithWebIdentity client of
// the web identity source.
func WebIdentityClient(o ClientOptions) WebIdentityAPI {
	return sdkClient{NewUnsignedClient(o)}
}

// sdkClient makes the calls of the role sources with an SDK client.
type sdkClient struct{ c *sts.Client }

func (s sdkClient) AssumeRole(ctx context.Context, in AssumeRoleInput) (Result, error) {
	out, err := s.c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(in.RoleARN), RoleSessionName: aws.String(in.RoleSessionName),
		ExternalId: in.ExternalID, DurationSeconds: in.DurationSeconds, SerialNumber: in.SerialNumber, TokenCode: in.TokenCode,
		Policy: in.Policy, PolicyArns: policyARNs(in.PolicyARNs), Tags: tags(in.Tags), TransitiveTagKeys: in.TransitiveTagKeys, SourceIdentity: in.SourceIdentity})
	if err != nil {
		return Result{}, err
	}
	return result(out.Credentials, out.AssumedRoleUser), nil
}

func (s sdkClient) AssumeRoleWithWebIdentity(ctx context.Context, in WebIdentityInput) (Result, error) {
	out, err := s.c.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(in.RoleARN),
		RoleSessionName: aws.String(in.RoleSessionName), WebIdentityToken: aws.String(in.WebIdentityToken)})
	if err != nil {
		return Result{}, err
	}
	return result(out.Credentials, out.AssumedRoleUser), nil
}

func result(c *types.Credentials, user *types.AssumedRoleUser) Result {
	var r Result
	if c != nil {
		r.AccessKeyID, r.SecretAccessKey, r.SessionToken, r.Expiration = c.AccessKeyId, c.SecretAccessKey, c.SessionToken, c.Expiration
	}
	if user != nil {
		r.AssumedRoleARN, r.AssumedRoleID = user.Arn, user.AssumedRoleId
	}
	return r
}

// NewUnsignedClient returns an STS client that sends no signature, for
// AssumeRoleWithWebIdentity.
func NewUnsignedClient(o ClientOptions) *sts.Client {
	return sts.New(o.options(aws.AnonymousCredentials{}))
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// normalizeErrors rewrites an error body of the form
// <ErrorResponse><Errors><Error>...</Error></Errors></ErrorResponse> (sent by
// some STS emulators and proxies, and accepted by botocore) into the
// standard <ErrorResponse><Error>...</Error></ErrorResponse>, so that the
// error code reaches the user instead of "UnknownError". Error bodies are
// read up to maxErrorBody.
func normalizeErrors(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("credchainNormalizeErrors",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			resp, ok := out.RawResponse.(*smithyhttp.Response)
			if err != nil || !ok || resp.StatusCode < 300 || resp.Body == nil {
				return out, md, err
			}
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
			if rerr != nil {
				return out, md, rerr
			}
			body = bytes.Replace(body, []byte("<Errors><Error>"), []byte("<Error>"), 1)
			body = bytes.Replace(body, []byte("</Error></Errors>"), []byte("</Error>"), 1)
			resp.Body = io.NopCloser(bytes.NewReader(body))
			return out, md, nil
		}), middleware.After)
}

func policyARNs(arns []string) []types.PolicyDescriptorType {
	var out []types.PolicyDescriptorType
	for _, a := range arns {
		out = append(out, types.PolicyDescriptorType{Arn: aws.String(a)})
	}
	return out
}

func tags(ts []Tag) []types.Tag {
	var out []types.Tag
	for _, t := range ts {
		out = append(out, types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)})
	}
	return out
}

// FederationToken calls GetFederationToken signed with c, long-term IAM
// user keys: a federated session named name (at most 32 characters of
// [\w+=,.@-]), limited by policy, lasting duration seconds. The console
// takes its credentials where it takes no IAM user's.
func FederationToken(ctx context.Context, o ClientOptions, c creds.Credentials, name, policy string, duration int32) (creds.Credentials, error) {
	out, err := NewClient(o, c).GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String(name), Policy: aws.String(policy),
		DurationSeconds: aws.Int32(duration)})
	if err != nil {
		return creds.Credentials{}, apiError("GetFederationToken", err)
	}
	k := out.Credentials
	if k == nil || k.AccessKeyId == nil || k.SecretAccessKey == nil || k.SessionToken == nil {
		return creds.Credentials{}, creds.Errorf(creds.KindCredentialRetrieval, "GetFederationToken answered without credentials")
	}
	r := creds.Credentials{AccessKeyID: *k.AccessKeyId, SecretAccessKey: *k.SecretAccessKey, SessionToken: *k.SessionToken, Method: "federation-token"}
	if k.Expiration != nil {
		r.Expires = *k.Expiration
	}
	return r, nil
}

// SAML assumes roleARN with a SAML assertion (base64, as an IdP posts it)
// through AssumeRoleWithSAML, unsigned as botocore sends it; the result is
// cached under a key of the role, the principal and the assertion's hash.
func SAML(ctx context.Context, o ClientOptions, c cache.Cache, roleARN, principalARN, assertion string, duration int32, now time.Time) (creds.Credentials, error) {
	where := "AssumeRoleWithSAML " + roleARN
	sum := sha256.Sum256([]byte(assertion))
	key, err := cache.Key(map[string]any{"RoleArn": roleARN, "PrincipalArn": principalARN, "SAMLAssertionSHA256": hex.EncodeToString(sum[:])})
	if err != nil {
		return creds.Credentials{}, err
	}
	if cached, ok := fromCache(c, key, now, "assume-role-with-saml", where+" (cached)"); ok {
		return cached, nil
	}
	in := &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(roleARN), PrincipalArn: aws.String(principalARN), SAMLAssertion: aws.String(assertion)}
	if duration != 0 {
		in.DurationSeconds = aws.Int32(duration)
	}
	out, err := NewUnsignedClient(o).AssumeRoleWithSAML(ctx, in)
	if err != nil {
		return creds.Credentials{}, apiError(where, err)
	}
	r, err := save(where, c, key, result(out.Credentials, out.AssumedRoleUser), nil)
	if err != nil {
		return creds.Credentials{}, err
	}
	r.Method, r.Source = "assume-role-with-saml", where
	return r, nil
}
