package imdscreds

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestStaticStabilityExtension(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	p := &Provider{Now: func() time.Time { return now }, Jitter: func() time.Duration { return 600 * time.Second }}
	// 14 minutes left: within 15 + 10 minutes, extended to now + 25 min.
	if got := p.extend(now.Add(14 * time.Minute)); !got.Equal(now.Add(25 * time.Minute)) {
		t.Errorf("near expiry: %v", got)
	}
	// Already expired: extended too.
	if got := p.extend(now.Add(-time.Hour)); !got.Equal(now.Add(25 * time.Minute)) {
		t.Errorf("expired: %v", got)
	}
	// An hour left: unchanged.
	if got := p.extend(now.Add(time.Hour)); !got.Equal(now.Add(time.Hour)) {
		t.Errorf("fresh: %v", got)
	}
}

// TestNothingListeningEndsQuickly: with no metadata service (connection
// refused) the source finds nothing within the attempts' bound.
func TestNothingListeningEndsQuickly(t *testing.T) {
	p := &Provider{BaseURL: "http://127.0.0.1:9/", Timeout: time.Second, Attempts: 1}
	start := time.Now()
	if _, err := p.Retrieve(context.Background()); err == nil {
		t.Fatal("credentials from nowhere")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestHostileMetadataService: a redirect is not followed, a huge body is
// cut, and neither yields credentials.
func TestHostileMetadataService(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut:
			fmt.Fprint(w, "tok")
		case strings.HasSuffix(r.URL.Path, "/security-credentials/"):
			fmt.Fprint(w, "role")
		case strings.HasPrefix(r.URL.Path, "/redirect/"):
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		default:
			w.Write([]byte(`{"AccessKeyId": "`))
			w.Write([]byte(strings.Repeat("A", 2<<20)))
		}
	}))
	defer srv.Close()
	for _, base := range []string{srv.URL + "/redirect/", srv.URL + "/huge/"} {
		p := &Provider{BaseURL: base, Timeout: time.Second, Attempts: 2}
		if c, err := p.Retrieve(context.Background()); err == nil {
			t.Errorf("%s: credentials %s from a hostile service", base, c.AccessKeyID)
		}
	}
	if elsewhere.Load() != 0 {
		t.Error("a redirect was followed")
	}
}
