// Package cli implements the credchain command. Each command lives in its
// own file as an options struct and a run function; only Main maps errors to
// exit codes.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/credchain/credchain"
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
	stdout io.Writer
	stderr io.Writer
}

// globals are the flags every command shares.
type globals struct {
	profile    string
	profileSet bool
}

func (g *globals) session(e *env) *credchain.Session {
	opts := []credchain.Option{credchain.WithEnv(e.lookup)}
	if g.profileSet {
		opts = append(opts, credchain.WithProfile(g.profile))
	}
	return credchain.NewSession(opts...)
}

// exitError carries an exit status for an error already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Main runs credchain with args and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, lookup func(string) (string, bool)) int {
	e := &env{lookup: lookup, stdout: stdout, stderr: stderr}
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
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newExplainCmd(e, g), newExportCmd(e, g), newProfilesCmd(e))
	root.CompletionOptions.DisableDefaultCmd = true

	err := root.Execute()
	var ee exitError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ee):
		return ee.code
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
