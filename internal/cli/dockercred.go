//go:build !credchain_front

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/dockercred"
	"github.com/spf13/cobra"
)

// registryProfile is the profile docker.json (CREDCHAIN_DOCKER_FILE, else
// docker.json in credchain's folder of the user's config directory) maps
// the registry to: {"123456789012.dkr.ecr.eu-west-1.amazonaws.com": "prod"}.
func registryProfile(e *env, registry string) (string, error) {
	path, ok := e.lookup("CREDCHAIN_DOCKER_FILE")
	if !ok || path == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", nil
		}
		path = filepath.Join(dir, "credchain", "docker.json")
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return "", fmt.Errorf("%s: %w (a JSON object of registry hosts to profiles)", path, err)
	}
	return m[registry], nil
}

func newDockerCredentialCmd(e *env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "docker-credential get|list|store|erase",
		Short: "Docker's credential helper for ECR (also run as docker-credential-credchain): the profile's credentials make the registry's token",
		Long: `Docker runs it as docker-credential-credchain (a link to credchain) for the registries
~/.docker/config.json gives it: "credHelpers": {"123456789012.dkr.ecr.eu-west-1.amazonaws.com": "credchain"}.
get reads the registry on stdin and prints its user and token: ECR's GetAuthorizationToken
with the profile docker.json maps the registry to (CREDCHAIN_DOCKER_FILE, else docker.json in
credchain's config folder: {"HOST": "PROFILE"}), else the one AWS_PROFILE names (boto3's chain
otherwise, SSO included), cached until the
token expires; list prints the registries holding a token. store and erase are refused:
ECR tokens are made on demand, not stored.`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"get", "list", "store", "erase"},
		RunE: func(cmd *cobra.Command, args []string) error {
			var server []byte
			if args[0] == "get" {
				var err error
				if server, err = io.ReadAll(io.LimitReader(e.stdin, 4096)); err != nil {
					return err
				}
				// A registry mapped to a profile in credchain's docker.json.
				if profile, err := registryProfile(e, strings.TrimSpace(string(server))); err != nil {
					return err
				} else if profile != "" && !g.profileSet {
					g.profile, g.profileSet = profile, true
				}
			}
			s := g.session(e)
			h := &dockercred.Helper{Creds: s.Credentials, Endpoint: func(string) (string, error) { return s.EndpointURL("ecr") },
				CacheDir: filepath.Join(awsconfig.ExpandUser("~", e.lookup), ".aws", "cli", "credchain-ecr-cache")}
			switch args[0] {
			case "get":
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
