package cli

import (
	"fmt"
	"strings"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

type exportOptions struct {
	format string
}

func newExportCmd(e *env, g *globals) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use: "export",
		Example: `  credchain export --profile dev                    # credential_process JSON
  eval "$(credchain export --profile dev --format env)"
  credchain export --profile dev --format fish | source`,
		Short: "Print the resolved credentials for a shell or as credential_process JSON",
		Long: `Print the resolved credentials.

Formats: process (the JSON of 'aws configure export-credentials'), env (sh, bash,
zsh), env-no-export (dotenv), fish, powershell, windows-cmd. Shell formats quote
every value and clear the variables that would otherwise confuse boto3 and the
AWS CLI (AWS_SECURITY_TOKEN, a stale AWS_SESSION_TOKEN, AWS_PROFILE, ...).

  eval "$(credchain export --profile dev --format env)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runExport(cmd, e, g, o)
		},
	}
	cmd.Flags().StringVar(&o.format, "format", "process", "output format: "+strings.Join(shellenv.Formats, ", "))
	return cmd
}

func runExport(cmd *cobra.Command, e *env, g *globals, o *exportOptions) error {
	if !validFormat(o.format) {
		return usageError{fmt.Errorf("invalid --format %q (valid: %s)", o.format, strings.Join(shellenv.Formats, ", "))}
	}
	if err := g.maybePick(e); err != nil {
		return err
	}
	s := g.session(e)
	c, err := s.Credentials(cmd.Context())
	if err != nil {
		return fmt.Errorf("unable to retrieve credentials: %w", err)
	}
	return writeCredentials(e, s, c, o.format)
}

// writeCredentials prints c in format, with the session's region; nothing
// is printed on error.
func writeCredentials(e *env, s *credchain.Session, c creds.Credentials, format string) error {
	region, _, err := s.Region()
	if err != nil {
		return err
	}
	out, err := shellenv.Format(format, c, region)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}
