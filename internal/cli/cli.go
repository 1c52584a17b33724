// Package cli implements the credchain command. Each command lives in its
// own file as an options struct and a run function; only Main maps errors to
// exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/credchain/credchain/internal/profiles"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Exit codes.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// env is the process environment, injected for tests.
type env struct {
	lookup func(string) (string, bool)
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// globals are the flags every command shares, and the profile or region a
// command takes as an argument or flag of its own.
type globals struct {
	profile    string
	profileSet bool
	region     string
	noCache    bool
	mfaCode    string
	noLogin    bool
	// loggedIn: one automatic sign-in per command.
	loggedIn bool
	// scope narrows the profile's own role (the scope flags).
	scope credchain.Scope
}

// profileSelected reports whether the command runs as a named profile: a
// flag or argument, or AWS_PROFILE / AWS_DEFAULT_PROFILE.
func (g *globals) profileSelected(e *env) bool {
	if g.profileSet {
		return true
	}
	for _, v := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"} {
		if _, ok := e.lookup(v); ok {
			return true
		}
	}
	return false
}

// lookup is the environment the session resolves in. A named profile
// switches away from whatever an earlier credchain switch exported: the
// region variables it set itself (CREDCHAIN_REGION) are not the user's and
// do not outlive the switch; a region the user set keeps boto3's precedence.
func (g *globals) lookup(e *env) func(string) (string, bool) {
	if g.profileSelected(e) {
		return shellenv.HideOwnRegion(e.lookup)
	}
	return e.lookup
}

// session returns the Session for the flags. Assumed roles are cached in
// the AWS CLI's cache (~/.aws/cli/cache) unless --no-cache.
func (g *globals) session(e *env) *credchain.Session {
	lookup := g.lookup(e)
	opts := []credchain.Option{credchain.WithEnv(lookup), credchain.WithMFAPrompt(g.mfa(e)),
		credchain.WithProcessStderr(e.stderr), credchain.WithWarnings(func(msg string) { fmt.Fprintf(e.stderr, "credchain: warning: %s\n", msg) }),
		credchain.WithProfileScopes(), credchain.WithScope(g.scope)}
	if g.profileSet {
		opts = append(opts, credchain.WithProfile(g.profile))
	}
	if g.region != "" {
		opts = append(opts, credchain.WithRegion(g.region))
	}
	if !g.noCache {
		home := awsconfig.ExpandUser("~", lookup)
		opts = append(opts, credchain.WithCache(&cache.File{Dir: cache.DefaultDir(home),
			Warn: func(msg string) { fmt.Fprintf(e.stderr, "credchain: warning: %s\n", msg) }}))
	}
	return credchain.NewSession(opts...)
}

// exportRegion is the region an export or exec sets: the session's, unless
// it is the user's own AWS_DEFAULT_REGION, which is left as it is ("").
func (g *globals) exportRegion(e *env, s *credchain.Session) string {
	region, from, err := s.RegionSource()
	if err != nil {
		// The credentials resolved: a region that cannot be read (a nested
		// block, which botocore keeps as a dict) does not stop the export.
		fmt.Fprintf(e.stderr, "credchain: warning: no region exported: %v\n", err)
		return ""
	}
	if from == "AWS_DEFAULT_REGION" && !shellenv.OwnRegion(from, e.lookup) {
		return ""
	}
	return region
}

// regionFlag adds --region to a command that resolves or prints credentials.
func (g *globals) regionFlag(cmd *cobra.Command) {
	cmd.Flags().StringVar(&g.region, "region", "", "region to use and export, overriding the profile's and AWS_DEFAULT_REGION")
}

// profileArg takes a profile named as the command's argument
// (credchain export dev), as aws-vault and granted users type it.
func (g *globals) profileArg(args []string) error {
	switch {
	case len(args) == 0:
		return nil
	case len(args) > 1:
		return usageError{fmt.Errorf("one profile at a time: got %q", args)}
	case g.profileSet && g.profile != args[0]:
		return usageError{fmt.Errorf("two profiles: %q as an argument and %q from --profile", args[0], g.profile)}
	}
	g.profile, g.profileSet = args[0], true
	return nil
}

// exitError carries an exit status for an error already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Run is the whole of a credchain binary's main: both builds
// (cmd/credchain, cmd/credchain-aws) run it with the process's arguments
// and environment and exit with its status.
func Run() {
	// credchain runs for milliseconds: collecting garbage costs more than it
	// saves. A larger GOGC cuts whole-process time by a third on large
	// configs; GOGC in the environment still wins (serve sets its own).
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	if v, ok := os.LookupEnv(frontVersionVar); ok {
		handedOverBy = v
		_ = os.Unsetenv(frontVersionVar)
	}
	os.Exit(Main(commandArgs(os.Args[0], os.Args[1:]), os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
}

// commandArgs are the command's arguments: Docker runs credential helpers
// as docker-credential-NAME ACTION, which is docker-credential ACTION.
func commandArgs(argv0 string, args []string) []string {
	if strings.TrimSuffix(filepath.Base(argv0), ".exe") == dockerHelperName {
		return append([]string{"docker-credential"}, args...)
	}
	return args
}

// dockerHelperName is the name Docker runs credchain's helper as (a link to
// credchain; "credHelpers": {"ACCOUNT.dkr.ecr.REGION.amazonaws.com": "credchain"}).
const dockerHelperName = "docker-credential-credchain"

// newRoot is credchain's command tree; ran is set once a command runs.
func newRoot(e *env, g *globals, ran *bool) *cobra.Command {
	root := &cobra.Command{
		Use:   "credchain",
		Short: "Resolve AWS credentials exactly like boto3, and explain why",
		Long: `credchain finds AWS credentials in botocore's exact order (explicit keys,
environment, ~/.aws/credentials, credential_process, ~/.aws/config, boto2
files, ...), explains which source wins and why, and exports the result for
any shell.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			*ran = true
			g.profileSet = cmd.Flags().Changed("profile")
		},
		Version: version(),
	}
	root.SetVersionTemplate("credchain {{.Version}}\n")
	root.PersistentFlags().StringVar(&g.profile, "profile", "", "use this profile explicitly (like boto3.Session(profile_name=...) or aws --profile)")
	root.PersistentFlags().BoolVar(&g.noCache, "no-cache", false, "do not read or write the assumed-role cache shared with the AWS CLI (~/.aws/cli/cache)")
	root.PersistentFlags().BoolVar(&g.noLogin, "no-login", false, "when an SSO token is missing or expired, fail instead of signing in")
	root.PersistentFlags().StringVar(&g.mfaCode, "mfa-code", "", "MFA code for a role with mfa_serial (otherwise asked for on the terminal, or read as one line from stdin)")
	root.AddCommand(newExportCmd(e, g), newProfilesCmd(e), newAssumeCmd(e, g), newExecCmd(e, g), newServeCmd(e, g), newLintCmd(e), newConsoleCmd(e, g), newShellInitCmd(e), newSwitchCmd(e, g), newPromptCmd(e), newLogoutCmd(e, g), newScopesCmd(e), newBridgeCmd(e), newProcessCacheCmd(e))
	root.AddCommand(awsCommands(e, g)...)
	// Completion for bash, zsh, fish and PowerShell: commands, flags, and
	// profile names for --profile.
	_ = root.RegisterFlagCompletionFunc("profile", func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		return profileNames(e, prefix), cobra.ShellCompDirectiveNoFileComp
	})
	return root
}

// CommandTree is credchain's command tree, for generated documentation
// (man pages, completions): every command of this build.
func CommandTree() *cobra.Command {
	e := &env{lookup: os.LookupEnv, stdin: os.Stdin, stdout: io.Discard, stderr: io.Discard}
	root := newRoot(e, &globals{}, new(bool))
	root.InitDefaultCompletionCmd()
	return root
}

// Main runs credchain with args and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	return MainContext(context.Background(), args, stdin, stdout, stderr, lookup)
}

// MainContext is Main with a context; cancelling it stops long-running
// commands (serve) as SIGINT does.
func MainContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	out := &writeCounter{w: stdout}
	if front {
		stdout = out
	}
	e := &env{lookup: lookup, stdin: stdin, stdout: stdout, stderr: stderr}
	limitHeap(lookup)
	g := &globals{}
	ran := false
	root := newRoot(e, g, &ran)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)

	if front {
		root.InitDefaultCompletionCmd()
		if handsOverAtStart(root, args) {
			return handOver(args, stderr)
		}
		if rootHelp(root, args) {
			if _, err := fullBinary(); err != nil {
				fmt.Fprintf(stderr, "credchain: only the front's commands are listed: %v\n", err)
			}
		}
	} else if err := checkFront(); err != nil {
		fmt.Fprintf(stderr, "credchain: %v\n", err)
		return ExitError
	}
	// Whether stderr is a terminal is asked only when a call is slow: not
	// at every start (the prompt).
	ctx = awshttp.WithSlowNotice(ctx, func(what string) {
		if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			fmt.Fprintf(stderr, "credchain: waiting for %s (more than %s so far; Ctrl-C stops)\n", what, awshttp.SlowAfter)
		}
	})
	err := root.ExecuteContext(ctx)
	if front {
		if code, ok := handOverAfter(err, args, out, stderr); ok {
			return code
		}
	}
	var ee exitError
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "credchain: %v\n", ue.err)
		return ExitUsage
	case !ran:
		fmt.Fprintf(stderr, "credchain: %v\nRun 'credchain --help' for usage.\n", err)
		return ExitUsage
	default:
		fmt.Fprintf(stderr, "credchain: %s\n", describe(err))
		return ExitError
	}
}

// describe renders an error with its botocore kind.
func describe(err error) string {
	if k := credchain.ErrorKind(err); k != "" && isKnownKind(err) {
		return k + ": " + err.Error()
	}
	return err.Error()
}

func isKnownKind(err error) bool {
	var ce *credchain.Error
	return errors.As(err, &ce)
}

// usageError is a bad flag value found by a command: exit status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }

// buildVersion is set by release builds and make build
// (-ldflags "-X github.com/credchain/credchain/internal/cli.buildVersion=...").
var buildVersion string

// version is the version a build was given, else the module version of a
// released build, else the VCS revision the binary was built from.
func version() string {
	if buildVersion != "" {
		return buildVersion
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown version)"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, kv := range info.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			dirty = kv.Value == "true"
		}
	}
	if rev == "" {
		return "(devel)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "(devel) " + rev
}

// completeProfiles completes a profile name as a command's argument.
func completeProfiles(e *env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return profileNames(e, prefix), cobra.ShellCompDirectiveNoFileComp
	}
}

// profileNames lists the profiles of both files that start with the typed
// prefix, for completion: only those go to the shell (20,000 names on
// every TAB otherwise).
func profileNames(e *env, prefix string) []string {
	found, err := profiles.Names(e.lookup, prefix)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(found))
	for _, p := range found {
		names = append(names, p.Name+"\t"+p.Kind)
	}
	return names
}
