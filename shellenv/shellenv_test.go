package shellenv

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/pystr"
)

func TestProcessMatchesExportCredentials(t *testing.T) {
	c := creds.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET", SessionToken: "TOKEN", Expires: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}
	got, err := Process(c)
	if err != nil {
		t.Fatal(err)
	}
	// The exact bytes the AWS CLI v2 formatter prints (spec §5.4).
	want := "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"AKID\",\n  \"SecretAccessKey\": \"SECRET\",\n  \"SessionToken\": \"TOKEN\",\n  \"Expiration\": \"2099-01-01T00:00:00+00:00\"\n}\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	static, _ := Process(creds.Credentials{AccessKeyID: "AKID", SecretAccessKey: "SECRET"})
	if string(static) != "{\n  \"Version\": 1,\n  \"AccessKeyId\": \"AKID\",\n  \"SecretAccessKey\": \"SECRET\"\n}\n" {
		t.Errorf("static:\n%s", static)
	}
}

func TestVarsClearsWhatItDoesNotSet(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	e := Vars(creds.Credentials{AccessKeyID: "A", SecretAccessKey: "S"}, "", none)
	if len(e.Set) != 2 || strings.Join(e.Clear, " ") != "AWS_SECURITY_TOKEN AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_ACCOUNT_ID AWS_PROFILE AWS_DEFAULT_PROFILE" {
		t.Errorf("set %v clear %v", e.Set, e.Clear)
	}
	e = Vars(creds.Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", AccountID: "1"}, "eu-west-1", none)
	if len(e.Set) != 7 || strings.Join(e.Clear, " ") != "AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_PROFILE AWS_DEFAULT_PROFILE" {
		t.Errorf("set %v clear %v", e.Set, e.Clear)
	}
}

// TestRegionOfAnEarlierSwitchIsReplaced: the region variables credchain set
// (marked by CREDCHAIN_REGION) are hidden from the next resolution and
// removed when the next profile has no region; a region the user set by
// hand is seen and kept.
func TestRegionOfAnEarlierSwitchIsReplaced(t *testing.T) {
	lookup := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	switched := lookup(map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", RegionMarker: "us-east-1"})
	if _, ok := HideOwnRegion(switched)("AWS_DEFAULT_REGION"); ok {
		t.Error("credchain's own AWS_DEFAULT_REGION is still seen")
	}
	c := creds.Credentials{AccessKeyID: "A", SecretAccessKey: "S"}
	e := Vars(c, "", switched)
	if strings.Join(e.Clear[len(e.Clear)-3:], " ") != "AWS_REGION AWS_DEFAULT_REGION "+RegionMarker {
		t.Errorf("a profile without region leaves credchain's region: clear %v", e.Clear)
	}
	e = Vars(c, "eu-west-1", switched)
	got := map[string]string{}
	for _, kv := range e.Set {
		got[kv[0]] = kv[1]
	}
	if got["AWS_REGION"] != "eu-west-1" || got["AWS_DEFAULT_REGION"] != "eu-west-1" || got[RegionMarker] != "eu-west-1" {
		t.Errorf("set %v", e.Set)
	}

	byHand := lookup(map[string]string{"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "ap-south-1", RegionMarker: "us-east-1"})
	if v, ok := HideOwnRegion(byHand)("AWS_DEFAULT_REGION"); !ok || v != "ap-south-1" {
		t.Errorf("a region set by hand is hidden: %q %v", v, ok)
	}
	e = Vars(c, "", byHand)
	for _, n := range e.Clear {
		if n == "AWS_DEFAULT_REGION" {
			t.Errorf("the user's AWS_DEFAULT_REGION is removed: %v", e.Clear)
		}
	}
	applied := e.Apply([]string{"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=ap-south-1", RegionMarker + "=us-east-1", "KEEP=1"})
	if want := []string{"AWS_DEFAULT_REGION=ap-south-1", "KEEP=1", "AWS_ACCESS_KEY_ID=A", "AWS_SECRET_ACCESS_KEY=S"}; !slices.Equal(applied, want) {
		t.Errorf("Apply = %q, want %q", applied, want)
	}
}

func TestQuoting(t *testing.T) {
	for _, tt := range []struct{ in, posix, fish, pwsh string }{
		{`plain`, `'plain'`, `'plain'`, `'plain'`},
		{`it's`, `'it'\''s'`, `'it\'s'`, `'it''s'`},
		{`a\b $x`, `'a\b $x'`, `'a\\b $x'`, `'a\b $x'`},
		{"‘q’", "'‘q’'", "'‘q’'", "'‘‘q’’'"},
	} {
		if got := QuotePOSIX(tt.in); got != tt.posix {
			t.Errorf("QuotePOSIX(%q) = %q, want %q", tt.in, got, tt.posix)
		}
		if got := QuoteFish(tt.in); got != tt.fish {
			t.Errorf("QuoteFish(%q) = %q, want %q", tt.in, got, tt.fish)
		}
		if got := QuotePowerShell(tt.in); got != tt.pwsh {
			t.Errorf("QuotePowerShell(%q) = %q, want %q", tt.in, got, tt.pwsh)
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	out, err := Format("yaml", creds.Credentials{AccessKeyID: "A", SecretAccessKey: "S"}, "", func(string) (string, bool) { return "", false })
	if err == nil || out != nil || !strings.Contains(err.Error(), "valid: process, sts, env") {
		t.Errorf("Format(yaml) = %q, %v", out, err)
	}
}

// FuzzQuotePOSIX checks that any value survives quoting: a POSIX shell word
// splitter (Python's shlex rules) reads back exactly the value.
func FuzzQuotePOSIX(f *testing.F) {
	for _, s := range []string{"", "'", `\`, "a b", "$(rm -rf /)", "\n", `'"'"'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			// Credential values come from JSON or from files that must be
			// valid UTF-8; the splitter reads runes.
			return
		}
		words, err := pystr.ShlexSplit(QuotePOSIX(s))
		if err != nil || len(words) != 1 || words[0] != s {
			t.Fatalf("QuotePOSIX(%q) read back as %q (%v)", s, words, err)
		}
	})
}

// TestSTSShape: the sts format is `aws sts assume-role`'s Credentials
// object, which agent hosts parse.
func TestSTSShape(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := Format("sts", creds.Credentials{AccessKeyID: "ASIA", SecretAccessKey: "S", SessionToken: "T", Expires: exp}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
	}
	if err := json.Unmarshal(out, &doc); err != nil || doc.Credentials.AccessKeyId != "ASIA" || doc.Credentials.SessionToken != "T" ||
		doc.Credentials.Expiration != "2030-01-02T03:04:05+00:00" {
		t.Fatalf("%s: %+v, %v", out, doc, err)
	}
}
