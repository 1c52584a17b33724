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
	roleFlags // only the scope flags: export resolves the chain or a profile
	format    string
}

func newExportCmd(e *env, g *globals) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use: "export [PROFILE]",
		Example: `  credchain export dev                              # credential_process JSON
  eval "$(credchain export dev --format env)"
  eval "$(credchain export --profile dev --region eu-west-1 --format env)"
  credchain export --profile dev --format fish | source`,
		Short: "Print the resolved credentials for a shell or as credential_process JSON",
		Long: `Print the resolved credentials.

Formats: process (the JSON of 'aws configure export-credentials'), env (sh, bash,
zsh), env-no-export (dotenv), fish, powershell, windows-cmd. Shell formats quote
every value and clear the variables that would otherwise confuse boto3 and the
AWS CLI (AWS_SECURITY_TOKEN, a stale AWS_SESSION_TOKEN, AWS_PROFILE, ...).

The region (the profile's, or --region) goes into AWS_REGION and AWS_DEFAULT_REGION
and is remembered in CREDCHAIN_REGION, so that the next export of another profile
replaces it instead of inheriting it; a region you set by hand is left alone.

  eval "$(credchain export dev --format env)"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.profileArg(args); err != nil {
				return err
			}
			return runExport(cmd, e, g, o)
		},
		ValidArgsFunction: completeProfiles(e),
	}
	g.regionFlag(cmd)
	cmd.Flags().StringVar(&o.format, "format", "process", "output format: "+strings.Join(shellenv.Formats, ", "))
	o.scopeFlags.register(cmd)
	return cmd
}

func runExport(cmd *cobra.Command, e *env, g *globals, o *exportOptions) error {
	if !validFormat(o.format) {
		return usageError{fmt.Errorf("invalid --format %q (valid: %s)", o.format, strings.Join(shellenv.Formats, ", "))}
	}
	c, s, _, err := o.resolve(cmd.Context(), e, g)
	if err != nil {
		return err
	}
	return writeCredentials(e, g, s, c, o.format)
}

// writeCredentials prints c in format, with the session's region; nothing
// is printed on error.
func writeCredentials(e *env, g *globals, s *credchain.Session, c creds.Credentials, format string) error {
	region := g.exportRegion(e, s)
	out, err := shellenv.Format(format, c, region, e.lookup)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}
