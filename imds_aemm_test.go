package credchain_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/internal/proc"
)

// TestAgainstEC2MetadataMock runs the iam-role source against AWS's
// amazon-ec2-metadata-mock (built from internal/aemm), with IMDSv2 required
// and with IMDSv1 allowed, and checks the keys it serves arrive.
func TestAgainstEC2MetadataMock(t *testing.T) {
	if testing.Short() {
		t.Skip("builds amazon-ec2-metadata-mock")
	}
	bin := filepath.Join(t.TempDir(), "ec2-metadata-mock")
	build := exec.Command("go", "build", "-o", bin, "github.com/aws/amazon-ec2-metadata-mock/cmd")
	build.Dir = "internal/aemm"
	build.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatalf("building amazon-ec2-metadata-mock: %v: %s", err, out)
		}
		t.Skipf("cannot build amazon-ec2-metadata-mock: %v", err)
	}
	for _, v2only := range []bool{true, false} {
		t.Run(fmt.Sprintf("imdsv2_only=%v", v2only), func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port := l.Addr().(*net.TCPAddr).Port
			l.Close()
			args := []string{"-n", "127.0.0.1", "-p", strconv.Itoa(port)}
			if v2only {
				args = append(args, "--imdsv2")
			}
			mock := exec.Command(bin, args...)
			home := t.TempDir()
			mock.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
				"AEMM_METADATA_VALUES_IAM_SECURITY_CREDENTIALS_ROLE=credchain-role",
				"AEMM_METADATA_VALUES_IAM_SECURITY_CREDENTIALS_ACCESSKEYID=ASIAFROMAEMM",
				"AEMM_METADATA_VALUES_IAM_SECURITY_CREDENTIALS_SECRETACCESSKEY=aemm-secret",
				"AEMM_METADATA_VALUES_IAM_SECURITY_CREDENTIALS_TOKEN=aemm-token",
				"AEMM_METADATA_VALUES_IAM_SECURITY_CREDENTIALS_EXPIRATION=2099-01-01T00:00:00Z"}
			proc.NewGroup(mock)
			if err := mock.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = proc.KillGroup(mock.Process); _ = mock.Wait() }()
			base := fmt.Sprintf("http://127.0.0.1:%d/", port)
			deadline := time.Now().Add(10 * time.Second)
			for {
				resp, err := http.Get(base + "latest/meta-data/")
				if err == nil {
					resp.Body.Close()
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("amazon-ec2-metadata-mock did not start")
				}
				time.Sleep(50 * time.Millisecond)
			}
			s := credchain.NewSession(credchain.WithEnviron([]string{"HOME=" + home, "BOTO_CONFIG=" + filepath.Join(home, "none"),
				"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + base}))
			c, err := s.Credentials(context.Background())
			if err != nil || c.Method != "iam-role" || c.AccessKeyID != "ASIAFROMAEMM" || c.SessionToken != "aemm-token" {
				t.Fatalf("got %s %s, %v", c.Method, c.AccessKeyID, err)
			}
			if !strings.Contains(c.Source, "IMDSv2") {
				t.Errorf("source %q: a token is used whenever the service gives one", c.Source)
			}
		})
	}
}
