//go:build credchain_front

package cli

import (
	"context"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/creds"
)

// federationToken calls STS: the full build does.
func federationToken(context.Context, *credchain.Session, creds.Credentials) (creds.Credentials, error) {
	return creds.Credentials{}, errFullBuild
}
