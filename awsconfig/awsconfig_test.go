package awsconfig

import (
	"strings"
	"testing"

	"github.com/credchain/credchain/creds"
)

func TestMergeCredentialsWinKeyByKey(t *testing.T) {
	cfgFile, err := Parse("config", []byte("[default]\naws_access_key_id = CFG\naws_secret_access_key = cfg\nregion = eu-west-3\n"))
	if err != nil {
		t.Fatal(err)
	}
	credFile, err := Parse("credentials", []byte("[default]\naws_access_key_id = CRED\n[only-creds]\nregion = x\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := Merge(NewConfig(cfgFile), credFile)
	d := p.Lookup("default")
	for key, want := range map[string]string{"aws_access_key_id": "CRED@credentials:2", "aws_secret_access_key": "cfg@config:3", "region": "eu-west-3@config:4"} {
		v, ok := d.Lookup(key)
		if got := v.Raw + "@" + v.Pos(); !ok || got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if _, ok := p.Get("only-creds"); !ok {
		t.Error("a credentials-only section is a profile")
	}
	if _, ok := p.Get("missing"); ok {
		t.Error("missing profile found")
	}
}

func TestNestedErrorHidesTheLine(t *testing.T) {
	_, err := Parse("config", []byte("[default]\ns3 =\n  AKIASECRETLOOKING\n"))
	if creds.KindOf(err) != creds.KindConfigParse || strings.Contains(err.Error(), "AKIASECRET") || !strings.Contains(err.Error(), "config:2") {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultOrProfileDefaultLastWins(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"[default]\nregion = a\n[profile default]\nregion = b\n", "b"},
		{"[profile default]\nregion = b\n[default]\nregion = a\n", "a"},
	} {
		f, err := Parse("config", []byte(tt.text))
		if err != nil {
			t.Fatal(err)
		}
		p, ok := NewConfig(f).Profile("default")
		if got, _ := p.Get("region"); !ok || got != tt.want {
			t.Errorf("%q: region %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestExpandPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/u/", "X": "x"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for in, want := range map[string]string{
		"~/.aws/config":   "/home/u/.aws/config",
		"~":               "/home/u",
		"$HOME/c":         "/home/u//c",
		"${X}/$Y/c":       "x/$Y/c",
		"/abs/path":       "/abs/path",
		"~nosuchuser9x/c": "~nosuchuser9x/c",
	} {
		if got := ExpandPath(in, lookup); got != want {
			t.Errorf("ExpandPath(%q) = %q, want %q", in, got, want)
		}
	}
}
