package awshttp

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestHangingEndpointIsNotRetried: a request that times out is not tried
// again in any retry mode (a stuck SSO portal stalled a command for 155 s:
// five attempts of 30 s); a refused connection still is.
func TestHangingEndpointIsNotRetried(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hang.Close()
	client := &http.Client{Timeout: 100 * time.Millisecond}
	_, err := client.Get(hang.URL)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("not a timeout: %v", err)
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	for _, mode := range []string{RetryLegacy, RetryStandard, RetryAdaptive} {
		r := Retryer(Retry{Mode: mode}, "sso")
		if r.IsErrorRetryable(err) {
			t.Errorf("%s: a timeout is retried", mode)
		}
		if !r.IsErrorRetryable(refused) {
			t.Errorf("%s: a refused connection is not retried", mode)
		}
	}
}
