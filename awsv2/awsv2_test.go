package awsv2_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsv2"
)

const callerIdentity = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>
<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`

// TestSTSClientSignsWithSessionCredentials runs a real aws-sdk-go-v2 STS
// client on a Session and checks the request it sends is signed with the
// session's access key and token.
func TestSTSClientSignsWithSessionCredentials(t *testing.T) {
	var mu sync.Mutex
	var auth, token string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth, token = r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token")
		mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, callerIdentity)
	}))
	defer srv.Close()

	sess := credchain.NewSession(credchain.WithEnviron([]string{
		"HOME=" + t.TempDir(), "AWS_EC2_METADATA_DISABLED=true", "AWS_ACCESS_KEY_ID=AKIDFROMENV", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=tok",
	}))
	client := sts.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: awsv2.New(sess)},
		func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Account); got != "123456789012" {
		t.Errorf("account = %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(auth, "Credential=AKIDFROMENV/") {
		t.Errorf("Authorization header does not use the session's key: %q", auth)
	}
	if token != "tok" {
		t.Errorf("X-Amz-Security-Token = %q, want the session token", token)
	}
}

func TestRetrieveReportsSourceAndErrors(t *testing.T) {
	ok := awsv2.New(credchain.NewSession(credchain.WithCredentials("AKID", "SK", "")))
	c, err := ok.Retrieve(context.Background())
	if err != nil || c.Source != "credchain:explicit" || c.AccessKeyID != "AKID" || c.CanExpire {
		t.Errorf("Retrieve = %+v, %v", c, err)
	}
	bad := awsv2.New(credchain.NewSession(credchain.WithEnviron([]string{"HOME=" + t.TempDir(), "AWS_EC2_METADATA_DISABLED=true", "AWS_ACCESS_KEY_ID=AK"})))
	if _, err := bad.Retrieve(context.Background()); credchain.ErrorKind(err) != "PartialCredentialsError" {
		t.Errorf("Retrieve error = %v, want PartialCredentialsError", err)
	}
}
