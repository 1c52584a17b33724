// Package bridge carries the container credentials endpoint from inside a
// container's network namespace (its own loopback) to a credchain server
// on a unix socket the container was given: it listens on loopback and
// forwards each request to the socket with the Host the server expects.
// The token is the client's to send (it reads the mounted token file); the
// server's checks (token, browsers, routes) apply to every request.
package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/credchain/credchain/server"
)

// Bridge is a running bridge.
type Bridge struct {
	Socket string
	// Server, when set instead of Socket, is the host server reached over
	// TCP (Docker Desktop's VM: http://host.docker.internal:PORT), and
	// ServerHost the Host it expects (its own 127.0.0.1:PORT).
	Server     *url.URL
	ServerHost string
	ln         net.Listener
	addr       string
}

// ListenTCP is Listen for a host server reached over TCP at serverURL
// (where a socket cannot cross into the container); hostHeader is the
// server's own address, which it checks.
func ListenTCP(serverURL, hostHeader, addr string, ln net.Listener) (*Bridge, error) {
	u, err := url.Parse(serverURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("--server %q: want http://HOST:PORT of the host's credchain serve (host.docker.internal on Docker Desktop)", serverURL)
	}
	if hostHeader == "" {
		_, port, _ := net.SplitHostPort(u.Host)
		hostHeader = "127.0.0.1:" + port
	}
	c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		return nil, fmt.Errorf("no credchain server at %s (%v): on the host, credchain serve PROFILE --listen 127.0.0.1:PORT", u.Host, err)
	}
	c.Close()
	b, err := listen(addr, ln)
	if err != nil {
		return nil, err
	}
	b.Server, b.ServerHost = u, hostHeader
	return b, nil
}

// listen binds the bridge's own loopback address (or takes ln).
func listen(addr string, ln net.Listener) (*Bridge, error) {
	if ln == nil {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("--listen %q: %w", addr, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("--listen %q is not a loopback address: the bridge serves the container's own processes only", addr)
		}
		if ln, err = net.Listen("tcp", addr); err != nil {
			return nil, err
		}
	}
	return &Bridge{ln: ln, addr: ln.Addr().String()}, nil
}

// Listen checks that the server's socket is there and listens on addr (a
// loopback address) or, when ln is given, on it (a listener handed over
// by a parent process).
func Listen(socket, addr string, ln net.Listener) (*Bridge, error) {
	c, err := net.DialTimeout("unix", socket, 2*time.Second)
	if err != nil {
		return nil, fmt.Errorf("no credchain server on %s (%v): start one on the host with credchain serve PROFILE --socket %s, and give the container its folder", socket, err, socket)
	}
	c.Close()
	b, err := listen(addr, ln)
	if err != nil {
		return nil, err
	}
	b.Socket = socket
	return b, nil
}

// Addr is the address listened on.
func (b *Bridge) Addr() string { return b.addr }

// Listener is the listener (to hand to a detached child).
func (b *Bridge) Listener() net.Listener { return b.ln }

// URL is the container endpoint the bridge offers for route (the server's
// default route, or server.ProfilePath+NAME).
func (b *Bridge) URL(route string) string { return "http://" + b.addr + route }

// Handler forwards requests whose Host is the bridge's own (DNS rebinding
// stops here too) to the socket.
func (b *Bridge) Handler() http.Handler {
	transport := &http.Transport{ResponseHeaderTimeout: time.Minute, Proxy: nil}
	host, target := server.SocketHost, server.SocketHost
	if b.Server != nil {
		host, target = b.ServerHost, b.Server.Host
	} else {
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", b.Socket)
		}
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL = &url.URL{Scheme: "http", Host: target, Path: r.In.URL.Path, RawQuery: r.In.URL.RawQuery}
			r.Out.Host = host
		},
		Transport: transport,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, `{"code":"BridgeError","message":%q}`, "the host's credchain server does not answer: "+err.Error())
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, port, _ := net.SplitHostPort(b.addr)
		if r.Host != b.addr && r.Host != "localhost:"+port {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"code":"InvalidHost","message":"the Host header must be the bridge's address (DNS rebinding protection)"}`)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1024)
		proxy.ServeHTTP(w, r)
	})
}

// Serve serves until ctx is done.
func (b *Bridge) Serve(ctx context.Context) error {
	srv := &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(b.ln) }()
	select {
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}
