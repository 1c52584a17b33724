//go:build unix

package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/ststest"
)

// run runs bin with args in HOME=home, PATH=path (nothing else of the
// test's environment), stdin from in.
func run(t *testing.T, bin, home, path, in string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append([]string{"HOME=" + home, "PATH=" + path, "BOTO_CONFIG=" + filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true"}, env...)
	cmd.Stdin = strings.NewReader(in)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// copyFile copies the installed binary name into dir.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeConfig(t *testing.T, home, config string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

const handoverConfig = `[profile dev]
aws_access_key_id = AKIADEV
aws_secret_access_key = dev-secret
region = eu-west-1
[profile proc]
credential_process = sh -c 'echo run >> "$HOME/process-runs"; printf "{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"s\"}"'
[profile r]
role_arn = arn:aws:iam::123456789012:role/R
role_session_name = handover
source_profile = proc
mfa_serial = arn:aws:iam::123456789012:mfa/me
region = us-east-1
`

// TestFrontWithoutTheFullBuild: the front alone (credchain-aws neither next
// to it nor on PATH) runs everything that needs no AWS call, and for the
// rest says what is missing, writing nothing to stdout.
func TestFrontWithoutTheFullBuild(t *testing.T) {
	dir := t.TempDir()
	front := filepath.Join(dir, "credchain")
	copyFile(t, credchainBinary(t), front)
	home := t.TempDir()
	writeConfig(t, home, handoverConfig)
	path := "/usr/bin:/bin"
	for _, args := range [][]string{
		{"export", "dev", "--format", "process"},
		{"prompt"},
		{"profiles"},
		{"lint"},
		{"__complete", "export", "--profile", "d"},
		{"exec", "dev", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"},
		{"switch", "--shell", "bash", "dev"},
		{"--version"},
		{"completion", "bash"},
	} {
		out, errOut, code := run(t, front, home, path, "", nil, args...)
		if code != 0 || strings.Contains(errOut, "credchain-aws") {
			t.Errorf("credchain %s: exit %d, stderr %q", strings.Join(args, " "), code, errOut)
		}
		if args[0] != "prompt" && args[0] != "lint" && args[0] != "--version" && args[0] != "completion" && !strings.Contains(out, "dev") && !strings.Contains(out, "AKIADEV") {
			t.Errorf("credchain %s: stdout %q", strings.Join(args, " "), out)
		}
	}
	for _, args := range [][]string{
		{"whoami", "dev"},
		{"explain"},
		{"sso", "login"},
		{"keys", "list"},
		{"serve", "dev"},
		{"exec", "--server", "dev", "--", "true"},
		{"export", "r", "--mfa-code", "123456"},
		{"__complete", "wh"},
	} {
		out, errOut, code := run(t, front, home, path, "", nil, args...)
		want := "credchain-aws, the part of credchain that calls AWS, is neither next to " + front +
			" nor on PATH: install both binaries (make install from a checkout, or go install github.com/credchain/credchain/cmd/credchain-aws@"
		if code != 1 || out != "" || !strings.Contains(errOut, want) {
			t.Errorf("credchain %s: exit %d, stdout %q, stderr %q; want exit 1 and %q", strings.Join(args, " "), code, out, errOut, want)
		}
	}
	if _, err := os.Stat(filepath.Join(home, "process-runs")); err == nil {
		t.Error("the role's source process ran in the front")
	}
	// --version, --help and completion answer in the front alone (they
	// failed, asking for credchain-aws); help says what is missing.
	if out, _, code := run(t, front, home, path, "", nil, "--version"); code != 0 || !strings.HasPrefix(out, "credchain ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	if out, _, code := run(t, front, home, path, "", nil, "completion", "bash"); code != 0 || !strings.Contains(out, "__credchain_debug") {
		t.Errorf("completion bash: exit %d, %.80q", code, out)
	}
	if out, errOut, code := run(t, front, home, path, "", nil, "--help"); code != 0 || !strings.Contains(out, "export") ||
		!strings.Contains(errOut, "only the front's commands are listed") {
		t.Errorf("--help: exit %d, stdout %.80q, stderr %q", code, out, errOut)
	}

	// A front installed under the full build's name does not hand over to
	// itself.
	loop := filepath.Join(dir, "credchain-aws")
	copyFile(t, front, loop)
	_, errOut, code := run(t, front, home, path, "", nil, "whoami", "dev")
	if code != 1 || !strings.Contains(errOut, "is credchain's front build: install the full build under that name") {
		t.Errorf("front as credchain-aws: exit %d, %q", code, errOut)
	}
}

// TestFrontAndFullBuildOfDifferentVersions: the front tells the full build
// its version at hand-over, and a full build of another version refuses
// instead of mixing two releases' caches and flags; the variable does not
// reach the commands the full build runs.
func TestFrontAndFullBuildOfDifferentVersions(t *testing.T) {
	dir := t.TempDir()
	front := filepath.Join(dir, "credchain")
	copyFile(t, credchainBinary(t), front)
	full := filepath.Join(filepath.Dir(credchainBinary(t)), "credchain-aws")
	if _, err := os.Stat(full); err != nil {
		t.Skip("the binary under test is not the front")
	}
	home := t.TempDir()
	writeConfig(t, home, handoverConfig)
	// A stand-in full build shows what the front hands over.
	os.WriteFile(filepath.Join(dir, "credchain-aws"), []byte("#!/bin/sh\necho \"front=$CREDCHAIN_FRONT_VERSION\"\n"), 0o755)
	version, _, _ := run(t, front, home, "/usr/bin:/bin", "", nil, "--version")
	out, _, _ := run(t, front, home, "/usr/bin:/bin", "", nil, "whoami", "dev")
	if want := "front=" + strings.TrimPrefix(strings.TrimSpace(version), "credchain ") + "\n"; out != want {
		t.Fatalf("the front handed over %q, want %q", out, want)
	}
	_, errOut, code := run(t, full, home, "/usr/bin:/bin", "", []string{"CREDCHAIN_FRONT_VERSION=v0.0.1-other"}, "export", "dev")
	if code != 1 || !strings.Contains(errOut, "credchain v0.0.1-other handed this command to credchain-aws") || !strings.Contains(errOut, "different builds") {
		t.Fatalf("mismatch: exit %d, %q", code, errOut)
	}
	out, errOut, code = run(t, full, home, "/usr/bin:/bin", "", []string{"CREDCHAIN_FRONT_VERSION=" + strings.TrimPrefix(strings.TrimSpace(version), "credchain ")},
		"exec", "dev", "--", "sh", "-c", "echo v=${CREDCHAIN_FRONT_VERSION-unset}")
	if code != 0 || out != "v=unset\n" {
		t.Fatalf("same version: exit %d, %q, %q", code, out, errOut)
	}
}

// TestFrontHandsOverBeforeAnyEffect: a role cold in the cache, whose source
// is a credential_process and which needs an MFA code from stdin, resolved
// through the front: the full build does it all, once — the process runs
// once, the code is read once and sent in one AssumeRole call — and the
// warm cache is then read by the front alone.
func TestFrontHandsOverBeforeAnyEffect(t *testing.T) {
	sts := ststest.New()
	defer sts.Close()
	home := t.TempDir()
	writeConfig(t, home, handoverConfig)
	env := []string{"AWS_ENDPOINT_URL_STS=" + sts.URL}
	// Through a symlink, as a package manager installs it: the full build
	// is found next to the real file.
	link := filepath.Join(t.TempDir(), "credchain")
	if err := os.Symlink(credchainBinary(t), link); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, link, home, "/usr/bin:/bin", "123456\n", env, "export", "r", "--format", "process")
	if code != 0 || !strings.Contains(out, `"AccessKeyId": "ASIA`) {
		t.Fatalf("cold: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	calls := sts.Calls()
	if len(calls) != 1 || calls[0].Params["Action"] != "AssumeRole" || calls[0].Params["TokenCode"] != "123456" || calls[0].Signer != "AKIAPROC" {
		t.Fatalf("STS calls: %+v", calls)
	}
	if runs, _ := os.ReadFile(filepath.Join(home, "process-runs")); string(runs) != "run\n" {
		t.Fatalf("the source process ran %d times", strings.Count(string(runs), "run"))
	}

	// Warm: the front alone returns the cached role, with no code asked.
	dir := t.TempDir()
	front := filepath.Join(dir, "credchain")
	copyFile(t, credchainBinary(t), front)
	warm, errOut, code := run(t, front, home, "/usr/bin:/bin", "", env, "export", "r", "--format", "process")
	if code != 0 || warm != out {
		t.Fatalf("warm: exit %d, stdout %q (cold %q), stderr %q", code, warm, out, errOut)
	}
	if calls := sts.Calls(); len(calls) != 0 {
		t.Fatalf("STS calls on a warm cache: %+v", calls)
	}
}

// TestNotSTSIsAnError: an endpoint that answers GetCallerIdentity with 200
// and a document that parses but holds no identity (a proxy's page) makes whoami and keys add fail, and
// stores nothing (whoami printed an empty identity and exited 0; keys add
// stored the key as verified).
func TestNotSTSIsAnError(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, "<Portal><GetCallerIdentityResult><Note>Welcome to the proxy</Note></GetCallerIdentityResult></Portal>")
	}))
	defer page.Close()
	home := t.TempDir()
	writeConfig(t, home, handoverConfig)
	env := []string{"AWS_ENDPOINT_URL_STS=" + page.URL, "AWS_DEFAULT_REGION=us-east-1", "CREDCHAIN_FILE_PASSPHRASE=pw"}
	bin := credchainBinary(t)
	out, errOut, code := run(t, bin, home, os.Getenv("PATH"), "", env, "whoami", "dev")
	if code != 1 || out != "" || !strings.Contains(errOut, "it is not STS") {
		t.Errorf("whoami: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	_, errOut, code = run(t, bin, home, os.Getenv("PATH"), "AKIANOTVERIFIED01\nsecret\n", env, "keys", "add", "newp", "--backend", "file")
	if code != 1 || !strings.Contains(errOut, "it is not STS") {
		t.Errorf("keys add: exit %d, stderr %q", code, errOut)
	}
	if out, _, _ := run(t, bin, home, os.Getenv("PATH"), "", env, "keys", "list", "--backend", "file", "--json"); strings.Contains(out, "newp") {
		t.Errorf("the key was stored: %s", out)
	}
}
