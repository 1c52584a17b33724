package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/credchain/credchain/creds"
)

// socketClient talks HTTP over the unix socket at path.
func socketClient(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}}
}

// TestSocketServesWithItsChecks: on a unix socket (0600, token in
// PATH.token, 0600) the server answers the token and the socket's Host
// only, refuses browsers, serves the allowed profiles at /creds/NAME and no
// other; a folder others can read is refused.
func TestSocketServesWithItsChecks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix sockets")
	}
	dir := filepath.Join(t.TempDir(), "sock")
	os.Mkdir(dir, 0o755)
	path := filepath.Join(dir, "credchain.sock")
	s, _ := New(Container, creds.Func(static, "test"))
	if err := s.ListenUnix(path); err == nil || !strings.Contains(err.Error(), "has mode 0755: others could reach the credentials; chmod 700") {
		t.Fatalf("a folder others can read: %v", err)
	}
	os.Chmod(dir, 0o700)
	other := testCreds
	other.AccessKeyID = "ASIAOTHER"
	s.Profiles = map[string]creds.Provider{"dev": creds.Func(func(context.Context) (creds.Credentials, error) { return other, nil }, "test")}
	if err := s.ListenUnix(path); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx)
	for name, want := range map[string]os.FileMode{path: 0o600, TokenFile(path): 0o600} {
		if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v", name, fi.Mode(), err)
		}
	}
	tok, _ := os.ReadFile(TokenFile(path))
	client := socketClient(path)
	get := func(route, host, token string, headers ...string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+host+route, nil)
		req.Host = host
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get(ContainerPath, SocketHost, string(tok)); code != 200 || !strings.Contains(body, testCreds.AccessKeyID) {
		t.Errorf("the default route: %d %s", code, body)
	}
	if code, body := get(ProfilePath+"dev", SocketHost, string(tok)); code != 200 || !strings.Contains(body, "ASIAOTHER") {
		t.Errorf("an allowed profile: %d %s", code, body)
	}
	for what, c := range map[string]struct {
		route, host, token string
		headers            []string
		want               int
	}{
		"no token":              {ContainerPath, SocketHost, "", nil, 401},
		"a wrong Host":          {ContainerPath, "evil.example", string(tok), nil, 403},
		"a browser":             {ContainerPath, SocketHost, string(tok), []string{"Origin", "http://evil.example"}, 403},
		"a profile not allowed": {ProfilePath + "prod", SocketHost, string(tok), nil, 404},
		"a role ARN route":      {"/role-arn/arn:aws:iam::1:role/R", SocketHost, string(tok), nil, 404},
	} {
		if code, body := get(c.route, c.host, c.token, c.headers...); code != c.want || strings.Contains(body, "Secret") {
			t.Errorf("%s: %d %s, want %d", what, code, body, c.want)
		}
	}
	// A second server on the same socket is refused; a stale one is replaced.
	s2, _ := New(Container, creds.Func(static, "test"))
	if err := s2.ListenUnix(path); err == nil || !strings.Contains(err.Error(), "is served already") {
		t.Errorf("a socket in use: %v", err)
	}
}
