package creds

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// slowRole is a provider whose keys expire in life and whose Retrieve takes
// delay (or until release is closed), counting its calls; Refresh is a
// different call (an assumed role's new AssumeRole).
type slowRole struct {
	life      time.Duration
	delay     time.Duration
	release   chan struct{}
	retrieves atomic.Int32
	refreshes atomic.Int32
}

func (p *slowRole) Method() string { return "assume-role" }

func (p *slowRole) keys(ctx context.Context) (Credentials, error) {
	select {
	case <-time.After(p.delay):
	case <-p.release:
	case <-ctx.Done():
		return Credentials{}, ctx.Err()
	}
	return Credentials{AccessKeyID: "ASIA", SecretAccessKey: "s", Expires: time.Now().Add(p.life)}, nil
}

func (p *slowRole) Retrieve(ctx context.Context) (Credentials, error) {
	p.retrieves.Add(1)
	return p.keys(ctx)
}

func (p *slowRole) Refresh(ctx context.Context) (Credentials, error) {
	p.refreshes.Add(1)
	return p.keys(ctx)
}

// TestRefreshingAdvisoryWindowDoesNotBlock: a chain built in code (what
// awsv2.FromProvider wraps) inside the advisory window: 100 callers, one
// refresh through the provider's Refresh, nobody waits for it (they waited
// one after another behind a mutex).
func TestRefreshingAdvisoryWindowDoesNotBlock(t *testing.T) {
	p := &slowRole{life: 11 * time.Minute, delay: 300 * time.Millisecond}
	r := &Refreshing{Provider: p}
	// The first keys are inside the window already: the first caller
	// loads and refreshes them (botocore's non-deferred credentials).
	if _, err := r.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := p.refreshes.Load()
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c, err := r.Retrieve(context.Background()); err != nil || c.AccessKeyID == "" {
				t.Errorf("Retrieve = %+v, %v", c, err)
			}
		}()
	}
	wg.Wait()
	if n := p.refreshes.Load() - before; n != 1 || p.retrieves.Load() != 1 {
		t.Fatalf("%d refreshes and %d retrievals for 100 callers, want 1 and 1 (the first load)", n, p.retrieves.Load())
	}
	// 99 callers returned without the refresh; the refresher took 300 ms.
	var fast atomic.Int32
	for range 10 {
		go func() {
			start := time.Now()
			r.Retrieve(context.Background())
			if time.Since(start) < 250*time.Millisecond {
				fast.Add(1)
			}
		}()
	}
	time.Sleep(350 * time.Millisecond)
	if fast.Load() == 0 {
		t.Fatal("no caller got the held keys at once while a refresh ran")
	}
}

// TestRefreshingMandatoryWindowHonoursDeadlines: inside the mandatory
// window a caller waits for the running refresh no longer than its ctx.
func TestRefreshingMandatoryWindowHonoursDeadlines(t *testing.T) {
	p := &slowRole{life: 6 * time.Minute, release: make(chan struct{}), delay: time.Hour}
	close(p.release)
	r := &Refreshing{Provider: p}
	if _, err := r.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.release = make(chan struct{}) // the next refresh hangs until released
	refreshed := make(chan error, 1)
	go func() {
		_, err := r.Retrieve(context.Background())
		refreshed <- err
	}()
	for p.refreshes.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := r.Retrieve(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's own deadline", err)
	}
	select {
	case err := <-refreshed:
		t.Fatalf("the refresh ended first (%v)", err)
	default:
	}
	close(p.release)
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
}

// TestRefreshingFailedAdvisoryRefreshBacksOff: a failed refresh in the
// advisory window keeps the held keys and is not tried again by the next
// callers until AdvisoryBackoff has passed.
func TestRefreshingFailedAdvisoryRefreshBacksOff(t *testing.T) {
	calls := 0
	now := time.Now()
	f := fake{method: "m", c: Credentials{AccessKeyID: "A", Expires: now.Add(12 * time.Minute)}, calls: &calls}
	r := &Refreshing{Provider: f, Now: func() time.Time { return now }}
	if _, err := r.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Every retrieval now fails; the held keys stay, one try per backoff.
	r.cur.Load().refresh = func(context.Context) (Credentials, error) { calls++; return Credentials{}, errors.New("STS down") }
	for range 5 {
		if c, err := r.Retrieve(context.Background()); err != nil || c.AccessKeyID != "A" {
			t.Fatalf("Retrieve = %+v, %v", c, err)
		}
	}
	if calls != 2 {
		t.Fatalf("%d calls, want the load and one refresh", calls)
	}
	now = now.Add(AdvisoryBackoff)
	r.Retrieve(context.Background())
	if calls != 3 {
		t.Fatalf("%d calls after the backoff, want one more refresh", calls)
	}
}

// TestRefreshingWithoutAProvider: a zero Refreshing is an error, not a
// panic.
func TestRefreshingWithoutAProvider(t *testing.T) {
	if _, err := (&Refreshing{}).Retrieve(context.Background()); err == nil {
		t.Fatal("no error")
	}
}
