package stscreds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/creds"
)

type static struct{ c creds.Credentials }

func (s static) Method() string { return "static" }
func (s static) Retrieve(context.Context) (creds.Credentials, error) {
	return s.c, nil
}

const okResponse = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>sk</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::210987654321:assumed-role/R/s</Arn></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`

func server(t *testing.T, calls *atomic.Int32, body func() (int, string)) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		code, b := body()
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(code)
		fmt.Fprint(w, b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func provider(url string, c cache.Cache, now func() time.Time) *AssumeRole {
	opts := ClientOptions{Region: "us-east-1", Endpoint: url}
	return &AssumeRole{Profile: "p", RoleARN: "arn:aws:iam::210987654321:role/R", Source: static{creds.Credentials{AccessKeyID: "AKSRC", SecretAccessKey: "s"}},
		Client: func(c creds.Credentials) (AssumeRoleAPI, error) { return RoleClient(opts, c), nil }, Cache: c, Now: now}
}

func TestAssumeRoleUsesCacheWithinWindow(t *testing.T) {
	var calls atomic.Int32
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := now.Add(time.Hour).Format(time.RFC3339)
	srv := server(t, &calls, func() (int, string) { return 200, fmt.Sprintf(okResponse, exp) })
	mem := &cache.Memory{}
	p := provider(srv.URL, mem, func() time.Time { return now })
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "ASIAROLE" || c.AccountID != "210987654321" || c.Method != MethodAssumeRole {
		t.Fatalf("got %+v, %v", c, err)
	}
	// A second provider with the same arguments and cache: no STS call.
	if _, err := provider(srv.URL, mem, func() time.Time { return now }).Retrieve(context.Background()); err != nil || calls.Load() != 1 {
		t.Fatalf("cache not used: %d calls, %v", calls.Load(), err)
	}
	// Inside the 15-minute window the entry is stale: fetched again.
	now = now.Add(50 * time.Minute)
	if _, err := p.Retrieve(context.Background()); err != nil || calls.Load() != 2 {
		t.Fatalf("stale entry used: %d calls, %v", calls.Load(), err)
	}
}

func TestMFARoleIsNotRefreshedSilently(t *testing.T) {
	var calls atomic.Int32
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := server(t, &calls, func() (int, string) { return 200, fmt.Sprintf(okResponse, now.Add(time.Hour).Format(time.RFC3339)) })
	p := provider(srv.URL, &cache.Memory{}, func() time.Time { return now })
	serial := "arn:aws:iam::210987654321:mfa/alice"
	p.MFASerial = &serial
	var asked []string
	p.TokenCode = func(_ context.Context, serial string) (string, error) {
		asked = append(asked, serial)
		return "123456\n", nil
	}
	if _, err := p.Retrieve(context.Background()); err != nil {
		t.Fatal(err)
	}
	now = now.Add(55 * time.Minute)
	_, err := p.Retrieve(context.Background())
	if creds.KindOf(err) != creds.KindRefreshWithMFA || len(asked) != 1 || calls.Load() != 1 {
		t.Fatalf("err %v, asked %v, %d calls", err, asked, calls.Load())
	}
}

// TestErrorsInErrorsElementAreUnderstood pins the fix for STS servers that
// wrap the error in <Errors> (moto does): the code reaches the user.
func TestErrorsInErrorsElementAreUnderstood(t *testing.T) {
	var calls atomic.Int32
	srv := server(t, &calls, func() (int, string) {
		return 403, `<?xml version="1.0" encoding="utf-8"?><ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message>not allowed</Message><Type>Sender</Type></Error></Errors></ErrorResponse>`
	})
	_, err := provider(srv.URL, &cache.Memory{}, time.Now).Retrieve(context.Background())
	if creds.KindOf(err) != KindClientError || !strings.Contains(err.Error(), "AccessDenied: not allowed") || !strings.Contains(err.Error(), `profile "p"`) {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultSessionNameIsStableAndKeyless(t *testing.T) {
	p := &AssumeRole{RoleARN: "myrole", Now: func() time.Time { return time.Unix(1700000000, 0) }}
	key, err := p.CacheKey()
	if err != nil || key != "793d6e2f27667ab2da104824407e486bfec24a47" || p.role.name != "botocore-session-1700000000" {
		t.Fatalf("key %s session %s err %v", key, p.role.name, err)
	}
}

func TestThrottlingIsRetried(t *testing.T) {
	var calls atomic.Int32
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	srv := server(t, &calls, func() (int, string) {
		if calls.Load() < 3 {
			return 400, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`
		}
		return 200, fmt.Sprintf(okResponse, exp)
	})
	c, err := provider(srv.URL, &cache.Memory{}, time.Now).Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "ASIAROLE" || calls.Load() != 3 {
		t.Fatalf("got %v after %d calls", err, calls.Load())
	}
}

// TestUnwritableCacheStillWorks: a cache directory that cannot be created
// costs the sharing, not the credentials.
func TestUnwritableCacheStillWorks(t *testing.T) {
	var calls atomic.Int32
	exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	srv := server(t, &calls, func() (int, string) { return 200, fmt.Sprintf(okResponse, exp) })
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	p := provider(srv.URL, &cache.File{Dir: filepath.Join(blocker, "cache")}, time.Now)
	p.Warn = func(msg string) { warnings = append(warnings, msg) }
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "ASIAROLE" {
		t.Fatalf("got %v", err)
	}
	if len(warnings) != 2 {
		t.Errorf("warnings: %q", warnings)
	}
}

// panicking is a source that must not be read.
type panicking struct{}

func (panicking) Method() string { return "panicking" }
func (panicking) Retrieve(context.Context) (creds.Credentials, error) {
	panic("the source was read")
}

// Without a client a role returns what the cache holds, and on a miss fails
// with creds.ErrNoClient before it prompts, preloads, reads its source or
// its token file: the CLI's front build then runs the command again in the
// full build, which must not find any of it done.
func TestWithoutAClientOnlyTheCacheIsRead(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	mem := &cache.Memory{}
	serial := "arn:aws:iam::1:mfa/u"
	p := &AssumeRole{Profile: "p", RoleARN: "arn:aws:iam::210987654321:role/R", SessionName: "s", MFASerial: &serial, Source: panicking{}, Cache: mem,
		Now:       func() time.Time { return now },
		TokenCode: func(context.Context, string) (string, error) { panic("prompted") },
		Preload:   func(context.Context) error { panic("preloaded") }}
	if _, err := p.Retrieve(context.Background()); !errors.Is(err, creds.ErrNoClient) || !strings.Contains(err.Error(), `profile "p": assume role arn:aws:iam::210987654321:role/R`) {
		t.Fatalf("miss: %v", err)
	}
	key, err := p.CacheKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Put(key, cache.Entry{Credentials: creds.Credentials{AccessKeyID: "ASIACACHED", SecretAccessKey: "s", SessionToken: "t", Expires: now.Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "ASIACACHED" {
		t.Fatalf("hit: %+v, %v", c, err)
	}

	w := &WebIdentity{Profile: "w", RoleARN: "arn:aws:iam::1:role/W", TokenFile: filepath.Join(t.TempDir(), "missing"), Now: func() time.Time { return now }}
	if _, err := w.Retrieve(context.Background()); !errors.Is(err, creds.ErrNoClient) {
		t.Fatalf("web identity: %v (the token file is read only to call STS)", err)
	}
}
