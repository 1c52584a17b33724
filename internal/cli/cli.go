// Package cli implements the credchain command. Each command lives in its
// own file as an options struct and a run function; only Main maps errors to
// exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/stscreds"
	"github.com/spf13/cobra"
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

// globals are the flags every command shares.
type globals struct {
	profile    string
	profileSet bool
	noCache    bool
	mfaCode    string
}

// session returns the Session for the flags. Assumed roles are cached in
// the AWS CLI's cache (~/.aws/cli/cache) unless --no-cache.
func (g *globals) session(e *env) *credchain.Session {
	opts := []credchain.Option{credchain.WithEnv(e.lookup), credchain.WithMFA(g.mfa(e))}
	if g.profileSet {
		opts = append(opts, credchain.WithProfile(g.profile))
	}
	if !g.noCache {
		home := awsconfig.ExpandUser("~", e.lookup)
		opts = append(opts, credchain.WithCache(&cache.File{Dir: cache.DefaultDir(home),
			Warn: func(msg string) { fmt.Fprintf(e.stderr, "credchain: warning: %s\n", msg) }}))
	}
	return credchain.NewSession(opts...)
}

// exitError carries an exit status for an error already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Main runs credchain with args and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	return MainContext(context.Background(), args, stdin, stdout, stderr, lookup)
}

// MainContext is Main with a context; cancelling it stops long-running
// commands (serve) as SIGINT does.
func MainContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	e := &env{lookup: lookup, stdin: stdin, stdout: stdout, stderr: stderr}
	stscreds.Warnf = func(format string, args ...any) { fmt.Fprintf(stderr, "credchain: warning: "+format+"\n", args...) }
	g := &globals{}
	ran := false
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
			ran = true
			g.profileSet = cmd.Flags().Changed("profile")
		},
	}
	root.PersistentFlags().StringVar(&g.profile, "profile", "", "use this profile explicitly (like boto3.Session(profile_name=...) or aws --profile)")
	root.PersistentFlags().BoolVar(&g.noCache, "no-cache", false, "do not read or write the assumed-role cache shared with the AWS CLI (~/.aws/cli/cache)")
	root.PersistentFlags().StringVar(&g.mfaCode, "mfa-code", "", "MFA code for a role with mfa_serial (otherwise asked for on the terminal, or read as one line from stdin)")
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newExplainCmd(e, g), newExportCmd(e, g), newProfilesCmd(e), newAssumeCmd(e, g), newExecCmd(e, g), newWhoamiCmd(e, g), newSSOCmd(e, g), newServeCmd(e, g), newLintCmd(e), newConsoleCmd(e, g), newShellInitCmd(e), newPromptCmd(e))
	// Completion for bash, zsh, fish and PowerShell: commands, flags, and
	// profile names for --profile.
	_ = root.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return profileNames(e), cobra.ShellCompDirectiveNoFileComp
	})

	err := root.ExecuteContext(ctx)
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

// profileNames lists the profiles of both files, for completion.
func profileNames(e *env) []string {
	profiles, _, err := credchain.Profiles(e.lookup)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(profiles))
	for _, p := range profiles {
		names = append(names, p.Name+"\t"+p.Kind)
	}
	return names
}
