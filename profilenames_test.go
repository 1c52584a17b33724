package credchain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileNamesAgreesWithProfiles: the prefix listing used by
// completion gives the same names and kinds, in the same order, as the
// full listing, for every prefix.
func TestProfileNamesAgreesWithProfiles(t *testing.T) {
	dir := t.TempDir()
	cfg := "[default]\nregion = x\n[profile ops]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = dev\n" +
		"[profile sso]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\nsso_start_url = u\nsso_region = r\n" +
		"[profile proc]\ncredential_process = x\n[profile 'quoted name']\nregion = y\n[profile a b]\nregion = z\n[profile dev]\nregion = w\n"
	cred := "[dev]\naws_access_key_id = A\naws_secret_access_key = s\n[only-cred]\naws_access_key_id = B\naws_secret_access_key = s\n"
	os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600)
	os.WriteFile(filepath.Join(dir, "credentials"), []byte(cred), 0o600)
	env := func(k string) (string, bool) {
		switch k {
		case "AWS_CONFIG_FILE":
			return filepath.Join(dir, "config"), true
		case "AWS_SHARED_CREDENTIALS_FILE":
			return filepath.Join(dir, "credentials"), true
		}
		return "", false
	}
	all, _, err := Profiles(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"", "d", "o", "pro", "quoted", "x"} {
		got, err := ProfileNames(env, prefix)
		if err != nil {
			t.Fatal(err)
		}
		var want, have []string
		for _, p := range all {
			if strings.HasPrefix(p.Name, prefix) {
				want = append(want, p.Name+"/"+p.Kind)
			}
		}
		for _, p := range got {
			have = append(have, p.Name+"/"+p.Kind)
		}
		if strings.Join(want, ",") != strings.Join(have, ",") {
			t.Errorf("prefix %q: ProfileNames %q, Profiles %q", prefix, have, want)
		}
	}
}
