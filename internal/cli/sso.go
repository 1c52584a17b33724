package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/ssocreds"

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
	logout := &cobra.Command{
		Use:   "logout",
		Short: "End every cached SSO session at the portal and delete the token cache and the role credentials cached from SSO",
		Long: `Like 'aws sso logout': every token in ~/.aws/sso/cache is ended at the portal
(Logout) and deleted, then every role credential cached from SSO in
~/.aws/cli/cache. Profiles that use SSO need 'credchain sso login' again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return ssoLogout(cmd.Context(), e, g) },
	}
	cmd.AddCommand(login, newSSOPopulateCmd(e, g), logout)
	return cmd
}

func ssoLogout(ctx context.Context, e *env, g *globals) error {
	s := g.session(e)
	endpoint, err := s.EndpointURL("sso")
	if err != nil {
		return err
	}
	home := awsconfig.ExpandUser("~", e.lookup)
	rep, err := ssocreds.Logout(ctx, filepath.Join(home, ".aws", "sso", "cache"), cache.DefaultDir(home), func(region string) ssocreds.LogoutAPI {
		return ssocreds.NewPortalClient(region, endpoint, awshttp.Retry{}, nil)
	})
	for _, p := range rep.Tokens {
		fmt.Fprintf(e.stderr, "credchain: removed the SSO token %s\n", p)
	}
	for _, p := range rep.Credentials {
		fmt.Fprintf(e.stderr, "credchain: removed SSO role credentials %s\n", p)
	}
	fmt.Fprintf(e.stderr, "credchain: %d sessions ended at the portal", len(rep.LoggedOut))
	if len(rep.Refused) > 0 {
		fmt.Fprintf(e.stderr, ", %d already expired or revoked", len(rep.Refused))
	}
	fmt.Fprintf(e.stderr, "; %d token files and %d cached role credentials removed\n", len(rep.Tokens), len(rep.Credentials))
	return err
}
