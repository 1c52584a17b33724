package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/scopes"
	"github.com/spf13/cobra"
)

func newScopesCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "scopes",
		Short: "List the named scopes --scope takes: built in, and yours from the scopes file",
		Long: `A scope narrows the session of the role a command assumes: session policies (inline
and managed), session tags and a source identity, and a longest session. Built in:
readonly (AWS's ReadOnlyAccess without reading secrets) and bedrock (model invocation
only). Yours go in the scopes file (CREDCHAIN_SCOPES_FILE, else scopes.json in
credchain's folder of your config directory), a JSON object by name:

  {"deploy": {"description": "CI deploys", "session_policy_file": "~/policies/deploy.json",
              "policy_arns": "arn:aws:iam::aws:policy/ReadOnlyAccess",
              "session_tags": "team=blue, env=dev", "transitive_tags": "team",
              "source_identity": "alice", "max_duration": "1h"}}

A profile's own role takes the same settings under credchain's names, which boto3
ignores: credchain_session_policy_file, credchain_policy_arns, credchain_session_tags,
credchain_transitive_tags, credchain_source_identity.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			file, err := scopes.File(e.lookup)
			if err != nil {
				return err
			}
			all, err := scopes.All(file, awsconfig.ExpandUser("~", e.lookup))
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tFROM\tMAX\tNARROWS TO")
			for _, n := range all {
				var what []string
				for _, w := range []string{n.Description, describeScope(n.Scope)} {
					if w != "" {
						what = append(what, w)
					}
				}
				max := "-"
				if n.MaxDuration > 0 {
					max = n.MaxDuration.String()
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", n.Name, n.From, max, strings.Join(what, "; "))
			}
			return w.Flush()
		},
	}
}
