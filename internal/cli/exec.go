package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/credchain/credchain/envcreds"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

func newExecCmd(e *env, g *globals) *cobra.Command {
	o := &serveOptions{}
	var useServer bool
	cmd := &cobra.Command{
		Use: "exec [--profile P] [--role-arn ARN ...] -- COMMAND [ARGS...]",
		Example: `  credchain exec --profile admin -- aws ec2 describe-instances
  credchain exec --role-arn arn:aws:iam::123456789012:role/Deploy -- terraform apply
  credchain exec --server --profile admin -- python long_running_job.py`,
		Short: "Run a command with the resolved (or assumed-role) credentials in its environment",
		Long: `Run COMMAND with the credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN, the region in AWS_REGION and AWS_DEFAULT_REGION when known, and the
variables that would confuse boto3 or the AWS CLI removed. Standard streams and signals
are forwarded; credchain exits with the command's status. With --server, COMMAND gets
the endpoint and token of a local credential server (see 'credchain serve') that
refreshes the credentials for as long as it runs, instead of raw keys.

  credchain exec --profile admin -- aws ec2 describe-instances`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if useServer {
				srv, region, err := o.start(cmd, e, g)
				if err != nil {
					return err
				}
				set, clear := serverEnv(srv, region)
				defer o.audit.close()
				return serveDuring(srv, func() error { return runWith(e, args, childEnv(os.Environ(), set, clear)) })
			}
			c, s, err := o.resolve(cmd, e, g)
			if err != nil {
				return err
			}
			region, _, err := s.Region()
			if err != nil {
				return err
			}
			set, clear := shellenv.Vars(c, region)
			return runWith(e, args, childEnv(os.Environ(), set, clear))
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVar(&useServer, "server", false, "give COMMAND a local credential server (refreshing) instead of raw keys")
	cmd.Flags().StringVar(&o.protocol, "protocol", "container", "with --server: container or imds")
	o.listen = "127.0.0.1:0"
	// Flags after the command name belong to the command.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// childEnv is environ without the cleared and credential variables, plus set.
func childEnv(environ []string, set [][2]string, clear []string) []string {
	drop := map[string]bool{envcreds.AccessKeyID: true, envcreds.SecretKey: true, "AWS_REGION": true, "AWS_DEFAULT_REGION": true}
	for _, n := range clear {
		drop[n] = true
	}
	for _, kv := range set {
		drop[kv[0]] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] {
			out = append(out, kv)
		}
	}
	for _, kv := range set {
		out = append(out, kv[0]+"="+kv[1])
	}
	return out
}

// runWith runs argv, forwarding signals, and reports its exit status.
func runWith(e *env, argv []string, environ []string) error {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return fmt.Errorf("cannot run %q: %w", argv[0], err)
	}
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = environ
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.stdout, e.stderr
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot run %q: %w", argv[0], err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				_ = cmd.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return exitError{128 + int(ws.Signal())}
		}
		return exitError{ee.ExitCode()}
	}
	return err
}
