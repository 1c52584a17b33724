package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/timefmt"
	"github.com/credchain/credchain/stscreds"
	"github.com/spf13/cobra"
)

type whoamiOptions struct {
	roleFlags
	json bool
}

func newWhoamiCmd(e *env, g *globals) *cobra.Command {
	o := &whoamiOptions{}
	cmd := &cobra.Command{
		Use: "whoami [--profile P] [--json]",
		Example: `  credchain whoami --profile prod
  credchain whoami --role-arn arn:aws:iam::123456789012:role/Admin --json`,
		Short: "Call STS GetCallerIdentity with the resolved credentials: account, ARN, source, time left",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, s, err := o.resolve(cmd, e, g)
			if err != nil {
				return err
			}
			opts, err := s.STSOptions()
			if err != nil {
				return err
			}
			out, err := stscreds.NewClient(opts, c).GetCallerIdentity(cmd.Context(), &sts.GetCallerIdentityInput{})
			if err != nil {
				return fmt.Errorf("GetCallerIdentity with %s credentials (access key %s): %w", c.Method, creds.MaskKey(c.AccessKeyID), err)
			}
			doc := map[string]any{"account": aws.ToString(out.Account), "arn": aws.ToString(out.Arn),
				"user_id": aws.ToString(out.UserId), "method": c.Method, "expiration": nil, "seconds_left": nil}
			if c.CanExpire() {
				doc["expiration"] = timefmt.ISO(c.Expires)
				doc["seconds_left"] = int64(time.Until(c.Expires).Seconds())
			}
			var b bytes.Buffer
			if o.json {
				enc := json.NewEncoder(&b)
				enc.SetIndent("", "  ")
				if err := enc.Encode(doc); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(&b, "account:  %s\narn:      %s\nuser id:  %s\nsource:   %s\n", doc["account"], doc["arn"], doc["user_id"], c.Method)
				if c.CanExpire() {
					fmt.Fprintf(&b, "expires:  %s (%s left)\n", doc["expiration"], time.Until(c.Expires).Round(time.Second))
				} else {
					b.WriteString("expires:  never (long-term keys)\n")
				}
			}
			_, err = e.stdout.Write(b.Bytes())
			return err
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON object")
	return cmd
}
