//go:build !credchain_front

// The SSO portal and SSO OIDC clients: aws-sdk-go-v2's. The front build of
// the CLI (credchain_front) leaves them out, with the sign-in and sign-out
// flows that use them.

package ssocreds

import (
	"context"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sso"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/awshttp"
)

// NewClient returns the SDK's SSO portal and SSO OIDC clients for o.
func NewClient(o ClientOptions) API {
	return sdkClient{o}
}

type sdkClient struct{ o ClientOptions }

func (s sdkClient) GetRoleCredentials(ctx context.Context, roleName, accountID, accessToken string) (RoleCredentials, error) {
	out, err := NewPortalClient(s.o.Region, s.o.Endpoint, s.o.Retry, s.o.HTTPClient).GetRoleCredentials(ctx, &sso.GetRoleCredentialsInput{
		RoleName: aws.String(roleName), AccountId: aws.String(accountID), AccessToken: aws.String(accessToken)})
	if err != nil {
		return RoleCredentials{}, err
	}
	var rc RoleCredentials
	if c := out.RoleCredentials; c != nil {
		rc = RoleCredentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: c.Expiration}
	}
	return rc, nil
}

func (s sdkClient) RefreshToken(ctx context.Context, clientID, clientSecret, refreshToken string) (RefreshedToken, error) {
	opts := ssooidc.Options{Region: s.o.Region, HTTPClient: s.o.HTTPClient, Credentials: aws.AnonymousCredentials{}}
	if opts.HTTPClient == nil {
		opts.HTTPClient = awshttp.Client()
	}
	if s.o.OIDCEndpoint != "" {
		opts.BaseEndpoint = aws.String(s.o.OIDCEndpoint)
	}
	out, err := ssooidc.New(opts).CreateToken(ctx, &ssooidc.CreateTokenInput{
		GrantType: aws.String("refresh_token"), ClientId: aws.String(clientID), ClientSecret: aws.String(clientSecret), RefreshToken: aws.String(refreshToken)})
	if err != nil {
		return RefreshedToken{}, err
	}
	return RefreshedToken{AccessToken: out.AccessToken, RefreshToken: out.RefreshToken, ExpiresIn: out.ExpiresIn}, nil
}

// NewPortalClient returns a client of the SSO portal in region (sso_region),
// or at endpoint; anonymous (the access token travels in each call).
func NewPortalClient(region, endpoint string, retry awsconfig.Retry, hc *http.Client) *sso.Client {
	if hc == nil {
		hc = awshttp.Client()
	}
	opts := sso.Options{Region: region, HTTPClient: hc, Credentials: aws.AnonymousCredentials{}, Retryer: awshttp.Retryer(retry, "sso")}
	if endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	return sso.New(opts)
}
