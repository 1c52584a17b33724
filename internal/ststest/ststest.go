// Package ststest is an STS test server for credchain's tests: it answers
// AssumeRole and AssumeRoleWithWebIdentity with credentials derived from the
// request (so two clients making the same call get the same keys), records
// every call with the key that signed it, and refuses roles whose ARN
// contains "denied" with AccessDenied. Roles name failure modes:
// GetSessionToken answers with an MFA session derived from the signer and
// the code. "throttleN" answers the first N calls of a scenario with 400 Throttling,
// "e500xN" and "e503xN" with that status, "exc-CODE-" always with the error
// CODE (a modeled exception such as ExpiredTokenException, or any other).
package ststest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Call is one request the server received.
type Call struct {
	// Scope is the first path segment of the request ("" for "/"), so one
	// server can tell scenarios apart by their endpoint URLs.
	Scope string
	// Params are the query parameters (Action, RoleArn, RoleSessionName, ...).
	Params map[string]string
	// Signer is the access key id of the Authorization header, "" when the
	// request is unsigned.
	Signer string
	// At is when the request arrived (short-lived roles expire 11 minutes
	// after it).
	At time.Time
}

// Server is a running test STS.
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	calls  []Call
	shortN map[string]int // calls per scenario and short-lived role
	tries  map[string]int
	held   chan struct{} // while not nil, requests wait until it is closed
}

// Hold makes every request wait until release is called (or the request
// ends): a refresh that hangs, for as long as a test needs.
func (s *Server) Hold() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.held = ch
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			s.held = nil
			s.mu.Unlock()
			close(ch)
		})
	}
}

var failRe = regexp.MustCompile(`(throttle|e500x|e503x)(\d+)`)

var slowRe = regexp.MustCompile(`slow(\d+)ms`)

// failure is the error a role's name asks for on this call, if any.
func (s *Server) failure(scope, role string) (status int, code string) {
	if i := strings.Index(role, "exc-"); i >= 0 {
		code, _, _ = strings.Cut(role[i+4:], "-")
		return http.StatusBadRequest, code
	}
	m := failRe.FindStringSubmatch(role)
	if m == nil {
		return 0, ""
	}
	s.mu.Lock()
	if s.tries == nil {
		s.tries = map[string]int{}
	}
	key := scope + "|" + role
	s.tries[key]++
	n := s.tries[key]
	s.mu.Unlock()
	if limit, _ := strconv.Atoi(m[2]); n > limit {
		return 0, ""
	}
	switch m[1] {
	case "throttle":
		return http.StatusBadRequest, "Throttling"
	case "e500x":
		return http.StatusInternalServerError, "InternalFailure"
	}
	return http.StatusServiceUnavailable, "ServiceUnavailable"
}

// ResetFailures makes every failure mode start again (a second client runs
// the same scenarios).
func (s *Server) ResetFailures() {
	s.mu.Lock()
	s.tries, s.shortN = nil, nil
	s.mu.Unlock()
}

// Expiration is the expiry of every credential the server issues.
const Expiration = "2099-01-01T00:00:00Z"

var credRe = regexp.MustCompile(`Credential=([^/]+)/`)

// New starts a server on 127.0.0.1; the caller closes it.
func New() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// CallsFor returns the calls received so far for scope and forgets them,
// leaving the other scopes' (scenarios run in parallel).
func (s *Server) CallsFor(scope string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var mine, rest []Call
	for _, c := range s.calls {
		if c.Scope == scope {
			mine = append(mine, c)
		} else {
			rest = append(rest, c)
		}
	}
	s.calls = rest
	return mine
}

// ResetScope makes scope's failure modes and short-lived keys start again
// (a second client runs the same scenario).
func (s *Server) ResetScope(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.tries {
		if strings.HasPrefix(k, scope+"|") {
			delete(s.tries, k)
		}
	}
	for k := range s.shortN {
		if strings.HasPrefix(k, scope+"|") {
			delete(s.shortN, k)
		}
	}
}

// Calls returns the calls received so far and forgets them.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls
	s.calls = nil
	return c
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	c := Call{Scope: strings.SplitN(strings.Trim(r.URL.Path, "/"), "/", 2)[0], Params: map[string]string{}, At: time.Now()}
	for k, v := range r.PostForm {
		c.Params[k] = v[0]
	}
	if m := credRe.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		c.Signer = m[1]
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()

	s.mu.Lock()
	held := s.held
	s.mu.Unlock()
	if held != nil {
		select {
		case <-held:
		case <-r.Context().Done():
			return
		}
	}
	action, role := c.Params["Action"], c.Params["RoleArn"]
	// A role whose ARN contains "slowNms" is answered after N milliseconds.
	if m := slowRe.FindStringSubmatch(role); m != nil {
		ms, _ := strconv.Atoi(m[1])
		select {
		case <-time.After(time.Duration(ms) * time.Millisecond):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "text/xml")
	if status, code := s.failure(c.Scope, role); status != 0 {
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>test failure</Message></Error><RequestId>r</RequestId></ErrorResponse>`, code)
		return
	}
	if strings.Contains(role, "nosrcid") && c.Params["SourceIdentity"] != "" {
		// A role whose trust policy does not allow sts:SetSourceIdentity
		// (or whose caller already carries another source identity).
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: %s is not authorized to perform: sts:SetSourceIdentity on resource: %s</Message></Error><RequestId>r</RequestId></ErrorResponse>`, c.Signer, role)
		return
	}
	if strings.Contains(role, "denied") {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: %s is not authorized to perform: sts:AssumeRole on resource: %s</Message></Error><RequestId>r</RequestId></ErrorResponse>`, c.Signer, role)
		return
	}
	if action == "GetFederationToken" {
		d, err := strconv.Atoi(c.Params["DurationSeconds"])
		if err != nil {
			d = 43200
		}
		sum := sha1.Sum([]byte(action + "|" + c.Signer + "|" + c.Params["Name"]))
		h := strings.ToUpper(hex.EncodeToString(sum[:]))
		fmt.Fprintf(w, `<GetFederationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetFederationTokenResult>
<Credentials><AccessKeyId>ASIA%s</AccessKeyId><SecretAccessKey>secret%s</SecretAccessKey><SessionToken>token%s</SessionToken><Expiration>%s</Expiration></Credentials>
<FederatedUser><Arn>arn:aws:sts::123456789012:federated-user/%s</Arn><FederatedUserId>123456789012:%s</FederatedUserId></FederatedUser><PackedPolicySize>6</PackedPolicySize>
</GetFederationTokenResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetFederationTokenResponse>`,
			h[:16], h[16:36], h, time.Now().UTC().Add(time.Duration(d)*time.Second).Format("2006-01-02T15:04:05Z"), c.Params["Name"], c.Params["Name"])
		return
	}
	if action == "GetCallerIdentity" {
		// The signer as an IAM user named after its key id.
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/%s</Arn><UserId>AIDA%s</UserId><Account>123456789012</Account>
</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, strings.ToLower(c.Signer), c.Signer)
		return
	}
	if action == "GetSessionToken" {
		// An MFA session: keys derived from the signer and the code,
		// lasting DurationSeconds.
		d, err := strconv.Atoi(c.Params["DurationSeconds"])
		if err != nil {
			d = 43200
		}
		sum := sha1.Sum([]byte(action + "|" + c.Signer + "|" + c.Params["TokenCode"]))
		h := strings.ToUpper(hex.EncodeToString(sum[:]))
		fmt.Fprintf(w, `<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult>
<Credentials><AccessKeyId>ASIA%s</AccessKeyId><SecretAccessKey>secret%s</SecretAccessKey><SessionToken>token%s</SessionToken><Expiration>%s</Expiration></Credentials>
</GetSessionTokenResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetSessionTokenResponse>`,
			h[:16], h[16:36], h, time.Now().UTC().Add(time.Duration(d)*time.Second).Format("2006-01-02T15:04:05Z"))
		return
	}
	// A role whose ARN contains "short" gets credentials that expire in
	// 11 minutes, different on every call, so clients must refresh them.
	expiration, salt := Expiration, ""
	if strings.Contains(role, "short") {
		// Numbered per scenario and role, so that two clients running the
		// same scenario (after ResetFailures) get the same keys.
		s.mu.Lock()
		if s.shortN == nil {
			s.shortN = map[string]int{}
		}
		s.shortN[c.Scope+"|"+role]++
		salt = fmt.Sprint(s.shortN[c.Scope+"|"+role])
		s.mu.Unlock()
		expiration = time.Now().UTC().Add(11 * time.Minute).Format("2006-01-02T15:04:05Z")
	}
	sum := sha1.Sum([]byte(action + "|" + role + "|" + c.Signer + "|" + c.Params["WebIdentityToken"] + salt))
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	account := "123456789012"
	if parts := strings.Split(role, ":"); len(parts) > 4 && parts[4] != "" {
		account = parts[4]
	}
	roleName := role[strings.LastIndex(role, "/")+1:]
	arn := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, roleName, c.Params["RoleSessionName"])
	extra := ""
	if action == "AssumeRoleWithWebIdentity" {
		extra = "<SubjectFromWebIdentityToken>subject</SubjectFromWebIdentityToken><Audience>aud</Audience><Provider>test</Provider>"
	}
	fmt.Fprintf(w, `<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%sResult>
<Credentials><AccessKeyId>ASIA%s</AccessKeyId><SecretAccessKey>secret%s</SecretAccessKey><SessionToken>token%s</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA%s:%s</AssumedRoleId><Arn>%s</Arn></AssumedRoleUser>%s
</%sResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></%sResponse>`,
		action, action, h[:16], h[16:36], h, expiration, h[:12], c.Params["RoleSessionName"], arn, extra, action, action)
}
