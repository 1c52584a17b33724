// Package loopback receives an OAuth authorization code on 127.0.0.1
// (RFC 8252's loopback redirect): the browser signs in elsewhere and is
// redirected to http://127.0.0.1:PORT/oauth/callback?code=...&state=....
// The wait is bounded; the state must be the one sent.
package loopback

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// CallbackPath is the redirect's path, as the AWS CLI registers it.
const CallbackPath = "/oauth/callback"

// Listener is a listening redirect endpoint.
type Listener struct {
	ln net.Listener
}

// Listen listens on 127.0.0.1 on a free port.
func Listen() (*Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1 for the sign-in's redirect: %w", err)
	}
	return &Listener{ln: ln}, nil
}

// RedirectURI is the URI to send in the authorize request.
func (l *Listener) RedirectURI() string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", l.ln.Addr().(*net.TCPAddr).Port, CallbackPath)
}

// Close stops listening (Await does once it has an answer).
func (l *Listener) Close() error { return l.ln.Close() }

// Await sends the person to authURL (open; when it is nil or fails, prompt
// shows the URL), then waits at most timeout (10 minutes when zero) for
// the redirect, and returns its code. A redirect with another state is not
// this sign-in's (a local process can forge one): it is refused and the wait
// goes on. One with this state and an error or no code is an error; so is
// the end of ctx.
func (l *Listener) Await(ctx context.Context, authURL, state string, open func(string) error, prompt func(string), timeout time.Duration) (string, error) {
	type answer struct{ code, state, err string }
	answers := make(chan answer, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != CallbackPath {
			http.NotFound(w, r)
			return
		}
		v := r.URL.Query()
		a := answer{code: v.Get("code"), state: v.Get("state"), err: v.Get("error")}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if subtle.ConstantTimeCompare([]byte(a.state), []byte(state)) != 1 {
			// Not this sign-in's redirect (another local process can
			// reach the port): ignored, the wait goes on.
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "<!doctype html><title>credchain</title><p>This is not the redirect of the sign-in under way: ignored.")
			return
		}
		if a.err != "" || a.code == "" {
			fmt.Fprint(w, "<!doctype html><title>credchain</title><p>The sign-in did not complete. Return to the terminal.")
		} else {
			fmt.Fprint(w, "<!doctype html><title>credchain</title><p>Signed in. You can close this tab and return to the terminal.")
		}
		select {
		case answers <- a:
		default:
		}
	})}
	go srv.Serve(l.ln)
	defer func() {
		// Let the browser receive its page before the listener goes.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if open == nil || open(authURL) != nil {
		if prompt != nil {
			prompt(authURL)
		}
	}
	if timeout == 0 {
		timeout = 10 * time.Minute
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var a answer
	select {
	case a = <-answers:
	case <-timer.C:
		return "", fmt.Errorf("the sign-in in the browser did not finish within %s: run the command again", timeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
	switch {
	case a.err != "":
		return "", fmt.Errorf("the sign-in was not completed: %s", a.err)
	case a.code == "":
		return "", errors.New("the sign-in's redirect carried no authorization code")
	}
	return a.code, nil
}
