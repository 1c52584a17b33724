// Package netcatch proves that a test suite reaches nothing outside the
// machine. In a network namespace of the suite's own where every IPv4
// address is local (`ip route add local 0.0.0.0/0 dev lo`), it answers DNS
// on port 53 with NXDOMAIN and accepts connections on ports 80 and 443,
// recording each: a lookup of a real name, or a connection to an address
// that is not loopback, is a process trying to leave. Connections to the
// addresses a suite serves itself (169.254.170.2, the container endpoint)
// go to their handlers.
package netcatch

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Catcher records attempts to leave the machine.
type Catcher struct {
	mu       sync.Mutex
	attempts []string
	during   string
	closers  []func() error
	served   map[string]http.Handler
}

// Start listens on :53 (UDP and TCP), :80 and :443.
func Start() (*Catcher, error) {
	c := &Catcher{served: map[string]http.Handler{}}
	udp, err := net.ListenPacket("udp", ":53")
	if err != nil {
		return nil, fmt.Errorf("netcatch: %w", err)
	}
	c.closers = append(c.closers, udp.Close)
	go c.dns(udp)
	for _, port := range []string{":53", ":443"} {
		l, err := net.Listen("tcp", port)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("netcatch: %w", err)
		}
		c.closers = append(c.closers, l.Close)
		go c.accept(l)
	}
	l, err := net.Listen("tcp", ":80")
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("netcatch: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(c.http), ReadHeaderTimeout: 5 * time.Second}
	c.closers = append(c.closers, srv.Close)
	go srv.Serve(l)
	return c, nil
}

// Serve makes h the handler of port 80 at the local address ip (as
// "169.254.170.2"), an address the suite serves itself.
func (c *Catcher) Serve(ip string, h http.Handler) {
	c.mu.Lock()
	c.served[ip] = h
	c.mu.Unlock()
}

// During names what runs now (a scenario), for the record.
func (c *Catcher) During(what string) {
	c.mu.Lock()
	c.during = what
	c.mu.Unlock()
}

func (c *Catcher) record(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	what := fmt.Sprintf(format, args...)
	if c.during != "" {
		what += " (during " + c.during + ")"
	}
	c.attempts = append(c.attempts, what)
}

// Attempts returns what was recorded so far.
func (c *Catcher) Attempts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.attempts...)
}

// Close stops the listeners.
func (c *Catcher) Close() {
	for _, f := range c.closers {
		_ = f()
	}
}

// dns answers every query NXDOMAIN at once (so that a lookup fails fast)
// and records the name asked for.
func (c *Catcher) dns(pc net.PacketConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if n < 12 {
			continue
		}
		c.record("DNS lookup of %s", qname(buf[12:n]))
		resp := append([]byte(nil), buf[:n]...)
		resp[2] |= 0x80                       // a response
		resp[3] = (resp[3] & 0x70) | 0x80 | 3 // recursion available, NXDOMAIN
		_, _ = pc.WriteTo(resp, from)
	}
}

// qname reads the first question's name.
func qname(b []byte) string {
	var labels []string
	for len(b) > 0 && b[0] != 0 && int(b[0]) < len(b) {
		labels = append(labels, string(b[1:1+b[0]]))
		b = b[1+b[0]:]
	}
	return strings.Join(labels, ".")
}

func (c *Catcher) accept(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		c.record("connection to %s", conn.LocalAddr())
		conn.Close()
	}
}

// http serves the suite's own addresses and records the others.
func (c *Catcher) http(w http.ResponseWriter, r *http.Request) {
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	host := ""
	if local != nil {
		host, _, _ = net.SplitHostPort(local.String())
	}
	c.mu.Lock()
	h, ok := c.served[host]
	c.mu.Unlock()
	if ok {
		h.ServeHTTP(w, r)
		return
	}
	c.record("HTTP %s http://%s%s to %s", r.Method, r.Host, r.URL.Path, local)
	http.Error(w, "this suite's network namespace reaches nothing", http.StatusBadGateway)
}
