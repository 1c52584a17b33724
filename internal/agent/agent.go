// Package agent runs a command (an AI agent, an MCP server, a build) on
// short-lived, scoped credentials that are served to it, never handed to
// it: each credential is an AssumeRole with the scope's session policies,
// tagged with the agent and the session, carrying the person as source
// identity, for at most a maximum session; every credential served is
// recorded in an audit file.
package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/server"
	"github.com/credchain/credchain/stscreds"
)

// MinTTL is STS's shortest session.
const MinTTL = 15 * time.Minute

// Session is one agent session.
type Session struct {
	ID      string
	Command string
	// RoleARN is the role every credential assumes, narrowed by Scope
	// (the agent's tags added).
	RoleARN string
	Scope   stscreds.Scope
	// ScopeName is the named scope, for the receipt.
	ScopeName       string
	TTL, MaxSession time.Duration
	// Caller is the ARN the source credentials act as; Person is the
	// source identity derived from it.
	Caller, Account, Person, Region string
	Started                         time.Time
	Now                             func() time.Time
}

// New starts a session of command: a random id, the agent's tags on the
// scope, the person as its source identity (unless the scope names one).
func New(command, roleARN, callerARN, account, region string, scope stscreds.Scope, scopeName string, ttl, max time.Duration) (*Session, error) {
	if ttl < MinTTL {
		return nil, fmt.Errorf("--ttl %s: STS's shortest session is %s", ttl, MinTTL)
	}
	if max < ttl {
		return nil, fmt.Errorf("--max-session %s is shorter than --ttl %s", max, ttl)
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	s := &Session{ID: hex.EncodeToString(id), Command: command, RoleARN: roleARN, ScopeName: scopeName, TTL: ttl, MaxSession: max,
		Caller: callerARN, Account: account, Region: region, Person: Person(callerARN), Started: time.Now()}
	s.Scope = scope
	s.Scope.Tags = append(append([]stscreds.Tag(nil), scope.Tags...),
		stscreds.Tag{Key: "credchain:agent", Value: tagValue(command)}, stscreds.Tag{Key: "credchain:session", Value: s.ID})
	if s.Scope.SourceIdentity == "" {
		s.Scope.SourceIdentity = s.Person
	}
	if err := s.Scope.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Person is who the caller is, as a source identity: an IAM user's name, an
// assumed role's session name (an SSO user's is their sign-in name),
// "root" for the account's root; characters a source identity cannot hold
// are dropped.
func Person(arn string) string {
	name := arn[strings.LastIndexAny(arn, "/:")+1:]
	var b strings.Builder
	for _, r := range name {
		if r < 128 && (r == '_' || r == '+' || r == '=' || r == ',' || r == '.' || r == '@' || r == '-' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) < 2 {
		out = "unknown"
	}
	if len(out) > 64 {
		out = out[:64]
	}
	return out
}

// tagValue keeps what STS accepts in a tag value (letters, digits, spaces
// and _.:/=+-@), at most 256 characters.
func tagValue(v string) string {
	var b strings.Builder
	for _, r := range v {
		if r == ' ' || r == '_' || r == '.' || r == ':' || r == '/' || r == '=' || r == '+' || r == '-' || r == '@' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) > 256 {
		out = out[:256]
	}
	return out
}

func (s *Session) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Ends is when the session ends.
func (s *Session) Ends() time.Time { return s.Started.Add(s.MaxSession) }

// Assume returns the role's credentials for the session: assume(role)
// assumes it (an AssumeRole from the source credentials). After the
// maximum session, an error wrapping server.ErrSessionOver.
func (s *Session) Assume(ctx context.Context, assume func(ctx context.Context, d time.Duration) (creds.Credentials, error)) (creds.Credentials, error) {
	left := s.Ends().Sub(s.now())
	if left <= 0 {
		return creds.Credentials{}, fmt.Errorf("agent session %s of %s ended at %s (--max-session %s): %w", s.ID, s.Command, s.Ends().UTC().Format(time.RFC3339), s.MaxSession, server.ErrSessionOver)
	}
	// The credentials outlive the session by at most STS's shortest
	// session.
	d := max(min(s.TTL, left), MinTTL)
	return assume(ctx, d)
}

// Receipt is what the session is bound to, printed at start and first in
// the audit file.
type Receipt struct {
	Type       string   `json:"type"`
	Session    string   `json:"session"`
	Command    string   `json:"command"`
	Caller     string   `json:"caller"`
	Account    string   `json:"account"`
	Region     string   `json:"region"`
	Role       string   `json:"role"`
	Scope      string   `json:"scope"`
	PolicyARNs []string `json:"policy_arns,omitempty"`
	Inline     bool     `json:"inline_policy"`
	Source     string   `json:"source_identity"`
	TTL        string   `json:"ttl"`
	MaxSession string   `json:"max_session"`
	Started    string   `json:"started"`
	Ends       string   `json:"ends"`
}

// Receipt describes the session.
func (s *Session) Receipt() Receipt {
	scope := s.ScopeName
	if scope == "" {
		scope = "(flags)"
	}
	source := s.Scope.SourceIdentity
	if source == "" {
		source = "(none)"
	}
	return Receipt{Type: "receipt", Session: s.ID, Command: s.Command, Caller: s.Caller, Account: s.Account, Region: s.Region,
		Role: s.RoleARN, Scope: scope, PolicyARNs: s.Scope.PolicyARNs, Inline: s.Scope.Policy != "", Source: source,
		TTL: s.TTL.String(), MaxSession: s.MaxSession.String(), Started: s.Started.UTC().Format(time.RFC3339), Ends: s.Ends().UTC().Format(time.RFC3339)}
}

// Text is the receipt for a person.
func (r Receipt) Text() string {
	return fmt.Sprintf("credchain agent: session %s for %s\n  caller:    %s (account %s)\n  role:      %s, scope %s (source identity %s)\n  region:    %s\n  keys live: %s each, served until %s (--max-session %s)\n",
		r.Session, r.Command, r.Caller, r.Account, r.Role, r.Scope, r.Source, r.Region, r.TTL, r.Ends, r.MaxSession)
}

// Audit is the session's audit file: JSON lines, mode 0600, the receipt
// first, then one line per credential request (the access key id, never
// a secret).
type Audit struct {
	mu sync.Mutex
	f  *os.File
}

// Event is one audit line after the receipt.
type Event struct {
	Type        string `json:"type"` // "credentials" or "refused"
	Time        string `json:"time"`
	AccessKeyID string `json:"access_key_id,omitempty"`
	Expiration  string `json:"expiration,omitempty"`
	Error       string `json:"error,omitempty"`
}

// OpenAudit creates path (0600; an existing file is an error: each session
// has its own) and writes the receipt.
func OpenAudit(path string, r Receipt) (*Audit, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit file: %w (each session writes a new one)", err)
	}
	a := &Audit{f: f}
	if err := a.write(r); err != nil {
		f.Close()
		return nil, err
	}
	return a, nil
}

func (a *Audit) write(v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err = a.f.Write(append(line, '\n'))
	return err
}

// Served records credentials served (or the error instead).
func (a *Audit) Served(now time.Time, c creds.Credentials, err error) {
	if a == nil {
		return
	}
	e := Event{Type: "credentials", Time: now.UTC().Format(time.RFC3339)}
	if err != nil {
		e.Type, e.Error = "refused", err.Error()
	} else {
		e.AccessKeyID = c.AccessKeyID
		if c.CanExpire() {
			e.Expiration = c.Expires.UTC().Format(time.RFC3339)
		}
	}
	_ = a.write(e)
}

// Close closes the file.
func (a *Audit) Close() error {
	if a == nil {
		return nil
	}
	return a.f.Close()
}

// TokenFile writes the server's token to a new 0600 file in a new 0700
// folder (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE), and returns its path
// and how to remove both.
func TokenFile(token string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "credchain-agent-")
	if err != nil {
		return "", nil, err
	}
	path := dir + string(os.PathSeparator) + "token"
	if err := atomicfile.Write(path, []byte(token), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

// ReadAudit reads an audit file: its receipt and the access key ids it
// served, in order, each once.
func ReadAudit(path string) (Receipt, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Receipt{}, nil, fmt.Errorf("audit file: %w", err)
	}
	var r Receipt
	var keys []string
	seen := map[string]bool{}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if i == 0 {
			if err := json.Unmarshal([]byte(line), &r); err != nil || r.Type != "receipt" {
				return Receipt{}, nil, fmt.Errorf("%s:1: not an agent audit file (no receipt)", path)
			}
			continue
		}
		var e Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return Receipt{}, nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		if e.AccessKeyID != "" && !seen[e.AccessKeyID] {
			seen[e.AccessKeyID] = true
			keys = append(keys, e.AccessKeyID)
		}
	}
	return r, keys, nil
}
