// Package scopes names session scopes (credchain.Scope: session policies,
// tags, source identity) so that a person types --scope readonly instead of
// a policy: the built-in ones, and the user's own in credchain's scopes
// file. It also reads a scope's settings where people write them: a
// profile's credchain_* keys and the file, in the same formats.
package scopes

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/credchain/credchain/stscreds"
)

// Named is a named scope: what it narrows the session to, and the longest
// session it allows (0: the role's own maximum).
type Named struct {
	Name        string
	Description string
	Scope       stscreds.Scope
	MaxDuration time.Duration
	// From is where it is defined ("built in", or the file).
	From string
}

// The built-in scopes.
var builtin = []Named{
	{Name: "readonly", Description: "AWS's ReadOnlyAccess, without reading secrets (Secrets Manager values, decrypted SSM parameters, KMS Decrypt)",
		Scope: stscreds.Scope{PolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
			Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"NoSecrets","Effect":"Deny","Action":["secretsmanager:GetSecretValue","ssm:GetParameter","ssm:GetParameters","ssm:GetParametersByPath","kms:Decrypt"],"Resource":"*"}]}`}},
	{Name: "bedrock", Description: "Bedrock model invocation only (and the inference profiles a client lists to invoke one)",
		Scope: stscreds.Scope{Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"InvokeModels","Effect":"Allow","Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream","bedrock:ListInferenceProfiles","bedrock:GetInferenceProfile"],"Resource":"*"}]}`}},
}

// File is the user's scopes file: CREDCHAIN_SCOPES_FILE, else
// scopes.json in credchain's folder of the user's config directory.
func File(lookup func(string) (string, bool)) (string, error) {
	if v, ok := lookup("CREDCHAIN_SCOPES_FILE"); ok && v != "" {
		return v, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("scopes: no user config directory: %w (set CREDCHAIN_SCOPES_FILE)", err)
	}
	return filepath.Join(dir, "credchain", "scopes.json"), nil
}

// Settings are a scope's settings as written in a profile
// (credchain_session_policy_file, credchain_policy_arns, ...) or in the
// scopes file (the same names without credchain_).
type Settings struct {
	PolicyFile     string `json:"session_policy_file,omitempty"`
	Policy         string `json:"session_policy,omitempty"`
	PolicyARNs     string `json:"policy_arns,omitempty"`
	SessionTags    string `json:"session_tags,omitempty"`
	TransitiveTags string `json:"transitive_tags,omitempty"`
	SourceIdentity string `json:"source_identity,omitempty"`
	MaxDuration    string `json:"max_duration,omitempty"`
	Description    string `json:"description,omitempty"`
}

// Scope turns settings into a scope: the policy file read (~ is the home
// folder), lists split at commas, tags as "key=value, key=value" in order.
// where names the settings in errors.
func (s Settings) Scope(where, home string) (stscreds.Scope, error) {
	var out stscreds.Scope
	out.Policy = s.Policy
	if s.PolicyFile != "" {
		path := s.PolicyFile
		if rest, ok := strings.CutPrefix(path, "~/"); ok {
			path = filepath.Join(home, rest)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return out, fmt.Errorf("%s: session policy file: %w", where, err)
		}
		out.Policy = string(data)
	}
	out.PolicyARNs = List(s.PolicyARNs)
	tags, err := Tags(s.SessionTags)
	if err != nil {
		return out, fmt.Errorf("%s: session tags: %w", where, err)
	}
	out.Tags = tags
	out.TransitiveTagKeys = List(s.TransitiveTags)
	out.SourceIdentity = strings.TrimSpace(s.SourceIdentity)
	return out, nil
}

// Overlay is base with every field top sets replaced.
func Overlay(base, top stscreds.Scope) stscreds.Scope {
	if top.Policy != "" {
		base.Policy = top.Policy
	}
	if len(top.PolicyARNs) > 0 {
		base.PolicyARNs = top.PolicyARNs
	}
	if len(top.Tags) > 0 {
		base.Tags = top.Tags
	}
	if len(top.TransitiveTagKeys) > 0 {
		base.TransitiveTagKeys = top.TransitiveTagKeys
	}
	if top.SourceIdentity != "" {
		base.SourceIdentity = top.SourceIdentity
	}
	return base
}

// ProfileKeys are a profile's scope settings under credchain's own names:
// boto3 reads none of them.
var ProfileKeys = []string{"credchain_session_policy_file", "credchain_policy_arns", "credchain_session_tags", "credchain_transitive_tags", "credchain_source_identity"}

// FromProfile reads a profile's ProfileKeys with get.
func FromProfile(get func(key string) (string, bool)) (Settings, bool) {
	var s Settings
	found := false
	for i, dst := range []*string{&s.PolicyFile, &s.PolicyARNs, &s.SessionTags, &s.TransitiveTags, &s.SourceIdentity} {
		if v, ok := get(ProfileKeys[i]); ok {
			*dst, found = v, true
		}
	}
	return s, found
}

// List splits "a, b,c" into its items, empty ones dropped.
func List(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Tags parses "team=blue, env=dev" (or one KEY=VALUE) in order.
func Tags(v string) ([]stscreds.Tag, error) {
	var out []stscreds.Tag
	for _, item := range List(v) {
		tag, err := Tag(item)
		if err != nil {
			return nil, err
		}
		out = append(out, tag)
	}
	return out, nil
}

// Tag parses KEY=VALUE (the value may be empty, the key may not).
func Tag(item string) (stscreds.Tag, error) {
	k, v, ok := strings.Cut(item, "=")
	if k = strings.TrimSpace(k); !ok || k == "" {
		return stscreds.Tag{}, fmt.Errorf("%q is not KEY=VALUE", item)
	}
	return stscreds.Tag{Key: k, Value: strings.TrimSpace(v)}, nil
}

// ErrUnknown is wrapped by Lookup's error for a name that is no scope.
var ErrUnknown = errors.New("no such scope")

// All lists the built-in scopes and the user's (file; a missing file is
// none), sorted by name; a user's scope of a built-in name replaces it.
func All(file, home string) ([]Named, error) {
	byName := map[string]Named{}
	for _, n := range builtin {
		n.From = "built in"
		byName[n.Name] = n
	}
	data, err := os.ReadFile(file)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("scopes file: %w", err)
	default:
		var user map[string]Settings
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&user); err != nil {
			return nil, fmt.Errorf("%s: %w (a JSON object of scopes by name: {\"deploy\": {\"session_policy_file\": \"~/deploy.json\", \"session_tags\": \"team=blue\", \"max_duration\": \"1h\"}})", file, err)
		}
		for name, s := range user {
			where := fmt.Sprintf("%s: scope %q", file, name)
			sc, err := s.Scope(where, home)
			if err != nil {
				return nil, err
			}
			n := Named{Name: name, Description: s.Description, Scope: sc, From: file}
			if s.MaxDuration != "" {
				if n.MaxDuration, err = time.ParseDuration(s.MaxDuration); err != nil || n.MaxDuration < 15*time.Minute {
					return nil, fmt.Errorf("%s: max_duration %q: want a duration of at least 15m, such as 1h", where, s.MaxDuration)
				}
			}
			if err := sc.Validate(); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
			byName[name] = n
		}
	}
	out := make([]Named, 0, len(byName))
	for _, n := range byName {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Lookup finds a scope by name; an unknown name's error lists the names.
func Lookup(name, file, home string) (Named, error) {
	all, err := All(file, home)
	if err != nil {
		return Named{}, err
	}
	var names []string
	for _, n := range all {
		if n.Name == name {
			return n, nil
		}
		names = append(names, n.Name)
	}
	return Named{}, fmt.Errorf("scope %q: %w (scopes: %s; yours go in %s)", name, ErrUnknown, strings.Join(names, ", "), file)
}
