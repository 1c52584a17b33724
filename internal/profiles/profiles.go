// Package profiles lists the profiles of the shared files for credchain's
// commands: kinds, accounts, SSO token states, the source_profile tree and
// the names a shell completes. Resolution is the root package's.
package profiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/ssocreds"
)

// Info describes one profile of the shared files.
type Info struct {
	Name string
	// Kind is what the profile resolves through, in chain order: "role",
	// "web identity", "sso", "static keys (credentials file)", "login",
	// "process", "static keys (config file)", or "settings only".
	Kind string
	// Method is botocore's method name for Kind ("" for settings only).
	Method string
	// Defined lists the file:line of each section that defines the profile.
	Defined []string
	// Account is the AWS account the profile reaches, when the
	// configuration says (role_arn, sso_account_id or aws_account_id).
	Account string
	// SSO is the state of an SSO profile's cached token.
	SSO *Token
}

// Token is the state of the token an SSO profile uses.
type Token struct {
	// Session is the sso-session's name; "" for a legacy start URL.
	Session, StartURL string
	ssocreds.TokenStatus
}

// Describe says whether the token is usable, for how long, or what to do.
func (t Token) Describe(now time.Time) string {
	login := "credchain sso login --sso-session " + t.Session
	if t.Session == "" {
		login = "credchain sso login (start URL " + t.StartURL + ")"
	}
	switch {
	case !t.Found:
		return "no token: " + login
	case t.ExpiresAt.After(now):
		left := t.ExpiresAt.Sub(now).Round(time.Minute)
		if t.Refreshable {
			return fmt.Sprintf("token valid %s, then refreshed", left)
		}
		return fmt.Sprintf("token valid %s", left)
	case t.Refreshable:
		return "token expired: refreshed on next use"
	}
	return "token expired: " + login
}

// Ignored is a config-file section botocore silently drops.
type Ignored struct {
	Header string
	Where  string
	Reason string
}

// All lists every profile of the config and credentials files named by
// the environment (os.LookupEnv when env is nil), in file order, and the
// config sections botocore ignores.
func All(env func(string) (string, bool)) ([]Info, []Ignored, error) {
	var out []Info
	ignored, err := Walk(env, func(p Info) error {
		out = append(out, p)
		return nil
	})
	return out, ignored, err
}

// Walk calls fn for each profile All lists, in the same order,
// without keeping them: listing a config of any size holds about the files
// themselves in memory. An error from fn stops the walk and is returned.
func Walk(env func(string) (string, bool), fn func(Info) error) ([]Ignored, error) {
	l, err := Read(env)
	if err != nil {
		return nil, err
	}
	return l.Walk(fn)
}

// List is the shared files read once, to be walked as often as a
// listing needs (an aligned table walks twice: to measure, then to write).
// The walks share the header index and each SSO token read.
type List struct {
	cfgFile, credFile *awsconfig.File
	cfg               *awsconfig.Config
	profiles          *awsconfig.Profiles
	tokens            ssoTokens
}

// Read reads the config and credentials files named by the
// environment (os.LookupEnv when env is nil).
func Read(env func(string) (string, bool)) (*List, error) {
	if env == nil {
		env = os.LookupEnv
	}
	cfgFile, credFile, err := readFiles(env)
	if err != nil {
		return nil, err
	}
	cfg := awsconfig.NewConfig(cfgFile)
	return &List{cfgFile: cfgFile, credFile: credFile, cfg: cfg,
		profiles: awsconfig.Merge(cfg, credFile), tokens: newSSOTokens(env, cfg)}, nil
}

// Walk is the package's Walk over the files read.
func (l *List) Walk(fn func(Info) error) ([]Ignored, error) {
	var ignored []Ignored
	for _, s := range l.cfg.Dropped() {
		ignored = append(ignored, Ignored{Header: s.Header, Where: s.Pos(),
			Reason: "botocore drops a section whose header is not exactly two shell words"})
	}
	if err := l.walk(nil, true, func(p Info, _ *awsconfig.Section, _, _ int) error { return fn(p) }); err != nil {
		return nil, err
	}
	return ignored, nil
}

// walk calls fn for the profiles whose name match accepts (every profile
// when match is nil), in the order of awsconfig.Profiles.Each, with the
// merged section and the sections that define the profile (-1 for none);
// the others cost a look at their section header. full adds what only a
// listing shows: where each profile is defined, its account and its SSO
// token's state.
// Lookup describes the profile name (as Walk would), without describing
// the others.
func (l *List) Lookup(name string) (Info, bool) {
	var out Info
	found := false
	_ = l.walk(func(n string) bool { return n == name }, true, func(p Info, _ *awsconfig.Section, _, _ int) error {
		out, found = p, true
		return nil
	})
	return out, found
}

func (l *List) walk(match func(string) bool, full bool, fn func(p Info, merged *awsconfig.Section, cfgAt, credAt int) error) error {
	return l.profiles.Each(match, func(name string, cfgAt, credAt int) error {
		cfgSec, credSec := l.profiles.Sections(cfgAt, credAt)
		merged := awsconfig.MergeSections(cfgSec, credSec)
		kind, method := classifyProfile(merged, credSec, cfgSec)
		info := Info{Name: name, Kind: kind, Method: method}
		if full {
			for _, s := range []*awsconfig.Section{cfgSec, credSec} {
				if s != nil {
					info.Defined = append(info.Defined, s.Pos())
				}
			}
			info.Account = account(merged)
			if method == "sso" {
				info.SSO = l.tokens.of(merged)
			}
		}
		return fn(info, merged, cfgAt, credAt)
	})
}

// TokenOf returns the token state of SSO profile name (nil when
// the profile does not use SSO).
func TokenOf(env func(string) (string, bool), name string) *Token {
	if env == nil {
		env = os.LookupEnv
	}
	cfgFile, credFile, err := readFiles(env)
	if err != nil {
		return nil
	}
	cfg := awsconfig.NewConfig(cfgFile)
	p, ok := awsconfig.Merge(cfg, credFile).Get(name)
	if _, method := classifyProfile(p, nil, nil); !ok || method != "sso" {
		return nil
	}
	return newSSOTokens(env, cfg).of(p)
}

// readFiles reads the config and credentials files the environment names
// (nil for a missing one).
func readFiles(env func(string) (string, bool)) (cfgFile, credFile *awsconfig.File, err error) {
	cfgPath, _ := awsconfig.ConfigFile(env)
	credPath, _ := awsconfig.CredentialsFile(env)
	if cfgFile, err = awsconfig.ReadFile(cfgPath); err != nil && !errors.Is(err, awsconfig.ErrNotFound) {
		return nil, nil, err
	}
	if credFile, err = awsconfig.ReadFile(credPath); err != nil && !errors.Is(err, awsconfig.ErrNotFound) {
		return nil, nil, err
	}
	return cfgFile, credFile, nil
}

// ssoTokens reads each token once, however many profiles use it.
type ssoTokens struct {
	dir  string
	cfg  *awsconfig.Config
	seen map[string]*Token
}

func newSSOTokens(env func(string) (string, bool), cfg *awsconfig.Config) ssoTokens {
	return ssoTokens{dir: filepath.Join(awsconfig.ExpandUser("~", env), ".aws", "sso", "cache"), cfg: cfg, seen: map[string]*Token{}}
}

func (t ssoTokens) of(p *awsconfig.Section) *Token {
	session, _ := p.Get("sso_session")
	start, _ := p.Get("sso_start_url")
	if session != "" {
		if s, ok := t.cfg.SSOSession(session); ok {
			start, _ = s.Get("sso_start_url")
		}
	}
	key := session + "\x00" + start
	if tok, ok := t.seen[key]; ok {
		return tok
	}
	tok := &Token{Session: session, StartURL: start, TokenStatus: ssocreds.ReadTokenStatus(t.dir, start, session, time.Now())}
	t.seen[key] = tok
	return tok
}

// classifyProfile names the first source of the chain the profile selects.
func classifyProfile(merged, credSec, cfgSec *awsconfig.Section) (kind, method string) {
	switch {
	case merged.Has("role_arn") && !merged.Has("web_identity_token_file"):
		return "role", "assume-role"
	case merged.Has("web_identity_token_file"):
		return "web identity", "assume-role-with-web-identity"
	case merged.Has("sso_account_id") || merged.Has("sso_role_name"):
		return "sso", "sso"
	case credSec.Has("aws_access_key_id"):
		return "static keys (credentials file)", "shared-credentials-file"
	case merged.Has("login_session"):
		return "login", "login"
	case merged.Has("credential_process"):
		return "process", "custom-process"
	case cfgSec.Has("aws_access_key_id"):
		return "static keys (config file)", "config-file"
	}
	return "settings only", ""
}

// Node is a profile and, for a role, the source it assumes from.
type Node struct {
	Name   string
	Kind   string
	Detail string // the role ARN, or the credential_source
	Source *Node
	Cycle  bool // Name was already visited on this path
}

// Tree returns the source_profile graph: one tree per profile that no
// role uses as its source, each role followed down to the profile or
// credential_source holding the credentials.
func Tree(env func(string) (string, bool)) ([]Node, error) {
	var out []Node
	err := WalkTree(env, func(n Node) error {
		out = append(out, n)
		return nil
	})
	return out, err
}

// WalkTree calls fn with each tree Tree returns, in the same
// order, one at a time: besides the files it keeps a few words a profile.
// An error from fn stops the walk and is returned.
func WalkTree(env func(string) (string, bool), fn func(Node) error) error {
	l, err := Read(env)
	if err != nil {
		return err
	}
	// What the tree needs of each profile, in listing order, and of each
	// role; the strings are the files' own text.
	type role struct {
		arn, source, credSource  string
		hasSource, hasCredSource bool
	}
	type node struct {
		name          string
		kind          string
		role          int32 // index in roles, -1 for other kinds
		used, printed bool
	}
	var nodes []node
	var roles []role
	// A profile's node is found through the section that defines it,
	// which the files index already (a map of names would cost as much as
	// the nodes).
	cfgNode, credNode := make([]int32, l.cfgFile.Len()), make([]int32, l.credFile.Len())
	at := func(name string) (int32, bool) {
		if i, ok := l.cfg.ProfileSection(name); ok {
			return cfgNode[i], true
		}
		if i, ok := l.credFile.Find(name); ok {
			return credNode[i], true
		}
		return 0, false
	}
	if err := l.walk(nil, false, func(p Info, s *awsconfig.Section, cfgAt, credAt int) error {
		n := node{name: p.Name, kind: p.Kind, role: -1}
		if p.Kind == "role" {
			var r role
			r.arn, _ = s.Get("role_arn")
			r.source, r.hasSource = s.Get("source_profile")
			r.credSource, r.hasCredSource = s.Get("credential_source")
			n.role = int32(len(roles))
			roles = append(roles, r)
		}
		if cfgAt >= 0 {
			cfgNode[cfgAt] = int32(len(nodes))
		} else {
			credNode[credAt] = int32(len(nodes))
		}
		nodes = append(nodes, n)
		return nil
	}); err != nil {
		return err
	}
	for _, n := range nodes {
		if n.role < 0 {
			continue
		}
		if r := roles[n.role]; r.hasSource && r.source != n.name {
			if i, ok := at(r.source); ok {
				nodes[i].used = true
			}
		}
	}
	var build func(name string, seen map[string]bool) Node
	build = func(name string, seen map[string]bool) Node {
		i, ok := at(name)
		if !ok {
			return Node{Name: name, Kind: "missing", Cycle: seen[name]}
		}
		p := &nodes[i]
		p.printed = true
		n := Node{Name: name, Kind: p.kind}
		if seen[name] {
			n.Cycle = true
			return n
		}
		if p.role < 0 {
			return n
		}
		r := roles[p.role]
		n.Detail = r.arn
		if r.hasCredSource {
			n.Source = &Node{Name: "credential_source " + r.credSource, Kind: "credential source"}
			return n
		}
		if !r.hasSource || r.source == name {
			return n
		}
		next := map[string]bool{name: true}
		for k := range seen {
			next[k] = true
		}
		child := build(r.source, next)
		n.Source = &child
		return n
	}
	for i := range nodes {
		if !nodes[i].used {
			if err := fn(build(nodes[i].name, map[string]bool{})); err != nil {
				return err
			}
		}
	}
	// Profiles only reachable from a cycle have no root: start from them.
	for i := range nodes {
		if !nodes[i].printed {
			if err := fn(build(nodes[i].name, map[string]bool{})); err != nil {
				return err
			}
		}
	}
	return nil
}

// account is the account a profile names: its role's, its SSO account, or
// aws_account_id.
func account(p *awsconfig.Section) string {
	if arn, ok := p.Get("role_arn"); ok {
		// arn:partition:service:region:ACCOUNT:resource
		rest := arn
		for range 4 {
			if _, rest, ok = strings.Cut(rest, ":"); !ok {
				break
			}
		}
		if ok {
			account, _, _ := strings.Cut(rest, ":")
			return account
		}
	}
	for _, k := range []string{"sso_account_id", "aws_account_id"} {
		if v, ok := p.Get(k); ok {
			return v
		}
	}
	return ""
}

// Names lists the profiles of both files whose name starts with
// prefix, each with its kind, in the order of All. When none does, it
// lists those whose name holds the letters of prefix in order ("dvpc"
// finds dev-vpc), ignoring case, best first: for the shells that show such
// matches (fish; zsh with a matcher). Only the section headers are read
// for the others, so completing a name in a config of 20,000 profiles
// costs about one resolution.
func Names(env func(string) (string, bool), prefix string) ([]Info, error) {
	l, err := Read(env)
	if err != nil {
		return nil, err
	}
	out := l.matching(func(name string) bool { return strings.HasPrefix(name, prefix) })
	if len(out) > 0 || prefix == "" {
		return out, nil
	}
	score := map[string]int{}
	out = l.matching(func(name string) bool {
		s, ok := fuzzyScore(name, prefix)
		if ok {
			score[name] = s
		}
		return ok
	})
	sort.SliceStable(out, func(i, j int) bool { return score[out[i].Name] < score[out[j].Name] })
	return out, nil
}

// matching lists the profiles whose name match accepts, with their kind.
func (l *List) matching(match func(string) bool) []Info {
	var out []Info
	_ = l.walk(match, false, func(p Info, _ *awsconfig.Section, _, _ int) error {
		out = append(out, p)
		return nil
	})
	return out
}

// fuzzyScore reports whether the letters of typed appear in name in order,
// ignoring case, and how well (lower is better): a substring scores where
// it starts; letters spread out score by how far they are spread, after
// every substring.
func fuzzyScore(name, typed string) (int, bool) {
	n, t := strings.ToLower(name), strings.ToLower(typed)
	if i := strings.Index(n, t); i >= 0 {
		return i, true
	}
	nr, tr := []rune(n), []rune(t)
	first, last, j := -1, -1, 0
	for i := 0; i < len(nr) && j < len(tr); i++ {
		if nr[i] == tr[j] {
			if first < 0 {
				first = i
			}
			last = i
			j++
		}
	}
	if j < len(tr) {
		return 0, false
	}
	return (last-first+1-len(tr))*len(nr) + len(nr) + first, true
}
