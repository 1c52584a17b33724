package cli

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/credchain/credchain/lint"
	"github.com/spf13/cobra"
)

func newLintCmd(e *env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use: "lint [--json]",
		Example: `  credchain lint
  AWS_CONFIG_FILE=./team-config credchain lint --json`,
		Short: "Find configuration mistakes that make boto3, the AWS CLI and aws-sdk-go-v2 disagree",
		Long: `Check ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE) for mistakes: role source cycles and missing sources, several
kinds of credentials in one profile, inline comments and quotes that boto3 keeps, [DEFAULT]
leaking into every profile, dotted names that go-ini based tools inherit from,
credential_process commands that need a shell, dropped sections, a credentials file
others can read, a config or credentials file others can write (anyone could add a
credential_process), keys in a config file others can read, a cache directory others
can write, and AWS_PROFILE / AWS_DEFAULT_PROFILE disagreeing. Each finding has its
file:line and a fix. Exit status 1 when there is an error finding.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			files, findings := lint.Load(e.lookup)
			findings = append(findings, lint.Run(files)...)
			var out bytes.Buffer
			errors := 0
			for _, f := range findings {
				if f.Severity == lint.Error {
					errors++
				}
			}
			if asJSON {
				doc := struct {
					Findings []lint.Finding `json:"findings"`
					Errors   int            `json:"errors"`
				}{Findings: append([]lint.Finding{}, findings...), Errors: errors}
				enc := json.NewEncoder(&out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(doc); err != nil {
					return err
				}
			} else {
				for _, f := range findings {
					fmt.Fprintf(&out, "%s: %s: %s [%s]\n    fix: %s\n", f.Where, f.Severity, f.Message, f.Check, f.Fix)
				}
				fmt.Fprintf(&out, "%d findings, %d errors\n", len(findings), errors)
			}
			if _, err := e.stdout.Write(out.Bytes()); err != nil {
				return err
			}
			if errors > 0 {
				return exitError{ExitError}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}
