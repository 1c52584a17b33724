// Package awshttp is the HTTP client under every aws-sdk-go-v2 client
// credchain builds (STS, SSO, SSO-OIDC, sign-in) and the console's
// federation call:
//
//   - a timeout per request;
//   - no redirect is followed: Go's client would forward
//     X-Amz-Security-Token and X-Amz-Sso_bearer_token to the new host, and
//     botocore follows none, so a 3xx is the answer (an error);
//   - every response body, success or error, is read up to MaxBody: a
//     hostile or broken endpoint cannot make credchain read without end.
package awshttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
)

// MaxBody bounds one response body.
const MaxBody = 1 << 20

// Timeout bounds one request.
const Timeout = 30 * time.Second

// Client returns a new client with the rules above.
func Client() *http.Client {
	return &http.Client{
		Timeout:       Timeout,
		Transport:     bounded{http.DefaultTransport},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// SlowAfter is how long a request waits for its answer before the notice
// of WithSlowNotice is given.
const SlowAfter = 2 * time.Second

type slowKey struct{}

// WithSlowNotice returns ctx carrying notice: every request made with it
// (every AWS call under it) that has waited SlowAfter for its answer calls
// notice once, with what it waits for ("STS AssumeRole at
// sts.amazonaws.com"). The CLI shows it on a terminal.
func WithSlowNotice(ctx context.Context, notice func(what string)) context.Context {
	return context.WithValue(ctx, slowKey{}, notice)
}

// waitingFor says what req is, for a person.
func waitingFor(req *http.Request) string {
	what := req.URL.Host
	if op := awsmiddleware.GetOperationName(req.Context()); op != "" {
		what = op + " at " + what
		if svc := awsmiddleware.GetServiceID(req.Context()); svc != "" {
			what = svc + " " + what
		}
	}
	return what
}

// bounded limits response bodies, and gives the slow notice.
type bounded struct{ next http.RoundTripper }

func (b bounded) RoundTrip(req *http.Request) (*http.Response, error) {
	if notice, ok := req.Context().Value(slowKey{}).(func(string)); ok && notice != nil {
		t := time.AfterFunc(SlowAfter, func() { notice(waitingFor(req)) })
		defer t.Stop()
	}
	resp, err := b.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > MaxBody {
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: the response is %d bytes, more than the %d credchain reads", req.Method, req.URL.Host, resp.ContentLength, MaxBody)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: MaxBody, host: req.URL.Host}
	return resp, nil
}

// limitedBody fails, instead of ending quietly, once more than MaxBody
// bytes arrive: a cut document must not parse as a complete one.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
	host string
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a body of exactly MaxBody from a longer one.
		var one [1]byte
		if n, _ := l.rc.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("the response from %s is longer than %d bytes", l.host, MaxBody)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }

// TransportKind is the botocore exception for a request that got no HTTP
// answer: EndpointConnectionError (the connection failed),
// ConnectTimeoutError, ReadTimeoutError; "" for anything else.
func TransportKind(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		if oe.Timeout() {
			return "ConnectTimeoutError"
		}
		return "EndpointConnectionError"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "ReadTimeoutError"
	}
	return ""
}
