//go:build !credchain_front

package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/server"

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
	binary := o.binaryPath
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
	run := &cobra.Command{
		Use:   "run [PROFILE] [--image IMAGE] -- docker run ARGS...",
		Short: "Run a container with the profile's refreshing credentials (served on a socket, bridged inside by a sidecar)",
		Example: `  credchain docker run dev -- docker run --rm amazon/aws-cli sts get-caller-identity
  credchain docker run dev -- podman run --rm python:3 python -c 'import boto3'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			profile, argv, err := splitArgs(cmd, args)
			if err != nil {
				return err
			}
			if len(argv) < 2 || argv[1] != "run" {
				return usageError{errors.New("give the engine's run command after --: credchain docker run [PROFILE] -- docker run ARGS...")}
			}
			if err := g.profileArg(profile); err != nil {
				return err
			}
			bin, err := binary()
			if err != nil {
				return err
			}
			return dockerRun(cmd.Context(), e, g, argv, bin, o.image)
		},
	}
	run.Flags().StringVar(&o.image, "image", "busybox:stable", "the image the bridge sidecar runs in (the binary is mounted into it)")
	cmd.AddCommand(override, feature, run)
	return cmd
}

// binaryPath is the static binary to mount: --binary, else this one.
func (o *dockerOptions) binaryPath() (string, error) {
	if o.binary != "" {
		return filepath.Abs(o.binary)
	}
	return selfbin.Self()
}

// dockerRun serves the profile on a socket in a fresh 0700 folder for the
// run, adds the mount and the variables to the engine's run command (and a
// name, when it has none), starts a bridge sidecar in the container's
// network namespace once the container exists, and removes the sidecar
// when the container ends. The exit status is the container's.
func dockerRun(ctx context.Context, e *env, g *globals, argv []string, bin, image string) error {
	s := g.session(e)
	first, err := s.Credentials(ctx)
	if err != nil {
		return err
	}
	keeper := &creds.Background{Provider: creds.Func(s.Credentials, first.Method)}
	keeper.Hold(first)
	srv, err := server.New(server.Container, keeper)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "credchain-docker-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	if err := srv.ListenUnix(filepath.Join(dir, "credchain.sock")); err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go srv.Serve(sctx) //nolint:errcheck // ends with the run
	name := ""
	for i, a := range argv {
		if a == "--name" && i+1 < len(argv) {
			name = argv[i+1]
		} else if v, ok := strings.CutPrefix(a, "--name="); ok {
			name = v
		}
	}
	extra := []string{"-v", dir + ":" + containers.RunDir + ":ro"}
	if name == "" {
		id := make([]byte, 4)
		_, _ = rand.Read(id)
		name = "credchain-" + hex.EncodeToString(id)
		extra = append(extra, "--name", name)
	}
	region, _, _ := s.Region()
	env := (containers.Options{Region: region}).Env()
	for _, k := range slices.Sorted(maps.Keys(env)) {
		extra = append(extra, "-e", k+"="+env[k])
	}
	engine := argv[0]
	app := append(append([]string{argv[0], "run"}, extra...), argv[2:]...)
	path, err := lookCommand(e, app)
	if err != nil {
		return err
	}
	sidecar := name + "-credchain-bridge"
	go func() {
		// The sidecar joins the container's network namespace once the
		// container exists.
		for i := 0; i < 600; i++ {
			if exec.CommandContext(sctx, engine, "inspect", "--type", "container", name).Run() == nil {
				break
			}
			select {
			case <-sctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
		out, err := exec.CommandContext(sctx, engine, "run", "-d", "--rm", "--name", sidecar, "--network", "container:"+name,
			"-v", dir+":"+containers.RunDir+":ro", "-v", bin+":"+containers.Binary+":ro", image,
			containers.Binary, "bridge", "--socket", containers.RunDir+"/credchain.sock", "--listen", "127.0.0.1:"+strconv.Itoa(containers.BridgePort)).CombinedOutput()
		if err != nil {
			fmt.Fprintf(e.stderr, "credchain: the bridge sidecar did not start: %v %s\n", err, bytes.TrimSpace(out))
		}
	}()
	fmt.Fprintf(e.stderr, "credchain: serving %s to container %s through a bridge sidecar\n", first.Method, name)
	err = runWith(e, path, app, os.Environ())
	_ = exec.Command(engine, "rm", "-f", sidecar).Run()
	return err
}
