// Package server serves credentials to local processes over the container
// credentials protocol (AWS_CONTAINER_CREDENTIALS_FULL_URI with
// AWS_CONTAINER_AUTHORIZATION_TOKEN) or an IMDSv2-compatible protocol
// (AWS_EC2_METADATA_SERVICE_ENDPOINT), hardened where aws-vault's server was
// not:
//
//   - it listens on loopback only;
//   - the container protocol needs a random 256-bit token, compared in
//     constant time;
//   - a request whose Host is not the listening address is refused (DNS
//     rebinding), and so is one with browser headers (Origin, Sec-Fetch-*,
//     Referer), so web pages cannot read credentials;
//   - the IMDS protocol requires a session token (PUT /latest/api/token,
//     refused with X-Forwarded-For like the real service); IMDSv1 is refused;
//   - requests and headers are bounded, connections have timeouts, and each
//     request is audited with the masked access key id, never a secret.
package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/credchain/credchain/creds"
)

// ErrSessionOver is wrapped by a Source's error when the session it serves
// has ended (an agent's maximum session): the answer is 403 SessionExpired
// in the protocol's error shape, not a failure to retry.
var ErrSessionOver = errors.New("the credential session has ended")

// Protocols.
const (
	Container = "container"
	IMDS      = "imds"
)

// Paths served.
const (
	ContainerPath = "/credentials"
	imdsTokenPath = "/latest/api/token"
	imdsRolePath  = "/latest/meta-data/iam/security-credentials/"
	// RoleName is the role name the IMDS protocol reports.
	RoleName = "credchain"
)

// Server serves the credentials Provider returns. Provider is called for
// every request: give it a cache that refreshes ahead of expiry
// (creds.Background, or a credchain Session). Every request passes the
// shared checks (Host, browsers) before its protocol's handler.
type Server struct {
	Provider creds.Provider
	Protocol string
	// Token authorizes container-protocol requests; New makes a random one.
	Token string
	// Audit receives one line per request, its fields escaped; nil discards
	// them. It is called on the request's goroutine: it must not block
	// (AuditLog.Line does not).
	Audit func(line string)
	Now   func() time.Time
	// Profiles are served at ProfilePath+NAME (container protocol) beside
	// Provider's ContainerPath: serve --allow P1,P2.
	Profiles map[string]creds.Provider
	// ConnTimeout closes a connection on which no request has reached the
	// handler for that long (slow or idle clients); DefaultConnTimeout
	// when zero.
	ConnTimeout time.Duration

	cached atomic.Pointer[rendered]
	stamp  atomic.Pointer[second] // the audit log's time, formatted
	addr   string                 // host:port the server listens on, for the Host check
	socket string                 // the unix socket's path, when it listens on one
	secret []byte                 // signs IMDS session tokens
	http   *http.Server
	ln     net.Listener
}

// protocol serves one protocol's routes, after the shared checks; it
// returns the status and the masked key served ("-" for none).
type protocol func(s *Server, w http.ResponseWriter, r *http.Request) (int, string)

// protocols are the protocols served, by name.
var protocols = map[string]protocol{Container: (*Server).serveContainer, IMDS: (*Server).serveIMDS}

// New returns a server for protocol with a fresh random token.
func New(protocol string, p creds.Provider) (*Server, error) {
	if _, ok := protocols[protocol]; !ok {
		return nil, fmt.Errorf("unknown protocol %q (container or imds)", protocol)
	}
	tok := make([]byte, 32)
	secret := make([]byte, 32)
	if _, err := rand.Read(tok); err != nil {
		return nil, err
	}
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	return &Server{Provider: p, Protocol: protocol, Token: hex.EncodeToString(tok), secret: secret}, nil
}

// Listen binds addr, which must be a loopback address ("127.0.0.1:0" picks a
// port). A non-loopback address is refused.
func (s *Server) Listen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("listen address %q is not a loopback address: credchain serves credentials to this machine only (use 127.0.0.1 or [::1])", addr)
	}
	if host == "localhost" {
		addr = net.JoinHostPort("127.0.0.1", addr[strings.LastIndex(addr, ":")+1:])
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	s.ln, s.addr = ln, ln.Addr().String()
	return nil
}

// Addr is the address listened on ("127.0.0.1:PORT").
func (s *Server) Addr() string { return s.addr }

// Socket is the unix socket's path ("" on TCP).
func (s *Server) Socket() string { return s.socket }

// URL is what clients point at: the container endpoint, or the IMDS base;
// "unix:PATH" on a socket (Probe takes it).
func (s *Server) URL() string {
	if s.socket != "" {
		return "unix:" + s.socket
	}
	if s.Protocol == IMDS {
		return "http://" + s.addr + "/"
	}
	return "http://" + s.addr + ContainerPath
}

// Serve serves until ctx is done, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		return errors.New("server: Listen first")
	}
	// Connections are timed out by the reaper, not net/http's per-request
	// deadlines, which cost a tenth of the throughput.
	r := &reaper{conns: map[*trackedConn]struct{}{}}
	s.http = &http.Server{Handler: s.Handler(), MaxHeaderBytes: 16 << 10,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if t, ok := c.(*trackedConn); ok {
				return context.WithValue(ctx, connKey{}, t)
			}
			return ctx
		}}
	sweepCtx, stopSweep := context.WithCancel(context.Background())
	defer stopSweep()
	timeout := s.ConnTimeout
	if timeout <= 0 {
		timeout = DefaultConnTimeout
	}
	go r.sweep(sweepCtx, timeout)
	done := make(chan error, 1)
	go func() { done <- s.http.Serve(trackedListener{s.ln, r}) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.http.Shutdown(shut)
		return nil
	}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// browserHeaders are sent by browsers and never by SDKs.
var browserHeaders = []string{"Origin", "Referer", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest"}

// Handler is the HTTP handler, with every check in front.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := s.now()
		if c := connOf(r.Context()); c != nil {
			c.served(now)
		}
		status, key := s.serve(w, r)
		if s.Audit != nil {
			s.Audit(s.auditLine(now, r, status, key))
		}
	})
}

// auditLine is "TIME METHOD PATH STATUS key=MASKED", built without fmt;
// the time is formatted once a second.
func (s *Server) auditLine(now time.Time, r *http.Request, status int, key string) string {
	stamp := s.stamp.Load()
	if stamp == nil || stamp.sec != now.Unix() {
		stamp = &second{sec: now.Unix(), text: now.UTC().Format(time.RFC3339)}
		s.stamp.Store(stamp)
	}
	method, path := auditField(r.Method), auditField(r.URL.Path)
	var b strings.Builder
	b.Grow(len(stamp.text) + len(method) + len(path) + len(key) + 16)
	b.WriteString(stamp.text)
	b.WriteByte(' ')
	b.WriteString(method)
	b.WriteByte(' ')
	b.WriteString(path)
	b.WriteByte(' ')
	var num [3]byte
	b.Write(strconv.AppendInt(num[:0], int64(status), 10))
	b.WriteString(" key=")
	b.WriteString(key)
	return b.String()
}

// second is a time formatted for the audit log.
type second struct {
	sec  int64
	text string
}

// Shared values of the two headers of a credentials answer (net/http only
// reads them).
var (
	jsonType = []string{"application/json"}
	noStore  = []string{"no-store"}
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) (int, string) {
	if r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, 1024)
	}
	if s.addr != "" && r.Host != s.addr {
		return refuse(w, http.StatusForbidden, "InvalidHost", "the Host header must be the server's address (DNS rebinding protection)"), "-"
	}
	for _, h := range browserHeaders {
		// The names are canonical: the map is read without Get's
		// canonicalization.
		if v := r.Header[h]; len(v) > 0 && v[0] != "" {
			return refuse(w, http.StatusForbidden, "BrowserRequest", "requests from web browsers are refused"), "-"
		}
	}
	serve, ok := protocols[s.Protocol]
	if !ok {
		return refuse(w, http.StatusNotFound, "NotFound", "no such protocol"), "-"
	}
	return serve(s, w, r)
}

// ProfilePath is the prefix of the named profiles' routes.
const ProfilePath = "/creds/"

// serveContainer is the container credentials protocol: GET ContainerPath
// (or ProfilePath+NAME of an allowed profile) with the token.
func (s *Server) serveContainer(w http.ResponseWriter, r *http.Request) (int, string) {
	p := s.Provider
	if name, ok := strings.CutPrefix(r.URL.Path, ProfilePath); ok && s.Profiles != nil {
		if p, ok = s.Profiles[name]; !ok {
			return refuse(w, http.StatusNotFound, "NotFound", "no such profile here (serve --allow names the profiles served)"), "-"
		}
	} else if r.URL.Path != ContainerPath || p == nil {
		return refuse(w, http.StatusNotFound, "NotFound", "no such path"), "-"
	}
	if r.Method != http.MethodGet {
		return refuse(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET"), "-"
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(s.Token)) != 1 {
		return refuse(w, http.StatusUnauthorized, "Unauthorized", "a valid AWS_CONTAINER_AUTHORIZATION_TOKEN is required"), "-"
	}
	c, err := p.Retrieve(r.Context())
	if errors.Is(err, ErrSessionOver) {
		return refuse(w, http.StatusForbidden, "SessionExpired", err.Error()), "-"
	}
	if err != nil {
		// The container protocol's error shape; the message names the
		// failure but holds no secret (credchain errors never do).
		return refuse(w, http.StatusBadGateway, creds.KindOf(err), err.Error()), "-"
	}
	body, masked := s.containerBody(c)
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = jsonType, noStore
	_, _ = w.Write(body)
	return http.StatusOK, masked
}

// rendered is the container response for one set of credentials, encoded
// once and reused while the credentials stay the same.
type rendered struct {
	c      creds.Credentials
	exp    time.Time // when a rendering of long-term keys goes stale
	body   []byte
	masked string
}

func (s *Server) containerBody(c creds.Credentials) ([]byte, string) {
	now := s.now()
	if r := s.cached.Load(); r != nil && r.c == c && (c.CanExpire() || now.Before(r.exp)) {
		return r.body, r.masked
	}
	doc := map[string]string{"AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey, "Token": c.SessionToken,
		"Expiration": expiration(c, now)}
	if c.AccountID != "" {
		doc["AccountId"] = c.AccountID
	}
	body, _ := json.Marshal(doc)
	r := &rendered{c: c, exp: now.Add(30 * time.Minute), body: body, masked: creds.MaskKey(c.AccessKeyID)}
	s.cached.Store(r)
	return r.body, r.masked
}

// expiration: the container and IMDS protocols require one; long-term keys
// are reported valid for an hour and served again after that.
func expiration(c creds.Credentials, now time.Time) string {
	exp := c.Expires
	if !c.CanExpire() {
		exp = now.Add(time.Hour)
	}
	return exp.UTC().Format("2006-01-02T15:04:05Z")
}

func (s *Server) serveIMDS(w http.ResponseWriter, r *http.Request) (int, string) {
	switch {
	case r.URL.Path == imdsTokenPath:
		if r.Method != http.MethodPut {
			return refuse(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use PUT"), "-"
		}
		if r.Header.Get("X-Forwarded-For") != "" {
			return refuse(w, http.StatusForbidden, "Forbidden", "forwarded requests are refused"), "-"
		}
		ttl, err := strconv.Atoi(r.Header.Get("X-Aws-Ec2-Metadata-Token-Ttl-Seconds"))
		if err != nil || ttl < 1 || ttl > 21600 {
			return refuse(w, http.StatusBadRequest, "BadRequest", "X-aws-ec2-metadata-token-ttl-seconds must be 1 to 21600"), "-"
		}
		tok := s.sessionToken(s.now().Add(time.Duration(ttl) * time.Second))
		w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", strconv.Itoa(ttl))
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(tok))
		return http.StatusOK, "-"
	case strings.HasPrefix(r.URL.Path, imdsRolePath):
		if r.Method != http.MethodGet {
			return refuse(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "use GET"), "-"
		}
		if !s.validSessionToken(r.Header.Get("X-Aws-Ec2-Metadata-Token")) {
			// IMDSv1 (no token) is refused.
			return refuse(w, http.StatusUnauthorized, "Unauthorized", "a session token from PUT /latest/api/token is required (IMDSv2)"), "-"
		}
		switch strings.TrimPrefix(r.URL.Path, imdsRolePath) {
		case "":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte(RoleName))
			return http.StatusOK, "-"
		case RoleName:
			c, err := s.Provider.Retrieve(r.Context())
			if errors.Is(err, ErrSessionOver) {
				return refuse(w, http.StatusForbidden, "SessionExpired", err.Error()), "-"
			}
			if err != nil {
				return refuse(w, http.StatusBadGateway, creds.KindOf(err), err.Error()), "-"
			}
			writeJSON(w, http.StatusOK, map[string]string{"Code": "Success", "LastUpdated": s.now().UTC().Format("2006-01-02T15:04:05Z"),
				"Type": "AWS-HMAC", "AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey, "Token": c.SessionToken,
				"Expiration": expiration(c, s.now())})
			return http.StatusOK, creds.MaskKey(c.AccessKeyID)
		}
	}
	return refuse(w, http.StatusNotFound, "NotFound", "no such path"), "-"
}

// sessionToken is "expiry.mac": stateless and unforgeable without the
// server's secret.
func (s *Server) sessionToken(exp time.Time) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(exp.Unix()))
	m := hmac.New(sha256.New, s.secret)
	m.Write(b[:])
	return hex.EncodeToString(b[:]) + "." + hex.EncodeToString(m.Sum(nil))
}

func (s *Server) validSessionToken(tok string) bool {
	expHex, _, ok := strings.Cut(tok, ".")
	if !ok || len(expHex) != 16 {
		return false
	}
	raw, err := hex.DecodeString(expHex)
	if err != nil {
		return false
	}
	exp := time.Unix(int64(binary.BigEndian.Uint64(raw)), 0)
	want := s.sessionToken(exp)
	return subtle.ConstantTimeCompare([]byte(tok), []byte(want)) == 1 && s.now().Before(exp)
}

func refuse(w http.ResponseWriter, status int, code, msg string) int {
	if code == "" {
		code = "Error"
	}
	writeJSON(w, status, map[string]string{"code": code, "message": msg})
	return status
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}
