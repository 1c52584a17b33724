//go:build credchain_front

package credchain

import (
	"context"
	"fmt"

	"github.com/credchain/credchain/creds"
)

// The CLI's front build (credchain_front) links no AWS client, so that the
// commands that never call AWS start without the SDK's service packages:
// its sources return what the caches hold, and anything more fails with
// creds.ErrNoClient before it has any effect. The CLI then runs the command
// again in its full build.
var awsClients clients

// SSOLogin needs the SSO OIDC client: in the front build it fails with
// creds.ErrNoClient.
func (s *Session) SSOLogin(context.Context, string, SSOLoginOptions) (string, error) {
	return "", fmt.Errorf("SSO sign-in: %w", creds.ErrNoClient)
}

// LoginSignIn needs the Sign-In client: in the front build it fails with
// creds.ErrNoClient.
func (s *Session) LoginSignIn(context.Context, SSOLoginOptions) (string, error) {
	return "", fmt.Errorf("AWS sign-in: %w", creds.ErrNoClient)
}
