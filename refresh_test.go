package credchain_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/internal/ststest"
)

// roleSession is a Session on a role whose STS (ststest) answers after
// delay with credentials that expire in 11 minutes: inside botocore's
// advisory window (15 min), outside the mandatory one (10 min). now is the
// session's clock.
func roleSession(t testing.TB, role string, now func() time.Time) (*credchain.Session, *ststest.Server) {
	t.Helper()
	sts := ststest.New()
	t.Cleanup(sts.Close)
	env := homeWith(t, map[string]string{".aws/config": "[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/" + role +
		"\nsource_profile = base\n[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n"})
	env["AWS_ENDPOINT_URL_STS"] = sts.URL
	opts := []credchain.Option{credchain.WithEnv(env.lookup)}
	if now != nil {
		opts = append(opts, credchain.WithClock(now))
	}
	s := credchain.NewSession(opts...)
	if _, err := s.Credentials(context.Background()); err != nil {
		t.Fatal(err)
	}
	sts.Calls()
	return s, sts
}

// TestAdvisoryRefreshDoesNotBlockReaders: 100 goroutines inside the
// advisory window, against an STS answering in 50 ms: one refreshes while
// the others get the current keys at once (they made 100 AssumeRole calls
// one after another, 5.6 s).
func TestAdvisoryRefreshDoesNotBlockReaders(t *testing.T) {
	s, sts := roleSession(t, "short-slow50ms", nil)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c, err := s.Credentials(context.Background()); err != nil || c.AccessKeyID == "" {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d callers failed", failed.Load())
	}
	if n := len(sts.Calls()); n < 1 || n > 3 {
		t.Fatalf("%d AssumeRole calls for 100 callers in the advisory window, want 1 to 3", n)
	}
}

// TestMandatoryRefreshHonoursEachDeadline: inside the mandatory window a
// caller waits for the refresh another caller runs, but no longer than its
// own context allows (a 200 ms deadline waited 1.9 s behind another's
// refresh).
func TestMandatoryRefreshHonoursEachDeadline(t *testing.T) {
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	s, sts := roleSession(t, "short", now)
	skew.Store(int64(5 * time.Minute)) // 6 minutes left: mandatory
	release := sts.Hold()
	defer release()
	refreshed := make(chan struct{})
	go func() {
		defer close(refreshed)
		s.Credentials(context.Background())
	}()
	for len(sts.Calls()) == 0 { // the refresh above is at STS, holding the turn
		time.Sleep(10 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := s.Credentials(ctx)
	select {
	case <-refreshed:
		t.Fatal("the caller returned only after the other refresh")
	default:
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the caller's own deadline", err)
	}
	release()
	<-refreshed
}

// BenchmarkAdvisoryWindow100Callers: 100 goroutines ask for a role's keys
// inside the advisory window, against an STS answering in 50 ms. One of them
// refreshes; an operation is about one STS round trip (it was 100 of them,
// one after another: 5.6 s).
func BenchmarkAdvisoryWindow100Callers(b *testing.B) {
	s, _ := roleSession(b, "short-slow50ms", nil)
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.Credentials(context.Background())
			}()
		}
		wg.Wait()
	}
}

// TestRoleValidateAsBotocore: a role built in code is checked when the
// chain is built (an invalid Duration was reported at the first retrieval),
// with botocore's ParamValidationError.
func TestRoleValidateAsBotocore(t *testing.T) {
	ok := credchain.Role{ARN: "arn:aws:iam::123456789012:role/R"}
	for _, tc := range []struct {
		name string
		r    credchain.Role
		want string
	}{
		{"valid", ok, ""},
		{"short duration", credchain.Role{ARN: ok.ARN, Duration: 100}, "Invalid value for parameter DurationSeconds, value: 100, valid min value: 900"},
		{"long duration", credchain.Role{ARN: ok.ARN, Duration: 50000}, "valid max value: 43200"},
		{"one-letter session", credchain.Role{ARN: ok.ARN, SessionName: "x"}, "Invalid length for parameter RoleSessionName, value: 1, valid min length: 2"},
		{"short external id", credchain.Role{ARN: ok.ARN, ExternalID: "e"}, "Invalid length for parameter ExternalId"},
		{"not an ARN", credchain.Role{ARN: "Admin"}, `Invalid RoleArn "Admin"`},
	} {
		err := tc.r.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || credchain.ErrorKind(err) != "ParamValidationError") {
			t.Errorf("%s: Validate = %v, want %q", tc.name, err, tc.want)
		}
	}
	s := credchain.NewSession(credchain.WithCredentials("AK", "SK", ""))
	if _, err := s.AssumeRoles(ok, credchain.Role{ARN: ok.ARN, Duration: 100}); err == nil || !strings.Contains(err.Error(), "role 2 (") {
		t.Fatalf("AssumeRoles with an invalid second role: %v", err)
	}
}

// TestZeroSessionIsBoto3Session: var s credchain.Session works as
// boto3.Session() does (it panicked).
func TestZeroSessionIsBoto3Session(t *testing.T) {
	env := homeWith(t, map[string]string{".aws/config": "[default]\nregion = ap-south-1\n"})
	for k, v := range env {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAZEROSESSION")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	var s credchain.Session
	c, err := s.Credentials(context.Background())
	region, _, rerr := s.Region()
	if err != nil || c.AccessKeyID != "AKIAZEROSESSION" || rerr != nil || region != "ap-south-1" {
		t.Fatalf("zero Session: %q, %v; region %q, %v", c.AccessKeyID, err, region, rerr)
	}
}

// TestErrorsIsByKind: errors.Is tells botocore's kinds apart through any
// wrapping (they could be told apart only by comparing a kind string).
func TestErrorsIsByKind(t *testing.T) {
	env := homeWith(t, map[string]string{".aws/config": "[profile dev]\nregion = x\n[profile part]\naws_access_key_id = AK\n"})
	_, err := credchain.NewSession(credchain.WithEnv(env.lookup), credchain.WithProfile("nope")).Credentials(context.Background())
	if !errors.Is(fmt.Errorf("wrapped: %w", err), credchain.ErrProfileNotFound) || errors.Is(err, credchain.ErrNoCredentials) {
		t.Fatalf("missing profile: %v", err)
	}
	_, err = credchain.NewSession(credchain.WithEnv(env.lookup), credchain.WithProfile("part")).Credentials(context.Background())
	if !errors.Is(err, credchain.ErrPartialCredentials) {
		t.Fatalf("partial keys: %v", err)
	}
	_, err = credchain.NewSession(credchain.WithEnv(env.lookup), credchain.WithProfile("dev")).Credentials(context.Background())
	if !errors.Is(err, credchain.ErrNoCredentials) || credchain.ErrorKind(err) != "NoCredentialsError" {
		t.Fatalf("no credentials: %v", err)
	}
}

// TestCancellingAResolutionCancelsItsMFAPrompt: the MFA prompt gets the
// resolution's context (it got none, so a cancelled resolution left its
// prompt waiting).
func TestCancellingAResolutionCancelsItsMFAPrompt(t *testing.T) {
	env := homeWith(t, map[string]string{".aws/config": "[default]\nregion = us-east-1\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n" +
		"mfa_serial = arn:aws:iam::123456789012:mfa/me\n[profile base]\naws_access_key_id = AK\naws_secret_access_key = s\n"})
	env["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:9/"
	asked := make(chan credchain.MFARequest, 1)
	s := credchain.NewSession(credchain.WithEnv(env.lookup), credchain.WithMFAPrompt(func(ctx context.Context, req credchain.MFARequest) (string, error) {
		asked <- req
		<-ctx.Done()
		return "", ctx.Err()
	}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-asked; cancel() }()
	if _, err := s.Credentials(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
}

// BenchmarkMandatoryDeadline200ms: inside the mandatory window, a caller
// with a 200 ms deadline while another caller's refresh hangs at STS. The
// reported wait-ms is how long it waited (1.9 s behind the other's refresh
// before; its own deadline now).
func BenchmarkMandatoryDeadline200ms(b *testing.B) {
	var skew atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	s, sts := roleSession(b, "short", now)
	skew.Store(int64(5 * time.Minute)) // 6 minutes left: mandatory
	release := sts.Hold()
	defer release()
	go s.Credentials(context.Background()) // the refresh that hangs
	for len(sts.Calls()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	var waited time.Duration
	b.ResetTimer()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		start := time.Now()
		if _, err := s.Credentials(ctx); !errors.Is(err, context.DeadlineExceeded) {
			b.Fatalf("err = %v", err)
		}
		waited += time.Since(start)
		cancel()
	}
	b.ReportMetric(float64(waited.Milliseconds())/float64(b.N), "wait-ms")
}
