package containercreds

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credchain/credchain/creds"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestRelativeURIWinsAndTargetsTheECSAddress(t *testing.T) {
	p := &Provider{Env: env(map[string]string{EnvRelativeURI: "/v2/credentials/x", EnvFullURI: "http://127.0.0.1/full"})}
	if u, from, ok := p.URL(); !ok || u != "http://169.254.170.2/v2/credentials/x" || from != EnvRelativeURI {
		t.Fatalf("URL() = %s %s %v", u, from, ok)
	}
}

func TestAllowedHosts(t *testing.T) {
	for u, ok := range map[string]bool{
		"http://169.254.170.2/x": true, "http://169.254.170.23/x": true, "http://[fd00:ec2::23]/x": true,
		"http://localhost:8080/x": true, "http://127.0.0.5/x": true, "http://[::1]/x": true,
		"https://creds.example.com/x": true, "http://169.254.0.1/x": false, "http://example.com/x": false,
	} {
		if err := checkHost(u, EnvFullURI); (err == nil) != ok {
			t.Errorf("checkHost(%s) = %v, want allowed %v", u, err, ok)
		}
	}
}

// TestHostileEndpoints: redirects to other hosts are not followed, huge
// bodies and slow answers are bounded, and the error names the endpoint
// without echoing the body or the token.
func TestHostileEndpoints(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `{"AccessKeyId": "A", "SecretAccessKey": "S", "Token": "T", "Expiration": "2099-01-01T00:00:00Z"}`)
	}))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, elsewhere.URL+"/creds", http.StatusFound)
		case "/huge":
			w.Write([]byte(`{"AccessKeyId": "`))
			w.Write([]byte(strings.Repeat("A", 2<<20)))
		case "/slow":
			time.Sleep(3 * time.Second)
		case "/echo":
			http.Error(w, "token was "+r.Header.Get("Authorization"), http.StatusForbidden)
		}
	}))
	defer srv.Close()
	for _, path := range []string{"/redirect", "/huge", "/slow", "/echo"} {
		p := &Provider{Env: env(map[string]string{EnvFullURI: srv.URL + path, EnvToken: "secret-token"}), Sleep: func(time.Duration) {}}
		start := time.Now()
		_, err := p.Retrieve(context.Background())
		if creds.KindOf(err) != creds.KindCredentialRetrieval || !strings.Contains(err.Error(), srv.URL) || strings.Contains(err.Error(), "secret-token") {
			t.Errorf("%s: err = %v", path, err)
		}
		if d := time.Since(start); d > 3*Timeout+time.Second {
			t.Errorf("%s: took %v", path, d)
		}
	}
	if hits.Load() != 0 {
		t.Error("a redirect to another host was followed")
	}
}
