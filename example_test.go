package credchain_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsv2"
	"github.com/credchain/credchain/internal/ststest"
)

// exampleHome writes a credentials file into a fresh HOME for the examples.
func exampleHome() (env []string, cleanup func()) {
	home, _ := os.MkdirTemp("", "credchain-example")
	_ = os.MkdirAll(filepath.Join(home, ".aws"), 0o755)
	_ = os.WriteFile(filepath.Join(home, ".aws", "credentials"), []byte(
		"[dev]\naws_access_key_id = AKIAEXAMPLEDEV\naws_secret_access_key = example-secret\n"), 0o600)
	_ = os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile dev]\nregion = eu-west-1\n"), 0o600)
	return []string{"HOME=" + home, "BOTO_CONFIG=" + filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true"}, func() { os.RemoveAll(home) }
}

// A Session resolves credentials like boto3.Session(profile_name="dev").
func ExampleSession_Credentials() {
	env, cleanup := exampleHome()
	defer cleanup()
	s := credchain.NewSession(credchain.WithProfile("dev"), credchain.WithEnviron(env))
	c, err := s.Credentials(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	region, _, _ := s.Region()
	fmt.Println(c.Method, c.AccessKeyID, region)
	// Output: shared-credentials-file AKIAEXAMPLEDEV eu-west-1
}

// Explain reports every source in boto3's order and what it found.
func ExampleSession_Explain() {
	env, cleanup := exampleHome()
	defer cleanup()
	x := credchain.NewSession(credchain.WithProfile("dev"), credchain.WithEnviron(env)).Explain(context.Background())
	for _, step := range x.Steps[:5] {
		fmt.Println(step.Method, step.Result)
	}
	// Output:
	// assume-role skipped
	// assume-role-with-web-identity skipped
	// sso skipped
	// shared-credentials-file found
	// login not tried
}

// Any aws-sdk-go-v2 client can sign with a Session's credentials.
func ExampleSession_awsSDK() {
	env, cleanup := exampleHome()
	defer cleanup()
	s := credchain.NewSession(credchain.WithProfile("dev"), credchain.WithEnviron(env))
	cfg := aws.Config{Region: "eu-west-1", Credentials: awsv2.New(s)}
	c, err := cfg.Credentials.Retrieve(context.Background())
	fmt.Println(c.AccessKeyID, c.Source, err)
	// Output: AKIAEXAMPLEDEV credchain:shared-credentials-file <nil>
}

// Switch role from a Session's credentials, like the boto3 snippets that call
// sts.assume_role and build a new client from the result. (A local test STS
// stands in for AWS here.)
func ExampleSession_AssumeRoles() {
	sts := ststest.New()
	defer sts.Close()
	env, cleanup := exampleHome()
	defer cleanup()
	env = append(env, "AWS_ENDPOINT_URL_STS="+sts.URL, "AWS_DEFAULT_REGION=us-east-1")
	s := credchain.NewSession(credchain.WithProfile("dev"), credchain.WithEnviron(env))
	role, err := s.AssumeRoles(credchain.Role{ARN: "arn:aws:iam::210987654321:role/Admin", SessionName: "me"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := role.Retrieve(context.Background())
	fmt.Println(c.Method, c.AccountID, c.SessionToken != "", err)
	// Output: assume-role 210987654321 true <nil>
}

// Errors carry botocore's exception name; errors.Is tells the kinds apart.
func Example_typedErrors() {
	env, cleanup := exampleHome()
	defer cleanup()
	_, err := credchain.NewSession(credchain.WithProfile("deev"), credchain.WithEnviron(env)).Credentials(context.Background())
	fmt.Println(errors.Is(err, credchain.ErrProfileNotFound), credchain.ErrorKind(err))
	// Output: true ProfileNotFound
}
