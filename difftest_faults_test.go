package credchain_test

import (
	"fmt"
	"math/rand"
	"strings"
)

// A single-fault scenario is a clean configuration of one kind (profile
// dev, selected by AWS_PROFILE, with its source's keys in the credentials
// file, no noise) broken in exactly one way: several faults in one
// scenario mask each other (a key indented so that it continues the
// previous value hides the value's own fault).
type faultScenario struct {
	kind string
	cfg  []string // config lines of [profile dev], in order
	// extra config after [profile dev], the credentials file, files, env
	extra string
	cred  string
	files map[string]string
	env   map[string]string
	codes []string
}

// fault breaks one rule of a clean scenario; kinds are those it applies
// to ("" for any).
type fault struct {
	name  string
	kinds string
	apply func(f *faultScenario, rng *rand.Rand)
}

// set replaces the value of key in the profile (or adds the line).
func (f *faultScenario) set(key, line string) {
	for i, l := range f.cfg {
		if strings.HasPrefix(l, key+" =") {
			f.cfg[i] = line
			return
		}
	}
	f.cfg = append(f.cfg, line)
}

func (f *faultScenario) drop(key string) {
	for i, l := range f.cfg {
		if strings.HasPrefix(l, key+" =") {
			f.cfg = append(f.cfg[:i], f.cfg[i+1:]...)
			return
		}
	}
}

var faults = []fault{
	{"indented-key", "", func(f *faultScenario, rng *rand.Rand) {
		// A key indented under the previous one continues its value.
		i := rng.Intn(len(f.cfg))
		f.cfg[i] = "  " + f.cfg[i]
	}},
	{"no-equals", "", func(f *faultScenario, _ *rand.Rand) { f.cfg = append(f.cfg, "just words") }},
	{"duplicate-key", "", func(f *faultScenario, rng *rand.Rand) { f.cfg = append(f.cfg, f.cfg[rng.Intn(len(f.cfg))]) }},
	{"crlf", "", func(f *faultScenario, _ *rand.Rand) { f.extra += "\r\n" }},
	{"bad-region", "", func(f *faultScenario, rng *rand.Rand) {
		f.set("region", "region = "+[]string{"bad_region!", "us east", ""}[rng.Intn(3)])
	}},
	{"missing-secret", "static", func(f *faultScenario, _ *rand.Rand) {
		f.cred = strings.Replace(f.cred, "aws_secret_access_key = s\n", "", 1)
	}},
	{"empty-key", "static", func(f *faultScenario, _ *rand.Rand) {
		f.cred = strings.Replace(f.cred, "aws_access_key_id = AKBASE", "aws_access_key_id =", 1)
	}},
	{"ghost-source", "role", func(f *faultScenario, _ *rand.Rand) { f.set("source_profile", "source_profile = ghost") }},
	{"self-source", "role", func(f *faultScenario, _ *rand.Rand) { f.set("source_profile", "source_profile = dev") }},
	{"both-sources", "role", func(f *faultScenario, _ *rand.Rand) { f.cfg = append(f.cfg, "credential_source = Environment") }},
	{"bad-credential-source", "role", func(f *faultScenario, rng *rand.Rand) {
		// botocore takes exactly Environment, EcsContainer, Ec2InstanceMetadata.
		f.drop("source_profile")
		f.cfg = append(f.cfg, "credential_source = "+[]string{"environment", "ENVIRONMENT", "environment "}[rng.Intn(3)])
	}},
	{"bad-role-arn", "role web", func(f *faultScenario, rng *rand.Rand) {
		f.set("role_arn", "role_arn = "+[]string{"arn:aws:iam::1:r", "x", ""}[rng.Intn(3)])
	}},
	{"bad-duration", "role", func(f *faultScenario, rng *rand.Rand) {
		f.set("duration_seconds", "duration_seconds = "+[]string{"899", "0", "-5", "1h", "43201"}[rng.Intn(5)])
	}},
	{"bad-session-name", "role web", func(f *faultScenario, rng *rand.Rand) {
		f.set("role_session_name", "role_session_name = "+[]string{"", "a", "has space", strings.Repeat("n", 65)}[rng.Intn(4)])
	}},
	{"empty-external-id", "role", func(f *faultScenario, _ *rand.Rand) { f.set("external_id", "external_id =") }},
	{"short-external-id", "role", func(f *faultScenario, _ *rand.Rand) { f.set("external_id", "external_id = x") }},
	{"mfa-no-code", "role", func(f *faultScenario, _ *rand.Rand) {
		f.set("mfa_serial", "mfa_serial = arn:aws:iam::111111111111:mfa/me")
	}},
	{"mfa-short-code", "role", func(f *faultScenario, _ *rand.Rand) {
		f.set("mfa_serial", "mfa_serial = arn:aws:iam::111111111111:mfa/me")
		f.codes = []string{"12345"}
	}},
	{"sts-refuses", "role web", func(f *faultScenario, rng *rand.Rand) {
		role := []string{"denied", "exc-ExpiredTokenException-x", "exc-RegionDisabledException-x", "e500x9"}[rng.Intn(4)]
		f.set("role_arn", "role_arn = arn:aws:iam::111111111111:role/"+role)
	}},
	{"process-bad-output", "process", func(f *faultScenario, rng *rand.Rand) {
		f.files["proc/out.json"] = []string{`not json`, `{"Version": 2, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc"}`,
			`{"Version": 1, "AccessKeyId": "AKPROC"}`, `{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "Expiration": "2099-01-01T00:00:00"}`}[rng.Intn(4)]
	}},
	{"process-fails", "process", func(f *faultScenario, _ *rand.Rand) {
		f.set("credential_process", "credential_process = sh -c 'echo helper failed >&2; exit 3'")
	}},
	{"token-missing", "web", func(f *faultScenario, _ *rand.Rand) { delete(f.files, "tok") }},
	{"token-not-utf8", "web", func(f *faultScenario, _ *rand.Rand) { f.files["tok"] = "base64:/+50b2tlbg==" }},
	{"sso-token-expired", "sso", func(f *faultScenario, rng *rand.Rand) {
		f.files[ssoToken("corp")] = tokenDoc("tok-old", "2001-01-01T00:00:00Z", rng.Intn(2) == 0)
	}},
	{"sso-no-token", "sso", func(f *faultScenario, _ *rand.Rand) { delete(f.files, ssoToken("corp")) }},
	{"sso-oidc-unreachable", "sso", func(f *faultScenario, _ *rand.Rand) {
		f.files[ssoToken("corp")] = tokenDoc("tok-old", "2001-01-01T00:00:00Z", true)
		f.env["AWS_ENDPOINT_URL_SSO_OIDC"] = "http://127.0.0.1:1"
	}},
	{"sso-missing-session", "sso", func(f *faultScenario, _ *rand.Rand) { f.extra = "" }},
	// The faults below each hold one of botocore's orders or checks that
	// the general generator reaches rarely (make mutants caught their
	// rule-breaks by a single scenario in 1,500).
	{"sso-too", "web", func(f *faultScenario, _ *rand.Rand) {
		// Web identity comes before SSO in botocore's chain.
		f.cfg = append(f.cfg, "sso_session = corp", "sso_account_id = 123456789012", "sso_role_name = Dev")
		f.extra = "[sso-session corp]\nsso_start_url = " + ssoURL + "\nsso_region = us-east-1\n"
		f.files[ssoToken("corp")] = tokenDoc("tok-dev", "2099-01-01T00:00:00Z", true)
		for k, v := range ssoEnv {
			f.env[k] = v
		}
	}},
	{"default-profile-too", "", func(f *faultScenario, _ *rand.Rand) {
		// AWS_PROFILE wins over AWS_DEFAULT_PROFILE.
		f.cred += "[other]\naws_access_key_id = AKOTHER\naws_secret_access_key = o\n"
		f.env["AWS_DEFAULT_PROFILE"] = "other"
	}},
	{"bad-retry-mode", "role web sso", func(f *faultScenario, rng *rand.Rand) {
		// Checked when the STS or SSO client is made.
		if rng.Intn(2) == 0 {
			f.set("retry_mode", "retry_mode = "+[]string{"bogus", "Standard", ""}[rng.Intn(3)])
		} else {
			f.env["AWS_RETRY_MODE"] = []string{"bogus", "ADAPTIVE"}[rng.Intn(2)]
		}
	}},
	{"duration-boundary", "role", func(f *faultScenario, rng *rand.Rand) {
		// The STS model's minimum: 900 passes, 899 does not.
		f.set("duration_seconds", "duration_seconds = "+[]string{"899", "900"}[rng.Intn(2)])
	}},
	{"nested-parameter", "role", func(f *faultScenario, rng *rand.Rand) {
		// A nested block where AssumeRole takes a string.
		key := []string{"role_session_name", "external_id", "mfa_serial"}[rng.Intn(3)]
		f.drop(key)
		f.cfg = append(f.cfg, key+" =", "  nested = x")
		if key == "mfa_serial" {
			f.codes = []string{"123456"}
		}
	}},
	{"source-process-naive-expiry-mfa", "role", func(f *faultScenario, _ *rand.Rand) {
		// The MFA prompt comes before the source's expiry is read.
		f.cred = ""
		f.extra = "[profile base]\ncredential_process = cat {dir}/proc/out.json\n"
		f.files["proc/out.json"] = `{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00"}`
		f.set("mfa_serial", "mfa_serial = arn:aws:iam::111111111111:mfa/me")
		f.codes = []string{"123456"}
	}},
	{"env-keys-both-tokens", "", func(f *faultScenario, rng *rand.Rand) {
		// AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN.
		f.env["AWS_ACCESS_KEY_ID"], f.env["AWS_SECRET_ACCESS_KEY"] = "AKENV", "skenv"
		f.env["AWS_SECURITY_TOKEN"] = []string{"sectok", ""}[rng.Intn(2)]
		f.env["AWS_SESSION_TOKEN"] = "sesstok"
	}},
	{"file-both-tokens", "static", func(f *faultScenario, rng *rand.Rand) {
		// aws_security_token before aws_session_token in the file.
		f.cred += "aws_session_token = filesess\naws_security_token = " + []string{"filesec", ""}[rng.Intn(2)] + "\n"
	}},
	{"nested-data-path", "", func(f *faultScenario, _ *rand.Rand) {
		f.cfg = append(f.cfg, "data_path =", "  nested = x")
	}},
	{"process-refresh-fails", "process", func(f *faultScenario, rng *rand.Rand) {
		// The helper's keys expire inside the mandatory window (10 min),
		// and its second run fails: the refresh's failure is an error.
		// (In the advisory window the keys would be kept, with an expiry
		// that depends on when each side ran.) proc/state is written anew
		// before each side runs.
		minutes := []string{"1", "5", "9"}[rng.Intn(3)]
		f.files["proc/state"] = "fresh\n"
		f.set("credential_process", `credential_process = sh -c 'if [ "$(cat {dir}/proc/state)" = used ]; then echo refresh failed >&2; exit 1; fi; echo used > {dir}/proc/state; `+
			`printf "{\"Version\": 1, \"AccessKeyId\": \"AKPROC\", \"SecretAccessKey\": \"skproc\", \"SessionToken\": \"t\", \"Expiration\": \"%s\"}" "$(date -u -d "+`+minutes+` min" +%Y-%m-%dT%H:%M:%SZ)"'`)
	}},
	{"missing-services-section", "role web", func(f *faultScenario, rng *rand.Rand) {
		// services names a section that is missing or empty: botocore's
		// InvalidConfigError when it makes the STS client. The
		// environment names no STS endpoint (botocore would not look at
		// services), the profile's endpoint_url does: were services
		// ignored, the call would still stay here.
		f.env["AWS_ENDPOINT_URL_STS"] = "\x00unset"
		f.cfg = append(f.cfg, "services = local", "endpoint_url = {sts}")
		if rng.Intn(2) == 0 {
			f.extra += "[services local]\n"
		}
	}},
}

// faultCase builds scenario name: one fault, each as often as the others,
// in a clean scenario of a random kind it applies to.
func faultCase(name string, rng *rand.Rand) genCase {
	ft := faults[rng.Intn(len(faults))]
	kinds := strings.Fields(ft.kinds)
	if len(kinds) == 0 {
		kinds = []string{"static", "role", "process", "web", "sso"}
	}
	kind := kinds[rng.Intn(len(kinds))]
	f := &faultScenario{kind: kind, files: map[string]string{}, env: map[string]string{"AWS_PROFILE": "dev"},
		cred: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}
	f.cfg = []string{"region = us-east-1"}
	switch kind {
	case "static":
		f.cred = "[dev]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"
	case "role":
		f.cfg = append(f.cfg, "role_arn = arn:aws:iam::111111111111:role/Ops", "source_profile = base", "role_session_name = sess")
	case "process":
		f.cfg = append(f.cfg, "credential_process = cat {dir}/proc/out.json")
		f.files["proc/out.json"] = processOutputs[2]
	case "web":
		f.cfg = append(f.cfg, "role_arn = arn:aws:iam::111111111111:role/Ops", "web_identity_token_file = {dir}/tok", "role_session_name = web")
		f.files["tok"] = "token-value"
	case "sso":
		f.cfg = append(f.cfg, "sso_session = corp", "sso_account_id = 123456789012", "sso_role_name = Dev")
		f.extra = "[sso-session corp]\nsso_start_url = " + ssoURL + "\nsso_region = us-east-1\n"
		f.files[ssoToken("corp")] = tokenDoc("tok-dev", "2099-01-01T00:00:00Z", true)
		for k, v := range ssoEnv {
			f.env[k] = v
		}
	}
	ft.apply(f, rng)
	cfg := "[profile dev]\n" + strings.Join(f.cfg, "\n") + "\n" + f.extra
	if strings.HasSuffix(f.extra, "\r\n") {
		cfg = strings.ReplaceAll(strings.TrimSuffix(cfg, "\r\n"), "\n", "\r\n")
	}
	f.files[cfgPath] = cfg
	f.files[credPath] = f.cred
	return genCase{name: fmt.Sprintf("fault_%s_%s", ft.name, name), files: f.files, env: f.env, mfaCodes: f.codes}
}
