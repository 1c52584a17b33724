package stscreds

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/ststest"
)

// TestNoRedirectCarriesTheSessionToken: a redirecting STS endpoint gets an
// error, and the other host receives nothing (Go forwarded
// X-Amz-Security-Token there in 22 of 22 requests).
func TestNoRedirectCarriesTheSessionToken(t *testing.T) {
	h := ststest.NewHostile()
	defer h.Close()
	src := creds.Credentials{AccessKeyID: "ASIASOURCE", SecretAccessKey: "s", SessionToken: "source-session-token"}
	_, err := NewClient(ClientOptions{Region: "us-east-1", Endpoint: h.URL}, src).AssumeRole(context.Background(),
		&sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/R"), RoleSessionName: aws.String("s")})
	if err == nil {
		t.Fatal("a redirect was followed to success")
	}
	if got := h.Reached(); len(got) != 0 {
		t.Fatalf("%d requests reached the redirect target; token sent: %v", len(got), got[0].Get("X-Amz-Security-Token") != "")
	}
	_, err = NewUnsignedClient(ClientOptions{Region: "us-east-1", Endpoint: h.URL}).AssumeRoleWithWebIdentity(context.Background(),
		&sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/R"), RoleSessionName: aws.String("s"), WebIdentityToken: aws.String("jwt")})
	if err == nil || len(h.Reached()) != 0 {
		t.Fatalf("web identity: err %v, %d requests reached the other host", err, len(h.Reached()))
	}
}

// TestHugeResponseIsBounded: a 200 MB success body is an error after 1 MiB
// (it took the process to 725 MB).
func TestHugeResponseIsBounded(t *testing.T) {
	h := ststest.NewHostile()
	defer h.Close()
	src := creds.Credentials{AccessKeyID: "AKIASOURCE", SecretAccessKey: "s"}
	_, err := NewClient(ClientOptions{Region: "us-east-1", Endpoint: h.HugeURL}, src).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("err = %v", err)
	}
}
