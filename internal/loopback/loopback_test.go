package loopback

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestForgedCallbackIsIgnored: a redirect with another state (a local
// process forging the callback) is refused and the wait goes on until the
// real one; it used to abort the sign-in.
func TestForgedCallbackIsIgnored(t *testing.T) {
	l, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	uri := l.RedirectURI()
	statuses := make(chan int, 2)
	open := func(string) error {
		go func() {
			for _, q := range []string{"?code=forged&state=guess", "?error=access_denied&state=guess", "?code=real-code&state=the-state"} {
				resp, err := http.Get(uri + q)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if q[len(q)-5:] == "guess" {
					statuses <- resp.StatusCode
				}
			}
		}()
		return nil
	}
	code, err := l.Await(context.Background(), "http://idp.invalid/authorize", "the-state", open, nil, 10*time.Second)
	if err != nil || code != "real-code" {
		t.Fatalf("Await = %q, %v", code, err)
	}
	for range 2 {
		if s := <-statuses; s != http.StatusBadRequest {
			t.Errorf("a forged callback got %d, want 400", s)
		}
	}
}
