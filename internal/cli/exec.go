package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strings"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/internal/proc"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

// Exit statuses of exec when the command does not run, as shells report them.
const (
	ExitCannotRun = 126
	ExitNotFound  = 127
)

func newExecCmd(e *env, g *globals) *cobra.Command {
	o := &serveOptions{}
	var useServer bool
	cmd := &cobra.Command{
		Use: "exec [PROFILE] [--role-arn ARN ...] [--] [COMMAND [ARGS...]]",
		Example: `  credchain exec admin -- aws ec2 describe-instances
  credchain exec admin aws sts get-caller-identity   # PROFILE COMMAND, when PROFILE is a profile
  credchain exec admin                               # $SHELL with the credentials
  credchain exec --profile admin --region eu-west-1 -- aws s3 ls
  credchain exec --role-arn arn:aws:iam::123456789012:role/Deploy -- terraform apply
  credchain exec --server admin -- python long_running_job.py`,
		Short: "Run a command with the resolved (or assumed-role) credentials in its environment",
		Long: `Run COMMAND with the credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
AWS_SESSION_TOKEN, the region in AWS_REGION and AWS_DEFAULT_REGION when known, the
profile (or role) name in CREDCHAIN_PROFILE, and the variables that would confuse
boto3 or the AWS CLI removed. Standard streams are the command's; signals credchain
receives are forwarded unless the terminal already sent them to the command (Ctrl-C);
credchain exits with the command's status, 127 when it is not found and 126 when it
cannot run. An MFA code is asked for on the terminal, never read from the piped
stdin that belongs to the command. With --server, COMMAND gets the endpoint and
token of a local credential server (see 'credchain serve') that refreshes the
credentials for as long as it runs, instead of raw keys.

Without "--", a first argument that names a profile is the profile (aws-vault's
habit); otherwise every argument is the command. With no command, credchain starts
$SHELL (%COMSPEC% on Windows) with the credentials.

  credchain exec admin -- aws ec2 describe-instances`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if front && useServer {
				return errFullBuild // the server refreshes from AWS while COMMAND runs
			}
			profile, argv, err := splitArgs(cmd, args)
			if err != nil {
				return err
			}
			shell := false
			if profile == nil && len(argv) > 0 && !g.profileSet && isProfile(e, argv[0]) {
				// aws-vault's habit: exec PROFILE COMMAND..., no "--".
				profile, argv = argv[:1], argv[1:]
			}
			if len(argv) == 0 {
				if profile == nil && !g.profileSet && len(o.arns) == 0 {
					return usageError{errors.New("exec needs a profile or a command: credchain exec [PROFILE] [-- COMMAND [ARGS...]]")}
				}
				argv, shell = []string{loginShell(e)}, true
			}
			if err := g.profileArg(profile); err != nil {
				return err
			}
			path, err := lookCommand(e, argv)
			if err != nil {
				return err
			}
			run := func(environ []string) error {
				if shell {
					fmt.Fprintf(e.stderr, "credchain: starting %s with the credentials; exit it to return\n", argv[0])
				}
				return runWith(e, path, argv, environ)
			}
			if useServer {
				srv, region, err := o.start(cmd, e, g, nil)
				if err != nil {
					return err
				}
				change := serverEnv(srv.Protocol, srv.URL(), srv.Token, region, e)
				if label := o.label(e, g); label != "" {
					change.Setenv(shellenv.ProfileVar, label)
				}
				defer o.audit.Close()
				return serveDuring(srv, func() error { return run(change.Apply(os.Environ())) })
			}
			c, s, _, err := o.resolve(cmd.Context(), e, g)
			if err != nil {
				return err
			}
			region := g.exportRegion(e, s)
			change := shellenv.Vars(c, region, e.lookup)
			if label := o.label(e, g); label != "" {
				change.Setenv(shellenv.ProfileVar, label)
			}
			return run(change.Apply(os.Environ()))
		},
		ValidArgsFunction: completeProfiles(e),
	}
	o.register(cmd)
	g.regionFlag(cmd)
	cmd.Flags().BoolVar(&useServer, "server", false, "give COMMAND a local credential server (refreshing) instead of raw keys")
	cmd.Flags().StringVar(&o.protocol, "protocol", "container", "with --server: container or imds")
	o.listen = "127.0.0.1:0"
	// Flags after the command name belong to the command.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// splitArgs splits the arguments at "--": the profile before it
// (credchain exec dev -- CMD), the command after; without "--" every
// argument is the command. Flag parsing stops at the first argument that is
// not a flag (the command's flags are not credchain's), so in
// "dev --region R -- CMD" the flags after the profile are parsed here.
func splitArgs(cmd *cobra.Command, args []string) (profile, command []string, err error) {
	if n := cmd.ArgsLenAtDash(); n >= 0 {
		return args[:n], args[n:], nil
	}
	k := slices.Index(args, "--")
	if k < 1 {
		return nil, args, nil
	}
	flags := cmd.Flags()
	if perr := flags.Parse(args[1:k]); perr != nil || flags.NArg() > 0 {
		if strings.HasPrefix(args[0], "-") {
			return nil, nil, usageError{fmt.Errorf("invalid arguments before --: %q", args[:k])}
		}
		// Not "PROFILE [flags] --": a command that has "--" among its
		// own arguments (credchain exec git diff -- file).
		return nil, args, nil
	}
	return args[:1], args[k+1:], nil
}

// lookCommand finds argv[0] before anything is resolved (no MFA prompt for
// a typo): 127 when it is not found, 126 when it cannot run, as shells do.
func lookCommand(e *env, argv []string) (string, error) {
	path, err := exec.LookPath(argv[0])
	if err == nil {
		return path, nil
	}
	if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "credchain: %s: command not found\n", argv[0])
		return "", exitError{ExitNotFound}
	}
	fmt.Fprintf(e.stderr, "credchain: cannot run %s: %v\n", argv[0], unwrapExecError(err))
	return "", exitError{ExitCannotRun}
}

// isProfile reports whether name is a profile of the shared files.
func isProfile(e *env, name string) bool {
	return credchain.NewSession(credchain.WithEnv(e.lookup), credchain.WithProfile(name)).CheckProfile() == nil
}

// loginShell is the shell exec starts when it is given no command.
func loginShell(e *env) string {
	if runtime.GOOS == "windows" {
		if c, ok := e.lookup("COMSPEC"); ok && c != "" {
			return c
		}
		return "cmd.exe"
	}
	if sh, ok := e.lookup("SHELL"); ok && sh != "" {
		return sh
	}
	return "/bin/sh"
}

// runWith runs the command at path with argv, forwarding signals, and
// reports its exit status.
func runWith(e *env, path string, argv []string, environ []string) error {
	cmd := exec.Command(path, argv[1:]...)
	cmd.Env = shellenv.WithoutOwnSecrets(environ)
	// The front's count of stdout is not the command's: it gets the
	// terminal (or pipe) itself, not a pipe through credchain.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, unwrap(e.stdout), e.stderr
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, proc.Forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(e.stderr, "credchain: cannot run %s: %v\n", argv[0], unwrapExecError(err))
		return exitError{ExitCannotRun}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-sigs:
				// The terminal sends Ctrl-C to the whole foreground group,
				// the command included: a second copy would count twice.
				if !proc.FromTerminal(sig) {
					_ = cmd.Process.Signal(sig)
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if sig, ok := proc.Signaled(ee.ProcessState); ok {
			return exitError{128 + sig}
		}
		return exitError{ee.ExitCode()}
	}
	return err
}

func unwrapExecError(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		err = ee.Err
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
