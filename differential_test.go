package credchain_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/internal/oracle"
	"github.com/credchain/credchain/internal/ststest"
	"github.com/credchain/credchain/internal/timefmt"
	"github.com/credchain/credchain/ssocreds"
)

// A generated configuration: files to write under a fresh directory (paths
// relative to it; "{dir}" in contents and env is replaced by the directory)
// plus the scenario run by both botocore and credchain.
type genCase struct {
	name     string
	files    map[string]string
	env      map[string]string
	profile  *string
	explicit *oracle.Explicit
	mfaCodes []string
}

func sp(s string) *string { return &s }

const (
	cfgPath  = "home/.aws/config"
	credPath = "home/.aws/credentials"
)

// processOutputs are credential_process outputs (written to files and
// printed with cat) with what they exercise.
var processOutputs = []string{
	`{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc"}`,
	`{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "SessionToken": "tokproc", "AccountId": "111122223333"}`,
	`{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}`,
	`{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "Expiration": "2099-01-01T00:00:00.123456+02:00"}`,
	`{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "Expiration": "2001-01-01T00:00:00Z"}`,
	`{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "Expiration": "2099-01-01T00:00:00"}`,
	`{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "Expiration": "not a date"}`,
	`{"Version": "1", "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc"}`,
	`{"AccessKeyId": "AKPROC", "SecretAccessKey": "skproc"}`,
	`{"Version": 2, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc"}`,
	`{"Version": 1.0, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc"}`,
	`{"Version": 1, "AccessKeyId": "AKPROC"}`,
	`{"Version": 1, "SecretAccessKey": "skproc"}`,
	`{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "skproc", "SessionToken": null, "Expiration": null}`,
	`not json`,
	`[1, 2]`,
	``,
}

func processCase(i int) (files map[string]string, command string) {
	out := fmt.Sprintf("proc/out%d.json", i)
	return map[string]string{out: processOutputs[i]}, "cat {dir}/" + out
}

const (
	ssoURL     = "https://d-1234567890.awsapps.com/start"
	ssoLegacy  = "[default]\nsso_start_url = " + ssoURL + "\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Dev\n"
	ssoSession = "[default]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\nsso_start_url = " + ssoURL + "\nsso_region = us-east-1\n"
)

// ssoEnv points the SSO portal and SSO OIDC at the local test server.
var ssoEnv = map[string]string{"AWS_ENDPOINT_URL_SSO": "{meta}", "AWS_ENDPOINT_URL_SSO_OIDC": "{meta}"}

// ssoToken is the token cache file, relative to the scenario directory.
func ssoToken(startURLOrSession string) string {
	if strings.HasPrefix(startURLOrSession, "https://") {
		return ssocreds.TokenFile("home/.aws/sso/cache", startURLOrSession, "")
	}
	return ssocreds.TokenFile("home/.aws/sso/cache", "", startURLOrSession)
}

// tokenDoc is a token cache document; refreshable adds the OIDC client
// registration a refresh needs.
func tokenDoc(access, expires string, refreshable bool) string {
	doc := fmt.Sprintf(`{"startUrl": "%s", "region": "us-east-1", "accessToken": "%s", "expiresAt": "%s"`, ssoURL, access, expires)
	if refreshable {
		doc += `, "refreshToken": "refresh-1", "clientId": "client", "clientSecret": "client-secret", "registrationExpiresAt": "2099-01-01T00:00:00Z"`
	}
	return doc + "}"
}

// roleTo is a config whose profile r assumes role NAME from static keys,
// with extra lines.
func roleTo(name, extra string) string {
	return "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/" + name + "\nsource_profile = base\n" + extra +
		"[profile base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"
}

// handCases pin one rule of the spec each.
func handCases() []genCase {
	def := "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = skdef\n"
	c := []genCase{
		// §2.2 INI rules.
		{name: "colon_delimiter", files: map[string]string{credPath: "[default]\naws_access_key_id: AKCOLON\naws_secret_access_key : sk = x\n"}},
		{name: "first_delimiter_splits", files: map[string]string{credPath: "[default]\naws_access_key_id==AK\naws_secret_access_key = a:b\n"}},
		{name: "keys_lowercased", files: map[string]string{credPath: "[default]\nAWS_Access_Key_ID = AKUP\nAWS_SECRET_ACCESS_KEY = SK\n"}},
		{name: "inline_comment_kept", files: map[string]string{credPath: "[default]\naws_access_key_id = AKC # comment\naws_secret_access_key = sk ; note\n"}},
		{name: "quotes_kept", files: map[string]string{credPath: "[default]\naws_access_key_id = \"AKQ\"\naws_secret_access_key = 'sk'\n"}},
		{name: "full_line_comments", files: map[string]string{credPath: "# top\n[default]\n; c\n  # indented comment\naws_access_key_id = AK1\naws_secret_access_key = s\n"}},
		{name: "continuation_value", files: map[string]string{credPath: "[default]\naws_access_key_id = AK\n  more\naws_secret_access_key = s\n"}},
		{name: "continuation_blank_kept", files: map[string]string{credPath: "[default]\naws_access_key_id = AK\n\n  more\n\naws_secret_access_key = s\n"}},
		{name: "continuation_comment_dropped", files: map[string]string{credPath: "[default]\naws_access_key_id = AK\n  # c\n  more\naws_secret_access_key = s\n"}},
		{name: "indented_header_in_value", files: map[string]string{credPath: "[default]\naws_access_key_id = AK\n  [profile z]\naws_secret_access_key = s\n"}},
		{name: "indented_first_key", files: map[string]string{credPath: "[default]\n    aws_access_key_id = AKIND\n    aws_secret_access_key = s\n"}},
		{name: "default_section_inherited", files: map[string]string{credPath: "[DEFAULT]\naws_secret_access_key = skd\n[default]\naws_access_key_id = AKD\n"}},
		{name: "default_section_region", files: map[string]string{cfgPath: "[DEFAULT]\nregion = ap-south-1\n[profile x]\noutput = json\n", credPath: "[x]\naws_access_key_id=A\naws_secret_access_key=B\n"}, profile: sp("x")},
		{name: "default_section_only", files: map[string]string{credPath: "[DEFAULT]\naws_access_key_id = AKD\naws_secret_access_key = s\n"}},
		{name: "duplicate_section", files: map[string]string{credPath: def + "[default]\nregion=x\n"}},
		{name: "duplicate_key", files: map[string]string{credPath: "[default]\naws_access_key_id = A\nAWS_ACCESS_KEY_ID = B\naws_secret_access_key = s\n"}},
		{name: "empty_key", files: map[string]string{credPath: "[default]\n= v\naws_access_key_id = A\naws_secret_access_key = s\n"}},
		{name: "no_delimiter", files: map[string]string{credPath: "[default]\njunk\naws_access_key_id = A\naws_secret_access_key = s\n"}},
		{name: "key_before_header", files: map[string]string{credPath: "a = 1\n" + def}},
		{name: "bom", files: map[string]string{credPath: "\ufeff" + def}},
		{name: "bom_config", files: map[string]string{cfgPath: "\ufeff[default]\nregion=x\n", credPath: def}},
		{name: "invalid_utf8", files: map[string]string{credPath: def + "x = \xff\n"}},
		{name: "greedy_bracket", files: map[string]string{cfgPath: "[profile x]]\naws_access_key_id=AKG\naws_secret_access_key=s\n"}, profile: sp("x]")},
		{name: "header_trailing_text", files: map[string]string{cfgPath: "[profile x] ; c\naws_access_key_id=AKT\naws_secret_access_key=s\n"}, profile: sp("x")},
		{name: "crlf", files: map[string]string{credPath: "[default]\r\naws_access_key_id = AKCRLF\r\naws_secret_access_key = s\r\n"}},
		{name: "cr_only", files: map[string]string{credPath: "[default]\raws_access_key_id = AKCR\raws_secret_access_key = s\r"}},
		{name: "empty_value", files: map[string]string{credPath: "[default]\naws_access_key_id =\naws_secret_access_key =\n"}},
		{name: "nested_value", files: map[string]string{cfgPath: "[default]\ns3 =\n  addressing_style = path\naws_access_key_id = AKN\naws_secret_access_key = s\n"}},
		{name: "nested_bad_line", files: map[string]string{cfgPath: "[default]\ns3 =\n  bad_syntax @ s3v4\n", credPath: def}},
		{name: "nested_colon_fails", files: map[string]string{cfgPath: "[default]\ns3 =\n  a: 1\n", credPath: def}},
		{name: "unicode_space_indent", files: map[string]string{credPath: "[default]\naws_access_key_id = AK\n\u00a0more\naws_secret_access_key = s\n"}},
		// §2.3 section classification.
		{name: "profile_quoted", files: map[string]string{cfgPath: "[profile \"my prof\"]\naws_access_key_id=AKQP\naws_secret_access_key=s\n"}, profile: sp("my prof")},
		{name: "profile_escaped_space", files: map[string]string{cfgPath: "[profile my\\ prof]\naws_access_key_id=AKEP\naws_secret_access_key=s\n"}, profile: sp("my prof")},
		{name: "profile_single_quoted", files: map[string]string{cfgPath: "[profile 'sq']\naws_access_key_id=AKSQ\naws_secret_access_key=s\n"}, profile: sp("sq")},
		{name: "profile_tab", files: map[string]string{cfgPath: "[profile\tx]\naws_access_key_id=AKTAB\naws_secret_access_key=s\n"}, profile: sp("x")},
		{name: "profile_spaced", files: map[string]string{cfgPath: "[profile  spaced  ]\naws_access_key_id=AKSP\naws_secret_access_key=s\n"}, profile: sp("spaced")},
		{name: "profilefoo_dropped", files: map[string]string{cfgPath: "[profilefoo]\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("profilefoo")},
		{name: "profile_three_words_dropped", files: map[string]string{cfgPath: "[profile a b]\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("a b")},
		{name: "profile_unterminated_dropped", files: map[string]string{cfgPath: "[profile \"x]\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("\"x")},
		{name: "leading_space_header_not_profile", files: map[string]string{cfgPath: "[ profile lead]\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("lead")},
		{name: "case_sensitive_default", files: map[string]string{cfgPath: "[Default]\naws_access_key_id=A\naws_secret_access_key=s\n"}},
		{name: "config_plain_section_not_profile", files: map[string]string{cfgPath: "[foo]\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("foo")},
		{name: "default_then_profile_default", files: map[string]string{cfgPath: "[default]\naws_access_key_id=AK1\naws_secret_access_key=s1\nregion=r1\n[profile default]\naws_access_key_id=AK2\naws_secret_access_key=s2\n"}},
		{name: "profile_default_then_default", files: map[string]string{cfgPath: "[profile default]\naws_access_key_id=AK2\naws_secret_access_key=s2\nregion=r2\n[default]\naws_access_key_id=AK1\naws_secret_access_key=s1\n"}},
		{name: "creds_profile_prefix_literal", files: map[string]string{credPath: "[profile p]\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("p")},
		{name: "creds_profile_prefix_literal_name", files: map[string]string{credPath: "[profile p]\naws_access_key_id=APP\naws_secret_access_key=s\n"}, profile: sp("profile p")},
		{name: "sso_session_section_not_profile", files: map[string]string{cfgPath: "[sso-session x]\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("x")},
		// §2.5 merge.
		{name: "merge_cred_overrides_config", files: map[string]string{cfgPath: "[default]\naws_access_key_id=CFG\naws_secret_access_key=cfg\nregion=eu-west-3\n", credPath: "[default]\naws_access_key_id=CRED\n"}},
		{name: "split_keys_partial", files: map[string]string{cfgPath: "[profile s]\naws_secret_access_key=cfg\n", credPath: "[s]\naws_access_key_id=CRED\n"}, profile: sp("s")},
		{name: "process_in_credentials_file", files: map[string]string{credPath: "[default]\ncredential_process = cat {dir}/p.json\n", "p.json": processOutputs[1]}},
		{name: "role_in_credentials_file", files: map[string]string{credPath: "[default]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n[base]\naws_access_key_id=A\naws_secret_access_key=s\n"}},
		// §2.1 locations.
		{name: "config_file_tilde", files: map[string]string{"alt/config": "[default]\naws_access_key_id=AKTILDE\naws_secret_access_key=s\n"}, env: map[string]string{"AWS_CONFIG_FILE": "~/../alt/config"}},
		{name: "config_file_var", files: map[string]string{"alt/config": "[default]\naws_access_key_id=AKVAR\naws_secret_access_key=s\n"}, env: map[string]string{"AWS_CONFIG_FILE": "$HOME/../alt/config"}},
		{name: "config_file_braced_var", files: map[string]string{"alt/config": "[default]\naws_access_key_id=AKVAR2\naws_secret_access_key=s\n"}, env: map[string]string{"AWS_CONFIG_FILE": "${HOME}/../alt/config"}},
		{name: "config_file_unknown_var", files: map[string]string{cfgPath: def}, env: map[string]string{"AWS_CONFIG_FILE": "$NOPE_NOT_SET/config"}},
		{name: "credentials_file_is_dir", files: map[string]string{"dir/x": ""}, env: map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "{dir}/dir"}},
		{name: "credentials_file_empty_path", files: map[string]string{credPath: def}, env: map[string]string{"AWS_SHARED_CREDENTIALS_FILE": ""}},
		// §1.2 profile selection.
		{name: "default_profile_env_wins", files: map[string]string{credPath: "[a]\naws_access_key_id=AKA\naws_secret_access_key=s\n[b]\naws_access_key_id=AKB\naws_secret_access_key=s\n"}, env: map[string]string{"AWS_PROFILE": "a", "AWS_DEFAULT_PROFILE": "b"}},
		{name: "aws_profile_empty", files: map[string]string{credPath: def}, env: map[string]string{"AWS_PROFILE": ""}},
		{name: "aws_profile_empty_all_imds_env", files: map[string]string{credPath: def}, env: map[string]string{"AWS_PROFILE": "", "AWS_METADATA_SERVICE_TIMEOUT": "1",
			"AWS_METADATA_SERVICE_NUM_ATTEMPTS": "1", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9/", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv4", "AWS_EC2_METADATA_V1_DISABLED": "false"}},
		{name: "missing_profile_with_env_keys", files: map[string]string{credPath: def}, env: map[string]string{"AWS_PROFILE": "missing", "AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s"}},
		{name: "explicit_default_must_exist", files: map[string]string{cfgPath: "[profile x]\nregion=r\n"}, profile: sp("default")},
		{name: "no_default_is_fine", files: map[string]string{cfgPath: "[profile x]\nregion=r\n"}},
		{name: "aws_profile_keeps_env", files: map[string]string{credPath: "[a]\naws_access_key_id=AKA\naws_secret_access_key=s\n"}, env: map[string]string{"AWS_PROFILE": "a", "AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s"}},
		{name: "explicit_profile_drops_env", files: map[string]string{credPath: "[a]\naws_access_key_id=AKA\naws_secret_access_key=s\n"}, env: map[string]string{"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s"}, profile: sp("a")},
		{name: "explicit_empty_profile", files: map[string]string{credPath: def}, profile: sp("")},
		// §3.1 env.
		{name: "env_partial", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK"}},
		{name: "env_partial_empty_secret", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": ""}},
		{name: "env_all_empty", files: map[string]string{credPath: def}, env: map[string]string{"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SECURITY_TOKEN": ""}},
		{name: "env_secret_only", files: map[string]string{credPath: def}, env: map[string]string{"AWS_SECRET_ACCESS_KEY": "s"}},
		{name: "env_security_token_wins", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SECURITY_TOKEN": "STALE", "AWS_SESSION_TOKEN": "FRESH"}},
		{name: "env_empty_security_token", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SECURITY_TOKEN": "", "AWS_SESSION_TOKEN": "FRESH"}},
		{name: "env_expiry_future", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s", "AWS_CREDENTIAL_EXPIRATION": "2099-05-01T10:00:00Z"}},
		{name: "env_expiry_past", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s", "AWS_CREDENTIAL_EXPIRATION": "2001-05-01T10:00:00Z"}},
		{name: "env_expiry_empty", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s", "AWS_CREDENTIAL_EXPIRATION": ""}},
		{name: "env_account_id", env: map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ACCOUNT_ID": "123456789012"}},
		// §3.7 / §3.10 file keys.
		{name: "creds_security_token_wins_even_empty", files: map[string]string{credPath: "[default]\naws_access_key_id=A\naws_secret_access_key=s\naws_security_token=\naws_session_token=T\n"}},
		{name: "creds_partial", files: map[string]string{credPath: "[default]\naws_access_key_id=A\n"}},
		{name: "config_partial", files: map[string]string{cfgPath: "[default]\naws_access_key_id=A\n"}},
		{name: "config_secret_only", files: map[string]string{cfgPath: "[default]\naws_secret_access_key=s\n"}},
		{name: "creds_account_id", files: map[string]string{credPath: "[default]\naws_access_key_id=A\naws_secret_access_key=s\naws_account_id=999988887777\n"}},
		// §1.4 precedence.
		{name: "creds_file_beats_process", files: map[string]string{credPath: def, cfgPath: "[default]\ncredential_process = cat {dir}/p.json\n", "p.json": processOutputs[0]}},
		{name: "process_beats_config_keys", files: map[string]string{cfgPath: "[default]\naws_access_key_id=CFG\naws_secret_access_key=s\ncredential_process = cat {dir}/p.json\n", "p.json": processOutputs[0]}},
		{name: "role_both_sources", files: map[string]string{cfgPath: "[default]\nrole_arn=arn:aws:iam::123456789012:role/R\nsource_profile=default\ncredential_source=Environment\naws_access_key_id=A\naws_secret_access_key=s\n"}},
		{name: "role_bad_credential_source_case", files: map[string]string{cfgPath: "[default]\nrole_arn=arn:aws:iam::123456789012:role/R\ncredential_source=environment\n"}},
		{name: "role_credential_source_shared_config_invalid", files: map[string]string{cfgPath: "[default]\nrole_arn=arn:aws:iam::123456789012:role/R\ncredential_source=SharedConfig\n"}},
		{name: "role_missing_source_profile", files: map[string]string{cfgPath: "[default]\nrole_arn=arn:aws:iam::123456789012:role/R\nsource_profile=ghost\n"}},
		{name: "role_loop", files: map[string]string{cfgPath: "[profile a]\nrole_arn=arn:aws:iam::123456789012:role/A\nsource_profile=b\n[profile b]\nrole_arn=arn:aws:iam::123456789012:role/B\nsource_profile=a\n"}, profile: sp("a")},
		{name: "role_self_without_keys", files: map[string]string{cfgPath: "[profile a]\nrole_arn=arn:aws:iam::123456789012:role/A\nsource_profile=a\n"}, profile: sp("a")},
		{name: "role_self_with_keys", files: map[string]string{cfgPath: "[profile a]\nrole_arn=arn:aws:iam::123456789012:role/A\nsource_profile=a\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("a")},
		{name: "role_chain_three", files: map[string]string{cfgPath: "[profile a]\nrole_arn=arn:aws:iam::123456789012:role/A\nsource_profile=b\n[profile b]\nrole_arn=arn:aws:iam::123456789012:role/B\nsource_profile=c\n[profile c]\nrole_arn=arn:aws:iam::123456789012:role/C\ncredential_source=Environment\n"}, profile: sp("a"), env: map[string]string{"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s"}},
		// §3.2 assume-role against the recording STS.
		{name: "role_static_source_with_options", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nrole_session_name = alice\nexternal_id = ext-42\nduration_seconds = 1800\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		// Rule: what is configured is sent, then validated like botocore.
		{name: "role_external_id_empty", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nexternal_id =\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_external_id_one_char", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nexternal_id = x\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_duration_zero", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nduration_seconds = 0\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_duration_negative", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nduration_seconds = -5\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_duration_899", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nduration_seconds = 899\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_duration_empty_ignored", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nduration_seconds =\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_session_name_empty_default", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nrole_session_name =\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_session_name_one_char", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nrole_session_name = s\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_arn_short", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::1:r\nsource_profile = base\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_mfa_serial_empty", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nmfa_serial =\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r"), mfaCodes: []string{"123456"}},
		{name: "role_mfa_code_short", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r"), mfaCodes: []string{"123"}},
		{name: "role_mfa_ok", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r"), mfaCodes: []string{"123456"}},
		// Found by the generator: a nested block is a dict, sent and refused.
		{name: "role_nested_settings_are_dicts", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nexternal_id =\n  a = b\nrole_session_name =\n  x = y\nmfa_serial =\n  m = n\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r"), mfaCodes: []string{"123456"}},
		{name: "role_nested_duration", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nduration_seconds =\n  a = b\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "nested_region_is_a_dict", files: map[string]string{cfgPath: "[default]\nregion =\n  a = b\naws_access_key_id = A\naws_secret_access_key = s\n[profile r]\nregion =\n  a = b\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = default\n"}},
		{name: "nested_region_role", files: map[string]string{cfgPath: "[default]\nregion =\n  a = b\naws_access_key_id = A\naws_secret_access_key = s\n[profile r]\nregion =\n  a = b\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = default\n"}, profile: sp("r")},
		{name: "nested_secret_is_a_dict", files: map[string]string{credPath: "[default]\naws_access_key_id = A\naws_secret_access_key =\n  x = y\n"}},
		{name: "nested_token_is_a_dict", files: map[string]string{credPath: "[default]\naws_access_key_id = A\naws_secret_access_key = s\naws_session_token =\n  x = y\n"}},
		// Rule: one MFA prompt per role of a chain, outermost first.
		{name: "role_chain_mfa_order", files: map[string]string{cfgPath: "[profile a]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\nmfa_serial = arn:aws:iam::111111111111:mfa/outer\n[profile b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = c\nmfa_serial = arn:aws:iam::222222222222:mfa/inner\n[profile c]\naws_access_key_id = AKC\naws_secret_access_key = s\n"}, profile: sp("a"), mfaCodes: []string{"111111", "222222"}},
		// Rule: the order of failures: source errors before region errors;
		// the region check before parameter validation; validation before
		// NoRegionError.
		{name: "role_bad_region_and_partial_source", files: map[string]string{cfgPath: "[profile r]\nregion = bad_region!\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\n[profile base]\naws_access_key_id = AKBASE\n"}, profile: sp("r")},
		{name: "role_bad_region_and_bad_params", files: map[string]string{cfgPath: "[profile r]\nregion = bad_region!\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nexternal_id =\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_no_region_and_bad_params", files: map[string]string{cfgPath: "[profile r]\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nduration_seconds = 10\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_no_region_source_missing_secret", files: map[string]string{cfgPath: "[profile r]\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\n[profile base]\naws_access_key_id = AKBASE\n"}, profile: sp("r")},
		{name: "web_identity_bad_region_missing_token", files: map[string]string{cfgPath: "[profile w]\nregion = bad_region!\nrole_arn = arn:aws:iam::111111111111:role/Web\nweb_identity_token_file = {dir}/nope\n"}, profile: sp("w")},
		{name: "web_identity_token_short", files: map[string]string{cfgPath: "[profile w]\nrole_arn = arn:aws:iam::111111111111:role/Web\nweb_identity_token_file = {dir}/tok\n", "tok": "abc"}, profile: sp("w")},
		// Rule: modeled STS exceptions keep their class; retries as configured.
		{name: "role_exc_expired_token", files: map[string]string{cfgPath: roleTo("exc-ExpiredTokenException-x", "")}, profile: sp("r")},
		{name: "role_exc_idp_communication", files: map[string]string{cfgPath: roleTo("exc-IDPCommunicationError-x", "max_attempts = 1\n")}, profile: sp("r")},
		{name: "role_exc_region_disabled", files: map[string]string{cfgPath: roleTo("exc-RegionDisabledException-x", "")}, profile: sp("r")},
		{name: "role_exc_other_code", files: map[string]string{cfgPath: roleTo("exc-SomethingElse-x", "")}, profile: sp("r")},
		{name: "role_throttled_3_legacy", files: map[string]string{cfgPath: roleTo("throttle3", "")}, profile: sp("r")},
		{name: "role_throttled_2_max_attempts_2", files: map[string]string{cfgPath: roleTo("throttle2", "max_attempts = 2\n")}, profile: sp("r")},
		{name: "role_500_3_standard", files: map[string]string{cfgPath: roleTo("e500x3", "retry_mode = standard\nmax_attempts = 3\n")}, profile: sp("r")},
		{name: "role_503_2_standard", files: map[string]string{cfgPath: roleTo("e503x2", "retry_mode = standard\n")}, profile: sp("r")},
		{name: "role_503_1_adaptive_env", files: map[string]string{cfgPath: roleTo("e503x1", "")}, profile: sp("r"), env: map[string]string{"AWS_RETRY_MODE": "adaptive", "AWS_MAX_ATTEMPTS": "2"}},
		{name: "role_retry_mode_bad", files: map[string]string{cfgPath: roleTo("Ops", "retry_mode = Standard\n")}, profile: sp("r")},
		{name: "role_max_attempts_zero", files: map[string]string{cfgPath: roleTo("Ops", "max_attempts = 0\n")}, profile: sp("r")},
		{name: "role_max_attempts_text", files: map[string]string{cfgPath: roleTo("Ops", "max_attempts = many\n")}, profile: sp("r")},
		{name: "role_duration_not_integer", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\nduration_seconds = 1h\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_process_source", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = p\n[profile p]\ncredential_process = cat {dir}/p.json\n", "p.json": processOutputs[1]}, profile: sp("r")},
		{name: "role_source_without_credentials", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = p\n[profile p]\nregion = x\n"}, profile: sp("r")},
		{name: "role_denied", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/denied\nsource_profile = base\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_static_keys_stop_chain", files: map[string]string{cfgPath: "[profile a]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::111111111111:role/B\nsource_profile = c\naws_access_key_id = AKB\naws_secret_access_key = s\n[profile c]\naws_access_key_id = AKC\naws_secret_access_key = s\n"}, profile: sp("a")},
		{name: "role_chain_of_three_static", files: map[string]string{cfgPath: "[profile a]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::222222222222:role/B\nsource_profile = c\n[profile c]\nrole_arn = arn:aws:iam::333333333333:role/C\nsource_profile = d\n[profile d]\naws_access_key_id = AKD\naws_secret_access_key = s\n"}, profile: sp("a")},
		{name: "role_credential_source_env_explicit_profile", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\ncredential_source = Environment\n"}, profile: sp("r"), env: map[string]string{"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s"}},
		{name: "role_credential_source_env_missing", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\ncredential_source = Environment\n"}, profile: sp("r")},
		{name: "role_web_identity_source", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = w\n[profile w]\nrole_arn = arn:aws:iam::111111111111:role/Web\nweb_identity_token_file = {dir}/tok\n", "tok": "tok-from-file\n"}, profile: sp("r")},
		{name: "role_beats_web_identity_env", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n", "tok": "token-value"}, env: map[string]string{"AWS_PROFILE": "r", "AWS_WEB_IDENTITY_TOKEN_FILE": "{dir}/tok", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/W"}},
		{name: "role_endpoint_from_services_section", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nservices = local\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\n[services local]\nsts =\n  endpoint_url = {sts}\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r"), env: map[string]string{"AWS_ENDPOINT_URL_STS": "\x00unset"}},
		{name: "role_endpoint_from_profile", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nendpoint_url = {sts}\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r"), env: map[string]string{"AWS_ENDPOINT_URL_STS": "\x00unset"}},
		{name: "role_env_endpoint_beats_profile", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:9/\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r")},
		{name: "role_generic_env_endpoint", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = base\n", credPath: "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = s\n"}, profile: sp("r"), env: map[string]string{"AWS_ENDPOINT_URL_STS": "\x00unset", "AWS_ENDPOINT_URL": "{sts}"}},
		// §3.13 container endpoint (a local test server).
		// Rule: an unsupported scheme on an allowed host is HTTPClientError.
		{name: "container_ftp_scheme", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "ftp://127.0.0.1:9/creds"}},
		{name: "container_upper_http_scheme", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "HTTP://127.0.0.1:9/creds"}},
		{name: "container_full_uri", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{meta}/creds"}},
		{name: "container_auth_token", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{meta}/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer tok"}},
		{name: "container_auth_token_file", files: map[string]string{"ctok": "Bearer tok"}, env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{meta}/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "{dir}/ctok", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer wrong"}},
		{name: "container_auth_token_file_newline", files: map[string]string{"ctok": "Bearer tok\n"}, env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{meta}/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "{dir}/ctok"}},
		{name: "container_auth_token_file_missing", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{meta}/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "{dir}/nope"}},
		{name: "container_disallowed_host", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.0.1/creds"}},
		{name: "container_c500", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{meta}/creds"}},
		{name: "container_after_files", files: map[string]string{credPath: def}, env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{meta}/creds"}},
		{name: "role_credential_source_container", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\ncredential_source = EcsContainer\n"}, profile: sp("r"), env: map[string]string{"AWS_CONTAINER_CREDENTIALS_FULL_URI": "{meta}/creds"}},
		// §3.14 instance metadata (a local test server).
		{name: "imds_v2", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/"}},
		{name: "imds_v1only_fallback", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}"}},
		{name: "imds_v1only_v1_disabled", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/", "AWS_EC2_METADATA_V1_DISABLED": "TRUE"}},
		{name: "imds_v1only_v1_disabled_in_config", files: map[string]string{cfgPath: "[default]\nec2_metadata_v1_disabled = true\n"}, env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/"}},
		// Rule: metadata_service_num_attempts and _timeout are used as given.
		{name: "imds_attempts_zero", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "0"}},
		{name: "imds_attempts_negative_config", files: map[string]string{cfgPath: "[default]\nmetadata_service_num_attempts = -3\n"}, env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/"}},
		{name: "imds_attempts_zero_v1_disabled", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "0", "AWS_EC2_METADATA_V1_DISABLED": "true"}},
		{name: "imds_timeout_zero", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/", "AWS_METADATA_SERVICE_TIMEOUT": "0"}},
		{name: "imds_timeout_negative_no_attempts", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/", "AWS_METADATA_SERVICE_TIMEOUT": "-1", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "0"}},
		{name: "imds_tok400", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/"}},
		{name: "imds_imdserr_body", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/"}},
		{name: "imds_disabled_uppercase", env: map[string]string{"AWS_EC2_METADATA_DISABLED": "TRUE", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/"}},
		{name: "imds_endpoint_in_config", files: map[string]string{cfgPath: "[default]\nec2_metadata_service_endpoint = {meta}/\nmetadata_service_num_attempts = 2\n"}, env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset"}},
		{name: "imds_invalid_endpoint", files: map[string]string{credPath: def}, env: map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://bad host/"}},
		{name: "role_credential_source_imds", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\ncredential_source = Ec2InstanceMetadata\n"}, profile: sp("r"), env: map[string]string{"AWS_EC2_METADATA_DISABLED": "\x00unset", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/"}},
		{name: "role_credential_source_imds_disabled", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\ncredential_source = Ec2InstanceMetadata\n"}, profile: sp("r"), env: map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT": "{meta}/"}},
		// §3.6 SSO against a local portal and OIDC server.
		{name: "sso_legacy_valid", files: map[string]string{cfgPath: ssoLegacy, ssoToken(ssoURL): tokenDoc("tok-legacy", "2099-01-01T00:00:00Z", false)}, env: ssoEnv},
		{name: "sso_legacy_expired", files: map[string]string{cfgPath: ssoLegacy, ssoToken(ssoURL): tokenDoc("tok-legacy", "2001-01-01T00:00:00Z", false)}, env: ssoEnv},
		{name: "sso_legacy_missing_token", files: map[string]string{cfgPath: ssoLegacy}, env: ssoEnv},
		{name: "sso_legacy_invalid_token", files: map[string]string{cfgPath: ssoLegacy, ssoToken(ssoURL): `{"expiresAt": "2099-01-01T00:00:00Z"}`}, env: ssoEnv},
		{name: "sso_legacy_server_refuses", files: map[string]string{cfgPath: ssoLegacy, ssoToken(ssoURL): tokenDoc("expired-server", "2099-01-01T00:00:00Z", false)}, env: ssoEnv},
		// Rule: sso_region is checked (client creation) before the token;
		// portal failures keep botocore's classes.
		{name: "sso_bad_region_missing_token", files: map[string]string{cfgPath: strings.Replace(ssoLegacy, "sso_region = us-east-1", "sso_region = bad_region!", 1)}, env: ssoEnv},
		{name: "sso_bad_region_expired_token", files: map[string]string{cfgPath: strings.Replace(ssoLegacy, "sso_region = us-east-1", "sso_region = us east", 1), ssoToken(ssoURL): tokenDoc("tok-legacy", "2001-01-01T00:00:00Z", false)}, env: ssoEnv},
		{name: "sso_portal_503", files: map[string]string{cfgPath: ssoLegacy + "max_attempts = 1\n", ssoToken(ssoURL): tokenDoc("sso503-tok", "2099-01-01T00:00:00Z", false)}, env: ssoEnv},
		{name: "sso_portal_throttled", files: map[string]string{cfgPath: ssoLegacy + "max_attempts = 2\n", ssoToken(ssoURL): tokenDoc("sso429-tok", "2099-01-01T00:00:00Z", false)}, env: ssoEnv},
		{name: "sso_retry_mode_bad", files: map[string]string{cfgPath: ssoLegacy + "retry_mode = fast\n"}, env: ssoEnv},
		{name: "sso_session_valid", files: map[string]string{cfgPath: ssoSession, ssoToken("corp"): tokenDoc("tok-session", "2099-01-01T00:00:00Z", true)}, env: ssoEnv},
		{name: "sso_session_refreshed", files: map[string]string{cfgPath: ssoSession, ssoToken("corp"): tokenDoc("tok-old", "2001-01-01T00:00:00Z", true)}, env: ssoEnv},
		{name: "sso_session_expired_no_refresh", files: map[string]string{cfgPath: ssoSession, ssoToken("corp"): tokenDoc("tok-old", "2001-01-01T00:00:00Z", false)}, env: ssoEnv},
		{name: "sso_session_missing", files: map[string]string{cfgPath: "[default]\nsso_session = nope\nsso_account_id = 123456789012\nsso_role_name = Dev\n"}, env: ssoEnv},
		{name: "sso_session_mismatch", files: map[string]string{cfgPath: ssoSession + "[profile x]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n"}, profile: sp("x"), env: ssoEnv},
		{name: "sso_session_lacks_region", files: map[string]string{cfgPath: "[default]\nsso_session = s\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\nsso_start_url = https://x/start\n"}, env: ssoEnv},
		{name: "sso_missing_config", files: map[string]string{cfgPath: "[default]\nsso_account_id = 123456789012\n"}, env: ssoEnv},
		{name: "role_sso_source", files: map[string]string{cfgPath: "[profile r]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = default\n" + ssoSession, ssoToken("corp"): tokenDoc("tok-session", "2099-01-01T00:00:00Z", true)}, profile: sp("r"), env: ssoEnv},
		// §3.5 web identity.
		{name: "web_identity_profile_explicit_ignores_env", files: map[string]string{cfgPath: "[profile w]\nrole_arn = arn:aws:iam::111111111111:role/Web\nweb_identity_token_file = {dir}/tok\nrole_session_name = ws\n", "tok": "profile-token", "tok2": "env-token"}, profile: sp("w"), env: map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "{dir}/tok2", "AWS_ROLE_ARN": "arn:aws:iam::222222222222:role/EnvRole"}},
		{name: "web_identity_env_role_profile_token", files: map[string]string{cfgPath: "[default]\nweb_identity_token_file = {dir}/tok\n", "tok": "profile-token"}, env: map[string]string{"AWS_ROLE_ARN": "arn:aws:iam::222222222222:role/EnvRole", "AWS_ROLE_SESSION_NAME": "envsession"}},
		{name: "web_identity_token_newlines", files: map[string]string{cfgPath: "[profile w]\nrole_arn = arn:aws:iam::111111111111:role/Web\nweb_identity_token_file = {dir}/tok\n", "tok": "line1\r\nline2\rline3\n  \n"}, profile: sp("w")},
		{name: "web_identity_no_role", files: map[string]string{"tok": "token"}, env: map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "{dir}/tok"}},
		{name: "role_without_source", files: map[string]string{cfgPath: "[default]\nrole_arn=arn:aws:iam::123456789012:role/R\naws_access_key_id=A\naws_secret_access_key=s\n"}},
		{name: "sso_beats_static", files: map[string]string{cfgPath: "[default]\nsso_account_id=123456789012\nsso_role_name=R\nsso_start_url=https://x.awsapps.com/start\nsso_region=us-east-1\n", credPath: def}},
		{name: "web_identity_env_beats_static", files: map[string]string{credPath: def, "tok": "token-value"}, env: map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "{dir}/tok", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/W"}},
		{name: "web_identity_env_empty", files: map[string]string{credPath: def}, env: map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": ""}},
		{name: "web_identity_env_ignored_explicit", files: map[string]string{credPath: def, "tok": "token-value"}, env: map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "{dir}/tok", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/W"}, profile: sp("default")},
		{name: "login_session_profile", files: map[string]string{cfgPath: "[default]\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/admin\n", credPath: def}},
		{name: "login_after_creds_file", files: map[string]string{cfgPath: "[default]\nlogin_session = arn:aws:sts::123456789012:assumed-role/Admin/admin\n", credPath: "[default]\naws_access_key_id=A\naws_secret_access_key=s\n"}, profile: sp("default")},
		// §3.11 / §3.12.
		{name: "ec2_file", files: map[string]string{"ec2.txt": "AWSAccessKeyId=AKEC2\nAWSSecretKey = skec2\n"}, env: map[string]string{"AWS_CREDENTIAL_FILE": "{dir}/ec2.txt"}},
		{name: "ec2_file_missing", env: map[string]string{"AWS_CREDENTIAL_FILE": "{dir}/nope.txt"}},
		{name: "ec2_file_no_secret", files: map[string]string{"ec2.txt": "AWSAccessKeyId=AKEC2\n"}, env: map[string]string{"AWS_CREDENTIAL_FILE": "{dir}/ec2.txt"}},
		{name: "ec2_file_no_key", files: map[string]string{"ec2.txt": "junk\n"}, env: map[string]string{"AWS_CREDENTIAL_FILE": "{dir}/ec2.txt"}},
		{name: "boto_config", files: map[string]string{"boto.cfg": "[Credentials]\naws_access_key_id = AKBOTO\naws_secret_access_key = skboto\n"}, env: map[string]string{"BOTO_CONFIG": "{dir}/boto.cfg"}},
		{name: "boto_config_keys_only", files: map[string]string{"boto.cfg": "[Credentials]\naws_access_key_id = AKBOTO\naws_secret_access_key = skboto\naws_session_token = tok\naws_security_token = tok2\naws_account_id = 123456789012\n"}, env: map[string]string{"BOTO_CONFIG": "{dir}/boto.cfg"}},
		{name: "boto_config_partial", files: map[string]string{"boto.cfg": "[Credentials]\naws_access_key_id = AKBOTO\n"}, env: map[string]string{"BOTO_CONFIG": "{dir}/boto.cfg"}},
		{name: "boto_config_malformed", files: map[string]string{"boto.cfg": "junk\n"}, env: map[string]string{"BOTO_CONFIG": "{dir}/boto.cfg"}},
		{name: "boto_home_file", files: map[string]string{"home/.boto": "[Credentials]\naws_access_key_id = AKHOMEBOTO\naws_secret_access_key = s\n"}, env: map[string]string{"BOTO_CONFIG": "\x00unset"}},
		// §1.5 settings read while building the chain.
		{name: "metadata_timeout_float_env", files: map[string]string{credPath: def}, env: map[string]string{"AWS_METADATA_SERVICE_TIMEOUT": "1.5"}},
		{name: "metadata_timeout_bad_config", files: map[string]string{credPath: def, cfgPath: "[default]\nmetadata_service_timeout = abc\n"}},
		{name: "metadata_attempts_ok_config", files: map[string]string{credPath: def, cfgPath: "[default]\nmetadata_service_num_attempts = 3\n"}},
		{name: "imds_mode_bad", files: map[string]string{credPath: def}, env: map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "ipv5"}},
		{name: "imds_mode_upper_ok", files: map[string]string{credPath: def}, env: map[string]string{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"}},
		{name: "malformed_config_with_env_keys", files: map[string]string{cfgPath: "junk\n"}, env: map[string]string{"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s"}},
		// Region.
		{name: "region_env_over_config", files: map[string]string{cfgPath: "[default]\nregion = eu-west-1\n", credPath: def}, env: map[string]string{"AWS_DEFAULT_REGION": "us-west-2"}},
		{name: "aws_region_ignored", files: map[string]string{cfgPath: "[default]\nregion = eu-west-1\n", credPath: def}, env: map[string]string{"AWS_REGION": "us-west-2"}},
		{name: "region_inline_comment", files: map[string]string{cfgPath: "[default]\nregion = eu-west-1 # prod\n", credPath: def}},
		{name: "region_empty_env", files: map[string]string{cfgPath: "[default]\nregion = eu-west-1\n", credPath: def}, env: map[string]string{"AWS_DEFAULT_REGION": ""}},
		// §1.1 explicit session keys.
		{name: "explicit_keys", files: map[string]string{credPath: def}, explicit: &oracle.Explicit{AK: sp("AKX"), SK: sp("skx"), Token: sp("tx")}},
		{name: "explicit_keys_with_missing_profile", explicit: &oracle.Explicit{AK: sp("AKX"), SK: sp("skx")}, profile: sp("nope")},
		{name: "explicit_keys_beat_profile", files: map[string]string{credPath: def}, explicit: &oracle.Explicit{AK: sp("AKX"), SK: sp("skx")}, profile: sp("default")},
		{name: "explicit_partial_ak", files: map[string]string{credPath: def}, explicit: &oracle.Explicit{AK: sp("AKX")}},
		{name: "explicit_partial_sk", files: map[string]string{credPath: def}, explicit: &oracle.Explicit{SK: sp("skx")}},
		{name: "explicit_account_only", files: map[string]string{credPath: def}, explicit: &oracle.Explicit{AccountID: sp("123456789012")}},
		{name: "explicit_all_empty_uses_chain", files: map[string]string{credPath: def}, explicit: &oracle.Explicit{AK: sp(""), SK: sp("")}},
		{name: "explicit_account_id", explicit: &oracle.Explicit{AK: sp("AKX"), SK: sp("skx"), AccountID: sp("123456789012")}},
		// Nothing at all.
		{name: "nothing"},
	}
	// §3.9 credential_process, every output shape, plus command-line rules.
	for i := range processOutputs {
		files, cmd := processCase(i)
		files[cfgPath] = "[default]\naws_account_id = 444455556666\ncredential_process = " + cmd + "\n"
		c = append(c, genCase{name: fmt.Sprintf("process_output_%d", i), files: files})
	}
	procCmds := map[string]string{
		"process_exit_nonzero":    `sh -c "echo boom >&2; exit 3"`,
		"process_missing_binary":  `/nonexistent/credential-helper --flag`,
		"process_quoted_path":     `cat "{dir}/with space/out.json"`,
		"process_single_quotes":   `cat '{dir}/with space/out.json'`,
		"process_escaped_space":   `cat {dir}/with\ space/out.json`,
		"process_no_shell_expand": `cat $HOME/../p.json`,
		"process_no_tilde":        `cat ~/../p.json`,
		"process_unterminated":    `cat "{dir}/p.json`,
		"process_empty":           ``,
		"process_shell_pipe":      `sh -c "cat {dir}/p.json | cat"`,
		"process_stdout_garbage":  `echo hello`,
	}
	for name, cmd := range procCmds {
		c = append(c, genCase{name: name, files: map[string]string{
			cfgPath: "[default]\ncredential_process = " + cmd + "\n", "p.json": processOutputs[1], "with space/out.json": processOutputs[0]}})
	}
	return c
}

// randomCases mixes profiles, sources, env and syntax noise from a fixed
// seed, so that every run checks the same configurations.
func randomCases(n int, seed int64) []genCase {
	rng := rand.New(rand.NewSource(seed))
	names := []string{"default", "dev", "prod", "my prof", "a.b", "x"}
	pick := func(xs []string) string { return xs[rng.Intn(len(xs))] }
	key := func(k string) string { // case and delimiter noise
		switch rng.Intn(6) {
		case 0:
			k = strings.ToUpper(k)
		case 1:
			k = strings.ToUpper(k[:1]) + k[1:4] + strings.ToUpper(k[4:5]) + k[5:]
		}
		d := pick([]string{" = ", "=", " : ", ":", "= ", "  =  "})
		return pick([]string{"", "", "", "  "}) + k + d
	}
	var out []genCase
	for i := 0; i < n; i++ {
		gc := genCase{name: fmt.Sprintf("random_%03d", i), files: map[string]string{}, env: map[string]string{}}
		var cfg, cred strings.Builder
		if rng.Intn(5) == 0 {
			fmt.Fprintf(&cfg, "[DEFAULT]\n%s%s\n", key("region"), pick([]string{"eu-central-1", "us-east-2"}))
		}
		used := map[string]bool{}
		np := rng.Intn(4)
		for j := 0; j < np; j++ {
			name := pick(names)
			if used[name] {
				continue
			}
			used[name] = true
			inCfg, inCred := rng.Intn(2) == 0, rng.Intn(2) == 0
			header := "profile " + name
			if strings.Contains(name, " ") {
				header = "profile " + pick([]string{`"` + name + `"`, strings.ReplaceAll(name, " ", `\ `), "'" + name + "'"})
			}
			if name == "default" && rng.Intn(2) == 0 {
				header = "default"
			}
			var body strings.Builder
			if rng.Intn(3) == 0 {
				fmt.Fprintf(&body, "%s%s\n", key("region"), pick([]string{"us-west-1", "eu-west-1 # c", "ap-south-1"}))
			}
			if rng.Intn(6) == 0 {
				body.WriteString(pick([]string{"# comment\n", "; c\n", "   # indented\n"}))
			}
			ak := fmt.Sprintf("AK%03d%d", i, j)
			switch rng.Intn(9) {
			case 0, 1, 2:
				fmt.Fprintf(&body, "%s%s\n%s%s\n", key("aws_access_key_id"), ak, key("aws_secret_access_key"), pick([]string{"sk", "sk # c", `"sk"`}))
				if rng.Intn(3) == 0 {
					fmt.Fprintf(&body, "%s%s\n", key(pick([]string{"aws_session_token", "aws_security_token"})), "tok")
				}
			case 3:
				fmt.Fprintf(&body, "%s%s\n", key("aws_access_key_id"), ak)
			case 4:
				k := rng.Intn(len(processOutputs))
				files, cmd := processCase(k)
				for p, v := range files {
					gc.files[p] = v
				}
				fmt.Fprintf(&body, "credential_process = %s\n", cmd)
			case 5:
				fmt.Fprintf(&body, "role_arn = arn:aws:iam::123456789012:role/R%d\nsource_profile = %s\n", j, name)
				fmt.Fprintf(&body, "aws_access_key_id = %s\naws_secret_access_key = s\n", ak)
			case 6:
				body.WriteString("sso_account_id = 123456789012\nsso_role_name = R\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n")
			case 7:
				body.WriteString("output = json\n")
			case 8:
				fmt.Fprintf(&body, "%s%s\n  continued\n%ssk\n", key("aws_access_key_id"), ak, key("aws_secret_access_key"))
			}
			if inCfg || !inCred {
				fmt.Fprintf(&cfg, "[%s]\n%s", header, body.String())
			}
			if inCred {
				fmt.Fprintf(&cred, "[%s]\n%s", name, body.String())
			}
		}
		if rng.Intn(12) == 0 {
			cred.WriteString(pick([]string{"junk line\n", "[dup]\na=1\n[dup]\nb=2\n", "[x]\na=1\nA=2\n"}))
		}
		if rng.Intn(12) == 0 {
			cfg.WriteString(pick([]string{"[profile a b]\nregion=r\n", "[profilefoo]\nx=1\n", "[default]\nregion=dup\n"}))
		}
		if cfg.Len() > 0 && rng.Intn(8) != 0 {
			gc.files[cfgPath] = cfg.String()
		}
		if cred.Len() > 0 && rng.Intn(8) != 0 {
			gc.files[credPath] = cred.String()
		}
		envNames := []string{"missing", ""}
		for n := range used {
			envNames = append(envNames, n, n, n)
		}
		sort.Strings(envNames)
		switch rng.Intn(6) {
		case 0:
			gc.env["AWS_PROFILE"] = pick(envNames)
		case 1:
			gc.env["AWS_DEFAULT_PROFILE"] = pick(envNames)
		case 2:
			gc.env["AWS_PROFILE"], gc.env["AWS_DEFAULT_PROFILE"] = pick(envNames), pick(envNames)
		case 3:
			gc.profile = sp(pick(envNames))
		}
		switch rng.Intn(7) {
		case 0:
			gc.env["AWS_ACCESS_KEY_ID"], gc.env["AWS_SECRET_ACCESS_KEY"] = "AKENV", "skenv"
		case 1:
			gc.env["AWS_ACCESS_KEY_ID"] = "AKENV"
		case 2:
			gc.env["AWS_ACCESS_KEY_ID"], gc.env["AWS_SECRET_ACCESS_KEY"], gc.env["AWS_SESSION_TOKEN"] = "AKENV", "skenv", "tokenv"
		}
		if rng.Intn(6) == 0 {
			gc.env["AWS_DEFAULT_REGION"] = pick([]string{"sa-east-1", ""})
		}
		if rng.Intn(10) == 0 {
			gc.files["boto.cfg"] = "[Credentials]\naws_access_key_id = AKBOTO\naws_secret_access_key = skboto\n"
			gc.env["BOTO_CONFIG"] = "{dir}/boto.cfg"
		}
		out = append(out, gc)
	}
	return out
}

// materialise writes a case's files and returns its scenario.
func materialise(t *testing.T, root, stsURL, metaURL string, i int, gc genCase) oracle.Scenario {
	dir := filepath.Join(root, fmt.Sprintf("c%04d", i))
	sts := stsURL + "/" + gc.name + "/"
	meta := metaURL + "/" + gc.name
	sub := func(s string) string {
		return strings.NewReplacer("{dir}", dir, "{sts}", sts, "{meta}", meta, "{scope}", gc.name).Replace(s)
	}
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	for p, v := range gc.files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		data := []byte(sub(v))
		if b64, ok := strings.CutPrefix(v, "base64:"); ok {
			// Bytes that are not UTF-8 (JSON would not keep them).
			if data, err = base64.StdEncoding.DecodeString(b64); err != nil {
				t.Fatalf("%s: file %s: %v", gc.name, p, err)
			}
		}
		if err := os.WriteFile(full, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{
		"PATH":                      os.Getenv("PATH"),
		"HOME":                      filepath.Join(dir, "home"),
		"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ENDPOINT_URL_STS":      sts,
		"BOTO_CONFIG":               filepath.Join(dir, "no-boto.cfg"),
	}
	for k, v := range gc.env {
		env[k] = sub(v)
	}
	for k, v := range env {
		if v == "\x00unset" {
			delete(env, k)
		}
	}
	sc := oracle.Scenario{ID: gc.name, Env: env, Profile: gc.profile, Explicit: gc.explicit, MFACodes: gc.mfaCodes}
	return sc
}

type goResult struct {
	method, ak, sk, token, account, expiry string
	kind, msg                              string
	errMethod                              string
	region                                 *string
	regionErr                              bool
	prompts                                []string
	// profiles is the Profiles listing's names (nil when it fails).
	profiles []string
	// shortLived: the test STS's short-lived roles expire 11 minutes after
	// each call, so each side's expiry is its own: clockShift is how much
	// later credchain's last such call came than botocore's, and expiries
	// are compared with it taken off (fair clocks however long botocore's
	// pass took).
	shortLived bool
	clockShift time.Duration
}

func runCredchain(sc oracle.Scenario) goResult {
	environ := make([]string, 0, len(sc.Env))
	for k, v := range sc.Env {
		environ = append(environ, k+"="+v)
	}
	var r goResult
	codes := append([]string(nil), sc.MFACodes...)
	opts := []credchain.Option{credchain.WithEnviron(environ), credchain.WithMFA(func(serial string) (string, error) {
		r.prompts = append(r.prompts, "Enter MFA code for "+serial+": ")
		if len(codes) == 0 {
			return "", fmt.Errorf("no MFA code")
		}
		code := codes[0]
		codes = codes[1:]
		return code, nil
	})}
	if sc.Profile != nil {
		opts = append(opts, credchain.WithProfile(*sc.Profile))
	}
	if ex := sc.Explicit; ex != nil {
		val := func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		}
		opts = append(opts, credchain.WithCredentials(val(ex.AK), val(ex.SK), val(ex.Token)), credchain.WithAccountID(val(ex.AccountID)))
	}
	s := credchain.NewSession(opts...)
	if names, err := s.AvailableProfiles(); err == nil {
		r.profiles = append([]string{}, names...)
	}
	if reg, ok, err := s.Region(); err != nil {
		r.regionErr = true
	} else if ok {
		r.region = &reg
	}
	e := s.Explain(context.Background())
	if e.Err != nil {
		r.kind, r.msg = credchain.ErrorKind(e.Err), e.Err.Error()
		for _, st := range e.Steps {
			if st.Result == "error" {
				r.errMethod = st.Method
			}
		}
		return r
	}
	c := e.Credentials
	r.method, r.ak, r.sk, r.token, r.account = c.Method, c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.AccountID
	if c.CanExpire() {
		r.expiry = c.Expires.UTC().Format(time.RFC3339Nano)
	}
	return r
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// compare returns "" when credchain agrees with botocore's result.
func compare(want oracle.Result, got goResult) string {
	if w, g := strings.Join(want.Prompts, "|"), strings.Join(got.prompts, "|"); w != g {
		return fmt.Sprintf("MFA prompts: botocore [%s], credchain [%s]", w, g)
	}

	switch {
	case want.Error != nil && want.Error.Type == "MissingDependencyException":
		// botocore's login source needs awscrt, which is not installed here:
		// credchain must at least have chosen the login source.
		if got.method != "login" && !strings.HasPrefix(got.kind, "Login") && got.errMethod != "login" {
			return fmt.Sprintf("botocore: login MissingDependencyException; credchain: %s %q", got.kind, got.msg)
		}
		return ""
	case want.Error != nil && want.Error.Botocore:
		if got.kind != want.Error.Type {
			return fmt.Sprintf("error kind: botocore %s (%s), credchain %q (%s)", want.Error.Type, want.Error.Message, got.kind, got.msg)
		}
		return ""
	case want.Error != nil && got.kind == want.Error.Type:
		return "" // the same class (ClientError and its modeled subclasses)
	case want.Error != nil:
		// A raw Python exception: credchain must return a typed error instead.
		allowed := map[string][]string{
			"KeyError":          {"PartialCredentialsError", "CredentialRetrievalError"},
			"ValueError":        {"InvalidConfigError", "CredentialRetrievalError"},
			"TypeError":         {"CredentialRetrievalError", "InvalidConfigError"},
			"ParserError":       {"CredentialRetrievalError"},
			"RuntimeError":      {"CredentialRetrievalError"},
			"JSONDecodeError":   {"CredentialRetrievalError"},
			"FileNotFoundError": {"CredentialRetrievalError"},
			"IndexError":        {"CredentialRetrievalError"},
			"AttributeError":    {"CredentialRetrievalError", "InvalidConfigError"},
			// No MFA code to read (stdin at its end): botocore's getpass.
			"EOFError":           {"CredentialRetrievalError"},
			"UnicodeDecodeError": {"ConfigParseError"},
			// STS refusing a call: botocore's ClientError, credchain's too.
			"ClientError": {"ClientError"},
			// A nested block taken as a key: botocore's dict, a typed error here.
			"NestedValue": {"InvalidConfigError"},
			// A malformed endpoint URL: botocore's raw ValueError from urllib3.
			"LocationParseError": {"InvalidIMDSEndpointError"},
		}[want.Error.Type]
		if want.Error.Type == "UnicodeDecodeError" && got.errMethod == "assume-role-with-web-identity" {
			// A token file that is not UTF-8 (a config file's is ConfigParseError).
			allowed = []string{"CredentialRetrievalError"}
		}
		for _, k := range allowed {
			if got.kind == k {
				return ""
			}
		}
		return fmt.Sprintf("botocore raised raw %s (%s); credchain gave %q (%s), want one of %v", want.Error.Type, want.Error.Message, got.kind, got.msg, allowed)
	}
	m := str(want.Method)
	if m == "explicit" && (want.AccessKey == nil || want.SecretKey == nil) {
		// boto3 accepts partial session keys and fails at signing; credchain
		// refuses them up front.
		if got.kind != "PartialCredentialsError" {
			return fmt.Sprintf("boto3 kept partial explicit keys; credchain: %q %q", got.kind, got.msg)
		}
		return ""
	}
	if got.kind != "" {
		return fmt.Sprintf("botocore resolved %s; credchain error %s: %s", m, got.kind, got.msg)
	}
	var diffs []string
	check := func(what, w, g string) {
		if w != g {
			diffs = append(diffs, fmt.Sprintf("%s: botocore %q, credchain %q", what, w, g))
		}
	}
	check("method", m, got.method)
	check("access key", str(want.AccessKey), got.ak)
	check("secret key", maskDiff(str(want.SecretKey), got.sk), "")
	check("token", maskDiff(str(want.Token), got.token), "")
	check("account id", str(want.AccountID), got.account)
	wantExp := ""
	if want.Expiry != nil {
		t, err := timefmt.Parse(*want.Expiry)
		if err != nil {
			wantExp = "unparseable " + *want.Expiry
		} else {
			wantExp = t.UTC().Format(time.RFC3339Nano)
		}
	}
	if got.shortLived {
		if !closeTimes(wantExp, shiftTime(got.expiry, -got.clockShift), 3*time.Second) {
			check("expiry (each side's call time taken off)", wantExp, got.expiry)
		}
	} else {
		check("expiry", wantExp, got.expiry)
	}
	if want.RegionError == nil && !got.regionErr {
		check("region", str(want.Region), str(got.region))
		if (want.Region == nil) != (got.region == nil) {
			diffs = append(diffs, fmt.Sprintf("region set: botocore %v, credchain %v", want.Region != nil, got.region != nil))
		}
	} else if (want.RegionError == nil) != !got.regionErr {
		diffs = append(diffs, fmt.Sprintf("region error: botocore %v, credchain %v", str(want.RegionError), got.regionErr))
	}
	return strings.Join(diffs, "; ")
}

// shiftTime moves an RFC 3339 time by d ("" stays "").
func shiftTime(t string, d time.Duration) string {
	tt, err := time.Parse(time.RFC3339Nano, t)
	if err != nil {
		return t
	}
	return tt.Add(d).UTC().Format(time.RFC3339Nano)
}

// lastShortCall is when the last call for a short-lived role came.
func lastShortCall(calls []ststest.Call) (time.Time, bool) {
	var at time.Time
	for _, c := range calls {
		if strings.Contains(c.Params["RoleArn"], "short") {
			at = c.At
		}
	}
	return at, !at.IsZero()
}

func closeTimes(a, b string, within time.Duration) bool {
	ta, err1 := time.Parse(time.RFC3339Nano, a)
	tb, err2 := time.Parse(time.RFC3339Nano, b)
	return err1 == nil && err2 == nil && ta.Sub(tb).Abs() <= within
}

func callsByScope(calls []ststest.Call) map[string][]ststest.Call {
	m := map[string][]ststest.Call{}
	for _, c := range calls {
		m[c.Scope] = append(m[c.Scope], c)
	}
	return m
}

var generatedSession = regexp.MustCompile(`^botocore-session-\d+$`)

// compareCalls requires the same STS calls, in order, with the same
// parameters and signing key; generated session names are normalised.
func compareCalls(want, got []ststest.Call) string {
	render := func(calls []ststest.Call) string {
		var parts []string
		for _, c := range calls {
			var kv []string
			for k, v := range c.Params {
				if k == "Version" {
					continue
				}
				if k == "RoleSessionName" && generatedSession.MatchString(v) {
					v = "botocore-session-N"
				}
				kv = append(kv, k+"="+v)
			}
			sort.Strings(kv)
			parts = append(parts, fmt.Sprintf("{%s signed-by=%q}", strings.Join(kv, " "), c.Signer))
		}
		return strings.Join(parts, ", ")
	}
	if w, g := render(want), render(got); w != g {
		return fmt.Sprintf("botocore [%s], credchain [%s]", w, g)
	}
	return ""
}

// maskDiff compares secrets without printing them: "" when equal.
func maskDiff(want, got string) string {
	if want == got {
		return ""
	}
	return fmt.Sprintf("differs (lengths %d and %d)", len(want), len(got))
}

// TestDifferentialBotocore resolves the pinned configurations (one rule of
// the spec each, the regressions the generator found, and 520 from a fixed
// seed) with the installed botocore and with credchain and requires the
// same source, keys, region, error kind, MFA prompts and STS calls.
func TestDifferentialBotocore(t *testing.T) {
	requireOracle(t)
	cases := append(handCases(), loadRegressions(t)...)
	cases = append(cases, randomCases(520, 20261122)...)
	failures, n := runDifferential(t, cases, false)
	t.Logf("%d scenarios, %d mismatches", n, failures)
}

func requireOracle(t *testing.T) {
	t.Helper()
	if err := oracle.Available(); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatalf("the botocore oracle is required: %v", err)
		}
		t.Skipf("botocore oracle unavailable: %v", err)
	}
}

// runDifferential runs cases through botocore, the library and, with cli,
// the credchain binary; it reports each mismatch and returns their number.
// diffParallel is how many scenarios run at once: CREDCHAIN_DIFF_PARALLEL,
// else two per CPU (most of a scenario's time is waiting for a process).
func diffParallel() int {
	if n, err := strconv.Atoi(os.Getenv("CREDCHAIN_DIFF_PARALLEL")); err == nil && n > 0 {
		return n
	}
	return 2 * runtime.NumCPU()
}

// botoPass is what botocore did with a list of scenarios: its results and
// the STS calls of each scenario (by scope). The mutation run computes it
// once and replays credchain's side against it for every mutant.
type botoPass struct {
	Results []oracle.Result           `json:"results"`
	Calls   map[string][]ststest.Call `json:"calls"`
	// Root, STS and Meta are the scenarios' folder and servers botocore
	// ran with: a replay runs with its own, so the paths and addresses in
	// botocore's results (a region continued by an indented {dir} line)
	// are rewritten to the replay's.
	Root, STS, Meta string
}

// rebase rewrites the folder and server addresses in p's results to
// root, sts and meta.
func (p *botoPass) rebase(t *testing.T, root, sts, meta string) {
	if p.Root == "" || (p.Root == root && p.STS == sts && p.Meta == meta) {
		return
	}
	data, err := json.Marshal(p.Results)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(p.Root, root, p.STS, sts, p.Meta, meta).Replace(string(data))
	var results []oracle.Result
	if err := json.Unmarshal([]byte(text), &results); err != nil {
		t.Fatal(err)
	}
	p.Results, p.Root, p.STS, p.Meta = results, root, sts, meta
}

func runDifferential(t *testing.T, cases []genCase, cli bool) (failures, count int) {
	return runDifferentialWith(t, cases, cli, nil)
}

// runDifferentialWith runs botocore's pass (unless given one) then
// credchain's on the scenarios; a pass given is used as it is (a mutant's
// replay). pass, when not nil and empty, receives botocore's pass.
func runDifferentialWith(t *testing.T, cases []genCase, cli bool, pass *botoPass) (failures, count int) {
	root := t.TempDir()
	sts := ststest.New()
	defer sts.Close()
	meta := ststest.NewMetadata()
	defer meta.Close()
	if diffCatcher != nil {
		diffCatcher.Serve("169.254.170.2", meta.Config.Handler)
		diffCatcher.During("botocore's pass")
		defer diffCatcher.During("")
	}
	scenarios := make([]oracle.Scenario, len(cases))
	for i, gc := range cases {
		scenarios[i] = materialise(t, root, sts.URL, meta.URL, i, gc)
	}
	if pass == nil || pass.Results == nil {
		start := time.Now()
		results, err := oracle.RunParallel(scenarios, diffParallel())
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("botocore's pass: %d scenarios in %s", len(scenarios), time.Since(start).Round(time.Millisecond))
		got := botoPass{Results: results, Calls: callsByScope(sts.Calls()), Root: root, STS: sts.URL, Meta: meta.URL}
		if pass != nil {
			*pass = got
		}
		pass = &got
	}
	pass.rebase(t, root, sts.URL, meta.URL)
	results, botoCalls := pass.Results, pass.Calls
	if len(results) != len(scenarios) {
		t.Fatalf("botocore's pass has %d results for %d scenarios", len(results), len(scenarios))
	}
	sts.ResetFailures()
	bin := ""
	if cli {
		bin = buildCLI(t)
	}
	kinds := map[string]int{}
	for i := range scenarios {
		outcome := str(results[i].Method)
		if results[i].Error != nil {
			outcome = results[i].Error.Type
		}
		kinds[outcome]++
	}
	// check compares scenario i: the library, then the CLI's explain and
	// export. Scenarios are independent (their own files and endpoint
	// scopes), so several are checked at once.
	check := func(i int) []string {
		sc, want := scenarios[i], results[i]
		var diffs []string
		// botocore may have rewritten files (a refreshed SSO token): give
		// credchain the same starting point.
		materialise(t, root, sts.URL, meta.URL, i, cases[i])
		if diffCatcher != nil && diffParallel() == 1 {
			diffCatcher.During("credchain's " + sc.ID) // one at a time: the scenario is known
		}
		got := runCredchain(sc)
		gotCalls := sts.CallsFor(sc.ID)
		wantAt, short := lastShortCall(botoCalls[sc.ID])
		if gotAt, ok := lastShortCall(gotCalls); short && ok {
			got.shortLived, got.clockShift = true, gotAt.Sub(wantAt)
		}
		if d := compareCalls(botoCalls[sc.ID], gotCalls); d != "" {
			diffs = append(diffs, "library: STS calls differ: "+d)
		}
		if d := compare(want, got); d != "" {
			diffs = append(diffs, "library: "+d)
		}
		if (want.Profiles == nil) != (got.profiles == nil) || strings.Join(want.Profiles, "\x00") != strings.Join(got.profiles, "\x00") {
			diffs = append(diffs, fmt.Sprintf("library: profiles listed: botocore %q, credchain %q", want.Profiles, got.profiles))
		}
		if bin == "" || sc.Explicit != nil {
			return diffs
		}
		materialise(t, root, sts.URL, meta.URL, i, cases[i])
		sts.ResetScope(sc.ID)
		if d := compareCLI(want, runCLI(t, bin, sc)); d != "" {
			diffs = append(diffs, "cli: "+d)
		}
		if d := compareCalls(botoCalls[sc.ID], sts.CallsFor(sc.ID)); d != "" {
			diffs = append(diffs, "cli: STS calls differ: "+d)
		}
		if want.Error == nil && want.AccessKey != nil {
			// export prints what explain does not: the secret, token and
			// expiry.
			materialise(t, root, sts.URL, meta.URL, i, cases[i])
			sts.ResetScope(sc.ID)
			doc := runExport(bin, sc)
			shift := time.Duration(0)
			if at, ok := lastShortCall(sts.CallsFor(sc.ID)); short && ok {
				shift = at.Sub(wantAt)
			}
			if d := compareExport(want, doc, short, shift); d != "" {
				diffs = append(diffs, "cli export: "+d)
			}
		}
		return diffs
	}
	if diffCatcher != nil {
		diffCatcher.During("credchain's pass")
	}
	start := time.Now()
	found := make([][]string, len(scenarios))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range diffParallel() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				found[i] = check(i)
			}
		}()
	}
	for i := range scenarios {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("credchain's pass: %d scenarios in %s, %d at once", len(scenarios), time.Since(start).Round(time.Millisecond), diffParallel())
	for i, diffs := range found {
		if len(diffs) > 0 {
			failures++
			t.Errorf("%s: %s", scenarios[i].ID, strings.Join(diffs, "; "))
			writeFailure(t, cases[i], results[i], diffs)
		}
	}
	var summary []string
	for k, n := range kinds {
		summary = append(summary, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(summary)
	t.Logf("botocore outcomes: %s", strings.Join(summary, " "))
	return failures, len(scenarios)
}
