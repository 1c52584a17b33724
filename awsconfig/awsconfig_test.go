package awsconfig

import (
	"fmt"
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

// TestIndexedLookupsAgreeWithScans pins the header index built after many
// lookups (it fixed a quadratic profile listing): the same sections, the
// later of [default] and [profile default], dropped headers absent.
func TestIndexedLookupsAgreeWithScans(t *testing.T) {
	var b strings.Builder
	b.WriteString("[default]\nregion = first\n")
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "[profile p%d]\nregion = r%d\n", i, i)
	}
	b.WriteString("[profile default]\nregion = last\n[profile a b]\nregion = dropped\n[sso-session s]\nsso_region = x\n")
	f, err := Parse("config", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	c := NewConfig(f)
	for i := 0; i < 40; i++ {
		p, ok := c.Profile(fmt.Sprintf("p%d", i))
		if got, _ := p.Get("region"); !ok || got != fmt.Sprintf("r%d", i) {
			t.Fatalf("p%d: %q %v", i, got, ok)
		}
	}
	if c.index == nil {
		t.Fatal("no index after 40 lookups")
	}
	if p, _ := c.Profile("default"); p == nil || mustGet(p, "region") != "last" {
		t.Errorf("default: %v", p)
	}
	if _, ok := c.Profile("a b"); ok {
		t.Error("a dropped header was found")
	}
	if s, ok := c.SSOSession("s"); !ok || mustGet(s, "sso_region") != "x" {
		t.Error("sso-session not found through the index")
	}
}

func mustGet(s *Section, k string) string { v, _ := s.Get(k); return v }

// TestEachProfileInBotocoreOrder: a profile named by several sections
// ([profile x], [default], [profile "x"], [profile  y], [profile y]) is
// visited once, where its first section is, with its last section; a
// dropped header is no profile; HasProfile answers for every spelling.
func TestEachProfileInBotocoreOrder(t *testing.T) {
	text := "[profile x]\nregion = 1\n[default]\nregion = 2\n[profile \"x\"]\nregion = 3\n[sso-session x]\nsso_region = r\n" +
		"[profile  y]\nregion = 4\n[profile y]\nregion = 5\n[profile a b]\nregion = 6\n[profile default]\nregion = 7\n[other]\nk = v\n"
	f, err := Parse("config", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	c := NewConfig(f)
	var got []string
	if err := c.EachProfile(nil, func(name string, i int) error {
		got = append(got, name+"="+mustGet(f.At(i), "region"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := "x=3 default=7 y=5"; strings.Join(got, " ") != want {
		t.Errorf("visited %q, want %q", got, want)
	}
	for name, want := range map[string]bool{"x": true, "y": true, "default": true, "a b": false, "other": false, "z": false} {
		if c.HasProfile(name) != want {
			t.Errorf("HasProfile(%q) = %v", name, !want)
		}
	}
	if d := c.Dropped(); len(d) != 1 || d[0].Header != "profile a b" {
		t.Errorf("dropped %v", d)
	}
	got = nil
	_ = c.EachProfile(func(n string) bool { return n == "y" }, func(name string, i int) error {
		got = append(got, name)
		return nil
	})
	if strings.Join(got, ",") != "y" {
		t.Errorf("filtered walk: %q", got)
	}
}
