package cli

import (
	"fmt"

	"github.com/credchain/credchain/internal/browser"
	"github.com/spf13/cobra"
)

type ssoLoginOptions struct {
	session   string
	noBrowser bool
}

func newSSOCmd(e *env, g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "sso", Short: "AWS IAM Identity Center (SSO) sign-in"}
	o := &ssoLoginOptions{}
	login := &cobra.Command{
		Use: "login [--profile P | --sso-session S]",
		Example: `  credchain sso login --sso-session corp
  credchain sso login --profile dev --no-browser`,
		Short: "Sign in with the device authorization flow and write the token cache shared with the AWS CLI",
		Long: `Sign in to AWS IAM Identity Center like 'aws sso login': open the verification
page (or print its URL and code), wait for the approval, and write the token to
~/.aws/sso/cache, where both credchain and the AWS CLI read it. Processes that log in
to the same session at once run one flow.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := g.session(e).SSOLogin(cmd.Context(), o.session, func(url, code string) {
				fmt.Fprintf(e.stderr, "To sign in, open this URL and confirm the code %s:\n\n  %s\n\n", code, url)
				if !o.noBrowser {
					if err := browser.Open(url, e.lookup); err != nil {
						fmt.Fprintf(e.stderr, "credchain: no browser opened (%v): open the URL above yourself\n", err)
					}
				}
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "Signed in; token written to %s\n", path)
			return nil
		},
	}
	login.Flags().StringVar(&o.session, "sso-session", "", "the [sso-session NAME] to sign in to (default: the profile's)")
	login.Flags().BoolVar(&o.noBrowser, "no-browser", false, "do not try to open a browser")
	cmd.AddCommand(login, newSSOPopulateCmd(e, g))
	return cmd
}
