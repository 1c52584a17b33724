//go:build !credchain_front

package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsv2"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/agent"
	"github.com/credchain/credchain/internal/agentreport"
	"github.com/credchain/credchain/server"
	"github.com/credchain/credchain/shellenv"
	"github.com/credchain/credchain/stscreds"
	"github.com/spf13/cobra"
)

type agentOptions struct {
	scopeFlags
	roleARN    string
	ttl        time.Duration
	maxSession time.Duration
	audit      string
	denyFiles  bool
}

func newAgentCmd(e *env, g *globals) *cobra.Command {
	o := &agentOptions{}
	cmd := &cobra.Command{
		Use:   "agent [PROFILE] --scope NAME [--ttl 15m] [--max-session 4h] [--audit FILE] -- COMMAND [ARGS...]",
		Short: "Run a command (an AI agent, an MCP server, a build) on short-lived, scoped credentials served to it, with an audit",
		Example: `  credchain agent dev --scope readonly -- claude
  credchain agent dev --role-arn arn:aws:iam::123456789012:role/Agent --scope bedrock --ttl 15m -- codex`,
		Long: `COMMAND never holds your keys: it gets the container endpoint of a local server
(AWS_CONTAINER_CREDENTIALS_FULL_URI, its token in a 0600 file named by
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE) and AWS_REGION; no AWS_* key, AWS_PROFILE or
shared-file variable of yours (with --deny-files the shared files are empty ones, so a
stray --profile fails loudly). Every credential served is an AssumeRole of the profile's
role (or --role-arn) from the profile's source, with the scope's session policies, for
--ttl (15 minutes at least), tagged credchain:agent (the command) and credchain:session,
carrying you as source identity (your IAM user name or role session name), so
CloudTrail names you and the agent. After --max-session the server answers 403. A
receipt goes to stderr and opens the audit file (JSON lines, 0600), which records
every credential served by access key id, never a secret.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			profile, argv, err := splitArgs(cmd, args)
			if err != nil {
				return err
			}
			if len(argv) == 0 {
				return usageError{errors.New("agent needs a command: credchain agent [PROFILE] --scope NAME -- COMMAND [ARGS...]")}
			}
			if err := g.profileArg(profile); err != nil {
				return err
			}
			path, err := lookCommand(e, argv)
			if err != nil {
				return err
			}
			return runAgent(cmd.Context(), e, g, o, path, argv)
		},
		ValidArgsFunction: completeProfiles(e),
	}
	o.scopeFlags.registerOn(cmd.PersistentFlags())
	cmd.AddCommand(newAgentExportCmd(e, g, o), newAgentReportCmd(e, g))
	f := cmd.PersistentFlags()
	f.StringVar(&o.roleARN, "role-arn", "", "the role each credential assumes (default: the profile's role_arn, from its source_profile)")
	f.DurationVar(&o.ttl, "ttl", 15*time.Minute, "how long each credential lives (at least 15m)")
	f.DurationVar(&o.maxSession, "max-session", 4*time.Hour, "after this, no more credentials are served")
	f.StringVar(&o.audit, "audit", "", "the audit file (default: agent/SESSION.jsonl in credchain's state folder)")
	f.BoolVar(&o.denyFiles, "deny-files", false, "point the command's shared config and credentials files at empty ones")
	g.regionFlag(cmd)
	return cmd
}

// agentSource is the session whose credentials each AssumeRole signs with,
// and the role: --role-arn from the profile's own credentials, else the
// profile's role_arn from its source_profile.
func agentSource(e *env, g *globals, roleARN string) (*credchain.Session, credchain.Role, error) {
	src := *g
	src.noCache = true // the agent's sessions stay in this process
	if roleARN != "" {
		return src.session(e), credchain.Role{ARN: roleARN}, nil
	}
	name := g.sessionProfile(e)
	p, err := g.profileSection(e)
	if err != nil {
		return nil, credchain.Role{}, err
	}
	arn, _ := p.Get("role_arn")
	source, _ := p.Get("source_profile")
	if arn == "" || source == "" {
		return nil, credchain.Role{}, usageError{fmt.Errorf("profile %q has no role_arn with a source_profile for the agent to assume: give --role-arn ARN (assumed from the profile's credentials)", name)}
	}
	if _, ok := p.Get("mfa_serial"); ok {
		return nil, credchain.Role{}, usageError{fmt.Errorf("profile %q needs an MFA code for each AssumeRole, which an agent's refreshes cannot ask for: give --role-arn ARN of a role without MFA, assumed from the profile's credentials", name)}
	}
	externalID, _ := p.Get("external_id")
	src.profile, src.profileSet = source, true
	return src.session(e), credchain.Role{ARN: arn, ExternalID: externalID}, nil
}

// agentRun is a started agent session: what serves its credentials.
type agentRun struct {
	sess      *agent.Session
	audit     *agent.Audit
	auditPath string
	region    string
	serve     func(context.Context) (creds.Credentials, error)
	first     creds.Credentials
}

// startAgent binds a session of command: the source credentials and the
// person behind them, the role, the scope, and the audit file opened with
// the receipt. serve assumes the role for the session and records it.
func startAgent(ctx context.Context, e *env, g *globals, o *agentOptions, command string) (*agentRun, error) {
	scope, maxDuration, err := o.scopeFlags.build(e, g)
	if err != nil {
		return nil, err
	}
	if o.audit != "" {
		if _, err := os.Lstat(o.audit); err == nil {
			return nil, usageError{fmt.Errorf("audit file: %s: file exists (each session writes a new one)", o.audit)}
		}
	}
	if maxDuration > 0 && o.ttl > maxDuration {
		return nil, usageError{fmt.Errorf("--ttl %s is longer than the scope's max_duration %s", o.ttl, maxDuration)}
	}
	s, role, err := agentSource(e, g, o.roleARN)
	if err != nil {
		return nil, err
	}
	base, err := s.Credentials(ctx)
	if err != nil {
		return nil, err
	}
	stsOpts, err := s.STSOptions()
	if err != nil {
		return nil, err
	}
	id, err := stscreds.CallerIdentity(ctx, stsOpts, base)
	if err != nil {
		return nil, err
	}
	sess, err := agent.New(command, role.ARN, aws.ToString(id.Arn), aws.ToString(id.Account), stsOpts.Region, scope, o.scope, o.ttl, o.maxSession)
	if err != nil {
		return nil, usageError{err}
	}
	auditPath := o.audit
	if auditPath == "" {
		auditPath = filepath.Join(stateDir(e), "agent", sess.ID+".jsonl")
		if err := os.MkdirAll(filepath.Dir(auditPath), 0o700); err != nil {
			return nil, err
		}
	}
	assume := func(ctx context.Context, d time.Duration) (creds.Credentials, error) {
		p, err := s.AssumeRoles(credchain.Role{ARN: role.ARN, ExternalID: role.ExternalID, SessionName: "credchain-agent-" + sess.ID,
			Duration: int32(d / time.Second), Scope: sess.Scope})
		if err != nil {
			return creds.Credentials{}, err
		}
		return p.Retrieve(ctx)
	}
	// The first credential: a role that may not take the person as source
	// identity (its trust policy lacks sts:SetSourceIdentity, or the source
	// session already carries another, which STS keeps) is assumed without
	// setting one; the session says so.
	first, err := sess.Assume(ctx, assume)
	if err != nil && sess.Scope.SourceIdentity != "" && strings.Contains(err.Error(), "AccessDenied") && strings.Contains(err.Error(), "SourceIdentity") {
		sess.Scope.SourceIdentity = ""
		fmt.Fprintf(e.stderr, "credchain: warning: role %s refuses sts:SetSourceIdentity: the agent's sessions carry no source identity of credchain's (an upstream one is kept by STS); the credchain:session tag still names them\n", role.ARN)
		first, err = sess.Assume(ctx, assume)
	}
	if err != nil {
		return nil, err
	}
	// The receipt is what the session is bound to once its first
	// credential is served.
	audit, err := agent.OpenAudit(auditPath, sess.Receipt())
	if err != nil {
		return nil, err
	}
	audit.Served(time.Now(), first, nil)
	serve := func(ctx context.Context) (creds.Credentials, error) {
		c, err := sess.Assume(ctx, assume)
		audit.Served(time.Now(), c, err)
		return c, err
	}
	return &agentRun{sess: sess, audit: audit, auditPath: auditPath, region: stsOpts.Region, serve: serve, first: first}, nil
}

func runAgent(ctx context.Context, e *env, g *globals, o *agentOptions, path string, argv []string) error {
	run, err := startAgent(ctx, e, g, o, filepath.Base(argv[0]))
	if err != nil {
		return err
	}
	defer run.audit.Close()
	first := run.first
	// Refreshed with a few minutes left; one AssumeRole at a time.
	keeper := &creds.Background{Provider: creds.Func(run.serve, stscreds.MethodAssumeRole), MinInterval: max(o.ttl-5*time.Minute, time.Minute)}
	keeper.Hold(first)
	srv, err := server.New(server.Container, keeper)
	if err != nil {
		return err
	}
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		return err
	}
	tokenFile, cleanup, err := agent.TokenFile(srv.Token)
	if err != nil {
		return err
	}
	defer cleanup()
	change := serverEnv(server.Container, srv.URL(), srv.Token, run.region, e)
	change.Unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
	change.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile)
	if run.region != "" {
		change.Setenv("AWS_REGION", run.region)
	}
	if o.denyFiles {
		empty := filepath.Join(filepath.Dir(tokenFile), "empty")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			return err
		}
		change.Setenv("AWS_CONFIG_FILE", empty)
		change.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	}
	fmt.Fprint(e.stderr, run.sess.Receipt().Text())
	fmt.Fprintf(e.stderr, "  audit:     %s\n", run.auditPath)
	return serveDuring(srv, func() error { return runWith(e, path, argv, change.Apply(os.Environ())) })
}

// newAgentExportCmd prints one scoped credential of a new agent session,
// for agent hosts that call a helper (Claude Code's awsCredentialExport,
// Codex's credential_export).
func newAgentExportCmd(e *env, g *globals, o *agentOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export [PROFILE] --scope NAME [--format process|sts]",
		Short: "Print one scoped, audited credential for an agent host to read (Claude Code's awsCredentialExport: --format sts)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.profileArg(args); err != nil {
				return err
			}
			if format != "process" && format != "sts" {
				return usageError{fmt.Errorf("invalid --format %q (process or sts)", format)}
			}
			run, err := startAgent(cmd.Context(), e, g, o, "export")
			if err != nil {
				return err
			}
			defer run.audit.Close()
			out, err := shellenv.Format(format, run.first, run.region, e.lookup)
			if err != nil {
				return err
			}
			fmt.Fprint(e.stderr, run.sess.Receipt().Text())
			fmt.Fprintf(e.stderr, "  audit:     %s\n", run.auditPath)
			_, err = e.stdout.Write(out)
			return err
		},
		ValidArgsFunction: completeProfiles(e),
	}
	cmd.Flags().StringVar(&format, "format", "process", "process (credential_process) or sts (aws sts assume-role's output)")
	return cmd
}

// newAgentReportCmd tells what a session did, from CloudTrail.
func newAgentReportCmd(e *env, g *globals) *cobra.Command {
	var audit string
	var suggest bool
	cmd := &cobra.Command{
		Use:   "report [--audit FILE | SESSION] [--suggest-policy]",
		Short: "What an agent session did, from CloudTrail: calls made and denied, by each key it was served",
		Long: `Looks up, in CloudTrail (LookupEvents by access key, every page, at most 2 requests a
second), each key the session's audit file lists, in the session's region and us-east-1
(where global services log), from the session's start to its end. With --suggest-policy
it prints an IAM policy allowing exactly the calls that succeeded: the next session's
scope (a session_policy_file in scopes.json). CloudTrail shows events 5 to 15 minutes
after the calls, and data events only where a trail records them.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := audit
			if len(args) == 1 {
				if path != "" {
					return usageError{errors.New("give --audit FILE or a session id, not both")}
				}
				path = filepath.Join(stateDir(e), "agent", args[0]+".jsonl")
			}
			if path == "" {
				return usageError{errors.New("which session? credchain agent report SESSION, or --audit FILE")}
			}
			receipt, keys, err := agent.ReadAudit(path)
			if err != nil {
				return err
			}
			start, err := time.Parse(time.RFC3339, receipt.Started)
			if err != nil {
				return fmt.Errorf("%s: the receipt's start: %w", path, err)
			}
			ends, _ := time.Parse(time.RFC3339, receipt.Ends)
			end := time.Now()
			if ends.Add(time.Hour).Before(end) {
				end = ends.Add(time.Hour) // the last keys outlive the session by a TTL at most
			}
			regions := []string{receipt.Region}
			if receipt.Region != "us-east-1" {
				regions = append(regions, "us-east-1")
			}
			s := g.session(e)
			endpoint, err := s.EndpointURL("cloudtrail")
			if err != nil {
				return err
			}
			r, err := agentreport.Build(cmd.Context(), agentreport.NewLookup(awsv2.New(s), endpoint), receipt.Session, keys, regions, start, end)
			if err != nil {
				return err
			}
			if suggest {
				pol, err := r.SuggestPolicy()
				if err != nil {
					return err
				}
				_, err = e.stdout.Write(pol)
				return err
			}
			_, err = fmt.Fprint(e.stdout, r.Text())
			return err
		},
	}
	cmd.Flags().StringVar(&audit, "audit", "", "the session's audit file")
	cmd.Flags().BoolVar(&suggest, "suggest-policy", false, "print a policy allowing exactly the calls that succeeded")
	return cmd
}
