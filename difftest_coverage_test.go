package credchain_test

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/oracle"
)

// notForCredentials are settings botocore reads that play no part in
// resolving credentials or the region: the generator leaves them out. Any
// other setting botocore reads (oracle.ReadSettings) must be generated: a
// setting a new botocore adds shows up as uncovered until it is generated
// or listed here with its reason.
var notForCredentials = map[string]string{
	"account_id_endpoint_mode":           "chooses account-based service endpoints, not STS's",
	"auth_scheme_preference":             "signing scheme of service clients",
	"csm_client_id":                      "client-side monitoring",
	"csm_enabled":                        "client-side monitoring",
	"csm_host":                           "client-side monitoring",
	"csm_port":                           "client-side monitoring",
	"defaults_mode":                      "changes only the STS client's retry and timeout defaults; no scenario outcome depends on them",
	"disable_host_prefix_injection":      "host prefixes of service operations; STS has none",
	"disable_request_compression":        "request compression; STS requests are not compressed",
	"endpoint_discovery_enabled":         "endpoint discovery of DynamoDB and Timestream",
	"request_checksum_calculation":       "S3 checksums",
	"request_min_compression_size_bytes": "request compression",
	"response_checksum_validation":       "S3 checksums",
	"s3_disable_express_session_auth":    "S3 Express sessions",
	"sdk_ua_app_id":                      "the User-Agent header",
	"sigv4a_signing_region_set":          "SigV4a signing of multi-region services",
	"tcp_keepalive":                      "TCP keep-alive of connections",
	"api_versions":                       "service API versions; STS has one",
	"parameter_validation":               "a client option, not read from the environment for the STS client",
	// Words of botocore's source that look like keys and are not.
	"role_name":        "a field of SSO's GetRoleCredentials, not a config key",
	"sso_session_name": "a variable name, not a config key",
	"sso_sessions":     "the config's sso-session sections, not a key",
}

// extraCoverage are what the suite must generate besides botocore's
// settings: pairs of sources whose relative order is a rule, and helper
// failures.
var extraCoverage = []string{
	"config:sso_registration_scopes",
	"env:AWS_REGION", // boto3 ignores it; the SDKs read it first
	"credentials:aws_session_token", "credentials:aws_security_token", "credentials:aws_account_id",
	"pair:boto-config+ec2-credentials-file",
	"pair:container-role+iam-role",
	"pair:process+shared-credentials",
	"process:exit-nonzero",
	"process:missing-helper",
	"fault:one",
}

func init() {
	for _, f := range faults {
		extraCoverage = append(extraCoverage, "fault:"+f.name)
	}
}

// wantCoverage lists every name the generator must cover.
func wantCoverage(t *testing.T) []string {
	t.Helper()
	settings, err := oracle.ReadSettings()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range settings.Env {
		if _, skip := notForCredentials[strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(e, "AWS_"), "BOTOCORE_"))]; !skip {
			names = append(names, "env:"+e)
		}
	}
	for _, k := range settings.Config {
		if _, skip := notForCredentials[k]; !skip {
			names = append(names, "config:"+k)
		}
	}
	return append(names, extraCoverage...)
}

var keyLine = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z][A-Za-z0-9_]*)[ \t]*[=:]`)

// coverage names what a scenario exercises: its variables, the keys of its
// config and credentials files, and its pairs of late sources.
func coverage(gc genCase) []string {
	var out []string
	for k, v := range gc.env {
		if v != "\x00unset" {
			out = append(out, "env:"+k)
		}
	}
	cfg, cred := gc.files[cfgPath], gc.files[credPath]
	for _, f := range []struct{ prefix, text string }{{"config:", cfg}, {"credentials:", cred}} {
		for _, m := range keyLine.FindAllStringSubmatch(f.text, -1) {
			out = append(out, f.prefix+strings.ToLower(m[1]))
		}
	}
	imdsOn := gc.env["AWS_EC2_METADATA_DISABLED"] == "\x00unset" || gc.env["AWS_EC2_METADATA_DISABLED"] == "false"
	_, container := gc.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
	_, relative := gc.env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]
	if (container || relative) && imdsOn {
		out = append(out, "pair:container-role+iam-role")
	}
	if gc.env["BOTO_CONFIG"] == "{dir}/boto.cfg" && gc.env["AWS_CREDENTIAL_FILE"] != "" {
		out = append(out, "pair:boto-config+ec2-credentials-file")
	}
	if strings.Contains(cfg, "credential_process") && strings.Contains(strings.ToLower(cred), "aws_access_key_id") {
		out = append(out, "pair:process+shared-credentials")
	}
	if strings.Contains(cfg, "exit 3") {
		out = append(out, "process:exit-nonzero")
	}
	if strings.Contains(cfg, "no-such-helper") {
		out = append(out, "process:missing-helper")
	}
	if f, ok := strings.CutPrefix(gc.name, "fault_"); ok {
		name, _, _ := strings.Cut(f, "_")
		out = append(out, "fault:one", "fault:"+name)
	}
	return out
}

// coverageReport counts the scenarios covering each wanted name, in the
// order wanted, and lists the names no scenario covers.
func coverageReport(want []string, cases []genCase) (lines, uncovered []string) {
	n := map[string]int{}
	for _, gc := range cases {
		seen := map[string]bool{}
		for _, name := range coverage(gc) {
			if !seen[name] {
				seen[name] = true
				n[name]++
			}
		}
	}
	sort.Strings(want)
	for _, name := range want {
		if n[name] == 0 {
			uncovered = append(uncovered, name)
			lines = append(lines, fmt.Sprintf("difftest: uncovered %s", name))
			continue
		}
		lines = append(lines, fmt.Sprintf("difftest: covers %s in %d scenarios", name, n[name]))
	}
	return lines, uncovered
}

// TestGeneratorCoversBotocoresSettings: 5,000 generated scenarios (any
// seed) cover every setting botocore reads for credentials, the pairs of
// late sources and the helper failures. Only the generator runs here.
func TestGeneratorCoversBotocoresSettings(t *testing.T) {
	requireOracle(t)
	_, uncovered := coverageReport(wantCoverage(t), generate(20261206, 5000))
	for _, name := range uncovered {
		if name == "env:AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" && !inNetns() {
			continue // generated only where 169.254.170.2 is the suite's own
		}
		t.Errorf("no scenario of 5,000 covers %s", name)
	}
}
