package console

import (
	"net/url"
	"strings"
	"testing"
)

func TestPartitionOf(t *testing.T) {
	for region, want := range map[string]string{"": "https://signin.aws.amazon.com/federation", "eu-west-2": "https://signin.aws.amazon.com/federation",
		"us-gov-east-1": "https://signin.amazonaws-us-gov.com/federation", "cn-northwest-1": "https://signin.amazonaws.cn/federation"} {
		if got := PartitionOf(region).Federation(); got != want {
			t.Errorf("%q: %s, want %s", region, got, want)
		}
	}
}

func TestDestination(t *testing.T) {
	for _, c := range []struct{ name, region, want string }{
		{"s3", "eu-west-2", "https://eu-west-2.console.aws.amazon.com/s3/home?region=eu-west-2"},
		{"S3", "", "https://console.aws.amazon.com/s3/home"},
		{"logs", "us-east-1", "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups"},
		{"route53", "eu-west-1", "https://console.aws.amazon.com/route53/v2/home"},
		{"sfn", "cn-north-1", "https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1"},
	} {
		got, err := Destination(c.name, c.region)
		if err != nil || got != c.want {
			t.Errorf("Destination(%q, %q) = %q, %v; want %q", c.name, c.region, got, err, c.want)
		}
	}
	if _, err := Destination("lamda", ""); err == nil || !strings.Contains(err.Error(), "did you mean lambda") {
		t.Errorf("a typo: %v", err)
	}
	if _, err := Destination("zzzzzzzzz", ""); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("nothing near: %v", err)
	}
}

// TestSSOShortcut: START_URL/#/console?account_id=...&role_name=...&destination=...
// (AWS's documented shortcut link).
func TestSSOShortcut(t *testing.T) {
	got := SSOShortcut("https://d-1234567890.awsapps.com/start/", "111122223333", "Admin Role", "https://console.aws.amazon.com/s3/home?region=eu-west-2")
	prefix := "https://d-1234567890.awsapps.com/start/#/console?"
	if !strings.HasPrefix(got, prefix) {
		t.Fatalf("%s", got)
	}
	q, err := url.ParseQuery(strings.TrimPrefix(got, prefix))
	if err != nil || q.Get("account_id") != "111122223333" || q.Get("role_name") != "Admin Role" || q.Get("destination") != "https://console.aws.amazon.com/s3/home?region=eu-west-2" {
		t.Fatalf("%s: %v", got, q)
	}
	if got := SSOShortcut("https://x.awsapps.com/start#", "1", "R", ""); got != "https://x.awsapps.com/start/#/console?account_id=1&role_name=R" {
		t.Errorf("%s", got)
	}
}
