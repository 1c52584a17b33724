//go:build !credchain_front

package cli

import (
	"errors"
	"fmt"
	"github.com/credchain/credchain/internal/signin"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/configedit"
	"github.com/credchain/credchain/internal/ssoaccounts"
	"github.com/credchain/credchain/internal/ssoprofiles"
	"github.com/credchain/credchain/ssocreds"
	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"
)

type ssoPopulateOptions struct {
	session, region, template string
	prune, dryRun             bool
	concurrency               int
}

func newSSOPopulateCmd(e *env, g *globals) *cobra.Command {
	o := &ssoPopulateOptions{}
	cmd := &cobra.Command{
		Use: "populate [--sso-session S | --profile P] [--template T] [--region R] [--prune] [--dry-run]",
		Example: `  credchain sso populate --sso-session corp
  credchain sso populate --sso-session corp --template '{account_name}.{role_name}' --prune --dry-run`,
		Short: "Write a profile for every account and role the SSO user can reach into ~/.aws/config",
		Long: `List every account (ListAccounts) and each account's roles (ListAccountRoles) with the
cached SSO token, and write one profile per account and role (sso_session,
sso_account_id, sso_role_name, region) into a marked block of ~/.aws/config that the
next populate rewrites. Profiles outside the block are never touched; names that
collide get the account id. Profiles of accounts or roles that are gone are kept
unless --prune. Template placeholders: ` + strings.Join(ssoprofiles.Placeholders, " ") + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.template == "" {
				o.template = ssoprofiles.DefaultTemplate
			}
			if err := ssoprofiles.CheckTemplate(o.template); err != nil {
				return usageError{err}
			}
			portal, err := signin.OpenPortal(cmd.Context(), g.session(e), o.session)
			if err != nil {
				return err
			}
			what := "sso-session " + portal.Session
			login := "credchain sso login --sso-session " + portal.Session
			if portal.Session == "" {
				what, login = "start URL "+portal.StartURL, "credchain sso login --profile "+g.profile
			}
			client := ssocreds.NewPortalClient(portal.SSORegion, portal.Endpoint, portal.Retry, nil)
			roles, err := ssoaccounts.List(cmd.Context(), client, portal.Token, o.concurrency)
			if errors.Is(err, ssoaccounts.ErrToken) {
				return fmt.Errorf("%s: %w: sign in again with %s; the config was not changed", what, err, login)
			}
			if err != nil {
				return fmt.Errorf("%s: listing accounts and roles: %w; the config was not changed", what, err)
			}
			if len(roles) == 0 {
				return fmt.Errorf("%s: the portal lists no account and role for this user; the config was not changed", what)
			}
			opts := ssoprofiles.Options{Session: portal.Session, StartURL: portal.StartURL, SSORegion: portal.SSORegion,
				Region: o.region, Template: o.template, Prune: o.prune}
			if opts.Region == "" {
				opts.Region = portal.SSORegion
			}
			path, _ := awsconfig.ConfigFile(e.lookup)
			var rep ssoprofiles.Report
			render := func(text string) (string, error) {
				out, r, err := ssoprofiles.Render(text, roles, opts)
				rep = r
				return out, err
			}
			if o.dryRun {
				data, err := os.ReadFile(path)
				if err != nil && !os.IsNotExist(err) {
					return err
				}
				out, err := render(string(data))
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: difflib.SplitLines(string(data)), B: difflib.SplitLines(out),
					FromFile: path, ToFile: path + " (after populate)", Context: 2})
				fmt.Fprint(e.stdout, diff)
			} else if _, err := configedit.Rewrite(path, render); err != nil {
				return err
			}
			report(e, rep, len(roles), o.dryRun, path)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.session, "sso-session", "", "the [sso-session NAME] to list (default: the profile's sso_session, or its legacy sso_start_url)")
	cmd.Flags().StringVar(&o.region, "region", "", "region of the generated profiles (default: the session's sso_region)")
	cmd.Flags().StringVar(&o.template, "template", ssoprofiles.DefaultTemplate, "profile name template")
	cmd.Flags().BoolVar(&o.prune, "prune", false, "remove generated profiles of accounts and roles that are gone")
	cmd.Flags().BoolVar(&o.dryRun, "dry-run", false, "print the change as a diff; write nothing")
	cmd.Flags().IntVar(&o.concurrency, "concurrency", ssoaccounts.DefaultConcurrency, "ListAccountRoles calls in flight")
	return cmd
}

func report(e *env, r ssoprofiles.Report, roles int, dryRun bool, path string) {
	verb := "wrote"
	if dryRun {
		verb = "would write"
	}
	fmt.Fprintf(e.stderr, "credchain: %d roles listed; %s %s: %d added, %d updated, %d unchanged, %d removed", roles, verb, path,
		len(r.Added), len(r.Updated), len(r.Unchanged), len(r.Removed))
	if len(r.Kept) > 0 {
		fmt.Fprintf(e.stderr, ", %d kept though gone from the portal (--prune removes them: %s)", len(r.Kept), strings.Join(r.Kept, ", "))
	}
	fmt.Fprintln(e.stderr)
	for _, from := range slices.Sorted(maps.Keys(r.Renamed)) {
		fmt.Fprintf(e.stderr, "credchain: %s is taken: named %s\n", from, r.Renamed[from])
	}
}
