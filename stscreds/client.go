package stscreds

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/awshttp"
)

// ClientOptions say where STS is.
type ClientOptions struct {
	// Region is the signing and endpoint region; empty means botocore's
	// "aws-global": https://sts.amazonaws.com, signed for us-east-1.
	Region string
	// Endpoint overrides the endpoint (AWS_ENDPOINT_URL_STS and friends).
	Endpoint string
	// Retry is botocore's retry configuration (legacy, 5 attempts, when
	// zero).
	Retry awshttp.Retry
	// HTTPClient defaults to awshttp.Client(): a timeout, no redirects
	// followed, bodies bounded.
	HTTPClient *http.Client
}

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
