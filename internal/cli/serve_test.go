package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeCommand runs `credchain serve`, reads the lines it prints, fetches
// credentials with them like a container-protocol client, and stops it.
func TestServeCommand(t *testing.T) {
	home := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(home, ".aws"), 0o755))
	must(t, os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[default]\nregion = eu-west-3\naws_access_key_id = AKIASERVE\naws_secret_access_key = serve-secret\n"), 0o600))
	env := map[string]string{"HOME": home, "BOTO_CONFIG": filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED": "true"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	var stderr strings.Builder
	go func() {
		code <- MainContext(ctx, []string{"serve"}, nil, pw, &stderr, lookup)
		pw.Close()
	}()
	vars := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(vars) < 6 && sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "export "), "="); ok && !strings.HasPrefix(sc.Text(), "unset") {
			vars[k] = strings.Trim(v, "'")
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if vars["AWS_REGION"] != "eu-west-3" || vars["AWS_SHARED_CREDENTIALS_FILE"] != "" || vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] == "" {
		t.Fatalf("printed %v", vars)
	}
	req, _ := http.NewRequest("GET", vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"], nil)
	req.Header.Set("Authorization", vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]string
	_ = json.NewDecoder(resp.Body).Decode(&doc)
	resp.Body.Close()
	if doc["AccessKeyId"] != "AKIASERVE" || doc["Expiration"] == "" {
		t.Fatalf("served %v", doc["AccessKeyId"])
	}
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("exit %d: %s", c, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "GET /credentials 200 key=****************ERVE") || strings.Contains(stderr.String(), "serve-secret") {
		t.Errorf("audit: %s", stderr.String())
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	var stderr strings.Builder
	env := map[string]string{"HOME": t.TempDir(), "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s", "AWS_EC2_METADATA_DISABLED": "true"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	if c := Main([]string{"serve", "--listen", "0.0.0.0:0"}, nil, io.Discard, &stderr, lookup); c != ExitUsage || !strings.Contains(stderr.String(), "not a loopback address") {
		t.Fatalf("exit %d: %s", c, stderr.String())
	}
}

// TestServePrintsItsEndpointWhileSTSHangs: a role whose STS does not answer
// at start no longer keeps serve from printing its endpoint; requests wait
// for the first credentials (and get an error when their client gives up).
func TestServePrintsItsEndpointWhileSTSHangs(t *testing.T) {
	defer func(d time.Duration) { startWait = d }(startWait)
	startWait = 300 * time.Millisecond
	release := make(chan struct{})
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer sts.Close()
	defer close(release)
	home := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(home, ".aws"), 0o755))
	must(t, os.WriteFile(filepath.Join(home, ".aws", "config"), []byte("[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n[profile role]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n"), 0o600))
	env := map[string]string{"HOME": home, "BOTO_CONFIG": filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_STS": sts.URL}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr safeBuffer
	go func() {
		MainContext(ctx, []string{"serve", "role", "--no-cache"}, nil, pw, &stderr, lookup)
		pw.Close()
	}()
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "AWS_CONTAINER_CREDENTIALS_FULL_URI") {
				got <- sc.Text()
			}
		}
	}()
	select {
	case line := <-got:
		if !strings.Contains(line, "http://127.0.0.1:") {
			t.Fatalf("printed %q", line)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no endpoint printed while STS hangs; stderr: %s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "serving, requests wait for them") {
		t.Errorf("stderr %q", stderr.String())
	}
}

// safeBuffer is a strings.Builder for concurrent writers.
type safeBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *safeBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServerUsesTheDefaultGC: main's GOGC=400 suits commands that run for
// milliseconds; the long-running server goes back to the default (unless
// GOGC is set).
func TestServerUsesTheDefaultGC(t *testing.T) {
	old := debug.SetGCPercent(400)
	defer debug.SetGCPercent(old)
	serverGC(func(string) (string, bool) { return "", false })
	if got := debug.SetGCPercent(400); got != 100 {
		t.Fatalf("GC percent %d, want 100", got)
	}
	serverGC(func(k string) (string, bool) { return "400", k == "GOGC" })
	if got := debug.SetGCPercent(400); got != 400 {
		t.Fatalf("GOGC set: GC percent %d, want it left at 400", got)
	}
}
