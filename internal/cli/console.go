package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/awshttp"
	"github.com/credchain/credchain/internal/browser"
	"github.com/credchain/credchain/internal/console"
	"github.com/spf13/cobra"
)

// DefaultFederationEndpoint is the AWS sign-in federation endpoint.
const DefaultFederationEndpoint = "https://signin.aws.amazon.com/federation"

type consoleOptions struct {
	roleFlags
	print          bool
	json           bool
	destination    string
	service        string
	endpoint       string
	noBrowser      bool
	federate       bool
	logoutFirst    bool
	browser        string
	browserProfile string
}

// consoleURL is what console opens: the URL, until when it signs in, and
// the page it lands on.
type consoleURL struct {
	URL     string `json:"url"`
	Expires string `json:"expires,omitempty"`
	Opens   string `json:"opens"`
	Kind    string `json:"kind"`
}

func newConsoleCmd(e *env, g *globals) *cobra.Command {
	o := &consoleOptions{}
	cmd := &cobra.Command{
		Use: "console [PROFILE] [--service NAME] [--region R] [--role-arn ARN ...] [--print | --json]",
		Example: `  credchain console admin --service s3 --region eu-west-2
  credchain console dev-sso --service cfn          # the access portal's shortcut link
  credchain console --role-arn arn:aws:iam::123456789012:role/ReadOnly --print`,
		Short: "Open the AWS console signed in with the profile (role, SSO, login or IAM-user keys) on a service's page",
		Long: `Opens the console on --service's page (s3, ec2, cfn, iam, lambda, ddb, ... ; --destination
for any URL) in --region (the profile's by default), in the region's partition (us-gov-*,
cn-*: their sign-in and console domains, no flag needed).

  roles, login sessions: signed in through the federation endpoint's getSigninToken;
  IAM-user keys: GetFederationToken first (the session is named after the user and may do
    what the user may), then the federation endpoint; MFA-session keys cannot call it;
  SSO profiles: the access portal's shortcut link (START_URL/#/console?account_id=...),
    which needs no token here and keeps the console's other sessions; --federate signs in
    with the role's credentials instead.

--logout-first signs the browser out of the console before the new sign-in (one account
at a time). --browser firefox|chrome|chromium|edge|brave|safari (or a command with {url})
and --browser-profile (or credchain_browser_profile in the profile) choose where it opens;
--browser firefox-container opens a Firefox container named after the profile. A sign-in
URL signs in whoever opens it for 15 minutes: treat --print's output as a secret.`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeProfiles(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := g.profileArg(args); err != nil {
				return err
			}
			u, err := o.url(cmd.Context(), e, g)
			if err != nil {
				return err
			}
			return o.open(e, g, u)
		},
	}
	o.register(cmd)
	g.regionFlag(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.print, "print", false, "print the URL instead of opening a browser")
	f.BoolVar(&o.noBrowser, "no-browser", false, "same as --print")
	f.BoolVar(&o.json, "json", false, "print the URL, its expiry and the page it opens as JSON")
	f.StringVar(&o.service, "service", "", "the service's console page: "+strings.Join(console.Services(), ", "))
	f.StringVar(&o.destination, "destination", "", "the console URL to open after sign-in (default: the console home of the region)")
	f.StringVar(&o.endpoint, "federation-endpoint", "", "the sign-in federation endpoint (default: the region's partition's)")
	f.BoolVar(&o.federate, "federate", false, "SSO profiles: sign in with the role's credentials instead of the portal's shortcut link")
	f.BoolVar(&o.logoutFirst, "logout-first", false, "sign the browser out of the console before the new sign-in")
	f.StringVar(&o.browser, "browser", "", "the browser: firefox, chrome, chromium, edge, brave, safari, firefox-container, or a command with {url}")
	f.StringVar(&o.browserProfile, "browser-profile", "", "the browser's profile to open it in (default: the profile's credchain_browser_profile)")
	return cmd
}

// url is the URL console opens.
func (o *consoleOptions) url(ctx context.Context, e *env, g *globals) (consoleURL, error) {
	region := g.region
	if region == "" {
		if r, ok, err := g.session(e).Region(); err == nil && ok {
			region = r
		}
	}
	partition := console.PartitionOf(region)
	dest := o.destination
	if o.service != "" {
		if dest != "" {
			return consoleURL{}, usageError{errors.New("--service and --destination both name the page: give one")}
		}
		d, err := console.Destination(o.service, region)
		if err != nil {
			return consoleURL{}, usageError{err}
		}
		dest = d
	}
	if dest == "" {
		dest, _ = console.Destination("console", region)
		if region == "" {
			dest = "https://" + partition.Console + "/"
		}
	}
	if !o.federate && len(o.arns) == 0 && !o.scopeFlags.set() {
		if p, _ := g.profileSection(e); p != nil {
			if start, account, role, ok := ssoTarget(g, e, p); ok {
				return consoleURL{URL: console.SSOShortcut(start, account, role, dest), Opens: dest, Kind: "sso-shortcut"}, nil
			}
		}
	}
	c, s, _, err := o.resolve(ctx, e, g)
	if err != nil {
		return consoleURL{}, err
	}
	kind := "federation"
	if c.SessionToken == "" {
		if c, err = federationToken(ctx, s, c); err != nil {
			return consoleURL{}, err
		}
		kind = "federation-token"
	}
	endpoint := o.endpoint
	if endpoint == "" {
		endpoint = partition.Federation()
	}
	token, err := signinToken(endpoint, c)
	if err != nil {
		return consoleURL{}, err
	}
	u := consoleURL{URL: console.Login(endpoint, token, dest, "credchain"), Opens: dest, Kind: kind,
		Expires: time.Now().Add(15 * time.Minute).UTC().Format(time.RFC3339)}
	if o.logoutFirst {
		u.URL = console.LogoutFirst(partition, u.URL)
	}
	return u, nil
}

// signinToken is the federation endpoint's getSigninToken for c.
func signinToken(endpoint string, c creds.Credentials) (string, error) {
	session, _ := json.Marshal(map[string]string{"sessionId": c.AccessKeyID, "sessionKey": c.SecretAccessKey, "sessionToken": c.SessionToken})
	q := url.Values{"Action": {"getSigninToken"}, "Session": {string(session)}}
	resp, err := awshttp.Client().Get(endpoint + "?" + q.Encode())
	if err != nil {
		return "", fmt.Errorf("getSigninToken at %s: %w", endpoint, redactURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("getSigninToken at %s: %w", endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("getSigninToken at %s: status %d (the credentials must be a role's or a federated session's: MFA-session keys from GetSessionToken cannot sign in to the console; use a role)", endpoint, resp.StatusCode)
	}
	var tok struct{ SigninToken string }
	if json.Unmarshal(body, &tok) != nil || tok.SigninToken == "" {
		return "", fmt.Errorf("getSigninToken at %s: the answer has no SigninToken", endpoint)
	}
	return tok.SigninToken, nil
}

// profileSection is the selected profile's section of the config file (nil
// for none, or no config file); the file's own errors are returned.
func (g *globals) profileSection(e *env) (*awsconfig.Section, error) {
	path, _ := awsconfig.ConfigFile(g.lookup(e))
	f, err := awsconfig.ReadFile(path)
	if errors.Is(err, awsconfig.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return awsconfig.Merge(awsconfig.NewConfig(f), nil).Lookup(g.sessionProfile(e)), nil
}

// ssoTarget is an SSO profile's start URL, account and role.
func ssoTarget(g *globals, e *env, p *awsconfig.Section) (start, account, role string, ok bool) {
	account, _ = p.Get("sso_account_id")
	role, _ = p.Get("sso_role_name")
	if account == "" || role == "" {
		return "", "", "", false
	}
	start, _ = p.Get("sso_start_url")
	if session, has := p.Get("sso_session"); has {
		path, _ := awsconfig.ConfigFile(g.lookup(e))
		if f, err := awsconfig.ReadFile(path); err == nil {
			if s, found := awsconfig.NewConfig(f).SSOSession(session); found {
				start, _ = s.Get("sso_start_url")
			}
		}
	}
	return start, account, role, start != ""
}

// open prints or opens u.
func (o *consoleOptions) open(e *env, g *globals, u consoleURL) error {
	switch {
	case o.json:
		out, _ := json.MarshalIndent(u, "", "  ")
		_, err := fmt.Fprintf(e.stdout, "%s\n", out)
		return err
	case o.print || o.noBrowser:
		_, err := fmt.Fprintln(e.stdout, u.URL)
		return err
	}
	// The profile's browser settings: one read of the config file.
	profile, color := o.browserProfile, ""
	if p, _ := g.profileSection(e); p != nil {
		if profile == "" {
			profile, _ = p.Get("credchain_browser_profile")
		}
		color, _ = p.Get("credchain_browser_color")
	}
	var err error
	if o.browser != "" {
		err = launch(o.browser, profile, g.sessionProfile(e), color, u.URL)
	} else {
		err = browser.Open(u.URL, e.lookup)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "credchain: no browser opened (%v); the URL follows (a sign-in URL signs in whoever opens it for 15 minutes)\n", err)
		_, err := fmt.Fprintln(e.stdout, u.URL)
		return err
	}
	fmt.Fprintf(e.stderr, "credchain: opened %s (use --print to get the URL)\n", u.Opens)
	return nil
}

// launchers are the browsers --browser names: the command and how it takes
// a profile.
var launchers = map[string]struct {
	cmd     []string
	profile func(string) []string
}{
	"firefox":  {[]string{"firefox", "--new-tab"}, func(p string) []string { return []string{"-P", p} }},
	"chrome":   {[]string{"google-chrome"}, func(p string) []string { return []string{"--profile-directory=" + p} }},
	"chromium": {[]string{"chromium"}, func(p string) []string { return []string{"--profile-directory=" + p} }},
	"edge":     {[]string{"microsoft-edge"}, func(p string) []string { return []string{"--profile-directory=" + p} }},
	"brave":    {[]string{"brave-browser"}, func(p string) []string { return []string{"--profile-directory=" + p} }},
	"safari":   {[]string{"open", "-a", "Safari"}, nil},
}

// launch opens u in the browser name (or a command template with {url}),
// in browserProfile; firefox-container opens it in a container named
// after the AWS profile, in the profile's colour (credchain_browser_color:
// blue, turquoise, green, yellow, orange, red, pink, purple), through the
// "Open external links in a container" add-on's URL scheme.
func launch(name, browserProfile, awsProfile, color, u string) error {
	if name == "firefox-container" {
		container := awsProfile
		if browserProfile != "" {
			container = browserProfile
		}
		q := url.Values{"name": {container}, "url": {u}}
		if color != "" {
			q.Set("color", color)
		}
		u = "ext+container:" + q.Encode()
		name, browserProfile = "firefox", ""
	}
	var argv []string
	if l, ok := launchers[name]; ok {
		argv = append(argv, l.cmd...)
		if browserProfile != "" {
			if l.profile == nil {
				return fmt.Errorf("--browser %s takes no --browser-profile", name)
			}
			argv = append(argv, l.profile(browserProfile)...)
		}
		argv = append(argv, u)
	} else if strings.Contains(name, "{url}") {
		for _, f := range strings.Fields(name) {
			argv = append(argv, strings.ReplaceAll(f, "{url}", u))
		}
	} else {
		return fmt.Errorf("--browser %q: one of firefox, chrome, chromium, edge, brave, safari, firefox-container, or a command with {url}", name)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = nil, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() //nolint:errcheck // the browser outlives us or not
	return nil
}

// redactURLError drops the URL (which holds the credentials) from an error.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
