package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/credchain/credchain/creds"
)

var testCreds = creds.Credentials{AccessKeyID: "ASIASERVED1234", SecretAccessKey: "served-secret", SessionToken: "served-token",
	AccountID: "123456789012", Expires: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), Method: "assume-role"}

func start(t *testing.T, protocol string, source func(context.Context) (creds.Credentials, error)) (*Server, []string) {
	t.Helper()
	s, err := New(protocol, creds.Func(source, "test"))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var audit []string
	s.Audit = func(l string) { mu.Lock(); audit = append(audit, l); mu.Unlock() }
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Serve(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, l := range audit {
			if strings.Contains(l, "served-secret") || strings.Contains(l, "served-token") || strings.Contains(l, s.Token) {
				t.Errorf("audit line leaks a secret: %s", l)
			}
		}
	})
	return s, audit
}

func static(context.Context) (creds.Credentials, error) { return testCreds, nil }

func do(t *testing.T, method, url string, h map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range h {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestContainerProtocolWithAWSSDK: aws-sdk-go-v2's container credentials
// client gets the keys with the token, and nothing without it.
func TestContainerProtocolWithAWSSDK(t *testing.T) {
	s, _ := start(t, Container, static)
	p := endpointcreds.New(s.URL(), func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token })
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != testCreds.AccessKeyID || c.SessionToken != "served-token" || !c.Expires.Equal(testCreds.Expires) {
		t.Fatalf("got %+v, %v", c, err)
	}
	bad := endpointcreds.New(s.URL(), func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token + "x" })
	if _, err := bad.Retrieve(context.Background()); err == nil {
		t.Fatal("a wrong token got credentials")
	}
}

// TestIMDSProtocolWithAWSSDK: aws-sdk-go-v2's instance-role client (IMDSv2)
// gets the keys.
func TestIMDSProtocolWithAWSSDK(t *testing.T) {
	s, _ := start(t, IMDS, static)
	p := ec2rolecreds.New(func(o *ec2rolecreds.Options) {
		o.Client = imds.New(imds.Options{Endpoint: strings.TrimSuffix(s.URL(), "/")})
	})
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != testCreds.AccessKeyID {
		t.Fatalf("got %+v, %v", c, err)
	}
}

func TestRefusals(t *testing.T) {
	s, _ := start(t, Container, static)
	url := s.URL()
	auth := map[string]string{"Authorization": s.Token}
	with := func(k, v string) map[string]string {
		m := map[string]string{"Authorization": s.Token}
		m[k] = v
		return m
	}
	for name, tc := range map[string]struct {
		method string
		url    string
		h      map[string]string
		want   int
	}{
		"ok":             {"GET", url, auth, 200},
		"no_token":       {"GET", url, nil, 401},
		"wrong_token":    {"GET", url, map[string]string{"Authorization": strings.Repeat("0", 64)}, 401},
		"dns_rebinding":  {"GET", url, with("Host", "evil.example:80"), 403},
		"browser_origin": {"GET", url, with("Origin", "https://evil.example"), 403},
		"browser_fetch":  {"GET", url, with("Sec-Fetch-Site", "cross-site"), 403},
		"wrong_method":   {"POST", url, auth, 405},
		"wrong_path":     {"GET", strings.TrimSuffix(url, ContainerPath) + "/latest/meta-data/", auth, 404},
	} {
		t.Run(name, func(t *testing.T) {
			got, body := do(t, tc.method, tc.url, tc.h)
			if got != tc.want {
				t.Fatalf("status %d, want %d (%s)", got, tc.want, body)
			}
			if got != 200 && strings.Contains(body, "served-secret") {
				t.Fatalf("refusal leaks a secret: %s", body)
			}
		})
	}
}

func TestIMDSRefusals(t *testing.T) {
	s, _ := start(t, IMDS, static)
	base := strings.TrimSuffix(s.URL(), "/")
	roleURL := base + imdsRolePath + RoleName
	if got, _ := do(t, "GET", roleURL, nil); got != 401 {
		t.Errorf("IMDSv1 request: %d, want 401", got)
	}
	if got, _ := do(t, "GET", roleURL, map[string]string{"X-Aws-Ec2-Metadata-Token": "0000000000000000.forged"}); got != 401 {
		t.Errorf("forged token: %d, want 401", got)
	}
	if got, _ := do(t, "PUT", base+imdsTokenPath, map[string]string{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": "60", "X-Forwarded-For": "10.0.0.1"}); got != 403 {
		t.Errorf("forwarded token request: %d, want 403", got)
	}
	if got, _ := do(t, "PUT", base+imdsTokenPath, nil); got != 400 {
		t.Errorf("token request without TTL: %d, want 400", got)
	}
	got, tok := do(t, "PUT", base+imdsTokenPath, map[string]string{"X-Aws-Ec2-Metadata-Token-Ttl-Seconds": "60"})
	if got != 200 {
		t.Fatalf("token: %d", got)
	}
	if got, body := do(t, "GET", roleURL, map[string]string{"X-Aws-Ec2-Metadata-Token": tok}); got != 200 || !strings.Contains(body, `"Code":"Success"`) {
		t.Fatalf("credentials: %d %s", got, body)
	}
	s.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	if got, _ := do(t, "GET", roleURL, map[string]string{"X-Aws-Ec2-Metadata-Token": tok}); got != 401 {
		t.Errorf("expired token: %d, want 401", got)
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	s, _ := New(Container, creds.Func(static, "test"))
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "[::]:0"} {
		if err := s.Listen(addr); err == nil {
			t.Errorf("listened on %s", addr)
		}
	}
}

// TestUpstreamFailure is answered with the protocol's error shape.
func TestUpstreamFailure(t *testing.T) {
	s, _ := start(t, Container, func(context.Context) (creds.Credentials, error) {
		return creds.Credentials{}, creds.Errorf("ClientError", "profile \"p\": assume role R: AccessDenied")
	})
	got, body := do(t, "GET", s.URL(), map[string]string{"Authorization": s.Token})
	if got != 502 || !strings.Contains(body, `"code":"ClientError"`) {
		t.Fatalf("%d %s", got, body)
	}
}

// TestOneUpstreamCallAtExpiry: 1,000 concurrent requests arriving in the
// refresh window cause one upstream fetch.
func TestOneUpstreamCallAtExpiry(t *testing.T) {
	var calls atomic.Int32
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var clock atomic.Pointer[time.Time]
	clock.Store(&now)
	upstream := creds.Credentials{AccessKeyID: "ASIA1", SecretAccessKey: "s", SessionToken: "t", Expires: now.Add(time.Hour)}
	p := providerFunc(func(context.Context) (creds.Credentials, error) {
		n := calls.Add(1)
		c := upstream
		c.AccessKeyID = fmt.Sprintf("ASIA%d", n)
		c.Expires = clock.Load().Add(time.Hour)
		return c, nil
	})
	r := &creds.Refreshing{Provider: p, Now: func() time.Time { return *clock.Load() }}
	s, _ := start(t, Container, r.Retrieve)
	if got, _ := do(t, "GET", s.URL(), map[string]string{"Authorization": s.Token}); got != 200 || calls.Load() != 1 {
		t.Fatalf("first: %d, %d calls", got, calls.Load())
	}
	later := now.Add(50 * time.Minute) // 10 minutes left: mandatory refresh
	clock.Store(&later)
	var wg sync.WaitGroup
	var failed atomic.Int32
	transport := &http.Transport{MaxIdleConnsPerHost: 100}
	client := &http.Client{Transport: transport}
	sem := make(chan struct{}, 100)
	for i := 0; i < 1000; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			req, _ := http.NewRequest("GET", s.URL(), nil)
			req.Header.Set("Authorization", s.Token)
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != 200 {
				failed.Add(1)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(b), "ASIA2") {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 2 || failed.Load() != 0 {
		t.Fatalf("%d upstream calls (want 2), %d failed requests", calls.Load(), failed.Load())
	}
}

// TestSlowClientDoesNotBlockOthers: a client that sends half a request and
// never finishes is cut off by the header timeout; others are served.
func TestSlowClientDoesNotBlockOthers(t *testing.T) {
	s, _ := start(t, Container, static)
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n", ContainerPath, s.Addr())
	if got, _ := do(t, "GET", s.URL(), map[string]string{"Authorization": s.Token}); got != 200 {
		t.Fatalf("status %d", got)
	}
	// Oversized headers are refused.
	if got, _ := do(t, "GET", s.URL(), map[string]string{"Authorization": s.Token, "X-Big": strings.Repeat("a", 64<<10)}); got != 431 {
		t.Errorf("huge header: %d, want 431", got)
	}
}

type providerFunc func(context.Context) (creds.Credentials, error)

func (f providerFunc) Method() string { return "test" }
func (f providerFunc) Retrieve(ctx context.Context) (creds.Credentials, error) {
	return f(ctx)
}

// TestStalledConnectionsAreClosed: a client that sends half a request and
// stops (slowloris), and an idle keep-alive connection, are closed after the
// connection timeout; one that keeps sending requests is not.
func TestStalledConnectionsAreClosed(t *testing.T) {
	s, err := New(Container, creds.Func(static, "test"))
	if err != nil {
		t.Fatal(err)
	}
	s.ConnTimeout = 600 * time.Millisecond
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx)
	half, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer half.Close()
	fmt.Fprintf(half, "GET /credentials HTTP/1.1\r\nHost: %s\r\n", s.Addr()) // and never the end
	busy, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	br := bufio.NewReader(busy)
	for i := 0; i < 15; i++ { // 1.5 s of requests, 100 ms apart
		fmt.Fprintf(busy, "GET /credentials HTTP/1.1\r\nHost: %s\r\nAuthorization: %s\r\n\r\n", s.Addr(), s.Token)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on a busy connection: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		time.Sleep(100 * time.Millisecond)
	}
	half.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := half.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the stalled connection: %v, want it closed (EOF)", err)
	}
	busy.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := busy.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the idle connection: %v, want it closed (EOF)", err)
	}
}

// TestEveryProtocolHasAHandler: New accepts exactly the protocols served.
func TestEveryProtocolHasAHandler(t *testing.T) {
	for _, p := range []string{Container, IMDS} {
		if _, err := New(p, creds.Func(static, "test")); err != nil {
			t.Errorf("New(%s): %v", p, err)
		}
	}
	if _, err := New("smtp", creds.Func(static, "test")); err == nil {
		t.Error("New accepted an unknown protocol")
	}
}
