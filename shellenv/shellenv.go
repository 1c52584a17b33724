// Package shellenv renders credentials for shells and tools: the
// credential_process JSON of `aws configure export-credentials`, and
// assignments for POSIX shells, fish, PowerShell and cmd.exe.
//
// Unlike the AWS CLI, which prints values unquoted, every value is quoted for
// its shell, and the shell formats also clear the variables that would
// otherwise override or confuse the exported keys in boto3 and the AWS CLI.
package shellenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/timefmt"
)

// Formats lists the supported format names.
var Formats = []string{"process", "sts", "env", "env-no-export", "fish", "powershell", "windows-cmd"}

// Cleared are the variables the shell formats remove unless they set them:
// AWS_SECURITY_TOKEN is read by boto3 before AWS_SESSION_TOKEN, a stale
// token or expiry would be paired with the new keys, and a profile variable
// naming a missing profile makes boto3 fail even with keys in the environment.
var Cleared = []string{
	"AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
	"AWS_ACCOUNT_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
}

// Variables credchain sets besides AWS's own.
const (
	// RegionMarker holds the region credchain itself set in AWS_REGION and
	// AWS_DEFAULT_REGION, so that the next switch tells its own region
	// (replaced) from one the user set by hand (kept, with boto3's
	// precedence).
	RegionMarker = "CREDCHAIN_REGION"
	// ProfileVar names what the shell or child runs as, for the prompt.
	ProfileVar = "CREDCHAIN_PROFILE"
)

// regionVars are the variables a region is exported in: AWS_DEFAULT_REGION
// for boto3 and the AWS CLI, AWS_REGION for the other SDKs.
var regionVars = []string{"AWS_REGION", "AWS_DEFAULT_REGION"}

// Managed lists every variable a switch may change, for a snapshot that
// undoes it.
var Managed = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE",
	"AWS_DEFAULT_PROFILE", ProfileVar, RegionMarker}

// OwnRegion reports whether the region variable name holds the region an
// earlier credchain export or switch set (its value equals RegionMarker's).
func OwnRegion(name string, env func(string) (string, bool)) bool {
	marker, ok := env(RegionMarker)
	if !ok || marker == "" {
		return false
	}
	v, ok := env(name)
	return ok && v == marker
}

// HideOwnRegion returns env without the region variables credchain set
// itself, so that a new switch resolves the region as if they were absent.
// A region the user set (any other value) is still seen.
func HideOwnRegion(env func(string) (string, bool)) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if (name == "AWS_REGION" || name == "AWS_DEFAULT_REGION") && OwnRegion(name, env) {
			return "", false
		}
		return env(name)
	}
}

// Env is a change to an environment: variables to set, in order, then
// variables to remove.
type Env struct {
	Set   [][2]string
	Clear []string
}

// Setenv adds name=value, replacing an earlier assignment or removal.
func (e *Env) Setenv(name, value string) {
	e.drop(name)
	e.Set = append(e.Set, [2]string{name, value})
}

// Unsetenv removes name, replacing an earlier assignment.
func (e *Env) Unsetenv(name string) {
	e.drop(name)
	e.Clear = append(e.Clear, name)
}

func (e *Env) drop(name string) {
	set := e.Set[:0]
	for _, kv := range e.Set {
		if kv[0] != name {
			set = append(set, kv)
		}
	}
	e.Set = set
	clear := e.Clear[:0]
	for _, n := range e.Clear {
		if n != name {
			clear = append(clear, n)
		}
	}
	e.Clear = clear
}

// Apply returns environ ("KEY=value" list) with the change made.
func (e Env) Apply(environ []string) []string {
	drop := map[string]bool{}
	for _, n := range e.Clear {
		drop[n] = true
	}
	for _, kv := range e.Set {
		drop[kv[0]] = true
	}
	out := make([]string, 0, len(environ)+len(e.Set))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !drop[name] {
			out = append(out, kv)
		}
	}
	for _, kv := range e.Set {
		out = append(out, kv[0]+"="+kv[1])
	}
	return out
}

// Vars returns the change that puts c in an environment now described by
// env. region is the region credchain resolved from the profile or a flag
// ("" when there is none, or when it came from the user's own
// AWS_DEFAULT_REGION, which is left alone): it is set in AWS_REGION and
// AWS_DEFAULT_REGION and remembered in RegionMarker. Region variables an
// earlier credchain switch set are replaced or removed, never left behind.
func Vars(c creds.Credentials, region string, env func(string) (string, bool)) Env {
	var e Env
	e.Setenv("AWS_ACCESS_KEY_ID", c.AccessKeyID)
	e.Setenv("AWS_SECRET_ACCESS_KEY", c.SecretAccessKey)
	if c.SessionToken != "" {
		e.Setenv("AWS_SESSION_TOKEN", c.SessionToken)
	}
	if c.CanExpire() {
		e.Setenv("AWS_CREDENTIAL_EXPIRATION", timefmt.ISO(c.Expires))
	}
	if c.AccountID != "" {
		e.Setenv("AWS_ACCOUNT_ID", c.AccountID)
	}
	isSet := map[string]bool{}
	for _, kv := range e.Set {
		isSet[kv[0]] = true
	}
	for _, name := range Cleared {
		if !isSet[name] {
			e.Clear = append(e.Clear, name)
		}
	}
	e.SetRegion(region, env)
	return e
}

// SetRegion adds the region variables of Vars to e.
func (e *Env) SetRegion(region string, env func(string) (string, bool)) {
	if region != "" {
		for _, n := range regionVars {
			e.Setenv(n, region)
		}
		e.Setenv(RegionMarker, region)
		return
	}
	for _, n := range regionVars {
		if OwnRegion(n, env) {
			e.Unsetenv(n)
		}
	}
	if _, ok := env(RegionMarker); ok {
		e.Unsetenv(RegionMarker)
	}
}

// ShellFormats are the formats Render takes.
var ShellFormats = []string{"env", "env-no-export", "fish", "powershell", "windows-cmd"}

// Format renders c in format. The output is complete or, on error, empty.
func Format(format string, c creds.Credentials, region string, env func(string) (string, bool)) ([]byte, error) {
	switch format {
	case "process":
		return Process(c)
	case "sts":
		return STS(c)
	}
	return Render(format, Vars(c, region, env))
}

// Render writes the change e as code for the shell of format.
func Render(format string, e Env) ([]byte, error) {
	set, clear := e.Set, e.Clear
	var b bytes.Buffer
	switch format {
	case "env":
		if len(clear) > 0 {
			fmt.Fprintf(&b, "unset %s\n", strings.Join(clear, " "))
		}
		for _, kv := range set {
			fmt.Fprintf(&b, "export %s=%s\n", kv[0], QuotePOSIX(kv[1]))
		}
	case "env-no-export":
		// A dotenv-style file cannot unset variables: only assignments.
		for _, kv := range set {
			fmt.Fprintf(&b, "%s=%s\n", kv[0], QuotePOSIX(kv[1]))
		}
	case "fish":
		// "or true": erasing an unset variable fails (status 4), and fish's
		// set keeps $status, so the sourced output would report failure.
		for _, name := range clear {
			fmt.Fprintf(&b, "set -e %s; or true\n", name)
		}
		for _, kv := range set {
			fmt.Fprintf(&b, "set -gx %s %s\n", kv[0], QuoteFish(kv[1]))
		}
	case "powershell":
		for _, name := range clear {
			fmt.Fprintf(&b, "Remove-Item Env:%s -ErrorAction SilentlyContinue\n", name)
		}
		for _, kv := range set {
			fmt.Fprintf(&b, "$Env:%s = %s\n", kv[0], QuotePowerShell(kv[1]))
		}
	case "windows-cmd":
		for _, name := range clear {
			fmt.Fprintf(&b, "set %s=\n", name)
		}
		for _, kv := range set {
			if strings.ContainsAny(kv[1], "%\"\r\n!^") {
				return nil, fmt.Errorf("the value of %s contains a character cmd.exe cannot take safely (%% \" ! ^ or a line break); use --format powershell or process", kv[0])
			}
			fmt.Fprintf(&b, "set \"%s=%s\"\n", kv[0], kv[1])
		}
	default:
		return nil, fmt.Errorf("unknown format %q (valid: %s)", format, strings.Join(Formats, ", "))
	}
	return b.Bytes(), nil
}

// STS is the shape of `aws sts assume-role` and `get-session-token`
// output ({"Credentials": {...}}), which agent hosts read from a helper
// (Claude Code's awsCredentialExport).
func STS(c creds.Credentials) ([]byte, error) {
	doc := map[string]map[string]string{"Credentials": {"AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey,
		"SessionToken": c.SessionToken}}
	if c.CanExpire() {
		doc["Credentials"]["Expiration"] = timefmt.ISO(c.Expires)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	return append(out, '\n'), err
}

// Process renders the credential_process document with the keys and order of
// `aws configure export-credentials --format process`.
func Process(c creds.Credentials) ([]byte, error) {
	type kv struct {
		k string
		v any
	}
	fields := []kv{{"Version", 1}, {"AccessKeyId", c.AccessKeyID}, {"SecretAccessKey", c.SecretAccessKey}}
	if c.SessionToken != "" {
		fields = append(fields, kv{"SessionToken", c.SessionToken})
	}
	if c.CanExpire() {
		fields = append(fields, kv{"Expiration", timefmt.ISO(c.Expires)})
	}
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, f := range fields {
		val, err := json.Marshal(f.v)
		if err != nil {
			return nil, err
		}
		sep := ","
		if i == len(fields)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %q: %s%s\n", f.k, val, sep)
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// QuotePOSIX single-quotes s for sh, bash and zsh.
func QuotePOSIX(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// QuoteFish single-quotes s for fish, where \ and ' are escaped inside
// single quotes.
func QuoteFish(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
}

// QuotePowerShell single-quotes s for PowerShell, doubling single quotes
// (including the typographic ones PowerShell also treats as quotes).
func QuotePowerShell(s string) string {
	r := strings.NewReplacer("'", "''", "\u2018", "\u2018\u2018", "\u2019", "\u2019\u2019", "\u201a", "\u201a\u201a", "\u201b", "\u201b\u201b")
	return "'" + r.Replace(s) + "'"
}

// FilePassphraseVar holds the passphrase of credchain's file store, the
// key to every long-term key stored there.
const FilePassphraseVar = "CREDCHAIN_FILE_PASSPHRASE"

// ownSecrets are credchain's own secrets that may be in its environment.
var ownSecrets = []string{FilePassphraseVar}

// WithoutOwnSecrets returns environ less credchain's own secrets, for a
// command credchain runs (exec): the command gets credentials, never the
// key to the store they came from.
func WithoutOwnSecrets(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		secret := false
		for _, s := range ownSecrets {
			if name == s {
				secret = true
			}
		}
		if !secret {
			out = append(out, kv)
		}
	}
	return out
}
