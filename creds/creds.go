// Package creds holds what every credential source shares: the Credentials
// value, the one-method Provider interface, the Chain that tries providers in
// order, and the typed errors whose kinds are botocore's exception names.
//
// It imports the standard library only.
package creds

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Credentials are one set of AWS keys and what is known about them.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	AccountID       string
	// Expires is the expiry time; the zero value means the keys do not expire.
	Expires time.Time
	// Method is botocore's name of the source ("env", "shared-credentials-file", ...).
	Method string
	// Source says where the keys were found, e.g. "~/.aws/credentials:3" or
	// "env AWS_ACCESS_KEY_ID". It never holds a secret.
	Source string
}

// CanExpire reports whether the credentials carry an expiry time.
func (c Credentials) CanExpire() bool { return !c.Expires.IsZero() }

// Expired reports whether the credentials have expired at now.
func (c Credentials) Expired(now time.Time) bool { return c.CanExpire() && !now.Before(c.Expires) }

// MaskKey shows only the last four characters of an access key id, as
// aws-vault and `aws configure list` do.
func MaskKey(id string) string {
	if len(id) <= 4 {
		return "****"
	}
	return "****************" + id[len(id)-4:]
}

// Provider is one credential source.
//
// Retrieve returns the credentials, or an error that wraps ErrNotFound when
// the source is not configured (the chain then tries the next source), or any
// other error, which stops the chain: botocore's rule that the first source
// returning credentials wins and any exception aborts resolution.
// Implementations are safe for concurrent use.
type Provider interface {
	Method() string
	Retrieve(ctx context.Context) (Credentials, error)
}

// Refresher is a Provider whose refresh differs from its first retrieval
// (an assumed role refreshes with a new AssumeRole; its Retrieve may return
// what a cache holds). A chain refreshes credentials through the provider
// that gave them: Refresh when it has one, else Retrieve.
type Refresher interface {
	Refresh(ctx context.Context) (Credentials, error)
}

// ErrNotFound is wrapped by a provider's error when its source is not
// configured.
var ErrNotFound = errors.New("not configured")

// ErrNoClient is wrapped by a provider's error when it has to call AWS and
// was given no client: it can only return what its cache holds. It is
// returned before anything else the fetch would do (a prompt, a process, a
// lock), so that the caller can run the same resolution again elsewhere:
// the CLI's front binary, built without AWS clients, hands the command to
// the full one.
var ErrNoClient = errors.New("no AWS client")

// Skip returns an error wrapping ErrNotFound that says why a provider did not
// apply, for the chain's explanation.
func Skip(format string, args ...any) error {
	return &skipError{reason: fmt.Sprintf(format, args...)}
}

type skipError struct{ reason string }

func (e *skipError) Error() string { return e.reason }
func (e *skipError) Unwrap() error { return ErrNotFound }

// The error kinds: botocore's exception class names.
const (
	KindNoCredentials           = "NoCredentialsError"
	KindPartialCredentials      = "PartialCredentialsError"
	KindProfileNotFound         = "ProfileNotFound"
	KindConfigNotFound          = "ConfigNotFound"
	KindConfigParse             = "ConfigParseError"
	KindInvalidConfig           = "InvalidConfigError"
	KindInfiniteLoopConfig      = "InfiniteLoopConfigError"
	KindCredentialRetrieval     = "CredentialRetrievalError"
	KindInvalidIMDSEndpointMode = "InvalidIMDSEndpointModeError"
	KindRefreshWithMFA          = "RefreshWithMFAUnsupportedError"
)

// Error is a credential resolution failure of a known kind.
type Error struct {
	// Kind is botocore's exception class name for the same failure.
	Kind string
	// Msg says what is wrong and where. It never holds a secret.
	Msg string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil && e.Msg == "" {
		return e.Err.Error()
	}
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is tell kinds apart: errors.Is(err, ErrProfileNotFound).
func (e *Error) Is(target error) bool {
	k, ok := target.(KindError)
	return ok && string(k) == e.Kind
}

// KindError is a botocore exception class as a sentinel error: errors.Is
// matches any *Error of that Kind, however wrapped.
type KindError string

func (k KindError) Error() string { return string(k) }

// Sentinels of the kinds callers branch on most.
var (
	ErrNoCredentials       error = KindError(KindNoCredentials)
	ErrPartialCredentials  error = KindError(KindPartialCredentials)
	ErrProfileNotFound     error = KindError(KindProfileNotFound)
	ErrConfigParse         error = KindError(KindConfigParse)
	ErrInvalidConfig       error = KindError(KindInvalidConfig)
	ErrInfiniteLoopConfig  error = KindError(KindInfiniteLoopConfig)
	ErrCredentialRetrieval error = KindError(KindCredentialRetrieval)
)

// Errorf returns an *Error of the given kind.
func Errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// UnsignableError is credentials that resolve but cannot sign: a key whose
// value is a nested block, which botocore holds as a dict and fails on only
// when it signs (a raw TypeError). Where such credentials are the source of
// a role, the error is raised where botocore fails: after the role's MFA
// prompt, client creation and parameter validation.
type UnsignableError struct{ Err *Error }

func (e *UnsignableError) Error() string { return e.Err.Error() }
func (e *UnsignableError) Unwrap() error { return e.Err }

// UnusableError is credentials that load but fail when they are first
// used: an Expiration without a time zone, which botocore parses into a
// naive datetime and fails on (a raw TypeError) only when it compares it
// with the time. Where such credentials are the source of a role, the
// error is raised where botocore fails: after the role's MFA prompt, before
// its STS client is made.
type UnusableError struct{ Err *Error }

func (e *UnusableError) Error() string { return e.Err.Error() }
func (e *UnusableError) Unwrap() error { return e.Err }

// Partial is botocore's PartialCredentialsError: provider found some keys but
// not varName. where says where the partial keys are.
func Partial(provider, varName, where string) *Error {
	msg := fmt.Sprintf("Partial credentials found in %s, missing: %s", provider, varName)
	if where != "" {
		msg = where + ": " + msg
	}
	return &Error{Kind: KindPartialCredentials, Msg: msg}
}

// KindOf returns the kind of the first *Error in err's chain, or "" when err
// is nil or of no known kind.
func KindOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// Chain tries providers in order; the first that returns credentials wins.
type Chain []Provider

// Step is what one provider of a chain did.
type Step struct {
	Method string
	// Result is "found", "skipped", "error" or "not tried".
	Result string
	// Detail says where the credentials came from, why the source was
	// skipped, or what failed.
	Detail string
	// Took is how long the provider ran.
	Took time.Duration
}

// Step results.
const (
	ResultFound    = "found"
	ResultSkipped  = "skipped"
	ResultError    = "error"
	ResultNotTried = "not tried"
)

// Resolve runs the chain and records each step. When no provider applies it
// returns a NoCredentialsError.
func (c Chain) Resolve(ctx context.Context) (Credentials, []Step, error) {
	steps := make([]Step, 0, len(c))
	for i, p := range c {
		start := time.Now()
		got, err := p.Retrieve(ctx)
		step := Step{Method: p.Method(), Took: time.Since(start)}
		switch {
		case err == nil:
			step.Result, step.Detail = ResultFound, got.Source
			steps = append(steps, step)
			for _, rest := range c[i+1:] {
				steps = append(steps, Step{Method: rest.Method(), Result: ResultNotTried})
			}
			return got, steps, nil
		case errors.Is(err, ErrNotFound):
			step.Result, step.Detail = ResultSkipped, err.Error()
			steps = append(steps, step)
		default:
			step.Result, step.Detail = ResultError, err.Error()
			steps = append(steps, step)
			for _, rest := range c[i+1:] {
				steps = append(steps, Step{Method: rest.Method(), Result: ResultNotTried})
			}
			return Credentials{}, steps, err
		}
	}
	return Credentials{}, steps, Errorf(KindNoCredentials, "Unable to locate credentials")
}

// Windows of botocore's RefreshableCredentials.
const (
	AdvisoryRefresh  = 15 * time.Minute
	MandatoryRefresh = 10 * time.Minute
)

// RefreshIfNeeded applies botocore's refresh rules to c: within
// AdvisoryRefresh of expiry refresh is tried and its failure ignored; within
// MandatoryRefresh a failure is an error; refreshed keys that are already
// expired are an error.
func RefreshIfNeeded(ctx context.Context, c Credentials, refresh func(context.Context) (Credentials, error), now time.Time) (Credentials, error) {
	if !c.CanExpire() || refresh == nil {
		return c, nil
	}
	left := c.Expires.Sub(now)
	if left >= AdvisoryRefresh {
		return c, nil
	}
	fresh, err := refresh(ctx)
	if err != nil {
		if left < MandatoryRefresh {
			return Credentials{}, err
		}
		return c, nil // advisory window: keep the current keys
	}
	if fresh.Expired(now) {
		return Credentials{}, Errorf(KindCredentialRetrieval,
			"Error when retrieving credentials from %s: Credentials were refreshed, but the refreshed credentials are still expired (expiry %s)",
			fresh.Method, fresh.Expires.UTC().Format(time.RFC3339))
	}
	return fresh, nil
}

// Refreshing serves one provider's credentials from memory and refreshes
// them like botocore's RefreshableCredentials, without making readers wait
// where botocore does not:
//
//   - outside AdvisoryRefresh of expiry the held keys are returned at once
//     (one atomic load);
//   - inside it one caller refreshes while every other caller gets the
//     held keys at once; a failed refresh keeps them and is not tried again
//     for a few seconds;
//   - inside MandatoryRefresh callers wait for the refresh, each no longer
//     than its own ctx allows, and a failed refresh is an error.
//
// The first retrieval is Load when set, else Provider.Retrieve; a refresh
// is the refresh function Load returned, else the Provider's Refresh (a
// Refresher) or Retrieve. It is safe for concurrent use: many callers
// arriving at expiry cause one upstream call. A Refreshing must not be
// copied after first use.
type Refreshing struct {
	Provider Provider
	Now      func() time.Time
	// Load, when set, is the first retrieval: the credentials, how to
	// refresh them (nil: never), and whether they are deferred (botocore's
	// DeferredRefreshableCredentials: the first keys are used once even
	// inside the refresh window, where others are refreshed at once).
	Load func(ctx context.Context) (c Credentials, refresh func(context.Context) (Credentials, error), deferred bool, err error)

	once    sync.Once
	turn    chan struct{} // held by the one caller that loads or refreshes
	cur     atomic.Pointer[held]
	retryAt atomic.Int64 // Unix nanoseconds before which a failed advisory refresh is not tried again
}

// held is the credentials and how to refresh them; replaced whole.
type held struct {
	creds   Credentials
	refresh func(context.Context) (Credentials, error)
}

// AdvisoryBackoff is how long a failed refresh in the advisory window is
// not tried again (the keys held are still good for minutes).
const AdvisoryBackoff = 10 * time.Second

func (r *Refreshing) turnChan() chan struct{} {
	r.once.Do(func() { r.turn = make(chan struct{}, 1) })
	return r.turn
}

// acquire takes the turn, waiting no longer than ctx allows.
func (r *Refreshing) acquire(ctx context.Context) error {
	select {
	case r.turnChan() <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tryAcquire takes the turn if nobody holds it.
func (r *Refreshing) tryAcquire() bool {
	select {
	case r.turnChan() <- struct{}{}:
		return true
	default:
		return false
	}
}

func (r *Refreshing) release() { <-r.turnChan() }

func (r *Refreshing) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// load is the first retrieval.
func (r *Refreshing) load(ctx context.Context) (*held, bool, error) {
	if r.Load != nil {
		c, refresh, deferred, err := r.Load(ctx)
		if err != nil {
			return nil, false, err
		}
		return &held{creds: c, refresh: refresh}, deferred, nil
	}
	if r.Provider == nil {
		return nil, false, errors.New("creds: Refreshing has neither a Provider nor Load")
	}
	c, err := r.Provider.Retrieve(ctx)
	if err != nil {
		return nil, false, err
	}
	refresh := r.Provider.Retrieve
	if rf, ok := r.Provider.(Refresher); ok {
		refresh = rf.Refresh
	}
	return &held{creds: c, refresh: refresh}, false, nil
}

// Retrieve implements Provider.
func (r *Refreshing) Retrieve(ctx context.Context) (Credentials, error) {
	h := r.cur.Load()
	if h == nil {
		if err := r.acquire(ctx); err != nil {
			return Credentials{}, err
		}
		if h = r.cur.Load(); h == nil {
			loaded, deferred, err := r.load(ctx)
			if err != nil {
				r.release()
				return Credentials{}, err
			}
			h = loaded
			r.cur.Store(h)
			r.release()
			if deferred {
				return h.creds, nil
			}
		} else {
			r.release()
		}
	}
	c := h.creds
	if !c.CanExpire() || h.refresh == nil {
		return c, nil
	}
	now := r.now()
	left := c.Expires.Sub(now)
	if left >= AdvisoryRefresh {
		return c, nil
	}
	if left >= MandatoryRefresh {
		// Advisory: whoever holds the turn refreshes; the others, and
		// everyone during a backoff, keep the current keys.
		if now.UnixNano() < r.retryAt.Load() || !r.tryAcquire() {
			return c, nil
		}
	} else if err := r.acquire(ctx); err != nil {
		return Credentials{}, err
	}
	defer r.release()
	h = r.cur.Load() // another caller may have refreshed meanwhile
	now = r.now()
	if h.creds.Expires.Sub(now) >= AdvisoryRefresh {
		return h.creds, nil
	}
	fresh, err := RefreshIfNeeded(ctx, h.creds, h.refresh, now)
	if err != nil {
		return Credentials{}, err
	}
	if fresh == h.creds {
		r.retryAt.Store(now.Add(AdvisoryBackoff).UnixNano()) // the refresh failed in the advisory window
	} else {
		r.retryAt.Store(0)
		r.cur.Store(&held{creds: fresh, refresh: h.refresh})
	}
	return fresh, nil
}

// Method implements Provider.
func (r *Refreshing) Method() string { return r.Provider.Method() }
