package cli

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/scopes"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// scopeFlags narrow the session of the role a command assumes: the last
// --role-arn, else the profile's own role.
type scopeFlags struct {
	scope          string
	policyFile     string
	policy         string
	policyARNs     []string
	tags           []string
	transitiveTags []string
	sourceIdentity string
}

func (f *scopeFlags) register(cmd *cobra.Command) { f.registerOn(cmd.Flags()) }

// registerOn adds the flags to fl (a command's persistent flags, for its
// subcommands too).
func (f *scopeFlags) registerOn(fl *pflag.FlagSet) {
	fl.StringVar(&f.scope, "scope", "", "a named scope (credchain scopes lists them): its session policies and tags, under the flags below")
	fl.StringVar(&f.policyFile, "policy-file", "", "an inline session policy, from a file (IAM policy JSON)")
	fl.StringVar(&f.policy, "policy", "", "an inline session policy (IAM policy JSON)")
	fl.StringArrayVar(&f.policyARNs, "policy-arn", nil, "a managed policy as a session policy (repeatable)")
	fl.StringArrayVar(&f.tags, "tag", nil, "a session tag KEY=VALUE (repeatable, order kept)")
	fl.StringArrayVar(&f.transitiveTags, "transitive-tag", nil, "the key of a session tag that passes on to chained roles (repeatable)")
	fl.StringVar(&f.sourceIdentity, "source-identity", "", "the source identity the session carries")
}

// set reports whether any flag narrows the session.
func (f *scopeFlags) set() bool {
	return f.scope != "" || f.policyFile != "" || f.policy != "" || len(f.policyARNs) > 0 || len(f.tags) > 0 ||
		len(f.transitiveTags) > 0 || f.sourceIdentity != ""
}

// build is the scope the flags ask for: the named scope's settings, then
// the flags, each replacing what the one before set, and the named scope's
// longest session. A profile's own credchain_* keys are read by the
// session (credchain.WithProfileScopes) under these.
func (f *scopeFlags) build(e *env, g *globals) (credchain.Scope, time.Duration, error) {
	lookup := g.lookup(e)
	var out credchain.Scope
	var max time.Duration
	if f.scope != "" {
		file, err := scopes.File(lookup)
		if err != nil {
			return out, 0, err
		}
		named, err := scopes.Lookup(f.scope, file, awsconfig.ExpandUser("~", lookup))
		if err != nil {
			return out, 0, usageError{err}
		}
		out, max = named.Scope, named.MaxDuration
	}
	flags := credchain.Scope{Policy: f.policy, PolicyARNs: f.policyARNs, TransitiveTagKeys: f.transitiveTags, SourceIdentity: f.sourceIdentity}
	if f.policyFile != "" {
		data, err := os.ReadFile(f.policyFile)
		if err != nil {
			return out, 0, usageError{fmt.Errorf("--policy-file: %w", err)}
		}
		flags.Policy = string(data)
	}
	for _, t := range f.tags {
		tag, err := scopes.Tag(t)
		if err != nil {
			return out, 0, usageError{fmt.Errorf("--tag %w", err)}
		}
		flags.Tags = append(flags.Tags, tag)
	}
	return scopes.Overlay(out, flags), max, nil
}

// sessionProfile is the profile the session resolves ("default" when none
// is named).
func (g *globals) sessionProfile(e *env) string {
	if g.profileSet {
		return g.profile
	}
	for _, v := range []string{"AWS_DEFAULT_PROFILE", "AWS_PROFILE"} {
		if p, ok := g.lookup(e)(v); ok && p != "" {
			return p
		}
	}
	return "default"
}

// checkScoped refuses a scope that nothing applied: the profile's
// credentials are not an assumed role's.
func checkScoped(c creds.Credentials, profile string) error {
	if c.Method == "assume-role" {
		return nil
	}
	return usageError{fmt.Errorf("profile %q gives %s credentials, not an assumed role's: session policies, tags and a source identity are AssumeRole's: add --role-arn ARN (SSO and GetSessionToken credentials cannot carry a session policy themselves; assuming a role with them is role chaining, which caps the session at 1 hour)", profile, c.Method)}
}

// describeScope is the scope in a line.
func describeScope(sc credchain.Scope) string {
	var parts []string
	if len(sc.PolicyARNs) > 0 {
		parts = append(parts, "policies "+strings.Join(sc.PolicyARNs, ", "))
	}
	if sc.Policy != "" {
		parts = append(parts, fmt.Sprintf("an inline policy (%d bytes)", len(sc.Policy)))
	}
	for _, t := range sc.Tags {
		parts = append(parts, "tag "+t.Key+"="+t.Value)
	}
	if len(sc.TransitiveTagKeys) > 0 {
		parts = append(parts, "transitive "+strings.Join(sc.TransitiveTagKeys, ", "))
	}
	if sc.SourceIdentity != "" {
		parts = append(parts, "source identity "+sc.SourceIdentity)
	}
	return strings.Join(parts, "; ")
}
