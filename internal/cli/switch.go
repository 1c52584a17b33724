package cli

import (
	"errors"
	"fmt"

	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

type switchOptions struct {
	roleFlags
	shell       string
	profileOnly string
	unset       bool
}

// restoreVar is the shell variable (not exported: children never see the
// user's earlier keys) that holds the code undoing the first switch.
const restoreVar = "__credchain_restore"

func newSwitchCmd(e *env, g *globals) *cobra.Command {
	o := &switchOptions{}
	cmd := &cobra.Command{
		Use: "switch --shell bash|zsh|fish|pwsh [PROFILE | --role-arn ARN ... | --profile-only PROFILE | --unset]",
		Example: `  eval "$(credchain switch --shell bash dev)"    # what 'ccswitch dev' runs
  credchain switch --shell fish --unset | source`,
		Short: "Print the code that switches this shell's credentials (run by the ccswitch function)",
		Long: `Print the shell code that switches the calling shell to a profile or role, or back;
the function 'credchain shell-init' defines (ccswitch) evaluates it.

  PROFILE                 the profile's keys (refreshed ones for roles, SSO, ...)
  --role-arn ARN ...      a role (or chain) assumed from the current credentials
  --profile-only PROFILE  AWS_PROFILE only: SDKs resolve and refresh by themselves
  --unset                 back to exactly what the shell had before the first switch
  --region REGION         this region instead of the profile's

The first switch saves the variables it changes in a shell variable that is not
exported; --unset restores them. The region of a profile is remembered as
credchain's own (CREDCHAIN_REGION): the next switch replaces it, a profile
without a region removes it, and a region you set by hand is kept.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeProfiles(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, ok := map[string]string{"bash": "env", "zsh": "env", "sh": "env", "fish": "fish", "pwsh": "powershell", "powershell": "powershell"}[o.shell]
			if !ok {
				return usageError{fmt.Errorf("invalid --shell %q (bash, zsh, fish, pwsh)", o.shell)}
			}
			if err := g.profileArg(args); err != nil {
				return err
			}
			var code []byte
			var err error
			switch {
			case o.unset:
				if g.profileSet || o.profileOnly != "" || len(o.arns) > 0 {
					return usageError{errors.New("--unset takes no profile or role")}
				}
				code, err = unsetCode(format)
			case o.profileOnly != "":
				if g.profileSet || len(o.arns) > 0 {
					return usageError{errors.New("--profile-only takes one profile and no role")}
				}
				code, err = o.profileOnlyCode(e, g, format)
			default:
				code, err = o.switchCode(cmd, e, g, format)
			}
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(code)
			return err
		},
	}
	o.register(cmd)
	g.regionFlag(cmd)
	cmd.Flags().StringVar(&o.shell, "shell", "", "shell to print for: bash, zsh, fish, pwsh")
	cmd.Flags().StringVar(&o.profileOnly, "profile-only", "", "switch by setting AWS_PROFILE only")
	cmd.Flags().BoolVar(&o.unset, "unset", false, "undo every switch: restore the variables the shell had before the first")
	return cmd
}

// switchCode switches to a profile's or role's credentials.
func (o *switchOptions) switchCode(cmd *cobra.Command, e *env, g *globals, format string) ([]byte, error) {
	if !g.profileSet && len(o.arns) == 0 {
		// A bare switch: pick on the terminal, else say how to use it.
		picked, err := g.pick(e)
		if err != nil {
			return nil, err
		}
		if !picked {
			return nil, usageError{errors.New("name a profile: ccswitch PROFILE | ccswitch --role-arn ARN | ccswitch --profile-only PROFILE | ccswitch --unset")}
		}
	}
	c, s, _, err := o.resolve(cmd.Context(), e, g)
	if err != nil {
		return nil, err
	}
	region := g.exportRegion(e, s)
	change := shellenv.Vars(c, region, e.lookup)
	change.Setenv(shellenv.ProfileVar, o.label(e, g))
	return withSnapshot(format, e, change)
}

// profileOnlyCode sets AWS_PROFILE after checking the profile exists.
func (o *switchOptions) profileOnlyCode(e *env, g *globals, format string) ([]byte, error) {
	g.profile, g.profileSet = o.profileOnly, true
	if err := g.session(e).CheckProfile(); err != nil {
		return nil, err
	}
	var change shellenv.Env
	for _, n := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
		"AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "AWS_DEFAULT_PROFILE"} {
		change.Unsetenv(n)
	}
	// boto3 reads the profile's region itself; only --region is exported.
	change.SetRegion(g.region, e.lookup)
	change.Setenv("AWS_PROFILE", o.profileOnly)
	change.Setenv(shellenv.ProfileVar, o.profileOnly)
	return withSnapshot(format, e, change)
}

// withSnapshot prefixes change with the code that saves, on the first
// switch only, what the shell had in every variable a switch changes.
func withSnapshot(format string, e *env, change shellenv.Env) ([]byte, error) {
	save, err := shellenv.Snapshot(format, restoreVar, shellenv.Managed, e.lookup)
	if err != nil {
		return nil, err
	}
	body, err := shellenv.Render(format, change)
	if err != nil {
		return nil, err
	}
	return append(save, body...), nil
}

// unsetCode restores the snapshot of the first switch, or, when the shell
// never switched, removes every variable a switch sets.
func unsetCode(format string) ([]byte, error) {
	return shellenv.Restore(format, restoreVar, shellenv.Managed)
}
