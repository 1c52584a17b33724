package legacycreds

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/credchain/credchain/creds"
)

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBotoConfigCandidates pins boto2's order: /etc/boto.cfg, then ~/.boto
// (a file without credentials is passed over); BOTO_CONFIG replaces both.
func TestBotoConfigCandidates(t *testing.T) {
	dir := t.TempDir()
	system := filepath.Join(dir, "boto.cfg")
	write(t, system, "[Boto]\ndebug = 0\n")
	write(t, filepath.Join(dir, ".boto"), "[Credentials]\naws_access_key_id = HOMEKEY\naws_secret_access_key = s\n")
	env := map[string]string{"HOME": dir}
	p := BotoConfig{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }, System: system}
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "HOMEKEY" {
		t.Fatalf("got %q, %v", c.AccessKeyID, err)
	}
	env["BOTO_CONFIG"] = filepath.Join(dir, "nope")
	if _, err := p.Retrieve(context.Background()); err == nil || creds.KindOf(err) != "" {
		t.Fatalf("BOTO_CONFIG to a missing file should skip, got %v", err)
	}
}

func TestEC2File(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ec2")
	write(t, path, "junk\r\nAWSAccessKeyId = AK\r\nAWSSecretKey=SK=with=equals\r\n")
	env := map[string]string{"AWS_CREDENTIAL_FILE": path}
	p := EC2File{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "AK" || c.SecretAccessKey != "SK=with=equals" {
		t.Fatalf("got %+v, %v", c.AccessKeyID, err)
	}
	env["AWS_CREDENTIAL_FILE"] = filepath.Join(dir, "missing")
	if _, err := p.Retrieve(context.Background()); creds.KindOf(err) != creds.KindConfigNotFound {
		t.Fatalf("missing file: err = %v, want ConfigNotFound", err)
	}
}
