//go:build !credchain_front

package credchain

import (
	"github.com/credchain/credchain/logincreds"
	"github.com/credchain/credchain/ssocreds"
	"github.com/credchain/credchain/stscreds"
)

// awsClients are the AWS clients of the sources: aws-sdk-go-v2's.
var awsClients = clients{
	role:        stscreds.RoleClient,
	webIdentity: stscreds.WebIdentityClient,
	sso:         ssocreds.NewClient,
	login:       logincreds.NewClient,
}
