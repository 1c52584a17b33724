package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/shellenv"
	"github.com/spf13/cobra"
)

// roleFlags are the flags that describe roles to assume (assume, exec).
type roleFlags struct {
	arns        []string
	sessionName string
	externalID  string
	duration    int32
	mfaSerial   string
	scopeFlags
}

func (f *roleFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.arns, "role-arn", nil, "role to assume; repeat to chain roles (each assumed with the previous one's credentials)")
	cmd.Flags().StringVar(&f.sessionName, "session-name", "", "RoleSessionName (default botocore-session-<unix seconds>)")
	cmd.Flags().StringVar(&f.externalID, "external-id", "", "ExternalId, sent with every role of the chain")
	cmd.Flags().Int32Var(&f.duration, "duration", 0, "DurationSeconds (900 to the role's maximum; default STS's 1 h)")
	cmd.Flags().StringVar(&f.mfaSerial, "mfa-serial", "", "MFA device serial for the first role (the code is asked for, or --mfa-code)")
	f.scopeFlags.register(cmd)
}

// roles are the --role-arn roles; the last one is narrowed by scope, and
// its session is at most max long (a named scope's limit).
func (f *roleFlags) roles(scope credchain.Scope, max time.Duration) ([]credchain.Role, error) {
	var roles []credchain.Role
	for i, a := range f.arns {
		r := credchain.Role{ARN: a, SessionName: f.sessionName, ExternalID: f.externalID, Duration: f.duration}
		if i == 0 {
			r.MFASerial = f.mfaSerial
		}
		if i == len(f.arns)-1 {
			r.Scope = scope
			if limit := int32(max / time.Second); limit > 0 {
				if r.Duration > limit {
					return nil, fmt.Errorf("--duration %d is longer than the scope's max_duration %s", r.Duration, max)
				}
				if r.Duration == 0 {
					r.Duration = limit
				}
			}
		}
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("--role-arn %s: %w (flags: --role-arn, --session-name, --external-id, --duration 900 to 43200, --mfa-serial)", a, err)
		}
		roles = append(roles, r)
	}
	return roles, nil
}

// source returns what a command runs with: the session's chain, or the
// last role of roles assumed from it.
func source(s *credchain.Session, roles []credchain.Role) (func(context.Context) (creds.Credentials, error), error) {
	if len(roles) == 0 {
		return s.Credentials, nil
	}
	p, err := s.AssumeRoles(roles...)
	if err != nil {
		return nil, err
	}
	return (&creds.Refreshing{Provider: p}).Retrieve, nil
}

// resolve returns the credentials the command runs with, its session, and
// the source to call again for fresh ones (serve). An SSO token that is
// missing or expired is signed in for (loginAfter), then the resolution runs
// again. When the chain, run as boto3 would, finds nothing and no profile
// was named, the picker asks on the terminal and the picked profile is
// resolved instead.
func (f *roleFlags) resolve(ctx context.Context, e *env, g *globals) (creds.Credentials, *credchain.Session, func(context.Context) (creds.Credentials, error), error) {
	scope, max, err := f.scopeFlags.build(e, g)
	if err != nil {
		return creds.Credentials{}, nil, nil, err
	}
	roles, err := f.roles(scope, max)
	if err != nil {
		return creds.Credentials{}, nil, nil, usageError{err}
	}
	if len(roles) == 0 {
		g.scope = scope // the profile's own role
	}
	for {
		s := g.session(e)
		src, err := source(s, roles)
		if err != nil {
			return creds.Credentials{}, nil, nil, err
		}
		c, err := src(ctx)
		if err != nil {
			again, lerr := g.loginAfter(ctx, e, err)
			if lerr != nil {
				return creds.Credentials{}, nil, nil, lerr
			}
			if again {
				continue
			}
			picked, perr := g.pickAfter(e, err)
			if perr != nil {
				return creds.Credentials{}, nil, nil, perr
			}
			if picked {
				continue
			}
		}
		if err == nil && len(roles) == 0 && f.scopeFlags.set() {
			err = checkScoped(c, g.sessionProfile(e))
		}
		return c, s, src, err
	}
}

// label is what the prompt shows for the credentials: the last role's name
// for --role-arn, else the profile named, else "" (leave it as it is).
func (f *roleFlags) label(e *env, g *globals) string {
	if n := len(f.arns); n > 0 {
		arn := f.arns[n-1]
		return arn[strings.LastIndexByte(arn, '/')+1:]
	}
	if g.profileSet {
		return g.profile
	}
	for _, v := range []string{"AWS_DEFAULT_PROFILE", "AWS_PROFILE"} {
		if p, ok := e.lookup(v); ok {
			return p
		}
	}
	return ""
}

type assumeOptions struct {
	roleFlags
	format string
}

func newAssumeCmd(e *env, g *globals) *cobra.Command {
	o := &assumeOptions{}
	cmd := &cobra.Command{
		Use: "assume --role-arn ARN [--role-arn ARN ...]",
		Example: `  # from the keys in the environment, like the boto3 snippets
  eval "$(credchain assume --role-arn arn:aws:iam::123456789012:role/Admin --format env)"
  # a chain: Admin in one account, then Deploy in another
  credchain assume --profile dev --role-arn arn:aws:iam::111111111111:role/Admin --role-arn arn:aws:iam::222222222222:role/Deploy
  # a role whose trust policy needs MFA and an external id
  credchain assume --role-arn arn:aws:iam::123456789012:role/Vendor --external-id ext-42 --mfa-serial arn:aws:iam::123456789012:mfa/me`,
		Short: "Switch role: assume roles from the credentials the chain finds and print them",
		Long: `Assume one role, or a chain of roles, starting from whatever credentials boto3's
chain finds (or --profile), and print the result in any export format.

  eval "$(credchain assume --role-arn arn:aws:iam::123456789012:role/Admin --format env)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(o.arns) == 0 {
				return usageError{fmt.Errorf("--role-arn is required")}
			}
			if !validFormat(o.format) {
				return usageError{fmt.Errorf("invalid --format %q (valid: %s)", o.format, strings.Join(shellenv.Formats, ", "))}
			}
			c, s, _, err := o.resolve(cmd.Context(), e, g)
			if err != nil {
				return err
			}
			return writeCredentials(e, g, s, c, o.format)
		},
	}
	o.register(cmd)
	g.regionFlag(cmd)
	cmd.Flags().StringVar(&o.format, "format", "process", "output format: "+strings.Join(shellenv.Formats, ", "))
	return cmd
}

func validFormat(f string) bool { return slices.Contains(shellenv.Formats, f) }
