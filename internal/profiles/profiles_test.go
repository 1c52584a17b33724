package profiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/oracle"
)

// TestProfileNamesAgreesWithProfiles: the prefix listing used by
// completion gives the same names and kinds, in the same order, as the
// full listing, for every prefix: odd spellings of one profile, [DEFAULT],
// indented headers, nested blocks and CRLF included.
func TestProfileNamesAgreesWithProfiles(t *testing.T) {
	for _, files := range [][2]string{{
		"[default]\nregion = x\n[profile ops]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = dev\n" +
			"[profile sso]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\nsso_start_url = u\nsso_region = r\n" +
			"[profile proc]\ncredential_process = x\n[profile 'quoted name']\nregion = y\n[profile a b]\nregion = z\n[profile dev]\nregion = w\n",
		"[dev]\naws_access_key_id = A\naws_secret_access_key = s\n[only-cred]\naws_access_key_id = B\naws_secret_access_key = s\n",
	}, {
		"[DEFAULT]\ncredential_process = p\n[profile x]\nregion = b\n[default]\nregion = a\n[profile \"x\"]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = c\n" +
			"[profile  y]\nregion = f\n  [profile yy]\ns3 =\n  addressing_style = path\n[profile y]\nregion = g\n[profile a b]\nregion = h\n[sso-session x]\nsso_region = r\n",
		"[c]\r\naws_access_key_id = 1\r\naws_secret_access_key = s\r\n[x]\r\naws_access_key_id = 2\r\n[y]\r\naws_access_key_id = 3\r\naws_secret_access_key = s\r\n",
	}} {
		agree(t, files[0], files[1], "", "d", "o", "pro", "quoted", "x", "y", "yy", "a", "c", "s", "'", "z")
	}
}

// filesEnv writes the two files and returns the environment naming them.
func filesEnv(t *testing.T, cfg, cred string) func(string) (string, bool) {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600)
	os.WriteFile(filepath.Join(dir, "credentials"), []byte(cred), 0o600)
	return func(k string) (string, bool) {
		switch k {
		case "AWS_CONFIG_FILE":
			return filepath.Join(dir, "config"), true
		case "AWS_SHARED_CREDENTIALS_FILE":
			return filepath.Join(dir, "credentials"), true
		}
		return "", false
	}
}

func agree(t *testing.T, cfg, cred string, prefixes ...string) {
	t.Helper()
	env := filesEnv(t, cfg, cred)
	all, _, err := All(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range prefixes {
		got, err := Names(env, prefix)
		if err != nil {
			t.Fatal(err)
		}
		var want, have []string
		for _, p := range all {
			if strings.HasPrefix(p.Name, prefix) {
				want = append(want, p.Name+"/"+p.Kind)
			}
		}
		if want == nil {
			continue // the fuzzy fallback: TestFuzzyScoreOrder
		}
		for _, p := range got {
			have = append(have, p.Name+"/"+p.Kind)
		}
		if strings.Join(want, ",") != strings.Join(have, ",") {
			t.Errorf("prefix %q: Names %q, All %q", prefix, have, want)
		}
	}
}

// TestProfilesListInBotocoreOrder: a profile named by several sections
// ([profile x], then [default], then [profile "x"]) is
// listed where its first section is, with the last section's keys, and
// credentials-only profiles follow: botocore's available_profiles.
func TestProfilesListInBotocoreOrder(t *testing.T) {
	if err := oracle.Available(); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	cfg := "[profile x]\nregion = b\n[default]\nregion = a\n[profile \"x\"]\ncredential_process = p\n" +
		"[profile  y]\nregion = f\n[profile y]\nregion = g\n[profile a b]\nregion = h\n[sso-session x]\nsso_region = r\n"
	cred := "[c]\naws_access_key_id = 1\naws_secret_access_key = s\n[x]\naws_access_key_id = 2\n[y]\naws_access_key_id = 3\naws_secret_access_key = s\n"
	os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600)
	os.WriteFile(filepath.Join(dir, "credentials"), []byte(cred), 0o600)
	env := map[string]string{"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"), "HOME": dir}
	res, err := oracle.Run([]oracle.Scenario{{ID: "order", Env: env}})
	if err != nil {
		t.Fatal(err)
	}
	infos, _, err := All(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range infos {
		got = append(got, p.Name)
	}
	if want := res[0].Profiles; strings.Join(want, ",") != strings.Join(got, ",") {
		t.Fatalf("botocore lists %q, credchain %q", want, got)
	}
	// The later section defines the profile: x is a process profile
	// ([profile "x"]) with keys merged from the credentials file.
	if infos[0].Name != "x" || infos[0].Kind != "static keys (credentials file)" || infos[0].Defined[0] != filepath.Join(dir, "config")+":5" {
		t.Fatalf("x: %+v", infos[0])
	}
}

// TestAccountOfAProfile: the account is the role ARN's fifth field, else
// sso_account_id, else aws_account_id.
func TestAccountOfAProfile(t *testing.T) {
	for _, tc := range []struct{ cfg, want string }{
		{"role_arn = arn:aws:iam::123456789012:role/x", "123456789012"},
		{"role_arn = arn:aws:iam::123456789012:role/x:y", "123456789012"},
		{"role_arn = a:b:c:d:\nsso_account_id = 9", ""},
		{"role_arn = a:b:c:d\nsso_account_id = 9", "9"},
		{"aws_account_id = 7", "7"},
		{"region = x", ""},
	} {
		f, err := awsconfig.Parse("config", []byte("[default]\n"+tc.cfg+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		p, _ := awsconfig.NewConfig(f).Profile("default")
		if got := account(p); got != tc.want {
			t.Errorf("%q: account %q, want %q", tc.cfg, got, tc.want)
		}
	}
}

// TestFuzzyScoreOrder: a substring beats letters spread out, an earlier
// substring beats a later one, case is ignored, and letters out of order
// do not match.
func TestFuzzyScoreOrder(t *testing.T) {
	score := func(name, typed string) int {
		s, ok := fuzzyScore(name, typed)
		if !ok {
			t.Fatalf("%q does not match %q", typed, name)
		}
		return s
	}
	if a, b := score("dev-vpc", "vpc"), score("v-p-c-dev", "vpc"); a >= b {
		t.Errorf("substring %d, spread %d", a, b)
	}
	if a, b := score("vpc-dev", "vpc"), score("dev-vpc", "vpc"); a >= b {
		t.Errorf("early substring %d, late %d", a, b)
	}
	if a, b := score("d-v-p", "dvp"), score("d---v---p", "dvp"); a >= b {
		t.Errorf("tight %d, spread %d", a, b)
	}
	score("Dev-VPC", "dvp")
	if _, ok := fuzzyScore("dev-vpc", "pvd"); ok {
		t.Error("letters out of order matched")
	}
}

// TestListLookup: one profile described as Walk describes it.
func TestListLookup(t *testing.T) {
	l, err := Read(filesEnv(t, "[profile dev]\nregion = x\n[default]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = dev\n",
		"[dev]\naws_access_key_id = AK\naws_secret_access_key = s\n"))
	if err != nil {
		t.Fatal(err)
	}
	var walked []Info
	l.Walk(func(p Info) error { walked = append(walked, p); return nil })
	for _, want := range walked {
		got, ok := l.Lookup(want.Name)
		if !ok || got.Name != want.Name || got.Method != want.Method || strings.Join(got.Defined, ",") != strings.Join(want.Defined, ",") {
			t.Errorf("Lookup(%q) = %+v, %v; Walk gave %+v", want.Name, got, ok, want)
		}
	}
	if _, ok := l.Lookup("nope"); ok || len(walked) != 2 {
		t.Fatalf("Lookup(nope) found; walked %d", len(walked))
	}
}
