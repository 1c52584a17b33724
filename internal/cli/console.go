package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/internal/browser"
	"github.com/spf13/cobra"
)

// DefaultFederationEndpoint is the AWS sign-in federation endpoint.
const DefaultFederationEndpoint = "https://signin.aws.amazon.com/federation"

type consoleOptions struct {
	roleFlags
	print       bool
	destination string
	endpoint    string
	noBrowser   bool
}

func newConsoleCmd(e *env, g *globals) *cobra.Command {
	o := &consoleOptions{}
	cmd := &cobra.Command{
		Use: "console [PROFILE] [--role-arn ARN ...] [--print]",
		Example: `  credchain console admin
  credchain console --role-arn arn:aws:iam::123456789012:role/ReadOnly --print`,
		Short: "Open the AWS console signed in with the profile's (or role's) temporary credentials",
		Long: `Sign in to the AWS console with temporary credentials (a role, SSO, a login session,
...) through the federation endpoint's getSigninToken, and open the sign-in URL in the
browser, or print it with --print. The URL signs in whoever opens it for 15 minutes:
treat it as a secret.

  credchain console --profile admin
  credchain console --role-arn arn:aws:iam::123456789012:role/ReadOnly --print`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeProfiles(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.profileArg(args); err != nil {
				return err
			}
			c, _, _, err := o.resolve(cmd.Context(), e, g)
			if err != nil {
				return err
			}
			if c.SessionToken == "" {
				return errors.New("console sign-in needs temporary credentials (a role, SSO or login profile, or --role-arn); " + c.Method + " gave long-term keys")
			}
			session, _ := json.Marshal(map[string]string{"sessionId": c.AccessKeyID, "sessionKey": c.SecretAccessKey, "sessionToken": c.SessionToken})
			q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
			client := awshttp.Client()
			resp, err := client.Get(o.endpoint + "?" + q.Encode())
			if err != nil {
				return fmt.Errorf("getSigninToken at %s: %w", o.endpoint, redactURLError(err))
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			if err != nil {
				return fmt.Errorf("getSigninToken at %s: %w", o.endpoint, err)
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("getSigninToken at %s: status %d (are the credentials from a role or federated session?)", o.endpoint, resp.StatusCode)
			}
			var tok struct{ SigninToken string }
			if json.Unmarshal(body, &tok) != nil || tok.SigninToken == "" {
				return fmt.Errorf("getSigninToken at %s: the answer has no SigninToken", o.endpoint)
			}
			login := o.endpoint + "?" + url.Values{"Action": {"login"}, "Issuer": {"credchain"},
				"Destination": {o.destination}, "SigninToken": {tok.SigninToken}}.Encode()
			if o.print || o.noBrowser {
				_, err := fmt.Fprintln(e.stdout, login)
				return err
			}
			if err := browser.Open(login, e.lookup); err != nil {
				fmt.Fprintf(e.stderr, "credchain: no browser opened (%v); the sign-in URL follows (it signs in whoever opens it for 15 minutes)\n", err)
				_, err := fmt.Fprintln(e.stdout, login)
				return err
			}
			fmt.Fprintln(e.stderr, "credchain: opened the console sign-in page (use --print to get the URL)")
			return nil
		},
	}
	o.register(cmd)
	g.regionFlag(cmd)
	cmd.Flags().BoolVar(&o.print, "print", false, "print the sign-in URL instead of opening a browser")
	cmd.Flags().BoolVar(&o.noBrowser, "no-browser", false, "same as --print")
	cmd.Flags().StringVar(&o.destination, "destination", "https://console.aws.amazon.com/", "console page to open after sign-in")
	cmd.Flags().StringVar(&o.endpoint, "federation-endpoint", DefaultFederationEndpoint, "sign-in federation endpoint (other partitions: https://signin.amazonaws-us-gov.com/federation, https://signin.amazonaws.cn/federation)")
	return cmd
}

// redactURLError drops the URL (which holds the credentials) from an error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
