//go:build !credchain_front

package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/shellenv"
	"github.com/credchain/credchain/stscreds"
	"github.com/spf13/cobra"
)

func newAssumeSAMLCmd(e *env, g *globals) *cobra.Command {
	var assertionFile, roleARN, principalARN, format string
	var duration int32
	cmd := &cobra.Command{
		Use:   "assume-saml --assertion-file F|- --role-arn ARN --principal-arn ARN [--format FORMAT]",
		Short: "AssumeRoleWithSAML from an assertion a browser or helper captured, printed in any export format",
		Example: `  credchain assume-saml --assertion-file assertion.b64 --role-arn arn:aws:iam::123456789012:role/Dev \
    --principal-arn arn:aws:iam::123456789012:saml-provider/Okta --format env`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if assertionFile == "" || roleARN == "" || principalARN == "" {
				return usageError{errors.New("--assertion-file, --role-arn and --principal-arn are required")}
			}
			var data []byte
			var err error
			if assertionFile == "-" {
				data, err = io.ReadAll(io.LimitReader(e.stdin, 1<<20))
			} else {
				data, err = os.ReadFile(assertionFile)
			}
			if err != nil {
				return fmt.Errorf("the SAML assertion: %w", err)
			}
			assertion := strings.TrimSpace(string(data))
			if assertion == "" {
				return usageError{errors.New("the SAML assertion is empty (the base64 SAMLResponse the IdP posted)")}
			}
			s := g.session(e)
			opts, err := s.STSOptions()
			if err != nil {
				return err
			}
			var c cache.Cache = &cache.Memory{}
			if !g.noCache {
				c = &cache.File{Dir: cache.DefaultDir(awsconfig.ExpandUser("~", e.lookup))}
			}
			k, err := stscreds.SAML(cmd.Context(), opts, c, roleARN, principalARN, assertion, duration, time.Now())
			if err != nil {
				return err
			}
			out, err := shellenv.Format(format, k, g.exportRegion(e, s), e.lookup)
			if err != nil {
				return usageError{err}
			}
			if err := privateOutput(e.stdout); err != nil {
				return err
			}
			_, err = e.stdout.Write(out)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&assertionFile, "assertion-file", "", "the base64 SAML assertion (SAMLResponse); - reads stdin")
	f.StringVar(&roleARN, "role-arn", "", "the role to assume")
	f.StringVar(&principalARN, "principal-arn", "", "the IAM SAML provider's ARN")
	f.Int32Var(&duration, "duration", 0, "DurationSeconds (900 to the role's maximum)")
	f.StringVar(&format, "format", "process", "output format: "+strings.Join(shellenv.Formats, ", "))
	g.regionFlag(cmd)
	return cmd
}
