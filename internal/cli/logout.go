package cli

import (
	"fmt"
	"github.com/credchain/credchain/internal/signin"

	"github.com/credchain/credchain/logincreds"
	"github.com/spf13/cobra"
)

func newLogoutCmd(e *env, g *globals) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "logout [--profile P | --all]",
		Short: "Remove the cached `aws login` token of the profile (or of every profile), as aws logout does",
		Long: `Like 'aws logout': remove the profile's cached login token (its login_session's
file in ~/.aws/login/cache, or AWS_LOGIN_CACHE_DIRECTORY), or with --all every
cached login token. Tools that already loaded the access token may use it until it
expires (15 minutes). For IAM Identity Center, see credchain sso logout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, profile, session, err := signin.LoginCache(g.session(e))
			if err != nil {
				return err
			}
			if all {
				removed, err := logincreds.LogoutAll(dir)
				for _, p := range removed {
					fmt.Fprintf(e.stderr, "credchain: removed the login token %s\n", p)
				}
				fmt.Fprintf(e.stderr, "credchain: %d cached login tokens removed\n", len(removed))
				return err
			}
			if session == "" {
				return fmt.Errorf("profile %q has no login_session: nothing to log out of (--all removes every cached login token)", profile)
			}
			removed, err := logincreds.Logout(dir, session)
			if err != nil {
				return err
			}
			if removed {
				fmt.Fprintf(e.stderr, "credchain: removed the cached login token of profile %s (%s)\n", profile, logincreds.TokenFile(dir, session))
			} else {
				fmt.Fprintf(e.stderr, "credchain: profile %s had no cached login token\n", profile)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "remove every cached login token")
	return cmd
}
