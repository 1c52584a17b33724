package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/credchain/credchain/internal/signin"
	"os"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/internal/browser"
	"github.com/credchain/credchain/internal/prompt"
	"github.com/credchain/credchain/logincreds"
	"github.com/credchain/credchain/ssocreds"
	"golang.org/x/term"
)

// tell shows msg to the person: on stderr when it is a terminal, else on
// the controlling terminal (a credential_process's stderr goes to boto3),
// else on stderr anyway.
func tell(e *env, msg string) {
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, msg)
		return
	}
	if prompt.Tell(msg) != nil {
		fmt.Fprint(e.stderr, msg)
	}
}

// loginAfter signs in when err is an SSO token that is missing, expired
// beyond refresh or refused, and the person can sign in here: in the
// browser (authorization code with PKCE) when there is one, else with the
// device code shown on the terminal. It reports whether to resolve again.
// With --no-login, or with neither a browser nor a terminal, err stands.
// Processes that need the same login at once run one flow (Login's lock):
// the others wait and use its token.
func (g *globals) loginAfter(ctx context.Context, e *env, err error) (bool, error) {
	if g.noLogin || g.loggedIn {
		return false, nil
	}
	var loginNeed *logincreds.LoginNeededError
	if errors.As(err, &loginNeed) {
		return g.signInAfter(ctx, e, err, loginNeed)
	}
	var need *ssocreds.LoginNeededError
	if !errors.As(err, &need) {
		return false, nil
	}
	noBrowser := browser.Available(e.lookup)
	if noBrowser != nil && !prompt.HasTerminal() {
		return false, nil
	}
	if front {
		return false, errFullBuild
	}
	g.loggedIn = true
	what := "sso-session " + need.Session
	s := credchain.NewSession(credchain.WithEnv(g.lookup(e)))
	if need.Session == "" {
		what = "start URL " + need.StartURL
		s = credchain.NewSession(credchain.WithEnv(g.lookup(e)), credchain.WithProfile(need.Profile))
	}
	tell(e, fmt.Sprintf("credchain: %s needs a sign-in: %v\ncredchain: signing in (--no-login gives the error instead)\n", what, err))
	_, lerr := signin.SSO(ctx, s, need.Session, signin.Options{DeviceCode: noBrowser != nil, Stale: need.Stale,
		Open:   func(url string) error { return browser.Open(url, e.lookup) },
		Prompt: func(url, code string) { tell(e, signInMessage(url, code)) }})
	if lerr != nil {
		return false, fmt.Errorf("%w (signing in to %s failed: %v)", err, what, lerr)
	}
	tell(e, "credchain: signed in to "+what+"\n")
	return true, nil
}

// signInAfter is loginAfter for an `aws login` profile: AWS Sign-In in the
// browser (there is no device flow for it here).
func (g *globals) signInAfter(ctx context.Context, e *env, err error, need *logincreds.LoginNeededError) (bool, error) {
	if browser.Available(e.lookup) != nil {
		return false, nil
	}
	if front {
		return false, errFullBuild
	}
	g.loggedIn = true
	what := fmt.Sprintf("profile %s (login_session %s)", need.Profile, need.Session)
	tell(e, fmt.Sprintf("credchain: %s needs a sign-in: %v\ncredchain: signing in to AWS in the browser (--no-login gives the error instead)\n", what, err))
	s := credchain.NewSession(credchain.WithEnv(g.lookup(e)), credchain.WithProfile(need.Profile))
	_, lerr := signin.Login(ctx, s, signin.Options{
		Open:   func(url string) error { return browser.Open(url, e.lookup) },
		Prompt: func(url, _ string) { tell(e, signInMessage(url, "")) }})
	if lerr != nil {
		return false, fmt.Errorf("%w (signing in for %s failed: %v)", err, what, lerr)
	}
	tell(e, "credchain: signed in for "+what+"\n")
	return true, nil
}

// signInMessage tells the person where to sign in: the URL, and in the
// device flow the code to confirm there.
func signInMessage(url, code string) string {
	if code == "" {
		return fmt.Sprintf("To sign in, open this URL in a browser on this machine:\n\n  %s\n\n", url)
	}
	return fmt.Sprintf("To sign in, open this URL and confirm the code %s:\n\n  %s\n\n", code, url)
}
