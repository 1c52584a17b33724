//go:build unix

package main

import (
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/ssotest"
)

// TestAutoLoginShowsTheDeviceCodeOnTheTerminal: with a terminal and no
// browser, a command whose SSO token is missing shows the device code on
// the terminal, waits for the approval, and carries on.
func TestAutoLoginShowsTheDeviceCodeOnTheTerminal(t *testing.T) {
	term := newTerminal(t)
	bin := credchainBinary(t)
	s := ssotest.New(ssotest.Accounts(1, "Admin"), "unused")
	defer s.Close()
	dir := home(t, `[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
[profile dev]
sso_session = corp
sso_account_id = 100000000000
sso_role_name = Admin
`)
	term.Start("login", "sh", "-c", "env -u DISPLAY -u WAYLAND_DISPLAY HOME="+dir+" AWS_ENDPOINT_URL_SSO="+s.URL+" AWS_ENDPOINT_URL_SSO_OIDC="+s.URL+
		" "+bin+" export dev --format env-no-export --no-cache; echo exit=$?; sleep 60")
	screen := term.WaitFor("login", "exit=")
	for _, want := range []string{"sso-session corp needs a sign-in", "confirm the code ABCD-EFGH", "/device?user_code=ABCD-EFGH",
		"signed in to sso-session corp", "AWS_SECRET_ACCESS_KEY='secret-100000000000-Admin'", "exit=0"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("%q not on screen:\n%s", want, screen)
		}
	}
}
