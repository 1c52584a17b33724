package lint

import "testing"

func TestNearestSetting(t *testing.T) {
	for _, tc := range []struct{ key, want string }{
		{"regoin", "region"},
		{"regin", "region"},
		{"mfa_serail", "mfa_serial"},
		{"role_ar", "role_arn"},
		{"source_profil", "source_profile"},
		{"aws_secret_acces_key", "aws_secret_access_key"},
		{"outptu", "output"},
		{"my_tool_setting", ""},
		{"granted_sso_start_url", ""},
		{"x", ""},
		{"azure_tenant_id", ""},
	} {
		if got := nearestSetting(tc.key); got != tc.want {
			t.Errorf("nearestSetting(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
	for _, s := range []string{"region", "role_arn", "credential_process", "sso_session", "output", "cli_pager", "endpoint_url"} {
		if !settings[s] {
			t.Errorf("%s is missing from the generated settings", s)
		}
	}
}
