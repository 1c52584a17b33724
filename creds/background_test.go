package creds

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowSource answers after delay with creds valid for life, or fails.
type slowSource struct {
	calls atomic.Int32
	delay time.Duration
	fail  atomic.Bool
	life  time.Duration
	now   func() time.Time
}

func (s *slowSource) Method() string { return "assume-role" }
func (s *slowSource) Retrieve(ctx context.Context) (Credentials, error) {
	n := s.calls.Add(1)
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	}
	if s.fail.Load() {
		return Credentials{}, Errorf(KindCredentialRetrieval, "STS is down")
	}
	return Credentials{AccessKeyID: "ASIA" + string(rune('A'+n)), SecretAccessKey: "s", SessionToken: "t", Expires: s.now().Add(s.life), Method: "assume-role"}, nil
}

// TestBackgroundServesHeldCredentialsWhileRefreshFails: in the advisory
// window with STS slow or failing, every request is answered at once from
// the held credentials (before: each waited behind the refresh), one
// refresh runs at a time, and failures back off.
func TestBackgroundServesHeldCredentialsWhileRefreshFails(t *testing.T) {
	var clock atomic.Pointer[time.Time]
	t0 := time.Now()
	clock.Store(&t0)
	now := func() time.Time { return *clock.Load() }
	src := &slowSource{delay: 0, life: time.Hour, now: now}
	b := &Background{Provider: src, Now: now, Backoff: time.Minute}
	first, err := b.Retrieve(context.Background())
	if err != nil || src.calls.Load() != 1 {
		t.Fatalf("first: %v, %d calls", err, src.calls.Load())
	}
	// 48 minutes later: 12 minutes left, in the advisory window. STS hangs.
	t1 := t0.Add(48 * time.Minute)
	clock.Store(&t1)
	src.delay = 2 * time.Second
	src.fail.Store(true)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := b.Retrieve(context.Background())
			if err != nil || c.AccessKeyID != first.AccessKeyID {
				t.Errorf("got %s, %v; want the held %s", c.AccessKeyID, err, first.AccessKeyID)
			}
		}()
	}
	wg.Wait()
	if d := time.Since(start); d > time.Second {
		t.Errorf("requests waited %v for a refresh", d)
	}
	time.Sleep(2500 * time.Millisecond) // the one refresh fails
	if got := src.calls.Load(); got != 2 {
		t.Errorf("%d upstream calls, want 2 (one refresh at a time)", got)
	}
	// Within the backoff no new refresh starts.
	for i := 0; i < 5; i++ {
		if _, err := b.Retrieve(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := src.calls.Load(); got != 2 {
		t.Errorf("%d upstream calls during the backoff, want 2", got)
	}
	// After the backoff STS is back: the next request starts a refresh
	// and, once done, new credentials are served.
	t2 := t1.Add(2 * time.Minute)
	clock.Store(&t2)
	src.delay = 0
	src.fail.Store(false)
	_, _ = b.Retrieve(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _ := b.Retrieve(context.Background())
		if c.AccessKeyID != first.AccessKeyID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never refreshed after STS came back")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestBackgroundWaitsWhenNothingValidIsHeld: expired (or no) credentials
// make callers wait for one refresh, and its error reaches them.
func TestBackgroundWaitsWhenNothingValidIsHeld(t *testing.T) {
	now := time.Now
	src := &slowSource{delay: 50 * time.Millisecond, life: time.Hour, now: now}
	src.fail.Store(true)
	b := &Background{Provider: src}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.Retrieve(context.Background()); err == nil || KindOf(err) != KindCredentialRetrieval {
				t.Errorf("err = %v", err)
			}
		}()
	}
	wg.Wait()
	if got := src.calls.Load(); got > 2 {
		t.Errorf("%d upstream calls for 20 waiting callers", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	src.delay = time.Second
	if _, err := b.Retrieve(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a caller's deadline is not honoured: %v", err)
	}
}

// TestBackgroundRefreshesShortCredentialsOncePerMinute: credentials whose
// whole life is inside the refresh window (a 900-second role, a two-minute
// credential_process) are refreshed at most once a minute however many
// requests come, and never served with less than a minute left (before: a
// new refresh 5 s after each short answer); longer-lived ones are not
// refreshed early. 30 simulated minutes, a request every second.
func TestBackgroundRefreshesShortCredentialsOncePerMinute(t *testing.T) {
	for _, tc := range []struct {
		life     time.Duration
		min, max int32
	}{
		{2 * time.Minute, 25, 32},
		{15 * time.Minute, 25, 32},
		{16 * time.Minute, 25, 32},
		{time.Hour, 1, 4},
		{12 * time.Hour, 1, 1},
	} {
		t.Run(tc.life.String(), func(t *testing.T) {
			var mu sync.Mutex
			clock := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
			src := &slowSource{life: tc.life, now: now}
			b := &Background{Provider: src, Now: now}
			first, _ := src.Retrieve(context.Background())
			b.Hold(first)
			const minutes = 30
			for step := 0; step < minutes*60; step++ {
				c, err := b.Retrieve(context.Background())
				if err != nil || c.Expires.Sub(now()) < time.Minute {
					t.Fatalf("at %v: %v, expires %v", now(), err, c.Expires)
				}
				// Let a started refresh finish before time moves on.
				for i := 0; i < 100; i++ {
					b.mu.Lock()
					idle := b.inflight == nil
					b.mu.Unlock()
					if idle {
						break
					}
					time.Sleep(time.Millisecond)
				}
				mu.Lock()
				clock = clock.Add(time.Second)
				mu.Unlock()
			}
			n := src.calls.Load()
			t.Logf("credentials living %v: %d STS calls in %d minutes of a request a second (%.2f a minute)", tc.life, n, minutes, float64(n)/minutes)
			if n < tc.min || n > tc.max {
				t.Fatalf("%d STS calls in %d minutes, want %d to %d", n, minutes, tc.min, tc.max)
			}
		})
	}
}
