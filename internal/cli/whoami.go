//go:build !credchain_front

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/timefmt"
	"github.com/credchain/credchain/stscreds"
	"github.com/spf13/cobra"
)

type whoamiOptions struct {
	roleFlags
	json bool
}

// fromProfile are the methods that read the selected profile ("default"
// when none is named).
var fromProfile = map[string]bool{"assume-role": true, "assume-role-with-web-identity": true, "sso": true,
	"shared-credentials-file": true, "login": true, "custom-process": true, "config-file": true}

func newWhoamiCmd(e *env, g *globals) *cobra.Command {
	o := &whoamiOptions{}
	cmd := &cobra.Command{
		Use: "whoami [PROFILE] [--json]",
		Example: `  credchain whoami prod
  credchain whoami --role-arn arn:aws:iam::123456789012:role/Admin --json`,
		Short:             "Call STS GetCallerIdentity with the resolved credentials: account, ARN, source, time left",
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeProfiles(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.profileArg(args); err != nil {
				return err
			}
			c, s, _, err := o.resolve(cmd.Context(), e, g)
			if err != nil {
				return err
			}
			opts, err := s.STSOptions()
			if err != nil {
				return err
			}
			out, err := stscreds.CallerIdentity(cmd.Context(), opts, c)
			if err != nil {
				return fmt.Errorf("GetCallerIdentity with %s credentials (access key %s): %w", c.Method, creds.MaskKey(c.AccessKeyID), err)
			}
			profile := o.label(e, g)
			if profile == "" && len(o.arns) == 0 && fromProfile[c.Method] {
				profile = "default"
			}
			region, _, _ := s.Region()
			doc := map[string]any{"profile": profile, "region": region, "account": aws.ToString(out.Account), "arn": aws.ToString(out.Arn),
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
				name := profile
				if name == "" {
					name = "(none: the chain's " + c.Method + " source)"
				}
				fmt.Fprintf(&b, "profile:  %s\n", name)
				if region != "" {
					fmt.Fprintf(&b, "region:   %s\n", region)
				}
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
	g.regionFlag(cmd)
	cmd.Flags().BoolVar(&o.json, "json", false, "print a JSON object")
	return cmd
}
