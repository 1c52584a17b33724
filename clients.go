package credchain

import (
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/logincreds"
	"github.com/credchain/credchain/ssocreds"
	"github.com/credchain/credchain/stscreds"
)

// clients makes the AWS clients the sources call: set in clients.go (the
// SDK's); all nil in the CLI's front build (clients_front.go), where the
// sources return cached credentials or creds.ErrNoClient.
type clients struct {
	role        func(stscreds.ClientOptions, creds.Credentials) stscreds.AssumeRoleAPI
	webIdentity func(stscreds.ClientOptions) stscreds.WebIdentityAPI
	sso         func(ssocreds.ClientOptions) ssocreds.API
	login       func(logincreds.ClientOptions) logincreds.API
}
