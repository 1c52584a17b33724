// Package ssotest is a stand-in for the IAM Identity Center portal (the
// "SSO" API: ListAccounts, ListAccountRoles, GetRoleCredentials, Logout)
// and SSO-OIDC (RegisterClient, StartDeviceAuthorization, CreateToken for
// the device code, authorization code with PKCE and refresh token grants,
// and the browser's /authorize step) for credchain's tests. It checks every
// request (bearer token, client credentials, PKCE verifier, redirect URI,
// state) and records the calls.
package ssotest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Account is one account and the roles the signed-in user has in it.
type Account struct {
	ID, Name, Email string
	Roles           []string
}

// Server is a running portal and OIDC service.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	accounts []Account
	// PageSize is the portal's largest page (max_result is honoured below it).
	PageSize int
	tokens   map[string]bool // valid access tokens
	refresh  map[string]bool
	clients  map[string]client
	codes    map[string]authCode
	devices  map[string]int
	calls    []Call
	failFrom int
	// Throttle answers the next N portal calls with TooManyRequestsException.
	Throttle int
	portal   int
	// Deny makes the browser step of the authorization code flows
	// redirect with access_denied.
	Deny bool
	// SignInPrincipal is whom AWS Sign-In (`aws login`) signs in: the
	// "sub" of its id token.
	SignInPrincipal string
	signinCodes     map[string]authCode
}

type client struct {
	secret       string
	redirectURIs []string
	grants       []string
}

type authCode struct {
	clientID, redirectURI, challenge string
}

// Call is one request.
type Call struct {
	Op     string
	Query  url.Values
	Token  string
	Status int
}

// New starts a server for these accounts; token is a valid access token.
func New(accounts []Account, token string) *Server {
	s := &Server{accounts: accounts, PageSize: 20, tokens: map[string]bool{token: true}, refresh: map[string]bool{},
		clients: map[string]client{}, codes: map[string]authCode{}, devices: map[string]int{}, signinCodes: map[string]authCode{},
		SignInPrincipal: "arn:aws:sts::123456789012:assumed-role/Admin/admin"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	return s
}

// Calls returns and forgets the calls so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.calls
	s.calls = nil
	return c
}

// FailFrom makes the portal answer 500 from its nth call on (counting from
// now, 1 is the next call): it goes down mid-listing. 0 brings it back.
func (s *Server) FailFrom(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failFrom = 0
	if n > 0 {
		s.failFrom = s.portal + n
	}
}

// SetThrottle answers the next n portal calls with TooManyRequestsException.
func (s *Server) SetThrottle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Throttle = n
}

// SetAccounts replaces the accounts (an account or role gone, one added).
func (s *Server) SetAccounts(a []Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts = a
}

// AddToken makes token a valid access token (a sign-in made elsewhere).
func (s *Server) AddToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = true
}

// ValidToken reports whether token is still accepted (not logged out).
func (s *Server) ValidToken(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[token]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("X-Amzn-Errortype", typ)
	writeJSON(w, status, map[string]string{"message": msg, "error": strings.ToLower(typ)})
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	c := Call{Op: r.URL.Path, Query: r.URL.Query(), Token: r.Header.Get("X-Amz-Sso_bearer_token")}
	rec := &recorder{ResponseWriter: w, status: 200}
	defer func() { c.Status = rec.status; s.calls = append(s.calls, c) }()
	switch r.URL.Path {
	case "/assignment/accounts", "/assignment/roles", "/federation/credentials", "/logout":
		s.portalCall(rec, r, c.Token)
	case "/client/register":
		s.register(rec, r)
	case "/device_authorization":
		s.deviceAuthorization(rec, r)
	case "/token":
		s.token(rec, r)
	case "/authorize":
		s.authorize(rec, r)
	case "/v1/authorize":
		s.signinAuthorize(rec, r)
	case "/v1/token":
		s.signinToken(rec, r)
	default:
		http.NotFound(rec, r)
	}
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(s int) { r.status = s; r.ResponseWriter.WriteHeader(s) }

func (s *Server) portalCall(w http.ResponseWriter, r *http.Request, token string) {
	s.portal++
	if s.failFrom != 0 && s.portal >= s.failFrom {
		apiError(w, http.StatusInternalServerError, "InternalServerException", "the portal failed")
		return
	}
	if s.Throttle > 0 {
		s.Throttle--
		apiError(w, http.StatusTooManyRequests, "TooManyRequestsException", "slow down")
		return
	}
	if !s.tokens[token] {
		apiError(w, http.StatusUnauthorized, "UnauthorizedException", "Session token not found or invalid")
		return
	}
	q := r.URL.Query()
	switch r.URL.Path {
	case "/logout":
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		delete(s.tokens, token)
		w.WriteHeader(http.StatusOK)
	case "/assignment/accounts":
		var list []map[string]string
		for _, a := range s.accounts {
			list = append(list, map[string]string{"accountId": a.ID, "accountName": a.Name, "emailAddress": a.Email})
		}
		s.page(w, q, "accountList", list)
	case "/assignment/roles":
		id := q.Get("account_id")
		var list []map[string]string
		for _, a := range s.accounts {
			if a.ID == id {
				for _, role := range a.Roles {
					list = append(list, map[string]string{"roleName": role, "accountId": id})
				}
			}
		}
		if list == nil {
			apiError(w, http.StatusForbidden, "ForbiddenException", "no access to account "+id)
			return
		}
		s.page(w, q, "roleList", list)
	case "/federation/credentials":
		role, id := q.Get("role_name"), q.Get("account_id")
		exp := time.Now().Add(time.Hour).UnixMilli()
		writeJSON(w, http.StatusOK, map[string]any{"roleCredentials": map[string]any{
			"accessKeyId": "ASIA" + strings.ToUpper(strings.ReplaceAll(id+role, "-", ""))[:min(16, len(id+role))], "secretAccessKey": "secret-" + id + "-" + role,
			"sessionToken": "token-" + id + "-" + role, "expiration": exp}})
	}
}

// page serves one page of list: next_token is the offset.
func (s *Server) page(w http.ResponseWriter, q url.Values, field string, list []map[string]string) {
	start, _ := strconv.Atoi(q.Get("next_token"))
	size := s.PageSize
	if n, err := strconv.Atoi(q.Get("max_result")); err == nil && n > 0 && n < size {
		size = n
	}
	end := min(start+size, len(list))
	out := map[string]any{field: list[min(start, len(list)):end]}
	if end < len(list) {
		out["nextToken"] = strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, out)
}

func decode(r *http.Request, v any) bool {
	body, err := io.ReadAll(r.Body)
	return err == nil && json.Unmarshal(body, v) == nil
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientName, ClientType string
		Scopes, GrantTypes     []string
		RedirectUris           []string
		IssuerUrl              string
	}
	if !decode(r, &in) || in.ClientName == "" || in.ClientType != "public" {
		apiError(w, http.StatusBadRequest, "InvalidRequestException", "bad RegisterClient")
		return
	}
	for _, g := range in.GrantTypes {
		if g == "authorization_code" && len(in.RedirectUris) == 0 {
			apiError(w, http.StatusBadRequest, "InvalidRequestException", "authorization_code needs redirectUris")
			return
		}
	}
	id := fmt.Sprintf("client-%d", len(s.clients)+1)
	s.clients[id] = client{secret: "secret-of-" + id, redirectURIs: in.RedirectUris, grants: in.GrantTypes}
	writeJSON(w, http.StatusOK, map[string]any{"clientId": id, "clientSecret": "secret-of-" + id,
		"clientIdIssuedAt": time.Now().Unix(), "clientSecretExpiresAt": time.Now().Add(90 * 24 * time.Hour).Unix()})
}

func (s *Server) deviceAuthorization(w http.ResponseWriter, r *http.Request) {
	var in struct{ ClientId, ClientSecret, StartUrl string }
	if !decode(r, &in) || s.clients[in.ClientId].secret != in.ClientSecret || in.ClientSecret == "" {
		apiError(w, http.StatusUnauthorized, "InvalidClientException", "bad client")
		return
	}
	code := fmt.Sprintf("device-%d", len(s.devices)+1)
	s.devices[code] = 0
	writeJSON(w, http.StatusOK, map[string]any{"deviceCode": code, "userCode": "ABCD-EFGH", "verificationUri": s.URL + "/device",
		"verificationUriComplete": s.URL + "/device?user_code=ABCD-EFGH", "expiresIn": 600, "interval": 1})
}

// authorize is the browser's sign-in page, approved at once: it redirects
// to the client's registered loopback URI with a code (or access_denied).
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cl, ok := s.clients[q.Get("client_id")]
	redirect := q.Get("redirect_uri")
	switch {
	case !ok:
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	case !contains(cl.redirectURIs, loopback(redirect)):
		http.Error(w, "redirect_uri not registered", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "":
		http.Error(w, "bad authorize request", http.StatusBadRequest)
		return
	}
	target, _ := url.Parse(redirect)
	approve(w, r, target, s.Deny || q.Get("deny") != "", s.codes, "code-")
}

// approve sends the browser back to target with the request's state and
// a new code, recorded in codes with the client, redirect URI and PKCE
// challenge it must be redeemed with; or with access_denied when deny.
func approve(w http.ResponseWriter, r *http.Request, target *url.URL, deny bool, codes map[string]authCode, prefix string) {
	q := r.URL.Query()
	v := url.Values{"state": {q.Get("state")}}
	if deny {
		v.Set("error", "access_denied")
	} else {
		code := fmt.Sprintf("%s%d", prefix, len(codes)+1)
		codes[code] = authCode{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
		v.Set("code", code)
	}
	target.RawQuery = v.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// loopback drops the port of a 127.0.0.1 redirect URI: a loopback client
// registers the URI without one and listens on any port (RFC 8252 7.3).
func loopback(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Hostname() != "127.0.0.1" {
		return uri
	}
	u.Host = "127.0.0.1"
	return u.String()
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) issue(w http.ResponseWriter, withRefresh bool) {
	n := len(s.tokens) + len(s.refresh) + 1
	tok := fmt.Sprintf("issued-token-%d", n)
	s.tokens[tok] = true
	out := map[string]any{"accessToken": tok, "expiresIn": 28800, "tokenType": "Bearer"}
	if withRefresh {
		rt := fmt.Sprintf("refresh-%d", n)
		s.refresh[rt] = true
		out["refreshToken"] = rt
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientId, ClientSecret, GrantType, DeviceCode, Code, RedirectUri, CodeVerifier, RefreshToken string
	}
	if !decode(r, &in) || s.clients[in.ClientId].secret != in.ClientSecret || in.ClientSecret == "" {
		apiError(w, http.StatusUnauthorized, "InvalidClientException", "bad client")
		return
	}
	switch in.GrantType {
	case "urn:ietf:params:oauth:grant-type:device_code":
		polls, ok := s.devices[in.DeviceCode]
		if !ok {
			apiError(w, http.StatusBadRequest, "InvalidGrantException", "unknown device code")
			return
		}
		s.devices[in.DeviceCode] = polls + 1
		if polls < 1 {
			apiError(w, http.StatusBadRequest, "AuthorizationPendingException", "authorization_pending")
			return
		}
		delete(s.devices, in.DeviceCode)
		s.issue(w, true)
	case "authorization_code":
		ac, ok := s.codes[in.Code]
		delete(s.codes, in.Code)
		sum := sha256.Sum256([]byte(in.CodeVerifier))
		switch {
		case !ok || ac.clientID != in.ClientId:
			apiError(w, http.StatusBadRequest, "InvalidGrantException", "unknown or used code")
		case ac.redirectURI != in.RedirectUri:
			apiError(w, http.StatusBadRequest, "InvalidGrantException", "redirect_uri differs from the authorize request's")
		case base64.RawURLEncoding.EncodeToString(sum[:]) != ac.challenge:
			apiError(w, http.StatusBadRequest, "InvalidGrantException", "code_verifier does not match the challenge")
		default:
			s.issue(w, true)
		}
	case "refresh_token":
		if !s.refresh[in.RefreshToken] {
			apiError(w, http.StatusBadRequest, "InvalidGrantException", "unknown refresh token")
			return
		}
		delete(s.refresh, in.RefreshToken)
		s.issue(w, true)
	default:
		apiError(w, http.StatusBadRequest, "UnsupportedGrantTypeException", "unsupported grant type")
	}
}

// Accounts makes n accounts, each with the given roles, named
// "acct-NNNN".
func Accounts(n int, roles ...string) []Account {
	out := make([]Account, n)
	for i := range out {
		out[i] = Account{ID: fmt.Sprintf("%012d", 100000000000+i), Name: fmt.Sprintf("acct-%04d", i),
			Email: fmt.Sprintf("a%d@example.com", i), Roles: roles}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// signinAuthorize is AWS Sign-In's browser page for `aws login`, approved
// at once: a redirect to the loopback URI with a code.
func (s *Server) signinAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	u, err := url.Parse(redirect)
	switch {
	case q.Get("client_id") != "arn:aws:signin:::devtools/same-device" || q.Get("response_type") != "code" || q.Get("scope") != "openid":
		http.Error(w, "bad authorize request", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "SHA-256" || q.Get("code_challenge") == "" || q.Get("state") == "":
		http.Error(w, "PKCE and state are required", http.StatusBadRequest)
		return
	case err != nil || u.Hostname() != "127.0.0.1" || u.Path != "/oauth/callback":
		http.Error(w, "redirect_uri must be a loopback callback", http.StatusBadRequest)
		return
	}
	approve(w, r, u, s.Deny, s.signinCodes, "signin-code-")
}

// signinToken is AWS Sign-In's CreateOAuth2Token for the authorization
// code grant: DPoP proof, PKCE verifier and redirect URI checked.
func (s *Server) signinToken(w http.ResponseWriter, r *http.Request) {
	var in struct{ ClientId, GrantType, Code, CodeVerifier, RedirectUri string }
	fail := func(msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": "ValidationException", "message": msg})
	}
	if parts := strings.Split(r.Header.Get("DPoP"), "."); len(parts) != 3 {
		fail("a DPoP proof is required")
		return
	}
	if !decode(r, &in) || in.GrantType != "authorization_code" {
		fail("bad token request")
		return
	}
	ac, ok := s.signinCodes[in.Code]
	delete(s.signinCodes, in.Code)
	sum := sha256.Sum256([]byte(in.CodeVerifier))
	switch {
	case !ok || ac.clientID != in.ClientId:
		fail("unknown or used code")
		return
	case ac.redirectURI != in.RedirectUri:
		fail("redirect_uri differs from the authorize request's")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != ac.challenge:
		fail("code_verifier does not match the challenge")
		return
	}
	claims, _ := json.Marshal(map[string]any{"sub": s.SignInPrincipal, "iat": time.Now().Unix()})
	idToken := "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString(claims) + ".sig"
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": map[string]string{"accessKeyId": "ASIASIGNIN", "secretAccessKey": "signin-secret",
		"sessionToken": "signin-token"}, "expiresIn": 900, "refreshToken": "signin-refresh", "tokenType": "aws_sigv4", "idToken": idToken})
}
