// Package ssoprofiles writes one config profile per IAM Identity Center
// account and role (credchain sso populate) into a marked block of
// ~/.aws/config that a later run rewrites; profiles outside the block are
// never touched.
package ssoprofiles

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/configedit"
	"github.com/credchain/credchain/internal/ini"
	"github.com/credchain/credchain/internal/ssoaccounts"
)

// DefaultTemplate names profiles "ACCOUNT-NAME-ROLE".
const DefaultTemplate = "{account_name}-{role_name}"

// Placeholders are the template's fields.
var Placeholders = []string{"{account_name}", "{account_id}", "{role_name}", "{email}", "{sso_session}"}

// Options say what to write.
type Options struct {
	// Session is the sso-session the profiles use; for a legacy start URL
	// it is "" and StartURL and SSORegion are written instead.
	Session, StartURL, SSORegion string
	// Region is each profile's region ("" writes none).
	Region string
	// Template names the profiles (DefaultTemplate when empty).
	Template string
	// Prune drops profiles of accounts or roles no longer listed; without
	// it they are kept.
	Prune bool
}

// Block is the marked block for o's session or start URL.
func (o Options) Block() configedit.Block {
	what := "--sso-session " + o.Session
	if o.Session == "" {
		what = "sso_start_url " + o.StartURL
	}
	return configedit.Block{
		Begin: "# BEGIN credchain sso populate " + what + " (generated; the next populate rewrites this block)",
		End:   "# END credchain sso populate " + what,
	}
}

// Report says what a run changes.
type Report struct {
	Added, Updated, Unchanged, Kept, Removed []string
	// Renamed are names that collided, with the name given instead.
	Renamed map[string]string
}

var placeholderRe = regexp.MustCompile(`\{[^{}]*\}`)

// CheckTemplate refuses a template with an unknown placeholder or none.
func CheckTemplate(t string) error {
	found := placeholderRe.FindAllString(t, -1)
	for _, p := range found {
		ok := false
		for _, q := range Placeholders {
			ok = ok || p == q
		}
		if !ok {
			return fmt.Errorf("template %q: unknown placeholder %s (use %s)", t, p, strings.Join(Placeholders, ", "))
		}
	}
	if !strings.Contains(t, "{role_name}") || !strings.Contains(t, "{account_name}") && !strings.Contains(t, "{account_id}") {
		return fmt.Errorf("template %q must name the role ({role_name}) and the account ({account_name} or {account_id})", t)
	}
	return nil
}

// safe makes s usable as a profile name in a header: letters, digits and
// ".-_@+:/" are kept, runs of anything else become one "-".
func safe(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._@+:/-", r)) {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-./:")
}

// Name is the profile name the template gives role.
func Name(template, session string, r ssoaccounts.Role) string {
	return safe(strings.NewReplacer("{account_name}", r.AccountName, "{account_id}", r.AccountID, "{role_name}", r.RoleName,
		"{email}", r.Email, "{sso_session}", session).Replace(template))
}

type profile struct {
	name  string
	keys  [][2]string
	ident string // account id + "/" + role
}

func (p profile) render() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[profile %s]\n", p.name)
	for _, kv := range p.keys {
		fmt.Fprintf(&b, "%s = %s\n", kv[0], kv[1])
	}
	return b.String()
}

// Render returns the config text with the block rewritten for roles, and
// what changed. text must parse.
func Render(text string, roles []ssoaccounts.Role, o Options) (string, Report, error) {
	rep := Report{Renamed: map[string]string{}}
	if o.Template == "" {
		o.Template = DefaultTemplate
	}
	if err := CheckTemplate(o.Template); err != nil {
		return "", rep, err
	}
	block := o.Block()
	oldBody, _, err := block.Find(text)
	if err != nil {
		return "", rep, err
	}
	whole, err := ini.ParseString(text)
	if err != nil {
		return "", rep, fmt.Errorf("the file does not parse (%v): fix it first; nothing was changed", err)
	}
	old, err := ini.ParseString(oldBody)
	if err != nil {
		return "", rep, fmt.Errorf("the generated block does not parse (%v): fix it by hand", err)
	}
	// Names taken outside the block, and the block's profiles.
	inBlock := map[string]profile{}
	for _, s := range old.Sections() {
		if kind, name := awsconfig.ClassifyHeader(s.Name); kind == awsconfig.SectionProfile {
			p := profile{name: name}
			vals := map[string]string{}
			for _, k := range s.Keys() {
				p.keys = append(p.keys, [2]string{k.Name, k.Value})
				vals[k.Name] = k.Value
			}
			p.ident = vals["sso_account_id"] + "/" + vals["sso_role_name"]
			inBlock[name] = p
		}
	}
	taken := map[string]bool{}
	for _, s := range whole.Sections() {
		kind, name := awsconfig.ClassifyHeader(s.Name)
		if _, generated := inBlock[name]; kind == awsconfig.SectionProfile && !generated {
			taken[name] = true
		}
	}
	// The new profiles, in the listing's order; a name that collides gets
	// the account id.
	var out []profile
	listed := map[string]bool{}
	used := map[string]bool{}
	for _, r := range roles {
		name := Name(o.Template, o.Session, r)
		if name == "" {
			return "", rep, fmt.Errorf("template %q gives an empty name for account %s role %s", o.Template, r.AccountID, r.RoleName)
		}
		if taken[name] || used[name] {
			alt := name + "-" + r.AccountID
			if taken[alt] || used[alt] {
				return "", rep, fmt.Errorf("template %q gives %q for account %s role %s, which is taken (also with the account id): choose another template", o.Template, name, r.AccountID, r.RoleName)
			}
			rep.Renamed[name+" ("+r.AccountID+" "+r.RoleName+")"] = alt
			name = alt
		}
		if k, n := awsconfig.ClassifyHeader("profile " + name); k != awsconfig.SectionProfile || n != name {
			return "", rep, fmt.Errorf("template %q gives %q, which is not a valid profile name", o.Template, name)
		}
		used[name] = true
		p := profile{name: name, ident: r.AccountID + "/" + r.RoleName}
		if o.Session != "" {
			p.keys = append(p.keys, [2]string{"sso_session", o.Session})
		} else {
			p.keys = append(p.keys, [2]string{"sso_start_url", o.StartURL}, [2]string{"sso_region", o.SSORegion})
		}
		p.keys = append(p.keys, [2]string{"sso_account_id", r.AccountID}, [2]string{"sso_role_name", r.RoleName})
		if o.Region != "" {
			p.keys = append(p.keys, [2]string{"region", o.Region})
		}
		listed[p.ident] = true
		out = append(out, p)
		switch prev, ok := inBlock[name]; {
		case !ok:
			rep.Added = append(rep.Added, name)
		case prev.render() == p.render():
			rep.Unchanged = append(rep.Unchanged, name)
		default:
			rep.Updated = append(rep.Updated, name)
		}
	}
	// Profiles of accounts or roles gone: kept, unless pruned.
	var gone []string
	for name := range inBlock {
		if !used[name] && !listed[inBlock[name].ident] {
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)
	for _, name := range gone {
		if o.Prune {
			rep.Removed = append(rep.Removed, name)
			continue
		}
		rep.Kept = append(rep.Kept, name)
		out = append(out, inBlock[name])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	var body strings.Builder
	for _, p := range out {
		body.WriteString(p.render())
		body.WriteString("\n")
	}
	result, err := block.Replace(text, body.String())
	if err != nil {
		return "", rep, err
	}
	return result, rep, nil
}
