package cloudtrailtest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3ReadsTheStandIn: boto3's LookupEvents paginator, which parses
// the answers with botocore's CloudTrail model, reads every page.
func TestBoto3ReadsTheStandIn(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip(err)
	}
	s := New(Event{"s3.amazonaws.com", "ListBuckets", ""}, Event{"iam.amazonaws.com", "ListUsers", "AccessDenied"}, Event{"ec2.amazonaws.com", "DescribeInstances", ""})
	defer s.Close()
	out, err := exec.Command("python3", "-c", `import boto3, json, sys
c = boto3.client("cloudtrail", region_name="eu-west-1", endpoint_url=sys.argv[1], aws_access_key_id="AKIA", aws_secret_access_key="s")
names = []
for page in c.get_paginator("lookup_events").paginate(LookupAttributes=[{"AttributeKey": "AccessKeyId", "AttributeValue": "ASIAKEY"}]):
    for e in page["Events"]:
        names.append(e["EventName"] + ":" + json.loads(e["CloudTrailEvent"]).get("errorCode", "") + ":" + str(type(e["EventTime"]).__name__))
print(" ".join(names))`, s.URL).CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "ListBuckets::datetime ListUsers:AccessDenied:datetime DescribeInstances::datetime" {
		t.Fatalf("boto3 read %q", got)
	}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Region != "eu-west-1" || reqs[1].KeyID != "ASIAKEY" {
		t.Fatalf("requests %+v", reqs)
	}
}
