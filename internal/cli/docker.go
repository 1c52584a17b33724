//go:build !credchain_front

package cli

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/credchain/credchain/internal/containers"
	"github.com/credchain/credchain/internal/selfbin"
	"github.com/spf13/cobra"
)

type dockerOptions struct {
	socketDir string
	binary    string
	services  []string
	image     string
	route     string
	out       string
}

func newDockerCmd(e *env, g *globals) *cobra.Command {
	o := &dockerOptions{}
	cmd := &cobra.Command{Use: "docker", Short: "Give containers the host's credentials: a compose override or a dev container Feature for serve --socket and bridge"}
	persistent := cmd.PersistentFlags()
	persistent.StringVar(&o.socketDir, "socket-dir", "", "the host folder of the socket (credchain serve PROFILE --socket DIR/credchain.sock)")
	persistent.StringVar(&o.binary, "binary", "", "the static credchain binary to mount (default: this one)")
	binary := func() (string, error) {
		if o.binary != "" {
			return filepath.Abs(o.binary)
		}
		return selfbin.Self()
	}
	override := &cobra.Command{
		Use:   "compose-override --socket-dir DIR --service NAME... [--route-profile NAME] [--image IMAGE]",
		Short: "Print a compose override: the socket folder and the binary mounted, a bridge sidecar in each service's network namespace, the variables",
		Example: `  credchain docker compose-override --socket-dir ~/.credchain-run --service app > compose.credchain.yaml
  docker compose -f compose.yaml -f compose.credchain.yaml up`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.socketDir == "" {
				return usageError{errors.New("--socket-dir DIR: the folder of the host's socket")}
			}
			dir, err := filepath.Abs(o.socketDir)
			if err != nil {
				return err
			}
			bin, err := binary()
			if err != nil {
				return err
			}
			region := g.region
			c, err := containers.ComposeOverride(containers.Options{SocketDir: dir, BinaryPath: bin, Services: o.services, Profile: o.route, Image: o.image, Region: region})
			if err != nil {
				return usageError{err}
			}
			out, err := c.YAML()
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(out)
			return err
		},
	}
	override.Flags().StringSliceVar(&o.services, "service", nil, "a compose service that gets credentials (repeatable)")
	override.Flags().StringVar(&o.image, "image", "busybox:stable", "the image the bridge sidecar runs in (the binary is mounted into it)")
	override.Flags().StringVar(&o.route, "route-profile", "", "a profile the host serves with --allow")
	g.regionFlag(override)
	feature := &cobra.Command{
		Use:   "feature --socket-dir DIR --out DIR",
		Short: "Write a dev container Feature (devcontainer-feature.json, install.sh, entrypoint.sh and the binary) that starts the bridge",
		Example: `  credchain docker feature --socket-dir '${localEnv:HOME}/.credchain-run' --out .devcontainer/credchain
  # devcontainer.json: "features": {"./credchain": {}}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.socketDir == "" || o.out == "" {
				return usageError{errors.New("--socket-dir DIR (the host's socket folder; ${localEnv:HOME}/... works) and --out DIR are needed")}
			}
			bin, err := binary()
			if err != nil {
				return err
			}
			if err := containers.DevContainerFeature(o.socketDir).Write(o.out, bin); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "credchain: wrote the Feature to %s; add \"./%s\": {} to the features of devcontainer.json\n", o.out, filepath.Base(o.out))
			return nil
		},
	}
	feature.Flags().StringVar(&o.out, "out", "", "the Feature's folder (next to devcontainer.json)")
	cmd.AddCommand(override, feature)
	return cmd
}
