package credchain_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/logincreds"
)

type fakeEnv map[string]string

func (e fakeEnv) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }

func homeWith(t testing.TB, files map[string]string) fakeEnv {
	t.Helper()
	home := t.TempDir()
	for name, body := range files {
		p := filepath.Join(home, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return fakeEnv{"HOME": home, "BOTO_CONFIG": filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED": "true"}
}

func TestChain(t *testing.T) {
	creds2 := ".aws/credentials"
	tests := []struct {
		name       string
		files      map[string]string
		env        map[string]string
		opts       []credchain.Option
		wantMethod string
		wantKey    string
		wantKind   string
	}{
		{name: "env_wins_over_files", files: map[string]string{creds2: "[default]\naws_access_key_id=FILE\naws_secret_access_key=s\n"},
			env: map[string]string{"AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "s"}, wantMethod: "env", wantKey: "ENV"},
		{name: "explicit_profile_drops_env", files: map[string]string{creds2: "[a]\naws_access_key_id=FILE\naws_secret_access_key=s\n"},
			env: map[string]string{"AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "s"}, opts: []credchain.Option{credchain.WithProfile("a")}, wantMethod: "shared-credentials-file", wantKey: "FILE"},
		{name: "aws_profile_keeps_env", files: map[string]string{creds2: "[a]\naws_access_key_id=FILE\naws_secret_access_key=s\n"},
			env: map[string]string{"AWS_PROFILE": "a", "AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "s"}, wantMethod: "env", wantKey: "ENV"},
		{name: "missing_profile_beats_env_keys", env: map[string]string{"AWS_PROFILE": "nope", "AWS_ACCESS_KEY_ID": "ENV", "AWS_SECRET_ACCESS_KEY": "s"}, wantKind: "ProfileNotFound"},
		{name: "explicit_keys_win", files: map[string]string{creds2: "[default]\naws_access_key_id=FILE\naws_secret_access_key=s\n"},
			opts: []credchain.Option{credchain.WithCredentials("EXPLICIT", "s", "")}, wantMethod: "explicit", wantKey: "EXPLICIT"},
		{name: "explicit_partial_keys_rejected", opts: []credchain.Option{credchain.WithCredentials("AK", "", "")}, wantKind: "PartialCredentialsError"},
		{name: "nothing", wantKind: "NoCredentialsError"},
		{name: "role_credential_source_environment_empty", files: map[string]string{".aws/config": "[default]\nrole_arn = arn:aws:iam::123456789012:role/R\ncredential_source = Environment\n"}, wantKind: "CredentialRetrievalError"},
		{name: "role_credential_source_imds_disabled", files: map[string]string{".aws/config": "[default]\nrole_arn = arn:aws:iam::123456789012:role/R\ncredential_source = Ec2InstanceMetadata\n"}, wantKind: "CredentialRetrievalError"},
		{name: "sso_profile_missing_config", files: map[string]string{".aws/config": "[default]\nsso_account_id = 123456789012\nsso_role_name = R\n"}, wantKind: "InvalidConfigError"},
		{name: "login_profile_without_token", files: map[string]string{".aws/config": "[default]\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/admin\n"}, wantKind: "LoginTokenLoadError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := homeWith(t, tt.files)
			for k, v := range tt.env {
				env[k] = v
			}
			s := credchain.NewSession(append([]credchain.Option{credchain.WithEnv(env.lookup)}, tt.opts...)...)
			c, err := s.Credentials(context.Background())
			if tt.wantKind != "" {
				if got := credchain.ErrorKind(err); got != tt.wantKind {
					t.Fatalf("error kind = %q (%v), want %s", got, err, tt.wantKind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Method != tt.wantMethod || c.AccessKeyID != tt.wantKey {
				t.Errorf("got %s %s, want %s %s", c.Method, c.AccessKeyID, tt.wantMethod, tt.wantKey)
			}
		})
	}
}

// TestRefreshWindows pins botocore's refresh rules with an injected clock:
// inside the advisory window a failed refresh keeps the keys, inside the
// mandatory window it is an error, and a refresh that returns expired keys
// is an error.
func TestRefreshWindows(t *testing.T) {
	expiry := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	env := homeWith(t, nil)
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = "AK1", "s"
	env["AWS_CREDENTIAL_EXPIRATION"] = expiry.Format(time.RFC3339)
	now := expiry.Add(-time.Hour)
	s := credchain.NewSession(credchain.WithEnv(env.lookup), credchain.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	if c, err := s.Credentials(ctx); err != nil || c.AccessKeyID != "AK1" {
		t.Fatalf("first: %v %v", c.AccessKeyID, err)
	}
	// Advisory window: the refresh re-reads the environment, which now has
	// no expiry; the failure is ignored.
	delete(env, "AWS_CREDENTIAL_EXPIRATION")
	now = expiry.Add(-12 * time.Minute)
	if c, err := s.Credentials(ctx); err != nil || c.AccessKeyID != "AK1" {
		t.Fatalf("advisory: %v %v", c.AccessKeyID, err)
	}
	// Mandatory window: the same failure is an error.
	now = expiry.Add(-5 * time.Minute)
	if _, err := s.Credentials(ctx); credchain.ErrorKind(err) != creds.KindPartialCredentials {
		t.Fatalf("mandatory: err = %v", err)
	}
	// A successful refresh picks up rotated keys.
	env["AWS_ACCESS_KEY_ID"] = "AK2"
	env["AWS_CREDENTIAL_EXPIRATION"] = expiry.Add(time.Hour).Format(time.RFC3339)
	if c, err := s.Credentials(ctx); err != nil || c.AccessKeyID != "AK2" {
		t.Fatalf("rotated: %v %v", c.AccessKeyID, err)
	}
	// Refreshed but still expired.
	env["AWS_CREDENTIAL_EXPIRATION"] = expiry.Add(-time.Hour).Format(time.RFC3339)
	now = expiry.Add(time.Hour)
	if _, err := s.Credentials(ctx); err == nil || !strings.Contains(err.Error(), "still expired") {
		t.Fatalf("still expired: err = %v", err)
	}
}

func TestExplainNamesFileAndLine(t *testing.T) {
	env := homeWith(t, map[string]string{".aws/credentials": "# keys\n[default]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secretvalue\n"})
	x := credchain.NewSession(credchain.WithEnv(env.lookup)).Explain(context.Background())
	if x.Err != nil {
		t.Fatal(x.Err)
	}
	var found creds.Step
	for _, st := range x.Steps {
		if st.Result == creds.ResultFound {
			found = st
		}
	}
	if found.Method != "shared-credentials-file" || !strings.Contains(found.Detail, "credentials:3 (aws_access_key_id)") {
		t.Errorf("found step = %+v", found)
	}
	for _, st := range x.Steps {
		if strings.Contains(st.Detail, "secretvalue") {
			t.Errorf("secret in step %+v", st)
		}
	}
}

func TestParseErrorNamesLine(t *testing.T) {
	env := homeWith(t, map[string]string{".aws/config": "[default]\nregion = x\nnot a setting\n"})
	_, err := credchain.NewSession(credchain.WithEnv(env.lookup)).Credentials(context.Background())
	if credchain.ErrorKind(err) != "ConfigParseError" || !strings.Contains(err.Error(), "config:3") {
		t.Fatalf("err = %v", err)
	}
}

// TestConcurrentCredentialsResolveOnce runs 100 goroutines on a cold
// Session backed by a credential_process that counts its runs: the process
// runs once and every caller gets the same keys.
func TestConcurrentCredentialsResolveOnce(t *testing.T) {
	env := homeWith(t, nil)
	home := env["HOME"]
	script := filepath.Join(home, "helper.sh")
	count := filepath.Join(home, "count")
	body := "#!/bin/sh\necho run >> " + count + "\necho '{\"Version\": 1, \"AccessKeyId\": \"AKPROC\", \"SecretAccessKey\": \"s\"}'\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[default]\ncredential_process = "+script+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := credchain.NewSession(credchain.WithEnv(env.lookup))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := s.Credentials(context.Background())
			if err == nil && c.AccessKeyID != "AKPROC" {
				err = fmt.Errorf("got %q", c.AccessKeyID)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	runs, _ := os.ReadFile(count)
	if n := strings.Count(string(runs), "run"); n != 1 {
		t.Errorf("credential_process ran %d times, want 1", n)
	}
}

// TestLoginSessionRefreshesNearExpiry: a login session whose cached keys
// expire in two minutes is refreshed through the Sign-In service (the
// session's refresh window), and the rotated token is written back.
func TestLoginSessionRefreshesNearExpiry(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalECPrivateKey(key)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("DPoP") == "" {
			http.Error(w, "no DPoP", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"accessToken":{"accessKeyId":"ASIAROTATED","secretAccessKey":"s2","sessionToken":"t2"},"expiresIn":900,"refreshToken":"r2","tokenType":"aws_sigv4"}`)
	}))
	defer srv.Close()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	session := "arn:aws:sts::012345678910:assumed-role/Admin/admin"
	env := homeWith(t, map[string]string{".aws/config": "[default]\nregion = us-east-1\nlogin_session = " + session + "\n"})
	env["AWS_ENDPOINT_URL_SIGNIN"] = srv.URL
	doc, _ := json.Marshal(map[string]any{"accessToken": map[string]any{"accessKeyId": "ASIACACHED", "secretAccessKey": "s1", "sessionToken": "t1",
		"accountId": "012345678910", "expiresAt": "2030-01-01T00:02:00Z"}, "refreshToken": "r1", "clientId": "c", "dpopKey": pemKey})
	path := logincreds.TokenFile(filepath.Join(env["HOME"], ".aws", "login", "cache"), session)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	s := credchain.NewSession(credchain.WithEnv(env.lookup), credchain.WithClock(func() time.Time { return now }))
	c, err := s.Credentials(context.Background())
	if err != nil || c.AccessKeyID != "ASIAROTATED" || c.Method != "login" || c.AccountID != "012345678910" {
		t.Fatalf("got %+v, %v", c, err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `"refreshToken":"r2"`) {
		t.Errorf("token not written back: %s", data)
	}
}

// TestAvailableProfiles: boto3.Session.available_profiles's order (the
// config file's profiles, then the credentials file's others), and the
// files' parse error as an error.
func TestAvailableProfiles(t *testing.T) {
	env := homeWith(t, map[string]string{".aws/config": "[profile dev]\nregion = x\n[default]\nregion = y\n[profile ops]\nrole_arn = arn:aws:iam::1:role/R\n",
		".aws/credentials": "[solo]\naws_access_key_id = AK\n[dev]\naws_access_key_id = AK\n"})
	names, err := credchain.NewSession(credchain.WithEnv(env.lookup)).AvailableProfiles()
	if err != nil || strings.Join(names, ",") != "dev,default,ops,solo" {
		t.Fatalf("AvailableProfiles = %q, %v", names, err)
	}
	bad := homeWith(t, map[string]string{".aws/config": "[profile dev]\nregion = x\n  nested\nno equals sign\n"})
	if _, err := credchain.NewSession(credchain.WithEnv(bad.lookup)).AvailableProfiles(); err == nil {
		t.Fatal("a malformed config file listed no error")
	}
}
