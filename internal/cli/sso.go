//go:build !credchain_front

package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/credchain/credchain/internal/signin"
	"path/filepath"
	"time"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/ssocreds"

	"github.com/credchain/credchain/internal/browser"
	"github.com/spf13/cobra"
)

type ssoLoginOptions struct {
	session    string
	noBrowser  bool
	deviceCode bool
	timeout    time.Duration
}

// loginOptions: the browser when there is one (unless --no-browser), else
// the URL (and the device code) on stderr.
// With no browser here (an SSH session, no desktop) and no --no-browser,
// the device code is used: the browser's redirect to this machine's
// loopback could not arrive.
func (o *ssoLoginOptions) loginOptions(e *env) signin.Options {
	device := o.deviceCode
	if !device && !o.noBrowser {
		if err := browser.Available(e.lookup); err != nil {
			fmt.Fprintf(e.stderr, "credchain: no browser here (%v): signing in with a device code, to confirm on any device (--use-device-code)\n", err)
			device = true
		}
	}
	return signin.Options{DeviceCode: device, Timeout: o.timeout,
		Open: func(url string) error {
			if o.noBrowser {
				return errors.New("--no-browser")
			}
			err := browser.Open(url, e.lookup)
			if err != nil {
				fmt.Fprintf(e.stderr, "credchain: no browser opened (%v)\n", err)
			}
			return err
		},
		Prompt: func(url, code string) {
			fmt.Fprint(e.stderr, signInMessage(url, code))
			if code != "" && !o.noBrowser {
				if err := browser.Open(url, e.lookup); err != nil {
					fmt.Fprintf(e.stderr, "credchain: no browser opened (%v): open the URL above yourself\n", err)
				}
			}
		}}
}

func newSSOCmd(e *env, g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "sso", Short: "AWS IAM Identity Center (SSO) sign-in"}
	o := &ssoLoginOptions{}
	login := &cobra.Command{
		Use: "login [--profile P | --sso-session S]",
		Example: `  credchain sso login --sso-session corp
  credchain sso login --profile dev --no-browser`,
		Short: "Sign in (browser with PKCE, or --use-device-code) and write the token cache shared with the AWS CLI",
		Long: `Sign in to AWS IAM Identity Center like 'aws sso login' (AWS CLI 2.22 and later):
the browser opens the sign-in page and brings an authorization code back to a
listener on 127.0.0.1 (PKCE, state checked, 10 minutes at most); with
--use-device-code, a code to confirm on a verification page instead. The token is
written to ~/.aws/sso/cache, where both credchain and the AWS CLI read it. Processes
that log in to the same session at once run one flow.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := signin.SSO(cmd.Context(), g.session(e), o.session, o.loginOptions(e))
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "Signed in; token written to %s\n", path)
			return nil
		},
	}
	login.Flags().StringVar(&o.session, "sso-session", "", "the [sso-session NAME] to sign in to (default: the profile's)")
	login.Flags().BoolVar(&o.noBrowser, "no-browser", false, "do not try to open a browser: print the URL")
	login.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the sign-in in the browser")
	login.Flags().BoolVar(&o.deviceCode, "use-device-code", false, "sign in with the device authorization flow (a code to confirm on any device) instead of the browser on this machine")
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
