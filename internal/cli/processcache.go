package cli

import (
	"errors"
	"fmt"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/processcache"
	"github.com/spf13/cobra"
)

func newProcessCacheCmd(e *env) *cobra.Command {
	var profileKey string
	var clear bool
	cmd := &cobra.Command{
		Use:   "process-cache [--profile-key NAME] -- HELPER ARGS...",
		Short: "Run a credential_process helper once for all concurrent callers and cache its output until botocore would refresh it",
		Example: `  [profile work]
  credential_process = credchain process-cache -- saml2aws login --credential-process --role arn:aws:iam::123456789012:role/Dev`,
		Long: `botocore and the AWS CLI run a credential_process at every process start and cache
nothing: ten processes starting together run a slow IdP helper ten times (ten browser
windows, ten keychain prompts). Wrapped in process-cache, the helper runs once for every
caller of the same command line (a lock per command line; --profile-key tells apart one
command serving several profiles), and its JSON is served again until 15 minutes before its
Expiration (output without an Expiration is never cached, nor is a failure). The helper
gets the terminal for its prompts and its stderr is yours. Files: 0600, in
~/.aws/cli/credchain-process-cache (0700). --clear removes them.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			c := &processcache.Cache{Dir: processcache.Dir(awsconfig.ExpandUser("~", e.lookup)), Stdin: e.stdin, Stderr: e.stderr}
			if clear {
				if len(args) > 0 {
					return usageError{errors.New("--clear takes no helper")}
				}
				n, err := c.Clear()
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "credchain: %d cached helper outputs removed\n", n)
				return nil
			}
			if cmd.ArgsLenAtDash() < 0 || len(args) == 0 {
				return usageError{errors.New("the helper goes after --: credchain process-cache -- HELPER ARGS...")}
			}
			out, err := c.Run(cmd.Context(), profileKey, args[cmd.ArgsLenAtDash():])
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(out)
			return err
		},
	}
	cmd.Flags().StringVar(&profileKey, "profile-key", "", "tells apart one helper command line serving several profiles")
	cmd.Flags().BoolVar(&clear, "clear", false, "remove every cached helper output")
	return cmd
}
