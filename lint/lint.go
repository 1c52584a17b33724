// Package lint finds the configuration mistakes that make boto3, the AWS CLI
// and aws-sdk-go-v2 disagree, or that boto3 itself reads differently from
// what the author meant. Each finding names the file and line, says what
// goes wrong and how to fix it.
package lint

//go:generate go run gensettings.go

import (
	"errors"
	"fmt"
	"github.com/credchain/credchain/internal/scopes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/ini"
)

// Severities.
const (
	Error   = "error"
	Warning = "warning"
)

// Finding is one problem.
type Finding struct {
	Where    string `json:"where"` // file:line
	Severity string `json:"severity"`
	Check    string `json:"check"`
	Profile  string `json:"profile,omitempty"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

// Files are the parsed shared files (either may be nil) and their paths.
type Files struct {
	ConfigPath, CredentialsPath string
	Config, Credentials         *awsconfig.File
	Env                         func(string) (string, bool)
}

// Load reads the shared files the environment names. A file that cannot be
// parsed is an error finding, not a failure.
func Load(env func(string) (string, bool)) (Files, []Finding) {
	f := Files{Env: env}
	f.ConfigPath, _ = awsconfig.ConfigFile(env)
	f.CredentialsPath, _ = awsconfig.CredentialsFile(env)
	var out []Finding
	for _, p := range []struct {
		path string
		into **awsconfig.File
	}{{f.ConfigPath, &f.Config}, {f.CredentialsPath, &f.Credentials}} {
		parsed, err := awsconfig.ReadFile(p.path)
		switch {
		case err == nil:
			*p.into = parsed
		case creds.KindOf(err) == creds.KindConfigNotFound:
		default:
			out = append(out, Finding{Where: p.path, Severity: Error, Check: "parse", Message: err.Error(),
				Fix: "fix the line named; boto3, the AWS CLI and credchain refuse the whole file"})
			// Lint the rest all the same: a duplicate section does not
			// hide the findings after it.
			parsed, more := recoverParse(p.path)
			*p.into = parsed
			out = append(out, more...)
		}
	}
	return f, out
}

// maxRecoveries bounds how many bad lines one file may have before lint
// stops looking past them.
const maxRecoveries = 50

// recoverParse parses the file at path with each line the parser refuses
// (a duplicate section with its keys, a duplicate key, a line that is no
// setting) turned into a comment, so that the rest of the file can be
// linted; each further line so skipped is a finding of its own (the first
// one is reported by the caller).
func recoverParse(path string) (*awsconfig.File, []Finding) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil
	}
	lines := strings.SplitAfter(string(data), "\n")
	var out []Finding
	for i := 0; i < maxRecoveries; i++ {
		text := strings.Join(lines, "")
		_, err := ini.ParseString(text)
		var se *ini.SyntaxError
		if !errors.As(err, &se) || se.Line < 1 || se.Line > len(lines) {
			if err != nil {
				return nil, out
			}
			parsed, err := awsconfig.Parse(path, []byte(text))
			if err != nil {
				return nil, out
			}
			return parsed, out
		}
		if i > 0 {
			out = append(out, Finding{Where: fmt.Sprintf("%s:%d", path, se.Line), Severity: Error, Check: "parse", Message: se.Reason,
				Fix: "fix the line; boto3, the AWS CLI and credchain refuse the whole file"})
		}
		skip := 1
		if strings.HasPrefix(se.Reason, "duplicate section") {
			for skip < len(lines)-se.Line+1 && !strings.HasPrefix(strings.TrimSpace(lines[se.Line-1+skip]), "[") {
				skip++
			}
		}
		for j := se.Line - 1; j < se.Line-1+skip; j++ {
			lines[j] = "#" + lines[j]
		}
	}
	return nil, out
}

// Run lints f.
func Run(f Files) []Finding {
	var out []Finding
	add := func(where, sev, check, profile, msg, fix string) {
		out = append(out, Finding{Where: where, Severity: sev, Check: check, Profile: profile, Message: msg, Fix: fix})
	}
	// Every section is read once and kept by nobody (File.At, a fresh
	// Config for each role's chain): linting a config of any size holds
	// about the files themselves in memory.
	cfg := awsconfig.NewConfig(f.Config)
	isProfile := func(n string) bool {
		_, inCred := f.Credentials.Find(n)
		return inCred || cfg.HasProfile(n)
	}
	for _, s := range cfg.Dropped() {
		add(s.Pos(), Error, "dropped-section", "", fmt.Sprintf("[%s] is ignored by boto3 and the AWS CLI: the header is not exactly two words", s.Header),
			`quote a name with spaces: [profile "my name"]`)
	}
	for _, file := range []*awsconfig.File{f.Config, f.Credentials} {
		if file == nil {
			continue
		}
		inCredentials := file == f.Credentials
		for i := 0; i < file.Len(); i++ {
			s := file.At(i)
			if strings.HasPrefix(s.Header, " ") {
				add(s.Pos(), Warning, "header-space", "", fmt.Sprintf("[%s] starts with a space: it is not a profile for boto3", s.Header), "remove the leading space")
			}
			sectionChecks(s, inCredentials, add)
			for _, k := range s.Keys {
				v, _ := s.Lookup(k.Name)
				if strings.Contains(v.Raw, " #") || strings.Contains(v.Raw, " ;") {
					add(v.Pos(), Warning, "inline-comment", s.Name, fmt.Sprintf("%s keeps its inline comment: boto3 reads %q (aws-sdk-go-v2 strips the comment)", k.Name, v.Raw),
						"put the comment on its own line")
				}
				if len(v.Raw) >= 2 && (v.Raw[0] == '"' || v.Raw[0] == '\'') && v.Raw[len(v.Raw)-1] == v.Raw[0] {
					add(v.Pos(), Warning, "quoted-value", s.Name, fmt.Sprintf("%s is quoted: boto3 keeps the quotes (aws-sdk-go-v2 removes them)", k.Name), "remove the quotes")
				}
			}
		}
	}
	if f.Config != nil {
		if d := f.Config.DefaultsPos(); d != "" {
			add(d, Warning, "default-section", "", "[DEFAULT] keys are inherited by every profile in boto3 (aws-sdk-go-v2 ignores them)",
				"move the keys into [default] or into each profile")
		}
	}
	if f.Credentials != nil {
		if d := f.Credentials.DefaultsPos(); d != "" {
			add(d, Warning, "default-section", "", "[DEFAULT] keys are inherited by every section of the credentials file in boto3",
				"move the keys into [default] or into each profile")
		}
	}
	out = append(out, fileModes(f)...)
	// Findings are sorted by place below: profiles are checked in file
	// order.
	profile := func(name string, p *awsconfig.Section) {
		where := p.Pos()
		has := p.Has
		if has("role_arn") && !has("web_identity_token_file") {
			if _, _, err := awsconfig.ValidateRoleChain(awsconfig.Merge(cfg.Fresh(), f.Credentials), name); err != nil {
				add(where, Error, "role-source", name, strings.TrimPrefix(err.Error(), where+": "), "give the role exactly one of source_profile (an existing profile) or credential_source")
			}
		}
		var kinds []string
		for _, k := range []struct{ key, kind string }{{"role_arn", "role"}, {"sso_account_id", "sso"}, {"credential_process", "credential_process"},
			{"aws_access_key_id", "static keys"}, {"web_identity_token_file", "web identity"}, {"login_session", "login"}} {
			if has(k.key) {
				kinds = append(kinds, k.kind)
			}
		}
		if len(kinds) > 1 && !(len(kinds) == 2 && kinds[0] == "role" && kinds[1] == "static keys" && sourceIsSelf(p, name)) {
			add(where, Warning, "several-sources", name, fmt.Sprintf("profile %q configures %s: boto3 uses the first in its chain (%s); aws-sdk-go-v2 and other tools may choose another or refuse",
				name, strings.Join(kinds, ", "), kinds[0]), "keep one kind of credentials per profile; move the others to their own profile")
		}
		if v, ok := p.Lookup("credential_process"); ok {
			helperChecks(v, name, add)
		}
		if v, ok := p.Lookup("credential_process"); ok && shellSyntax(v.Raw) {
			add(v.Pos(), Warning, "process-shell", name, "credential_process uses shell syntax: boto3 runs it without a shell (no pipes, $VAR, ~ or globs), aws-sdk-go-v2 runs it with sh -c",
				"wrap the command in a script, or write it as: sh -c '...'")
		}
		if dot := strings.LastIndex(name, "."); dot > 0 && isProfile(name[:dot]) {
			add(where, Warning, "dotted-name", name, fmt.Sprintf("profile %q looks like a child of %q: tools built on go-ini (aws-vault) inherit its settings; boto3 does not", name, name[:dot]),
				"rename the profile without a dot")
		}
		for _, k := range scopes.ProfileKeys {
			v, ok := p.Lookup(k)
			if !ok {
				continue
			}
			if has("role_arn") && !has("web_identity_token_file") {
				add(v.Pos(), Warning, "scope-ignored-by-boto3", name, fmt.Sprintf("%s narrows the role only when credchain assumes it: boto3 and the AWS CLI reading profile %q assume the role without the scope", k, name),
					fmt.Sprintf("give programs credchain's scoped session: credchain exec %s -- CMD, credchain serve %s, or a profile with credential_process = credchain export --profile %s --format process", name, name, name))
			} else {
				add(v.Pos(), Warning, "scope-without-role", name, fmt.Sprintf("%s narrows a role's session and profile %q assumes no role: credchain ignores it", k, name),
					"add role_arn and source_profile to the profile, or remove the key")
			}
			break
		}
		if has("sso_account_id") && (has("aws_access_key_id") || has("credential_process")) {
			add(where, Warning, "sso-and-keys", name, "SSO and static keys or a process in one profile: boto3 uses SSO, aws-sdk-go-v2 uses the static keys", "remove one of them")
		}
	}
	profiles := awsconfig.Merge(cfg, f.Credentials)
	_ = profiles.Each(nil, func(name string, cfgAt, credAt int) error {
		profile(name, awsconfig.MergeSections(profiles.Sections(cfgAt, credAt)))
		return nil
	})
	if _, a := f.Env("AWS_PROFILE"); a {
		if _, b := f.Env("AWS_DEFAULT_PROFILE"); b {
			pa, _ := f.Env("AWS_PROFILE")
			pb, _ := f.Env("AWS_DEFAULT_PROFILE")
			if pa != pb {
				add("environment", Warning, "profile-env", "", fmt.Sprintf("AWS_PROFILE=%q and AWS_DEFAULT_PROFILE=%q: boto3 uses %q, the AWS CLI v2 and aws-sdk-go-v2 use %q", pa, pb, pb, pa),
					"unset AWS_DEFAULT_PROFILE")
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		fi, li := splitWhere(out[i].Where)
		fj, lj := splitWhere(out[j].Where)
		if fi != fj {
			return fi < fj
		}
		return li < lj
	})
	return out
}

// sectionChecks are the checks of one section of one file: keys without
// their secret, a credentials-file header written the config file's way,
// long-term keys in the config file, and misspelt settings.
func sectionChecks(s *awsconfig.Section, inCredentials bool, add func(where, sev, check, profile, msg, fix string)) {
	kind, name := awsconfig.ClassifyHeader(s.Header)
	if !inCredentials && kind != awsconfig.SectionProfile {
		return // sso-session, services and ignored sections hold other settings
	}
	if inCredentials {
		name = s.Header
		if rest, ok := strings.CutPrefix(s.Header, "profile "); ok {
			add(s.Pos(), Warning, "profile-header", s.Header, fmt.Sprintf("[%s] in the credentials file is the profile %q for boto3, not %q: the credentials file names profiles without the word profile", s.Header, s.Header, rest),
				fmt.Sprintf("write the header as [%s]", rest))
		}
	}
	provider := "config-file"
	if inCredentials {
		provider = "shared-credentials-file"
	}
	if v, ok := s.Lookup("aws_access_key_id"); ok && !s.Has("aws_secret_access_key") {
		add(v.Pos(), Error, "partial-keys", name, fmt.Sprintf("aws_access_key_id without aws_secret_access_key: boto3 fails with PartialCredentialsError (Partial credentials found in %s, missing: aws_secret_access_key)", provider),
			"add the secret access key, or remove the key id")
	}
	if v, ok := s.Lookup("aws_secret_access_key"); ok && !inCredentials && v.Raw != "" {
		add(v.Pos(), Warning, "keys-in-config", name, "long-term keys in the config file: it is shared, copied and committed more often than the credentials file",
			"move them into a secret store: credchain keys import "+name)
	}
	for _, k := range s.Keys {
		if settings[k.Name] || strings.HasPrefix(k.Name, "credchain_") {
			continue
		}
		if near := nearestSetting(k.Name); near != "" {
			v, _ := s.Lookup(k.Name)
			add(v.Pos(), Warning, "unknown-setting", name, fmt.Sprintf("%s is not a setting boto3 reads: did you mean %s?", k.Name, near), "rename it to "+near)
		}
	}
}

// nearestSetting is the setting botocore reads that name is a likely typo
// of (at most one edit for short names, two for longer ones), or "".
func nearestSetting(name string) string {
	limit := 1
	if len(name) > 6 {
		limit = 2
	}
	best, bestD := "", limit+1
	for s := range settings {
		if d := awsconfig.EditDistance(name, s); d < bestD || d == bestD && s < best {
			best, bestD = s, d
		}
	}
	if bestD > limit {
		return ""
	}
	return best
}

func sourceIsSelf(p *awsconfig.Section, name string) bool {
	v, _ := p.Get("source_profile")
	return v == name
}

// splitWhere splits "file:line" (line 0 when there is none).
func splitWhere(w string) (string, int) {
	i := strings.LastIndexByte(w, ':')
	if i < 0 {
		return w, 0
	}
	n, err := strconv.Atoi(w[i+1:])
	if err != nil {
		return w, 0
	}
	return w[:i], n
}

// shellSyntax reports whether a credential_process line has characters that
// sh interprets (aws-sdk-go-v2 runs the line with sh -c) and botocore's
// split does not: | & ; < > $ ` ~ * outside quotes, and $ or ` inside double
// quotes. Inside single quotes nothing is interpreted, so the fix lint
// suggests, sh -c '...', is not flagged again.
func shellSyntax(line string) bool {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch quote {
		case '\'':
			if c == '\'' {
				quote = 0
			}
		case '"':
			switch c {
			case '"':
				quote = 0
			case '\\':
				i++
			case '$', '`':
				return true
			}
		default:
			switch c {
			case '\'', '"':
				quote = c
			case '\\':
				i++
			case '|', '&', ';', '<', '>', '$', '`', '~', '*':
				return true
			}
		}
	}
	return false
}

// idpHelpers are IdP helpers people run as credential_process: they sign
// in (a browser, a push, a keychain) and are slow, and botocore runs them
// at every process start, caching nothing.
var idpHelpers = map[string]bool{"saml2aws": true, "okta-aws-cli": true, "gimme-aws-creds": true, "aws-sso-util": true,
	"granted": true, "assumego": true, "aws-vault": true, "op": true, "aws-okta": true, "awsume": true}

// HelperAdvice is what to know about a credential_process command that
// runs a known helper: the flag it needs, and process-cache for the slow
// ones (each a check name, a message and a fix); none for others.
func HelperAdvice(command string) [][3]string {
	argv := strings.Fields(command)
	if len(argv) == 0 {
		return nil
	}
	prog := filepath.Base(argv[0])
	if prog == "credchain" || prog == "credchain-aws" {
		return nil // credchain's own: keys process, process-cache, export
	}
	var out [][3]string
	if prog == "saml2aws" && !strings.Contains(command, "--credential-process") {
		out = append(out, [3]string{"process-helper-flag", "saml2aws prints credential_process output only with --credential-process: without it boto3 gets its log, not credentials",
			"add --credential-process (saml2aws login --credential-process --role ARN --skip-prompt --quiet)"})
	}
	if idpHelpers[prog] {
		out = append(out, [3]string{"process-not-cached", fmt.Sprintf("%s signs in at every process start: boto3 and the AWS CLI run credential_process each time and cache nothing (ten processes, ten sign-ins)", prog),
			"wrap it: credential_process = credchain process-cache -- " + command})
	}
	return out
}

// helperChecks adds HelperAdvice as findings.
func helperChecks(v awsconfig.Value, profile string, add func(where, sev, check, profile, msg, fix string)) {
	for _, a := range HelperAdvice(v.Raw) {
		add(v.Pos(), Warning, a[0], profile, a[1], a[2])
	}
}
