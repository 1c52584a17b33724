package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"

	"github.com/credchain/credchain/internal/bridge"
	"github.com/credchain/credchain/internal/proc"
	"github.com/credchain/credchain/internal/selfbin"
	"github.com/credchain/credchain/server"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

// bridgePIDVar names the detached bridge's process.
const bridgePIDVar = "CREDCHAIN_BRIDGE_PID"

type bridgeOptions struct {
	server     string
	serverHost string
	tokenFile  string
	socket     string
	listen     string
	profile    string
	format     string
	detach     bool
	childFD    int
}

func newBridgeCmd(e *env) *cobra.Command {
	o := &bridgeOptions{}
	cmd := &cobra.Command{
		Use:   "bridge --socket PATH [--listen 127.0.0.1:0] [--route-profile NAME] [--detach] [--format env|fish|powershell]",
		Short: "Inside a container: offer the host's credchain server (on a unix socket) on this namespace's loopback",
		Example: `  eval "$(credchain bridge --socket /run/credchain/credchain.sock --detach)"
  python3 -c 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'`,
		Long: `Runs where the container's processes run (its network namespace has only its own
loopback), listens there and forwards each credentials request to the host's server on
the socket it was given (credchain serve PROFILE --socket PATH on the host, the socket's
folder mounted). It prints the variables for the app: AWS_CONTAINER_CREDENTIALS_FULL_URI
(loopback, which botocore, the AWS CLI and the SDKs accept),
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (the mounted token file) and, for SDKs that
predate it, AWS_CONTAINER_AUTHORIZATION_TOKEN. --route-profile NAME serves the profile the
host allowed with serve --allow. The static front binary is all the container needs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (o.socket == "") == (o.server == "") {
				return usageError{errors.New("give --socket PATH (the host server's socket, credchain serve PROFILE --socket PATH) or, where a socket cannot cross into the container (Docker Desktop's VM), --server http://host.docker.internal:PORT/credentials with --token-file")}
			}
			if o.server != "" && o.tokenFile == "" {
				return usageError{errors.New("--server needs --token-file: the host server's token (serve prints it as AWS_CONTAINER_AUTHORIZATION_TOKEN), in a file given to the container")}
			}
			if o.format != "env" && o.format != "fish" && o.format != "powershell" {
				return usageError{fmt.Errorf("invalid --format %q (env, fish or powershell)", o.format)}
			}
			var inherited net.Listener
			var err error
			if o.childFD > 0 {
				ln, err := net.FileListener(os.NewFile(uintptr(o.childFD), "bridge-listener"))
				if err != nil {
					return err
				}
				inherited = ln
			}
			var b *bridge.Bridge
			if o.server != "" {
				b, err = bridge.ListenTCP(o.server, o.serverHost, o.listen, inherited)
			} else {
				b, err = bridge.Listen(o.socket, o.listen, inherited)
			}
			if err != nil {
				return usageError{err}
			}
			if inherited != nil {
				ctx, stop := signal.NotifyContext(cmd.Context(), proc.Stop...)
				defer stop()
				return b.Serve(ctx)
			}
			tokenFile, via := server.TokenFile(o.socket), "the socket "+o.socket
			route := server.ContainerPath
			if o.server != "" {
				tokenFile, via = o.tokenFile, "the host server at "+b.Server.Host+" over TCP (no socket crosses into this VM)"
				if b.Server.Path != "" && b.Server.Path != "/" {
					route = b.Server.Path
				}
			}
			token, err := os.ReadFile(tokenFile)
			if err != nil {
				return fmt.Errorf("the server's token: %w", err)
			}
			if o.profile != "" {
				route = server.ProfilePath + o.profile
			}
			var change shellenv.Env
			for _, n := range serverCleared {
				change.Unsetenv(n)
			}
			change.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", b.URL(route))
			change.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile)
			change.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", strings.TrimSpace(string(token)))
			if !o.detach {
				out, err := shellenv.Render(o.format, change)
				if err != nil {
					return err
				}
				if _, err := e.stdout.Write(out); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "credchain: bridge on %s to %s; Ctrl-C to stop\n", b.Addr(), via)
				ctx, stop := signal.NotifyContext(cmd.Context(), proc.Stop...)
				defer stop()
				return b.Serve(ctx)
			}
			// Detached: a child serves the listener bound here, so the
			// address printed answers as soon as this command returns.
			f, err := b.Listener().(*net.TCPListener).File()
			if err != nil {
				return err
			}
			self, err := selfbin.Self()
			if err != nil {
				return err
			}
			childArgs := []string{"bridge", "--listen-fd", "3"}
			if o.server != "" {
				childArgs = append(childArgs, "--server", o.server, "--server-host", b.ServerHost, "--token-file", o.tokenFile)
			} else {
				childArgs = append(childArgs, "--socket", o.socket)
			}
			child := exec.Command(self, childArgs...)
			child.ExtraFiles = []*os.File{f}
			child.Env = os.Environ()
			proc.Detach(child)
			if err := child.Start(); err != nil {
				return fmt.Errorf("starting the bridge: %w", err)
			}
			f.Close()
			pid := child.Process.Pid
			_ = child.Process.Release()
			change.Setenv(bridgePIDVar, strconv.Itoa(pid))
			out, err := shellenv.Render(o.format, change)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "credchain: bridge %d on %s to %s; stop it with: kill $%s\n", pid, b.Addr(), via, bridgePIDVar)
			_, err = e.stdout.Write(out)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.socket, "socket", "", "the host server's unix socket (its token beside it in PATH.token)")
	f.StringVar(&o.server, "server", "", "instead of --socket: the host server over TCP (http://host.docker.internal:PORT/credentials on Docker Desktop)")
	f.StringVar(&o.serverHost, "server-host", "", "with --server: the Host the server checks (default 127.0.0.1:PORT)")
	f.StringVar(&o.tokenFile, "token-file", "", "with --server: a file holding the server's token")
	f.StringVar(&o.listen, "listen", "127.0.0.1:0", "the loopback address to offer the endpoint on (port 0 picks one)")
	f.StringVar(&o.profile, "route-profile", "", "a profile the host serves with --allow (at /creds/NAME)")
	f.StringVar(&o.format, "format", "env", "the variables' format: env, fish or powershell")
	f.BoolVar(&o.detach, "detach", false, "run in the background and print the variables with "+bridgePIDVar)
	f.IntVar(&o.childFD, "listen-fd", 0, "internal: serve the listener on this file descriptor")
	_ = f.MarkHidden("listen-fd")
	return cmd
}
