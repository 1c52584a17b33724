package awsv2_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/motoserver"
	"github.com/credchain/credchain/internal/ststest"
)

// TestAdopterModule adopts the library as a team would: a program in its
// own module (testdata/adopter, a replace directive to this checkout),
// built with the race detector, that makes its aws.Config with the one line
// awsv2.LoadConfig and uses the SDK's own clients.
//   - Against moto_server (enforcing IAM) through AWS_ENDPOINT_URL, a role
//     profile's STS and DynamoDB clients reach the configured endpoint with
//     the role's keys, the profile's region (not AWS_REGION, which boto3
//     ignores) and AWS_MAX_ATTEMPTS.
//   - Against a counting STS answering in 50 ms, 100 goroutines inside
//     botocore's advisory window make at most 3 AssumeRole calls.
//   - Inside the mandatory window, a caller with a 200 ms deadline returns
//     at its deadline while another caller's refresh (1.5 s) is at STS.
func TestAdopterModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the race detector")
	}
	if err := motoserver.Available(); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatalf("moto_server is required: %v", err)
		}
		t.Skip(err)
	}
	bin := buildAdopter(t)
	moto, err := motoserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer moto.Close()
	counting := ststest.New()
	defer counting.Close()

	home := t.TempDir()
	config := fmt.Sprintf("[profile ops]\nregion = us-east-1\nrole_arn = %s\nsource_profile = alice\n"+
		"[profile alice]\naws_access_key_id = %s\naws_secret_access_key = %s\n"+
		"[profile short]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/short-slow50ms\nsource_profile = base\n"+
		"[profile slow]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/short-slow1500ms\nsource_profile = base\n"+
		"[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n",
		moto.Roles["Ops"], moto.AccessKeyID, moto.SecretAccessKey)
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "BOTO_CONFIG=" + filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true"}
	run := func(env []string, args ...string) map[string]string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(append([]string{}, base...), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("adopter %v: %v\n%s", args, err, stderr.String())
		}
		got := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			k, v, _ := strings.Cut(line, "=")
			got[k] = v
		}
		return got
	}

	got := run([]string{"AWS_ENDPOINT_URL=" + moto.URL, "AWS_REGION=eu-west-3", "AWS_MAX_ATTEMPTS=7", "AWS_RETRY_MODE=standard"}, "moto", "ops")
	if !strings.Contains(got["arn"], ":assumed-role/Ops/") || !strings.Contains(got["tables"], "orders") ||
		got["region"] != "us-east-1" || got["attempts"] != "7" {
		t.Errorf("moto: got %v; want the Ops role's identity, its tables, the profile's region (boto3 ignores AWS_REGION) and 7 attempts", got)
	}

	stsEnv := []string{"AWS_ENDPOINT_URL_STS=" + counting.URL}
	got = run(stsEnv, "advisory", "short")
	calls := len(counting.Calls())
	if got["failed"] != "0" || calls < 2 || calls > 4 {
		t.Errorf("advisory window: %v, %d AssumeRole calls (1 to load, then at most 3 for 100 callers)", got, calls)
	}
	t.Logf("100 callers in the advisory window: %s ms, %d AssumeRole calls after the first", got["elapsed_ms"], calls-1)

	got = run(stsEnv, "deadline", "slow")
	if got["deadline_exceeded"] != "true" || got["waited_for_refresh"] != "false" || got["refresh_err"] != "<nil>" {
		t.Errorf("mandatory window: %v; want the 200 ms caller back at its deadline, before the other's refresh, which succeeds", got)
	}
	t.Logf("a 200 ms deadline behind a 1.5 s refresh: back in %s ms", got["elapsed_ms"])
}

// buildAdopter builds testdata/adopter in a module of its own that requires
// this checkout through a replace directive, with the race detector where
// the platform has it.
func buildAdopter(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "adopter", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	gomod := "module example.com/adopter\n\ngo 1.26.0\n\nrequire github.com/credchain/credchain v0.0.0\n\nreplace github.com/credchain/credchain => " + root + "\n"
	for name, body := range map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum, "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	bin := filepath.Join(dir, "adopter")
	args := []string{"build", "-o", bin}
	if runtime.GOOS == "linux" && (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") {
		args = append(args, "-race")
	}
	for _, step := range [][]string{{"mod", "tidy"}, append(args, ".")} {
		cmd := exec.Command(goBin, step...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the adopter's module: %v\n%s", strings.Join(step, " "), err, out)
		}
	}
	return bin
}
