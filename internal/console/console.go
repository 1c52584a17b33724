// Package console builds the URLs of the AWS console sign-in: the page a
// service and region open on, the federation endpoint and console domain
// of the region's partition, the IAM Identity Center shortcut link of an
// SSO profile, and the sign-out that comes before a new sign-in.
package console

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/credchain/credchain/awsconfig"
)

// Partition is where a region's console and sign-in live.
type Partition struct {
	Name string
	// Signin is the sign-in host (the federation endpoint's).
	Signin string
	// Console is the console's domain.
	Console string
}

// Federation is the partition's federation endpoint.
func (p Partition) Federation() string { return "https://" + p.Signin + "/federation" }

// PartitionOf is the partition of region ("" is the commercial one).
func PartitionOf(region string) Partition {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return Partition{Name: "aws-us-gov", Signin: "signin.amazonaws-us-gov.com", Console: "console.amazonaws-us-gov.com"}
	case strings.HasPrefix(region, "cn-"):
		return Partition{Name: "aws-cn", Signin: "signin.amazonaws.cn", Console: "console.amazonaws.cn"}
	}
	return Partition{Name: "aws", Signin: "signin.aws.amazon.com", Console: "console.aws.amazon.com"}
}

// service is a console page: its path, and whether it is global (no
// region in the host).
type service struct {
	path   string
	global bool
}

// services are the consoles people type, by their short names.
var services = map[string]service{
	"s3": {path: "s3/home"}, "ec2": {path: "ec2/home"}, "iam": {path: "iam/home", global: true},
	"cloudformation": {path: "cloudformation/home"}, "lambda": {path: "lambda/home"}, "dynamodb": {path: "dynamodbv2/home"},
	"cloudwatch": {path: "cloudwatch/home"}, "logs": {path: "cloudwatch/home#logsV2:log-groups"}, "rds": {path: "rds/home"},
	"ecs": {path: "ecs/v2/home"}, "eks": {path: "eks/home"}, "ecr": {path: "ecr/home"}, "sqs": {path: "sqs/v3/home"},
	"sns": {path: "sns/v3/home"}, "route53": {path: "route53/v2/home", global: true}, "cloudtrail": {path: "cloudtrail/home"},
	"kms": {path: "kms/home"}, "secretsmanager": {path: "secretsmanager/home"}, "ssm": {path: "systems-manager/home"},
	"vpc": {path: "vpcconsole/home"}, "billing": {path: "billing/home", global: true}, "bedrock": {path: "bedrock/home"},
	"sso": {path: "singlesignon/home"}, "organizations": {path: "organizations/v2/home", global: true},
	"cloudfront": {path: "cloudfront/v4/home", global: true}, "apigateway": {path: "apigateway/main"}, "glue": {path: "glue/home"},
	"athena": {path: "athena/home"}, "stepfunctions": {path: "states/home"}, "elasticache": {path: "elasticache/home"},
	"kinesis": {path: "kinesis/home"}, "sagemaker": {path: "sagemaker/home"}, "config": {path: "config/home"},
	"guardduty": {path: "guardduty/home"}, "securityhub": {path: "securityhub/home"}, "acm": {path: "acm/home"},
	"console": {path: "console/home"},
}

// aliases are other names people type.
var aliases = map[string]string{
	"cfn": "cloudformation", "ddb": "dynamodb", "dynamo": "dynamodb", "cw": "cloudwatch", "r53": "route53",
	"sm": "secretsmanager", "secrets": "secretsmanager", "params": "ssm", "ct": "cloudtrail", "sfn": "stepfunctions",
	"home": "console", "lambdas": "lambda", "buckets": "s3", "cf": "cloudfront",
}

// Services lists the names --service takes.
func Services() []string {
	var out []string
	for n := range services {
		out = append(out, n)
	}
	for n := range aliases {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Destination is the console page of service (a name or an alias) in
// region: https://REGION.console.aws.amazon.com/PATH?region=REGION, or the
// partition's global host for a global service or no region. An unknown
// name is an error listing the closest.
func Destination(name, region string) (string, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if a, ok := aliases[key]; ok {
		key = a
	}
	svc, ok := services[key]
	if !ok {
		return "", fmt.Errorf("no console service %q%s (credchain console --help lists them)", name, closest(key))
	}
	p := PartitionOf(region)
	host := p.Console
	if region != "" && !svc.global {
		host = region + "." + p.Console
	}
	path, fragment, _ := strings.Cut(svc.path, "#")
	u := url.URL{Scheme: "https", Host: host, Path: "/" + path, Fragment: fragment}
	if region != "" && !svc.global {
		u.RawQuery = url.Values{"region": {region}}.Encode()
	}
	return u.String(), nil
}

// closest suggests the names nearest to key.
func closest(key string) string {
	best, dist := []string{}, 3
	for _, n := range Services() {
		d := awsconfig.EditDistance(key, n)
		switch {
		case d < dist:
			best, dist = []string{n}, d
		case d == dist:
			best = append(best, n)
		}
	}
	if len(best) == 0 {
		return ""
	}
	return ": did you mean " + strings.Join(best, " or ") + "?"
}

// SSOShortcut is the IAM Identity Center shortcut link that signs in to
// account as role and opens destination ("" for the console home): the
// portal signs in with its own session, so no token is needed here.
func SSOShortcut(startURL, accountID, roleName, destination string) string {
	q := url.Values{"account_id": {accountID}, "role_name": {roleName}}
	if destination != "" {
		q.Set("destination", destination)
	}
	return strings.TrimRight(startURL, "/#") + "/#/console?" + q.Encode()
}

// Login is the federation URL that signs in with token and opens
// destination.
func Login(federation, token, destination, issuer string) string {
	return federation + "?" + url.Values{"Action": {"login"}, "Issuer": {issuer}, "Destination": {destination}, "SigninToken": {token}}.Encode()
}

// LogoutFirst is a URL that signs the browser out of the partition's
// console, then goes to next (a sign-in URL): one account at a time.
func LogoutFirst(p Partition, next string) string {
	return "https://" + p.Signin + "/oauth?" + url.Values{"Action": {"logout"}, "redirect_uri": {next}}.Encode()
}
