package agentreport

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain/internal/cloudtrailtest"
)

// TestReportFromCloudTrail: every key in every region, all pages, no
// faster than two requests a second; calls made and denied; the policy
// allows exactly what succeeded.
func TestReportFromCloudTrail(t *testing.T) {
	ct := cloudtrailtest.New(
		cloudtrailtest.Event{Source: "s3.amazonaws.com", Name: "ListBuckets"},
		cloudtrailtest.Event{Source: "iam.amazonaws.com", Name: "ListUsers", ErrorCode: "AccessDenied"},
		cloudtrailtest.Event{Source: "s3.amazonaws.com", Name: "GetObject"},
	)
	defer ct.Close()
	lookup := NewLookup(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s"}, nil
	}), ct.URL)
	r, err := Build(context.Background(), lookup, "abc", []string{"ASIA1", "ASIA2"}, []string{"eu-west-1", "us-east-1"}, time.Now().Add(-time.Hour), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reqs := ct.Requests()
	if len(reqs) != 8 { // 2 regions x 2 keys x 2 pages
		t.Fatalf("%d LookupEvents calls, want 8", len(reqs))
	}
	for i := 1; i < len(reqs); i++ {
		if gap := reqs[i].At.Sub(reqs[i-1].At); gap < 450*time.Millisecond {
			t.Errorf("calls %d and %d %s apart: CloudTrail allows 2 a second", i-1, i, gap)
		}
	}
	text := r.Text()
	for _, want := range []string{"agent session abc: 12 calls by 2 keys, in eu-west-1, us-east-1", "s3:ListBuckets", "calls denied (AccessDenied):\n  iam:ListUsers", "about 5 to 15 minutes"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	pol, err := r.SuggestPolicy()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct{ Action []string }
	}
	if err := json.Unmarshal(pol, &doc); err != nil || strings.Join(doc.Statement[0].Action, ",") != "s3:GetObject,s3:ListBuckets" {
		t.Fatalf("policy %s", pol)
	}
}
