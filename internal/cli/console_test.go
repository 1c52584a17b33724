package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credchain/credchain/internal/ststest"
)

func TestConsoleSignInURL(t *testing.T) {
	var got map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("Action") != "getSigninToken" {
			http.Error(w, "bad action", 400)
			return
		}
		_ = json.Unmarshal([]byte(r.URL.Query().Get("Session")), &got)
		fmt.Fprint(w, `{"SigninToken": "signin-token-123"}`)
	}))
	defer srv.Close()
	env, lookup := temporaryKeysEnv(t)
	var out, errOut strings.Builder
	if c := Main([]string{"console", "--print", "--federation-endpoint", srv.URL}, nil, &out, &errOut, lookup); c != 0 {
		t.Fatalf("exit %d: %s", c, errOut.String())
	}
	if got["sessionId"] != "ASIATEMP" || got["sessionKey"] != "temp-secret" || got["sessionToken"] != "temp-token" {
		t.Errorf("Session sent: %v", got)
	}
	u, err := url.Parse(strings.TrimSpace(out.String()))
	if err != nil || u.Query().Get("Action") != "login" || u.Query().Get("SigninToken") != "signin-token-123" || u.Query().Get("Destination") != "https://console.aws.amazon.com/" {
		t.Fatalf("URL %q", out.String())
	}
	// Long-term IAM-user keys: GetFederationToken first, named after the
	// user, then the federation endpoint with the federated session.
	sts := ststest.New()
	defer sts.Close()
	delete(env, "AWS_SESSION_TOKEN")
	env["AWS_ACCESS_KEY_ID"], env["AWS_ENDPOINT_URL_STS"], env["AWS_DEFAULT_REGION"] = "AKIAUSER", sts.URL, "us-east-1"
	out.Reset()
	errOut.Reset()
	if c := Main([]string{"console", "--print", "--federation-endpoint", srv.URL, "--service", "s3", "--region", "eu-west-2"}, nil, &out, &errOut, lookup); c != 0 {
		t.Fatalf("exit %d: %s", c, errOut.String())
	}
	if u, err := url.Parse(strings.TrimSpace(out.String())); err != nil || u.Query().Get("Destination") != "https://eu-west-2.console.aws.amazon.com/s3/home?region=eu-west-2" {
		t.Fatalf("IAM user's URL %q", out.String())
	}
	calls := sts.Calls()
	if len(calls) != 2 || calls[0].Params["Action"] != "GetCallerIdentity" || calls[1].Params["Action"] != "GetFederationToken" ||
		calls[1].Params["Name"] != "akiauser" || calls[1].Params["DurationSeconds"] != "43200" || !strings.Contains(calls[1].Params["Policy"], `"Action":"*"`) {
		t.Fatalf("STS calls %+v", calls)
	}
	if !strings.HasPrefix(got["sessionId"], "ASIA") || got["sessionToken"] == "" || strings.Contains(errOut.String(), "temp-secret") {
		t.Fatalf("Session sent: %v", got)
	}
}

// TestConsoleWithoutBrowserPrintsTheURL: with no desktop to open a browser
// on, console prints the URL and says why instead of claiming it opened it.
func TestConsoleWithoutBrowserPrintsTheURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"SigninToken": "signin-token-123"}`)
	}))
	defer srv.Close()
	_, lookup := temporaryKeysEnv(t)
	var out, errOut strings.Builder
	if c := Main([]string{"console", "--federation-endpoint", srv.URL}, nil, &out, &errOut, lookup); c != 0 {
		t.Fatalf("exit %d: %s", c, errOut.String())
	}
	if runtime.GOOS == "linux" && !strings.Contains(errOut.String(), "no browser opened (no desktop session") {
		t.Errorf("stderr %q", errOut.String())
	}
	if strings.Contains(errOut.String(), "opened the console") || !strings.Contains(out.String(), "SigninToken=signin-token-123") {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}

// TestExecExitStatuses: 127 for a command that does not exist, 126 for one
// that cannot run, 2 for neither a profile nor a command, the command's own
// status otherwise (a profile and no command: $SHELL, here /bin/sh reading
// an empty stdin).
func TestExecExitStatuses(t *testing.T) {
	home := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(home, ".aws"), 0o700))
	must(t, os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n"), 0o600))
	must(t, os.WriteFile(filepath.Join(home, "not-executable"), []byte("#!/bin/sh\n"), 0o600))
	env := map[string]string{"HOME": home, "AWS_EC2_METADATA_DISABLED": "true", "BOTO_CONFIG": filepath.Join(home, "none")}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"exec", "dev", "--", "no-such-command-xyz"}, ExitNotFound},
		{[]string{"exec", "dev", "--", filepath.Join(home, "not-executable")}, ExitCannotRun},
		{[]string{"exec"}, ExitUsage},
		{[]string{"exec", "dev", "--"}, 0},
		{[]string{"exec", "--profile", "dev"}, 0},
		{[]string{"exec", "dev", "--", "sh", "-c", "exit 7"}, 7},
	} {
		var out, errOut strings.Builder
		if got := Main(tc.args, nil, &out, &errOut, lookup); got != tc.want {
			t.Errorf("%q: exit %d, want %d (%s)", tc.args, got, tc.want, errOut.String())
		}
	}
}

// temporaryKeysEnv is an environment with temporary keys, and its lookup.
func temporaryKeysEnv(t *testing.T) (map[string]string, func(string) (string, bool)) {
	env := map[string]string{"HOME": t.TempDir(), "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID": "ASIATEMP", "AWS_SECRET_ACCESS_KEY": "temp-secret", "AWS_SESSION_TOKEN": "temp-token"}
	return env, func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// signinStandIn is a federation endpoint that hands out a sign-in token.
func signinStandIn(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"SigninToken": "signin-token-123"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestConsoleDeepLinks: --service and --region choose the page, in the
// region's partition; an unknown service names the closest; --json says
// what opens; --logout-first signs out first.
func TestConsoleDeepLinks(t *testing.T) {
	endpoint := signinStandIn(t)
	_, lookup := temporaryKeysEnv(t)
	run := func(args ...string) (string, string, int) {
		var out, errOut strings.Builder
		c := Main(append([]string{"console", "--federation-endpoint", endpoint}, args...), nil, &out, &errOut, lookup)
		return out.String(), errOut.String(), c
	}
	for _, tc := range []struct {
		args []string
		dest string
	}{
		{[]string{"--service", "s3", "--region", "eu-west-2"}, "https://eu-west-2.console.aws.amazon.com/s3/home?region=eu-west-2"},
		{[]string{"--service", "cfn", "--region", "us-east-1"}, "https://us-east-1.console.aws.amazon.com/cloudformation/home?region=us-east-1"},
		{[]string{"--service", "iam", "--region", "eu-west-2"}, "https://console.aws.amazon.com/iam/home"},
		{[]string{"--service", "ec2", "--region", "us-gov-west-1"}, "https://us-gov-west-1.console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1"},
		{[]string{"--service", "ddb", "--region", "cn-north-1"}, "https://cn-north-1.console.amazonaws.cn/dynamodbv2/home?region=cn-north-1"},
		{[]string{"--region", "eu-west-2"}, "https://eu-west-2.console.aws.amazon.com/console/home?region=eu-west-2"},
	} {
		out, errOut, c := run(append(tc.args, "--print")...)
		u, err := url.Parse(strings.TrimSpace(out))
		if c != 0 || err != nil || u.Query().Get("Destination") != tc.dest {
			t.Errorf("%v: exit %d, destination %q, want %q (%s)", tc.args, c, u.Query().Get("Destination"), tc.dest, errOut)
		}
	}
	if _, errOut, c := run("--service", "s4", "--print"); c != 2 || !strings.Contains(errOut, `no console service "s4": did you mean s3`) {
		t.Errorf("unknown service: exit %d, %s", c, errOut)
	}
	out, _, _ := run("--service", "lambda", "--region", "eu-west-1", "--json")
	var doc struct{ URL, Expires, Opens, Kind string }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Opens != "https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1" ||
		doc.Kind != "federation" || doc.Expires == "" || !strings.Contains(doc.URL, "SigninToken=signin-token-123") {
		t.Errorf("--json: %s", out)
	}
	out, _, _ = run("--logout-first", "--print")
	u, err := url.Parse(strings.TrimSpace(out))
	if err != nil || u.Host != "signin.aws.amazon.com" || u.Path != "/oauth" || u.Query().Get("Action") != "logout" ||
		!strings.HasPrefix(u.Query().Get("redirect_uri"), endpoint+"?Action=login") {
		t.Errorf("--logout-first: %s", out)
	}
}

// TestConsoleSSOShortcut: an SSO profile opens the portal's shortcut link,
// with no token and no network; --federate is the role's credentials.
func TestConsoleSSOShortcut(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".aws"), 0o700)
	os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile dev]\nregion = eu-west-2\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n"+
		"[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\n"), 0o600)
	env := map[string]string{"HOME": home, "AWS_EC2_METADATA_DISABLED": "true"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	var out, errOut strings.Builder
	if c := Main([]string{"console", "dev", "--service", "s3", "--print"}, nil, &out, &errOut, lookup); c != 0 {
		t.Fatalf("exit %d: %s", c, errOut.String())
	}
	u, err := url.Parse(strings.TrimSpace(out.String()))
	if err != nil || u.Host != "d-1234567890.awsapps.com" || u.Path != "/start/" || !strings.HasPrefix(u.Fragment, "/console?") {
		t.Fatalf("URL %q", out.String())
	}
	q, _ := url.ParseQuery(strings.TrimPrefix(u.Fragment, "/console?"))
	if q.Get("account_id") != "111122223333" || q.Get("role_name") != "Dev" || q.Get("destination") != "https://eu-west-2.console.aws.amazon.com/s3/home?region=eu-west-2" {
		t.Fatalf("shortcut %v", q)
	}
}

// TestConsoleBrowserChoice: --browser runs the named browser with the
// profile asked for; firefox-container opens a container named after the
// AWS profile.
func TestConsoleBrowserChoice(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a shell script stands in for the browser")
	}
	bin, record := t.TempDir(), filepath.Join(t.TempDir(), "args")
	for _, name := range []string{"firefox", "google-chrome"} {
		os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\" > "+record+"\n"), 0o755)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	endpoint := signinStandIn(t)
	env, lookup := temporaryKeysEnv(t)
	os.MkdirAll(filepath.Join(env["HOME"], ".aws"), 0o700)
	os.WriteFile(filepath.Join(env["HOME"], ".aws", "config"), []byte("[default]\ncredchain_browser_color = red\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--browser", "chrome", "--browser-profile", "Work"}, []string{"google-chrome", "--profile-directory=Work", endpoint + "?Action=login"}},
		{[]string{"--browser", "firefox", "--browser-profile", "aws"}, []string{"firefox", "--new-tab", "-P", "aws", endpoint + "?Action=login"}},
		{[]string{"--browser", "firefox-container"}, []string{"firefox", "--new-tab", "ext+container:color=red&name=default&url=" + url.QueryEscape(endpoint+"?Action=login")}},
	} {
		os.Remove(record)
		var out, errOut strings.Builder
		if c := Main(append([]string{"console", "--federation-endpoint", endpoint}, tc.args...), nil, &out, &errOut, lookup); c != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, c, errOut.String())
		}
		var got []string
		for i := 0; i < 500 && len(got) == 0; i++ {
			data, _ := os.ReadFile(record)
			got = strings.Fields(string(data))
			time.Sleep(20 * time.Millisecond)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%v: the browser ran with %q, want %q", tc.args, got, tc.want)
		}
		for i := range got {
			if filepath.Base(got[i]) != tc.want[i] && !strings.HasPrefix(got[i], tc.want[i]) {
				t.Errorf("%v: argument %d is %q, want %q", tc.args, i, got[i], tc.want[i])
			}
		}
		if out.Len() != 0 {
			t.Errorf("%v: printed %q", tc.args, out.String())
		}
	}
}

// TestConsoleURLInChromium: headless Chromium opens a --print URL: the
// federation stand-in checks the sign-in token and redirects to the
// destination, which the browser reaches.
func TestConsoleURLInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("chromium is required: %v", err)
		}
		t.Skip(err)
	}
	dest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<html><body>console page %s</body></html>", r.URL.Path)
	}))
	defer dest.Close()
	var logins []string
	var mu sync.Mutex
	fed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch q.Get("Action") {
		case "getSigninToken":
			fmt.Fprint(w, `{"SigninToken": "signin-token-123"}`)
		case "login":
			mu.Lock()
			logins = append(logins, q.Get("SigninToken"))
			mu.Unlock()
			if q.Get("SigninToken") != "signin-token-123" {
				http.Error(w, "bad token", http.StatusForbidden)
				return
			}
			http.Redirect(w, r, q.Get("Destination"), http.StatusFound)
		default:
			http.Error(w, "bad action", http.StatusBadRequest)
		}
	}))
	defer fed.Close()
	_, lookup := temporaryKeysEnv(t)
	var out, errOut strings.Builder
	if c := Main([]string{"console", "--print", "--federation-endpoint", fed.URL, "--destination", dest.URL + "/s3/home"}, nil, &out, &errOut, lookup); c != 0 {
		t.Fatalf("exit %d: %s", c, errOut.String())
	}
	cmd := exec.Command(chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir="+t.TempDir(), "--dump-dom", strings.TrimSpace(out.String()))
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	if !strings.Contains(string(dom), "console page /s3/home") {
		t.Fatalf("chromium did not reach the destination: %s", dom)
	}
	if len(logins) != 1 {
		t.Fatalf("%d sign-ins at the federation endpoint, want 1", len(logins))
	}
}

// TestConsoleRefusedSessionSaysUseARole: the federation endpoint refuses
// credentials that are neither a role's nor federated (GetSessionToken's
// MFA sessions): the error says to use a role, and shows no secret.
func TestConsoleRefusedSessionSaysUseARole(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "", http.StatusBadRequest)
	}))
	defer srv.Close()
	_, lookup := temporaryKeysEnv(t)
	var out, errOut strings.Builder
	if c := Main([]string{"console", "--print", "--federation-endpoint", srv.URL}, nil, &out, &errOut, lookup); c != 1 || out.Len() != 0 ||
		!strings.Contains(errOut.String(), "MFA-session keys from GetSessionToken cannot sign in to the console; use a role") || strings.Contains(errOut.String(), "temp-secret") {
		t.Fatalf("exit %d, %q, %q", c, out.String(), errOut.String())
	}
}

// TestDockerHelperName: run as docker-credential-credchain (Docker's name
// for the helper, a link to credchain), it is docker-credential.
func TestDockerHelperName(t *testing.T) {
	for argv0, want := range map[string]string{"/usr/local/bin/docker-credential-credchain": "docker-credential get",
		`C:\bin\docker-credential-credchain.exe`: "docker-credential get", "/usr/bin/credchain": "get"} {
		if got := strings.Join(commandArgs(argv0, []string{"get"}), " "); got != want && !(strings.Contains(argv0, `\`) && filepath.Separator == '/') {
			t.Errorf("%s: %q, want %q", argv0, got, want)
		}
	}
}
