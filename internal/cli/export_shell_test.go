package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readBack prints what boto3 resolves in the shell's environment.
const readBack = `python3 -c 'import boto3, json; s = boto3.Session(); c = s.get_credentials().get_frozen_credentials(); print(json.dumps([s.get_credentials().method, c.access_key, c.secret_key, c.token, s.region_name]))'`

// TestExportEvaluatedByRealShells evaluates each shell format in the real
// shell, with stale variables set beforehand, and reads the credentials back
// with boto3.
func TestExportEvaluatedByRealShells(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	home := t.TempDir()
	secret := `a'b"c$d\e f` + "`x`" + `!*?;&|<>(){}`
	token := "tök€n with spaces"
	doc, _ := json.Marshal(map[string]any{"Version": 1, "AccessKeyId": "ASIASHELL", "SecretAccessKey": secret,
		"SessionToken": token, "Expiration": "2099-01-01T00:00:00Z"})
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	must(t, os.WriteFile(filepath.Join(home, "out.json"), doc, 0o600))
	must(t, os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile tricky]\nregion = ap-southeast-2\ncredential_process = cat "+filepath.Join(home, "out.json")+"\n"), 0o600))

	env := map[string]string{"HOME": home, "BOTO_CONFIG": filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED": "true"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	export := func(format string) string {
		var out, errOut bytes.Buffer
		if code := Main([]string{"export", "--profile", "tricky", "--format", format}, nil, &out, &errOut, lookup); code != 0 {
			t.Fatalf("export %s: exit %d: %s", format, code, errOut.String())
		}
		return out.String()
	}
	shells := []struct {
		name, format, file, bin string
		args                    func(file string) []string
		required                bool
	}{
		{"bash", "env", "out.sh", "bash", func(f string) []string { return []string{"-c", `eval "$(cat ` + f + `)"; ` + readBack} }, true},
		{"sh", "env", "out.sh", "sh", func(f string) []string { return []string{"-c", `. ` + f + `; ` + readBack} }, true},
		{"dotenv", "env-no-export", "out.env", "bash", func(f string) []string {
			return []string{"-c", `unset AWS_SECURITY_TOKEN AWS_PROFILE; set -a; . ` + f + `; set +a; ` + readBack}
		}, true},
		{"fish", "fish", "out.fish", "fish", func(f string) []string { return []string{"-c", `source ` + f + `; ` + readBack} }, os.Getenv("CREDCHAIN_REQUIRE_FISH") != ""},
		{"pwsh", "powershell", "out.ps1", "pwsh", func(f string) []string {
			return []string{"-NoProfile", "-Command", ". " + f + "; python3 -c 'import boto3, json; s = boto3.Session(); c = s.get_credentials().get_frozen_credentials(); print(json.dumps([s.get_credentials().method, c.access_key, c.secret_key, c.token, s.region_name]))'"}
		}, false},
	}
	for _, sh := range shells {
		t.Run(sh.name, func(t *testing.T) {
			bin, err := exec.LookPath(sh.bin)
			if err != nil {
				if sh.required {
					t.Fatalf("%s is required: %v", sh.bin, err)
				}
				t.Skipf("%s not installed", sh.bin)
			}
			file := filepath.Join(home, sh.file)
			must(t, os.WriteFile(file, []byte(export(sh.format)), 0o600))
			cmd := exec.Command(bin, sh.args(file)...)
			cmd.Dir = home
			// Stale variables that would otherwise win or break boto3.
			cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_EC2_METADATA_DISABLED=true",
				"AWS_SECURITY_TOKEN=STALE", "AWS_PROFILE=missing", "BOTO_CONFIG=" + filepath.Join(home, "none")}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v: %s", sh.name, err, stderr.String())
			}
			var got []any
			if err := json.Unmarshal(bytes.TrimSpace(out), &got); err != nil {
				t.Fatalf("boto3 output %q: %v", out, err)
			}
			want := []any{"env", "ASIASHELL", secret, token, "ap-southeast-2"}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("field %d: boto3 read %q, want %q", i, redact(got[i]), redact(want[i]))
				}
			}
		})
	}
}

func redact(v any) string {
	s, _ := v.(string)
	if strings.HasPrefix(s, "ASIA") || s == "env" || strings.HasPrefix(s, "ap-") {
		return s
	}
	return "<" + string(rune('0'+len(s)%10)) + " chars>"
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
