package awsconfig

import (
	"fmt"
	"strings"

	"github.com/credchain/credchain/creds"
)

// credentialSources are the valid credential_source values: an exact,
// case-sensitive match, as botocore's is_supported checks.
var credentialSources = map[string]bool{"Environment": true, "Ec2InstanceMetadata": true, "EcsContainer": true}

// IsCredentialSource reports whether name is a credential_source value
// botocore accepts (Environment, Ec2InstanceMetadata, EcsContainer).
func IsCredentialSource(name string) bool { return credentialSources[name] }

func HasStaticKeys(p *Section) bool {
	return p.Has("aws_access_key_id") || p.Has("aws_secret_access_key")
}

func HasRoleConfig(p *Section) bool {
	return p.Has("role_arn") && !p.Has("web_identity_token_file")
}

// ValidateRoleChain checks an assume-role profile and its chain of source
// profiles the way botocore's AssumeRoleProvider does before it resolves the
// source credentials: source_profile xor credential_source, a valid
// credential_source, existing source profiles, and no cycles (a profile may
// name itself only when it has static keys). It returns the profiles visited
// and whether the last one is a role whose credentials come from a
// credential_source (else the last one is the source profile holding them).
func ValidateRoleChain(profiles *Profiles, start string) (visited []string, viaCredentialSource bool, err error) {
	visited = []string{start}
	cur := start
	for {
		p := profiles.Lookup(cur)
		src, hasSrc := p.Get("source_profile")
		cs, hasCS := p.Get("credential_source")
		where := p.Pos()
		switch {
		case hasSrc && hasCS:
			return visited, false, creds.Errorf(creds.KindInvalidConfig,
				"%s: The profile \"%s\" contains both source_profile and credential_source.", where, cur)
		case !hasSrc && !hasCS:
			return visited, false, creds.Partial("assume-role", "source_profile or credential_source",
				fmt.Sprintf("profile %q at %s", cur, where))
		case hasCS:
			if !IsCredentialSource(cs) {
				return visited, false, creds.Errorf(creds.KindInvalidConfig,
					"%s: The credential source \"%s\" referenced in profile \"%s\" is not valid. (valid: Environment, Ec2InstanceMetadata, EcsContainer; case matters)", where, cs, cur)
			}
			return visited, true, nil
		}
		sp, ok := profiles.Get(src)
		if !ok {
			return visited, false, creds.Errorf(creds.KindInvalidConfig,
				"%s: The source_profile \"%s\" referenced in the profile \"%s\" does not exist.", where, src, cur)
		}
		for _, v := range visited {
			if v != src {
				continue
			}
			if src != cur || !HasStaticKeys(sp) {
				return visited, false, &creds.Error{Kind: creds.KindInfiniteLoopConfig, Msg: fmt.Sprintf(
					"Infinite loop in credential configuration detected. Attempting to load from profile %s which has already been visited. Visited profiles: %s",
					src, PyList(visited))}
			}
		}
		visited = append(visited, src)
		if HasStaticKeys(sp) || !HasRoleConfig(sp) {
			return visited, false, nil
		}
		cur = src
	}
}

// pyList renders names as a Python list repr: ['a', 'b'].
func PyList(names []string) string {
	parts := make([]string, len(names))
	for i, n := range names {
		q := "'"
		if strings.Contains(n, "'") && !strings.Contains(n, `"`) {
			q = `"`
		}
		esc := strings.ReplaceAll(n, `\`, `\\`)
		if q == "'" {
			esc = strings.ReplaceAll(esc, "'", `\'`)
		}
		parts[i] = q + esc + q
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
