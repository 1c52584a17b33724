package shellenv

import (
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
	set, clear := Vars(creds.Credentials{AccessKeyID: "A", SecretAccessKey: "S"}, "")
	if len(set) != 2 || strings.Join(clear, " ") != "AWS_SECURITY_TOKEN AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_ACCOUNT_ID AWS_PROFILE AWS_DEFAULT_PROFILE" {
		t.Errorf("set %v clear %v", set, clear)
	}
	set, clear = Vars(creds.Credentials{AccessKeyID: "A", SecretAccessKey: "S", SessionToken: "T", AccountID: "1"}, "eu-west-1")
	if len(set) != 6 || strings.Join(clear, " ") != "AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION AWS_PROFILE AWS_DEFAULT_PROFILE" {
		t.Errorf("set %v clear %v", set, clear)
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
	out, err := Format("yaml", creds.Credentials{AccessKeyID: "A", SecretAccessKey: "S"}, "")
	if err == nil || out != nil || !strings.Contains(err.Error(), "valid: process, env") {
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
