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
var Formats = []string{"process", "env", "env-no-export", "fish", "powershell", "windows-cmd"}

// Cleared are the variables the shell formats remove unless they set them:
// AWS_SECURITY_TOKEN is read by boto3 before AWS_SESSION_TOKEN, a stale
// token or expiry would be paired with the new keys, and a profile variable
// naming a missing profile makes boto3 fail even with keys in the environment.
var Cleared = []string{
	"AWS_SECURITY_TOKEN", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION",
	"AWS_ACCOUNT_ID", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
}

// Vars returns the variables to set for c, in a stable order, and the
// variables to clear.
func Vars(c creds.Credentials, region string) (set [][2]string, clear []string) {
	set = [][2]string{{"AWS_ACCESS_KEY_ID", c.AccessKeyID}, {"AWS_SECRET_ACCESS_KEY", c.SecretAccessKey}}
	if c.SessionToken != "" {
		set = append(set, [2]string{"AWS_SESSION_TOKEN", c.SessionToken})
	}
	if c.CanExpire() {
		set = append(set, [2]string{"AWS_CREDENTIAL_EXPIRATION", timefmt.ISO(c.Expires)})
	}
	if c.AccountID != "" {
		set = append(set, [2]string{"AWS_ACCOUNT_ID", c.AccountID})
	}
	if region != "" {
		set = append(set, [2]string{"AWS_REGION", region}, [2]string{"AWS_DEFAULT_REGION", region})
	}
	isSet := map[string]bool{}
	for _, kv := range set {
		isSet[kv[0]] = true
	}
	for _, name := range Cleared {
		if !isSet[name] {
			clear = append(clear, name)
		}
	}
	return set, clear
}

// Format renders c in format. The output is complete or, on error, empty.
func Format(format string, c creds.Credentials, region string) ([]byte, error) {
	if format == "process" {
		return Process(c)
	}
	set, clear := Vars(c, region)
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
