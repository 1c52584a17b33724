//go:build !credchain_front

package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/agent"
	"github.com/credchain/credchain/stscreds"
)

// consolePolicy lets the federated session do what the user may: a
// session's permissions are the user's intersected with it.
const consolePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// federationToken turns an IAM user's long-term keys into a federated
// session for the console, named after the user.
func federationToken(ctx context.Context, s *credchain.Session, c creds.Credentials) (creds.Credentials, error) {
	opts, err := s.STSOptions()
	if err != nil {
		return creds.Credentials{}, err
	}
	id, err := stscreds.CallerIdentity(ctx, opts, c)
	if err != nil {
		return creds.Credentials{}, err
	}
	arn := aws.ToString(id.Arn)
	if !strings.Contains(arn, ":user/") {
		return creds.Credentials{}, fmt.Errorf("console sign-in from long-term keys needs an IAM user's; %s is not one", arn)
	}
	name := agent.Person(arn)
	if len(name) > 32 {
		name = name[:32]
	}
	return stscreds.FederationToken(ctx, opts, c, name, consolePolicy, 43200)
}
