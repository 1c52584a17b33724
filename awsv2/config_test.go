package awsv2_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsv2"
	"github.com/credchain/credchain/internal/ststest"
)

// endpoint is a stand-in that answers GetCallerIdentity and ListTables and
// counts its requests.
func endpoint(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.Header.Get("X-Amz-Target") != "" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			fmt.Fprint(w, `{"TableNames":["t"]}`)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, callerIdentity)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func homeWithConfig(t *testing.T, config string) string {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600)
	return home
}

// TestLoadConfigUsesBotocoresEndpointsRegionAndKeys: the README's recipe
// (aws.Config{Region, Credentials}) sent calls to the real AWS endpoint
// whatever AWS_ENDPOINT_URL said; LoadConfig gives every client the
// endpoint botocore would use: per service, then global, then the
// profile's [services] block and endpoint_url.
func TestLoadConfigUsesBotocoresEndpointsRegionAndKeys(t *testing.T) {
	stsSrv, stsCalls := endpoint(t)
	global, globalCalls := endpoint(t)
	home := homeWithConfig(t, "[profile dev]\nregion = eu-west-3\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n")
	cfg, err := awsv2.LoadConfig(context.Background(), credchain.WithProfile("dev"), credchain.WithEnviron([]string{
		"HOME=" + home, "AWS_EC2_METADATA_DISABLED=true", "AWS_REGION=us-west-2",
		"AWS_ENDPOINT_URL_STS=" + stsSrv.URL, "AWS_ENDPOINT_URL=" + global.URL}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Region != "eu-west-3" {
		t.Errorf("region %q, want the profile's (boto3 ignores AWS_REGION)", cfg.Region)
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(cfg).ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatal(err)
	}
	if stsCalls.Load() != 1 || globalCalls.Load() != 1 {
		t.Fatalf("STS endpoint got %d calls, the global one %d; want 1 and 1", stsCalls.Load(), globalCalls.Load())
	}
	c, _ := cfg.Credentials.Retrieve(context.Background())
	if c.AccessKeyID != "AKIADEV" {
		t.Errorf("credentials %q", c.AccessKeyID)
	}

	// The profile's [services] block, and ignore_configured_endpoint_urls.
	home = homeWithConfig(t, "[profile dev]\nregion = eu-west-3\nservices = local\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n"+
		"[services local]\nsts =\n  endpoint_url = "+stsSrv.URL+"\n")
	env := []string{"HOME=" + home, "AWS_EC2_METADATA_DISABLED=true"}
	cfg, err = awsv2.LoadConfig(context.Background(), credchain.WithProfile("dev"), credchain.WithEnviron(env))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil || stsCalls.Load() != 2 {
		t.Fatalf("[services] sts: %v, %d calls", err, stsCalls.Load())
	}
	cfg, _ = awsv2.LoadConfig(context.Background(), credchain.WithProfile("dev"), credchain.WithEnviron(append(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true")))
	if p, ok := cfg.ConfigSources[0].(interface {
		GetServiceBaseEndpoint(context.Context, string) (string, bool, error)
	}); !ok || cfg.BaseEndpoint != nil {
		t.Fatal("no endpoint source, or a global endpoint although ignored")
	} else if u, found, _ := p.GetServiceBaseEndpoint(context.Background(), "STS"); found {
		t.Fatalf("ignore_configured_endpoint_urls: STS endpoint %q", u)
	}
}

// TestLoadConfigRetriesAsBotocore: AWS_MAX_ATTEMPTS and AWS_RETRY_MODE
// reach the SDK client (they were left at the SDK's defaults); legacy, the
// default, makes botocore's 5 attempts.
func TestLoadConfigRetriesAsBotocore(t *testing.T) {
	var n atomic.Int32
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer failing.Close()
	home := homeWithConfig(t, "[default]\nregion = us-east-1\naws_access_key_id = AK\naws_secret_access_key = s\n")
	for _, tc := range []struct {
		env  []string
		want int32
	}{
		{[]string{"AWS_MAX_ATTEMPTS=7", "AWS_RETRY_MODE=standard"}, 7},
		{nil, 5},
		{[]string{"AWS_MAX_ATTEMPTS=2"}, 2},
	} {
		n.Store(0)
		env := append([]string{"HOME=" + home, "AWS_EC2_METADATA_DISABLED=true", "AWS_ENDPOINT_URL=" + failing.URL}, tc.env...)
		cfg, err := awsv2.LoadConfig(context.Background(), credchain.WithEnviron(env))
		if err != nil {
			t.Fatal(err)
		}
		// No waiting between attempts in the test.
		client := sts.NewFromConfig(cfg, func(o *sts.Options) { o.Retryer = noDelay{o.Retryer} })
		if _, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err == nil {
			t.Fatal("a failing endpoint succeeded")
		}
		if n.Load() != tc.want {
			t.Errorf("%v: %d attempts, want %d", tc.env, n.Load(), tc.want)
		}
	}
}

type noDelay struct{ aws.Retryer }

func (noDelay) RetryDelay(int, error) (time.Duration, error) { return 0, nil }

// TestLoadConfigRefusesAMissingProfile: botocore's ProfileNotFound at load
// time, not at the first call.
func TestLoadConfigRefusesAMissingProfile(t *testing.T) {
	home := homeWithConfig(t, "[profile dev]\nregion = eu-west-3\n")
	_, err := awsv2.LoadConfig(context.Background(), credchain.WithProfile("deev"), credchain.WithEnviron([]string{"HOME=" + home}))
	if credchain.ErrorKind(err) != "ProfileNotFound" {
		t.Fatalf("err = %v", err)
	}
	_, err = awsv2.LoadConfig(context.Background(), credchain.WithEnviron([]string{"HOME=" + home, "AWS_MAX_ATTEMPTS=zero"}))
	if err == nil {
		t.Fatal("an invalid max_attempts was accepted")
	}
}

// ExampleLoadConfig: one line for an aws-sdk-go-v2 config with boto3's
// credentials, region and endpoints (here a local stand-in for STS named by
// AWS_ENDPOINT_URL_STS).
func ExampleLoadConfig() {
	stand := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, callerIdentity)
	}))
	defer stand.Close()
	home, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(home)
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"), 0o600)

	cfg, err := awsv2.LoadConfig(context.Background(), credchain.WithProfile("dev"),
		credchain.WithEnviron([]string{"HOME=" + home, "AWS_ENDPOINT_URL_STS=" + stand.URL}))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Region, aws.ToString(out.Account))
	// Output: eu-west-1 123456789012
}

// TestFromProviderTakesAChainBuiltInCode: Session.AssumeRoles goes to an
// SDK client in one call (it needed a 13-line adapter), and the client
// signs with the role's keys.
func TestFromProviderTakesAChainBuiltInCode(t *testing.T) {
	var signer atomic.Value
	stand := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "text/xml")
		if r.PostForm.Get("Action") == "AssumeRole" {
			fmt.Fprint(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLEKEY</AccessKeyId><SecretAccessKey>rs</SecretAccessKey><SessionToken>rt</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/R/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>`)
			return
		}
		signer.Store(r.Header.Get("Authorization"))
		fmt.Fprint(w, callerIdentity)
	}))
	defer stand.Close()
	s := credchain.NewSession(credchain.WithCredentials("AKIABASE", "s", ""), credchain.WithRegion("us-east-1"),
		credchain.WithEnviron([]string{"HOME=" + t.TempDir(), "AWS_ENDPOINT_URL_STS=" + stand.URL}))
	chain, err := s.AssumeRoles(credchain.Role{ARN: "arn:aws:iam::123456789012:role/R"})
	if err != nil {
		t.Fatal(err)
	}
	client := sts.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: awsv2.FromProvider(chain), BaseEndpoint: aws.String(stand.URL)})
	if _, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if auth, _ := signer.Load().(string); !strings.Contains(auth, "Credential=ASIAROLEKEY/") {
		t.Fatalf("signed with %q, want the role's key", auth)
	}
}

// TestZeroProviderIsAnError: Provider{} says how to make one (it panicked).
func TestZeroProviderIsAnError(t *testing.T) {
	if _, err := (awsv2.Provider{}).Retrieve(context.Background()); !errors.Is(err, awsv2.ErrNoSession) {
		t.Fatalf("err = %v", err)
	}
}

// ExampleFromProvider: a chain of roles built in code goes to any
// aws-sdk-go-v2 client (a local stand-in answers for STS).
func ExampleFromProvider() {
	stand := ststest.New()
	defer stand.Close()
	s := credchain.NewSession(credchain.WithCredentials("AKIAEXAMPLE", "secret", ""), credchain.WithRegion("us-east-1"),
		credchain.WithEnviron([]string{"HOME=" + os.TempDir(), "AWS_ENDPOINT_URL_STS=" + stand.URL}))
	chain, err := s.AssumeRoles(credchain.Role{ARN: "arn:aws:iam::210987654321:role/Admin", SessionName: "me"})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := aws.Config{Region: "us-east-1", Credentials: awsv2.FromProvider(chain)}
	c, err := cfg.Credentials.Retrieve(context.Background())
	fmt.Println(c.Source, c.CanExpire, err)
	// Output: credchain:assume-role true <nil>
}
