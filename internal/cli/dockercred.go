//go:build !credchain_front

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/dockercred"
	"github.com/spf13/cobra"
)

func newDockerCredentialCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "docker-credential get|list|store|erase",
		Short: "Docker's credential helper for ECR (also run as docker-credential-credchain): the profile's credentials make the registry's token",
		Long: `Docker runs it as docker-credential-credchain (a link to credchain) for the registries
~/.docker/config.json gives it: "credHelpers": {"123456789012.dkr.ecr.eu-west-1.amazonaws.com": "credchain"}.
get reads the registry on stdin and prints its user and token: ECR's GetAuthorizationToken
with the profile AWS_PROFILE names (boto3's chain otherwise, SSO included), cached until the
token expires; list prints the registries holding a token. store and erase are refused:
ECR tokens are made on demand, not stored.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"get", "list", "store", "erase"},
		RunE: func(cmd *cobra.Command, args []string) error {
			s := g.session(e)
			h := &dockercred.Helper{Creds: s.Credentials, Endpoint: func(string) (string, error) { return s.EndpointURL("ecr") },
				CacheDir: filepath.Join(awsconfig.ExpandUser("~", e.lookup), ".aws", "cli", "credchain-ecr-cache")}
			switch args[0] {
			case "get":
				server, err := io.ReadAll(io.LimitReader(e.stdin, 4096))
				if err != nil {
					return err
				}
				c, err := h.Get(cmd.Context(), string(server))
				if err != nil {
					return err
				}
				return json.NewEncoder(e.stdout).Encode(c)
			case "list":
				m, err := h.List()
				if err != nil {
					return err
				}
				return json.NewEncoder(e.stdout).Encode(m)
			case "store", "erase":
				io.Copy(io.Discard, io.LimitReader(e.stdin, 1<<16)) //nolint:errcheck // drained, not kept
				return fmt.Errorf("credchain does not %s registry credentials: ECR tokens are made on demand from your AWS profile (docker logout is not needed)", args[0])
			}
			return usageError{fmt.Errorf("unknown action %q: get, list, store or erase", args[0])}
		},
	}
}
