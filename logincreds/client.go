//go:build !credchain_front

// The Sign-In client: aws-sdk-go-v2's. The front build of the CLI
// (credchain_front) leaves it out, with the sign-in flow that uses it.

package logincreds

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/signin"
	"github.com/aws/aws-sdk-go-v2/service/signin/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/credchain/credchain/internal/awshttp"
)

// NewClient returns the SDK's Sign-In client for o.
func NewClient(o ClientOptions) API {
	return sdkClient{newClient(o.Region, o.Endpoint, o.HTTPClient, o.Key, o.Now)}
}

type sdkClient struct{ c *signin.Client }

func (s sdkClient) RefreshToken(ctx context.Context, clientID, refreshToken string) (Token, error) {
	out, err := s.c.CreateOAuth2Token(ctx, &signin.CreateOAuth2TokenInput{TokenInput: &types.CreateOAuth2TokenRequestBody{
		ClientId: aws.String(clientID), RefreshToken: aws.String(refreshToken), GrantType: aws.String("refresh_token")}})
	if err != nil {
		return Token{}, denied(err)
	}
	var t Token
	if o := out.TokenOutput; o != nil {
		t = Token{RefreshToken: o.RefreshToken, ExpiresIn: o.ExpiresIn}
		if a := o.AccessToken; a != nil {
			t.HasKeys, t.AccessKeyID, t.SecretAccessKey, t.SessionToken = true, a.AccessKeyId, a.SecretAccessKey, a.SessionToken
		}
	}
	return t, nil
}

// denied turns Sign-In's AccessDeniedException into a DeniedError.
func denied(err error) error {
	var ad *types.AccessDeniedException
	if errors.As(err, &ad) {
		return &DeniedError{Code: string(ad.Error_), Err: err}
	}
	return err
}

// newClient is an AWS Sign-In client that proves possession of key (DPoP)
// on every request.
func newClient(region, endpoint string, hc *http.Client, key *ecdsa.PrivateKey, now func() time.Time) *signin.Client {
	opts := signin.Options{Region: region, Credentials: aws.AnonymousCredentials{},
		APIOptions: []func(*middleware.Stack) error{dpopMiddleware(key, now)}}
	// A concrete client only: a nil *http.Client in the interface field
	// would not be replaced by the SDK's default.
	if hc != nil {
		opts.HTTPClient = hc
	} else {
		opts.HTTPClient = awshttp.Client()
	}
	if endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	return signin.New(opts)
}

// dpopMiddleware adds the DPoP header for the final request URL.
func dpopMiddleware(key *ecdsa.PrivateKey, now func() time.Time) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("credchainDPoP",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					proof, err := DPoP(key, req.URL.String(), now(), uuid4())
					if err != nil {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, err
					}
					req.Header.Set("DPoP", proof)
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
}
