//go:build credchain_front

package signin

import (
	"context"
	"fmt"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/creds"
)

// The CLI's front build links no AWS client: a sign-in fails with
// creds.ErrNoClient, and the CLI runs the command again in its full build.

// SSO needs the SSO OIDC client.
func SSO(context.Context, *credchain.Session, string, Options) (string, error) {
	return "", fmt.Errorf("SSO sign-in: %w", creds.ErrNoClient)
}

// Login needs the Sign-In client.
func Login(context.Context, *credchain.Session, Options) (string, error) {
	return "", fmt.Errorf("AWS sign-in: %w", creds.ErrNoClient)
}
