package keyfiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, config, credentials string) Files {
	t.Helper()
	dir := t.TempDir()
	f := Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
	os.WriteFile(f.Config, []byte(config), 0o600)
	os.WriteFile(f.Credentials, []byte(credentials), 0o600)
	return f
}

const ours = "/usr/local/bin/credchain keys process dev"

func TestInspectAndApply(t *testing.T) {
	for _, tc := range []struct {
		name, profile, config, credentials string
		importing                          bool
		wantConfig, wantCredentials        string
		wantErr                            string
	}{
		{name: "new profile", profile: "dev", config: "# c\n[default]\nregion = x\n",
			wantConfig: "# c\n[default]\nregion = x\n[profile dev]\ncredential_process = " + ours + "\n"},
		{name: "default profile", profile: "default", config: "[default]\nregion = x\n",
			wantConfig: "[default]\nregion = x\ncredential_process = " + ours + "\n"},
		{name: "profile default header kept", profile: "default", config: "[profile default]\nregion = x\n",
			wantConfig: "[profile default]\nregion = x\ncredential_process = " + ours + "\n"},
		{name: "replacing our own line", profile: "dev", config: "[profile dev]\ncredential_process = credchain keys process --backend file dev\n",
			wantConfig: "[profile dev]\ncredential_process = " + ours + "\n"},
		{name: "import from credentials", profile: "dev", importing: true, config: "",
			credentials:     "[dev]\r\naws_access_key_id = AKIA1\r\n; note\r\naws_secret_access_key = s1\r\nregion = y\r\n",
			wantConfig:      "[profile dev]\ncredential_process = " + ours + "\n",
			wantCredentials: "[dev]\r\n; note\r\nregion = y\r\n"},
		{name: "import from config", profile: "dev", importing: true,
			config:     "[profile dev]\naws_access_key_id = AKIA1\naws_secret_access_key = s1\noutput = json\n",
			wantConfig: "[profile dev]\noutput = json\ncredential_process = " + ours + "\n"},
		{name: "role profile", profile: "dev", config: "[profile dev]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n",
			wantErr: `profile "dev" gets its credentials from role_arn`},
		{name: "sso profile", profile: "dev", config: "[profile dev]\nsso_session = corp\n", wantErr: "from sso_session"},
		{name: "another process", profile: "dev", config: "[profile dev]\ncredential_process = aws-vault export dev\n",
			wantErr: "already has credential_process = aws-vault export dev"},
		{name: "plaintext keys on add", profile: "dev", credentials: "[dev]\naws_access_key_id = A\naws_secret_access_key = s\n",
			wantErr: "credchain keys import dev"},
		{name: "temporary keys", profile: "dev", importing: true,
			credentials: "[dev]\naws_access_key_id = ASIA\naws_secret_access_key = s\naws_session_token = t\n", wantErr: "temporary credentials"},
		{name: "keys in both files", profile: "dev", importing: true,
			config:      "[profile dev]\naws_access_key_id = A\naws_secret_access_key = s\n",
			credentials: "[dev]\naws_access_key_id = B\naws_secret_access_key = s\n", wantErr: "keys in both"},
		{name: "nothing to import", profile: "dev", importing: true, wantErr: "has no plaintext keys"},
		{name: "config does not parse", profile: "dev", config: "[profile dev\n", wantErr: "fix the file first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := writeFiles(t, tc.config, tc.credentials)
			u, err := Inspect(f, tc.profile, ours, tc.importing)
			if err == nil {
				err = u.Apply()
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				cfg, _ := os.ReadFile(f.Config)
				cred, _ := os.ReadFile(f.Credentials)
				if string(cfg) != tc.config || string(cred) != tc.credentials {
					t.Fatal("a refused change changed the files")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, _ := os.ReadFile(f.Config)
			cred, _ := os.ReadFile(f.Credentials)
			if string(cfg) != tc.wantConfig {
				t.Errorf("config:\n%q\nwant\n%q", cfg, tc.wantConfig)
			}
			want := tc.credentials
			if tc.wantCredentials != "" {
				want = tc.wantCredentials
			}
			if string(cred) != want {
				t.Errorf("credentials:\n%q\nwant\n%q", cred, want)
			}
		})
	}
}

func TestIsOursAndServedBy(t *testing.T) {
	for line, want := range map[string]bool{
		"/usr/local/bin/credchain keys process dev":        true,
		`'/opt/my tools/credchain' keys process dev`:       true,
		`C:\tools\credchain.exe keys process dev`:          true,
		"credchain export dev --format process":            false,
		"aws-vault export --format=json dev":               false,
		"/usr/local/bin/credchain keys":                    false,
		"/usr/local/bin/credchain-helper keys process dev": true,
	} {
		if got := IsOurs(line); got != want {
			t.Errorf("IsOurs(%q) = %v", line, got)
		}
	}
	f := writeFiles(t, "[profile a]\ncredential_process = credchain keys process --backend pass a\nmfa_serial = arn:x\n[profile b]\ncredential_process = credchain keys process b\n", "")
	if s, ok := ServedBy(f, "a"); !ok || s.Backend != "pass" || s.MFASerial != "arn:x" {
		t.Errorf("ServedBy(a) = %+v, %v", s, ok)
	}
	if s, ok := ServedBy(f, "b"); !ok || s.Backend != "" {
		t.Errorf("ServedBy(b) = %+v, %v", s, ok)
	}
	if _, ok := ServedBy(f, "c"); ok {
		t.Error("ServedBy(c)")
	}
	names, err := Plaintext(writeFiles(t, "[profile c]\naws_access_key_id = A\naws_secret_access_key = s\n",
		"[a]\naws_access_key_id = A\naws_secret_access_key = s\n[t]\naws_access_key_id = A\naws_secret_access_key = s\naws_session_token = x\n"))
	if err != nil || strings.Join(names, ",") != "c,a" {
		t.Errorf("Plaintext = %q, %v", names, err)
	}
}
