package keys

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/credchain/credchain/internal/keystore"
)

// memStore is an in-memory store; fault, when set, runs before every
// operation (a test's failure or crash injection).
type memStore struct {
	mu    sync.Mutex
	m     map[string][]byte
	fault func(op, name string) error
}

func newMem() *memStore { return &memStore{m: map[string][]byte{}} }

func (s *memStore) Backend() string { return "memory" }
func (s *memStore) inject(op, name string) error {
	if s.fault != nil {
		return s.fault(op, name)
	}
	return nil
}
func (s *memStore) Get(n string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[n]; ok {
		return v, nil
	}
	return nil, keystore.ErrNotFound
}
func (s *memStore) Set(n string, d []byte) error {
	if err := s.inject("set", n); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[n] = append([]byte(nil), d...)
	return nil
}
func (s *memStore) Delete(n string) error {
	if err := s.inject("delete", n); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[n]; !ok {
		return keystore.ErrNotFound
	}
	delete(s.m, n)
	return nil
}
func (s *memStore) List() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out, nil
}

// fakeIAM is one IAM user's access keys (at most two, as IAM allows).
type fakeIAM struct {
	keys  map[string]string // id -> secret
	used  map[string]bool   // ids that signed a request
	next  int
	fault func(op string) error
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code} }

type signed struct {
	f   *fakeIAM
	key Key
}

func (s signed) check(op string) error {
	if s.f.fault != nil {
		if err := s.f.fault(op); err != nil {
			return err
		}
	}
	if s.f.keys[s.key.AccessKeyID] != s.key.SecretAccessKey {
		return apiErr("InvalidClientTokenId")
	}
	s.f.use(s.key.AccessKeyID)
	return nil
}

func (f *fakeIAM) use(id string) {
	if f.used == nil {
		f.used = map[string]bool{}
	}
	f.used[id] = true
}

func (s signed) ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error) {
	if err := s.check("list"); err != nil {
		return nil, err
	}
	out := &iam.ListAccessKeysOutput{}
	for id := range s.f.keys {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, types.AccessKeyMetadata{AccessKeyId: aws.String(id)})
	}
	return out, nil
}

func (s signed) GetAccessKeyLastUsed(_ context.Context, in *iam.GetAccessKeyLastUsedInput, _ ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error) {
	if err := s.check("last-used"); err != nil {
		return nil, err
	}
	out := &iam.GetAccessKeyLastUsedOutput{AccessKeyLastUsed: &types.AccessKeyLastUsed{}}
	if s.f.used[*in.AccessKeyId] {
		out.AccessKeyLastUsed.LastUsedDate = aws.Time(time.Now())
	}
	return out, nil
}

func (s signed) CreateAccessKey(context.Context, *iam.CreateAccessKeyInput, ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	if err := s.check("create"); err != nil {
		return nil, err
	}
	if len(s.f.keys) >= 2 {
		return nil, apiErr("LimitExceeded")
	}
	s.f.next++
	id, secret := fmt.Sprintf("AKIAROTATED%05d", s.f.next), fmt.Sprintf("secret-%d", s.f.next)
	s.f.keys[id] = secret
	return &iam.CreateAccessKeyOutput{AccessKey: &types.AccessKey{AccessKeyId: &id, SecretAccessKey: &secret}}, nil
}

func (s signed) DeleteAccessKey(_ context.Context, in *iam.DeleteAccessKeyInput, _ ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error) {
	if err := s.check("delete"); err != nil {
		return nil, err
	}
	if _, ok := s.f.keys[*in.AccessKeyId]; !ok {
		return nil, apiErr("NoSuchEntity")
	}
	delete(s.f.keys, *in.AccessKeyId)
	return &iam.DeleteAccessKeyOutput{}, nil
}

func (f *fakeIAM) works(_ context.Context, k Key) error {
	if f.fault != nil {
		if err := f.fault("works"); err != nil {
			return err
		}
	}
	if f.keys[k.AccessKeyID] != k.SecretAccessKey {
		return apiErr("InvalidClientTokenId")
	}
	f.use(k.AccessKeyID)
	return nil
}

func setup(t *testing.T) (*Vault, *memStore, *fakeIAM, *Rotator) {
	st := newMem()
	v := &Vault{Store: st}
	f := &fakeIAM{keys: map[string]string{"AKIAORIGINAL0001": "original-secret"}}
	if err := v.Put("dev", Key{AccessKeyID: "AKIAORIGINAL0001", SecretAccessKey: "original-secret"}); err != nil {
		t.Fatal(err)
	}
	r := &Rotator{Vault: v, IAM: func(k Key) IAM { return signed{f, k} }, Works: f.works,
		Sleep: func(context.Context, time.Duration) error { return nil }}
	return v, st, f, r
}

func TestRotate(t *testing.T) {
	v, _, f, r := setup(t)
	oldID, newID, err := r.Rotate(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := v.Key("dev")
	if oldID != "AKIAORIGINAL0001" || k.AccessKeyID != newID || len(f.keys) != 1 || f.keys[newID] != k.SecretAccessKey {
		t.Fatalf("after rotate: stored %s, IAM has %v", k.AccessKeyID, f.keys)
	}
	if names, _ := v.Store.List(); strings.Join(names, ",") != "keys/dev" {
		t.Fatalf("store holds %q", names)
	}
}

// crash stops the rotation where a killed process would stop: nothing
// after the injection point runs (no clean-up).
type crash struct{}

// TestRotateSurvivesAFailureAtEveryStep injects a failure (an error, then
// a crash) at each store write and each AWS call of a rotation in turn:
// every time, the store's key works; a second rotate then succeeds and
// leaves exactly one key in IAM, the stored one.
func TestRotateSurvivesAFailureAtEveryStep(t *testing.T) {
	for _, mode := range []string{"error", "crash"} {
		for step := 1; ; step++ {
			v, st, f, r := setup(t)
			n := 0
			inject := func(op string) error {
				n++
				if n != step {
					return nil
				}
				if mode == "crash" {
					panic(crash{})
				}
				return fmt.Errorf("injected failure at %s", op)
			}
			st.fault = func(op, name string) error { return inject(op + " " + name) }
			f.fault = inject
			func() {
				defer func() {
					if p := recover(); p != nil && p != (crash{}) {
						panic(p)
					}
				}()
				r.Rotate(context.Background(), "dev")
			}()
			st.fault, f.fault = nil, nil
			if n < step {
				break // the rotation made fewer calls: every step was tried
			}
			name := fmt.Sprintf("%s at step %d", mode, step)
			k, err := v.Key("dev")
			if err != nil || f.works(context.Background(), k) != nil {
				t.Fatalf("%s: the stored key does not work: %v", name, err)
			}
			// A key created but never stored (a crash right after
			// CreateAccessKey) is found through the intent recorded before
			// it and deleted: the next rotate goes through (it failed with
			// LimitExceeded before, at every later rotate).
			_, _, err = r.Rotate(context.Background(), "dev")
			if err != nil {
				t.Fatalf("%s: the next rotate: %v", name, err)
			}
			k2, _ := v.Key("dev")
			if len(f.keys) != 1 || f.keys[k2.AccessKeyID] != k2.SecretAccessKey {
				t.Fatalf("%s: after the next rotate IAM has %v, the store %s", name, f.keys, k2.AccessKeyID)
			}
			if names, _ := st.List(); strings.Join(names, ",") != "keys/dev" {
				t.Fatalf("%s: the store holds %q", name, names)
			}
			t.Logf("%s: ok", name)
		}
	}
}

func TestRotateRefusedByIAMKeepsTheKey(t *testing.T) {
	v, _, f, r := setup(t)
	f.keys["AKIAOTHERKEY0002"] = "other"
	_, _, err := r.Rotate(context.Background(), "dev")
	if err == nil || !strings.Contains(err.Error(), "LimitExceeded") || !strings.Contains(err.Error(), "two access keys") {
		t.Fatalf("err = %v", err)
	}
	if k, _ := v.Key("dev"); k.AccessKeyID != "AKIAORIGINAL0001" {
		t.Fatalf("stored %s", k.AccessKeyID)
	}
}

func TestRotateNewKeyNeverWorks(t *testing.T) {
	v, _, f, r := setup(t)
	calls := 0
	r.Works = func(ctx context.Context, k Key) error { calls++; return apiErr("InvalidClientTokenId") }
	r.Wait = 30 * time.Second
	var slept time.Duration
	r.Sleep = func(_ context.Context, d time.Duration) error { slept += d; return nil }
	_, _, err := r.Rotate(context.Background(), "dev")
	if err == nil || !strings.Contains(err.Error(), "still in use") {
		t.Fatalf("err = %v", err)
	}
	if k, _ := v.Key("dev"); k.AccessKeyID != "AKIAORIGINAL0001" || len(f.keys) != 1 {
		t.Fatalf("stored %s, IAM %v: the unused key must be deleted and the old one kept", k.AccessKeyID, f.keys)
	}
	if calls < 3 {
		t.Fatalf("checked %d times: want retries with backoff", calls)
	}
}

type fakeSTS struct {
	mu    sync.Mutex
	calls int
	in    []*sts.GetSessionTokenInput
}

func (f *fakeSTS) GetSessionToken(_ context.Context, in *sts.GetSessionTokenInput, _ ...func(*sts.Options)) (*sts.GetSessionTokenOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.in = append(f.in, in)
	exp := time.Now().Add(time.Duration(*in.DurationSeconds) * time.Second)
	return &sts.GetSessionTokenOutput{Credentials: &ststypes.Credentials{AccessKeyId: aws.String(fmt.Sprintf("ASIASESSION%d", f.calls)),
		SecretAccessKey: aws.String("s"), SessionToken: aws.String("t"), Expiration: &exp}}, nil
}

func TestMFASessionMadeOnceForManyProcesses(t *testing.T) {
	v, _, _, _ := setup(t)
	f := &fakeSTS{}
	var lock sync.Mutex
	codes := 0
	var cmu sync.Mutex
	mfa := &MFA{Serial: "arn:aws:iam::123456789012:mfa/dev", Duration: 12 * time.Hour,
		Code: func() (string, error) { cmu.Lock(); codes++; cmu.Unlock(); return "123456", nil },
		STS:  func(Key) SessionAPI { return f },
		Lock: func() (func(), error) { lock.Lock(); return lock.Unlock, nil },
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := v.Credentials(context.Background(), "dev", mfa)
			if err != nil || c.SessionToken != "t" {
				t.Errorf("Credentials: %v", err)
			}
		}()
	}
	wg.Wait()
	if f.calls != 1 || codes != 1 || *f.in[0].DurationSeconds != 43200 || *f.in[0].SerialNumber != mfa.Serial {
		t.Fatalf("%d GetSessionToken calls, %d codes asked", f.calls, codes)
	}
	// Near expiry, a new session.
	v.Now = func() time.Time { return time.Now().Add(12*time.Hour - 10*time.Minute) }
	if _, err := v.Credentials(context.Background(), "dev", mfa); err != nil || f.calls != 2 {
		t.Fatalf("near expiry: %v, %d calls", err, f.calls)
	}
	// A rotated key drops the session.
	v.Now = nil
	v.Put("dev", Key{AccessKeyID: "AKIANEW", SecretAccessKey: "x"})
	if _, ok, _ := v.StoredSession("dev"); ok {
		t.Fatal("the session outlived its key")
	}
}

func TestParseSessionDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 12 * time.Hour, "3600": time.Hour, "60": 15 * time.Minute,
		"200000": 36 * time.Hour, "8h": 8 * time.Hour} {
		if got, err := ParseSessionDuration(in); err != nil || got != want {
			t.Errorf("ParseSessionDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseSessionDuration("soon"); err == nil {
		t.Error("a bad duration was accepted")
	}
}

func TestNotStored(t *testing.T) {
	v := &Vault{Store: newMem()}
	_, err := v.Key("ghost")
	var ns *NotStoredError
	if !errors.As(err, &ns) || !strings.Contains(err.Error(), "credchain keys add ghost") {
		t.Fatalf("err = %v", err)
	}
}

// TestInterruptedRotationLeavesAKeyInUseElsewhere: after a rotation was
// interrupted at CreateAccessKey, a new key that has been used since is
// someone else's (another machine's): the next rotate leaves it and says
// so; an unused one is deleted.
func TestInterruptedRotationLeavesAKeyInUseElsewhere(t *testing.T) {
	v, st, f, r := setup(t)
	f.fault = func(op string) error {
		if op == "create" {
			f.keys["AKIAORPHANED0001"] = "lost-secret" // created; the answer never came
			return errors.New("connection reset")
		}
		return nil
	}
	if _, _, err := r.Rotate(context.Background(), "dev"); err == nil {
		t.Fatal("rotate succeeded")
	}
	f.fault = nil
	f.use("AKIAORPHANED0001")
	_, _, err := r.Rotate(context.Background(), "dev")
	if err == nil || !strings.Contains(err.Error(), "has been used since") || f.keys["AKIAORPHANED0001"] == "" {
		t.Fatalf("rotate with a used new key: %v; IAM has %v", err, f.keys)
	}
	delete(f.used, "AKIAORPHANED0001")
	if _, _, err := r.Rotate(context.Background(), "dev"); err != nil {
		t.Fatal(err)
	}
	k, _ := v.Key("dev")
	if _, ok := f.keys["AKIAORPHANED0001"]; ok || len(f.keys) != 1 || f.keys[k.AccessKeyID] != k.SecretAccessKey {
		t.Fatalf("IAM has %v, the store %s", f.keys, k.AccessKeyID)
	}
	if names, _ := st.List(); strings.Join(names, ",") != "keys/dev" {
		t.Fatalf("the store holds %q", names)
	}
}
