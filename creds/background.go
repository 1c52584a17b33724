package creds

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Background serves a provider's credentials to a long-running server
// (credchain serve) and refreshes them in the background, so that a slow or
// failing upstream never holds up a request while what is held is valid:
//
//   - outside the advisory window (AdvisoryRefresh before expiry) the held
//     credentials are returned without locking;
//   - inside it they are still returned while at least MinValid is left,
//     and one background refresh runs at a time, bounded by Timeout, with
//     exponential backoff (Backoff, doubling up to MaxBackoff) after
//     failures; botocore's rule that a failed advisory refresh keeps the
//     old credentials, applied without making anyone wait;
//   - with nothing valid held, callers wait for one refresh (single flight)
//     and get its error when it fails.
//
// It is safe for concurrent use.
type Background struct {
	Provider Provider
	Now      func() time.Time
	// Timeout bounds one refresh (default 1 minute).
	Timeout time.Duration
	// Backoff is the wait after the first failed refresh (default 5 s);
	// it doubles up to MaxBackoff (default 2 minutes).
	Backoff, MaxBackoff time.Duration
	// MinValid is how much life credentials must have left to be served
	// (default 1 minute).
	MinValid time.Duration
	// MinInterval is the least time between two refreshes while valid
	// credentials are held (default 1 minute): credentials whose whole life
	// is inside the advisory window (a 900-second role) are otherwise
	// refreshed by every request.
	MinInterval time.Duration

	held atomic.Pointer[Credentials]

	mu       sync.Mutex
	inflight chan struct{} // closed when the running refresh ends
	lastErr  error
	failures int
	retryAt  time.Time
}

// Hold makes c the held credentials (the first ones, fetched at start);
// the first refresh waits MinInterval.
func (b *Background) Hold(c Credentials) {
	b.held.Store(&c)
	b.mu.Lock()
	b.retryAt = b.now().Add(orDefault(b.MinInterval, time.Minute))
	b.mu.Unlock()
}

func (b *Background) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Retrieve implements Provider.
func (b *Background) Retrieve(ctx context.Context) (Credentials, error) {
	now := b.now()
	if c := b.held.Load(); c != nil {
		left := c.Expires.Sub(now)
		if !c.CanExpire() || left >= AdvisoryRefresh {
			return *c, nil
		}
		if left >= orDefault(b.MinValid, time.Minute) {
			b.mu.Lock()
			b.startLocked(now)
			b.mu.Unlock()
			return *c, nil
		}
	}
	// Nothing valid is held: wait for a refresh, starting one if none runs
	// (backoff and MinInterval do not apply: the caller has nothing else).
	b.mu.Lock()
	if b.inflight == nil {
		b.retryAt = time.Time{}
		b.startLocked(now)
	}
	wait := b.inflight
	b.mu.Unlock()
	select {
	case <-wait:
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	}
	if c := b.held.Load(); c != nil && (!c.CanExpire() || c.Expires.Sub(b.now()) >= orDefault(b.MinValid, time.Minute)) {
		return *c, nil
	}
	b.mu.Lock()
	err := b.lastErr
	b.mu.Unlock()
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{}, Errorf(KindCredentialRetrieval, "Error when retrieving credentials from %s: the refreshed credentials expire within %s", b.Provider.Method(), orDefault(b.MinValid, time.Minute))
}

// startLocked starts a refresh unless one runs or the backoff says wait.
func (b *Background) startLocked(now time.Time) {
	if b.inflight != nil || now.Before(b.retryAt) {
		return
	}
	done := make(chan struct{})
	b.inflight = done
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), orDefault(b.Timeout, time.Minute))
		c, err := b.Provider.Retrieve(ctx)
		cancel()
		now := b.now()
		b.mu.Lock()
		defer b.mu.Unlock()
		switch {
		case err != nil:
			b.failed(now, err)
		case c.CanExpire() && !c.Expires.After(now.Add(orDefault(b.MinValid, time.Minute))):
			// A source that kept its old, nearly expired credentials
			// (its own refresh failed): keep them if they are newer, and
			// back off before asking again.
			if old := b.held.Load(); old == nil || !c.Expires.Before(old.Expires) {
				b.held.Store(&c)
			}
			b.failed(now, nil)
		default:
			// Fresh credentials, perhaps short-lived ones that are inside
			// the advisory window from the start: the next refresh waits
			// MinInterval.
			b.held.Store(&c)
			b.failures, b.lastErr = 0, nil
			b.retryAt = now.Add(orDefault(b.MinInterval, time.Minute))
		}
		b.inflight = nil
		close(done)
	}()
}

func (b *Background) failed(now time.Time, err error) {
	b.lastErr = err
	b.failures++
	wait := orDefault(b.Backoff, 5*time.Second)
	for i := 1; i < b.failures && wait < orDefault(b.MaxBackoff, 2*time.Minute); i++ {
		wait *= 2
	}
	b.retryAt = now.Add(min(wait, orDefault(b.MaxBackoff, 2*time.Minute)))
}

// Method implements Provider.
func (b *Background) Method() string { return b.Provider.Method() }

// Func adapts a function to a Provider with the given method name.
func Func(retrieve func(context.Context) (Credentials, error), method string) Provider {
	return funcProvider{retrieve, method}
}

type funcProvider struct {
	retrieve func(context.Context) (Credentials, error)
	method   string
}

func (f funcProvider) Retrieve(ctx context.Context) (Credentials, error) { return f.retrieve(ctx) }
func (f funcProvider) Method() string                                    { return f.method }
