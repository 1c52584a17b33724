package cache

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credchain/credchain/creds"
)

// TestKeyMatchesBotocore pins botocore's cache keys (spec §3.3 and
// botocore's unit tests).
func TestKeyMatchesBotocore(t *testing.T) {
	for want, args := range map[string]map[string]any{
		"793d6e2f27667ab2da104824407e486bfec24a47": {"RoleArn": "myrole"},
		"75c539f0711ba78c5b9e488d0add95f178a54d74": {"RoleArn": "arn:aws:iam::role/foo-role"},
		"2964201f5648c8be5b9460a9cf842d73a266daf2": {"RoleArn": "myrole", "RoleSessionName": "my_session_name"},
		"b6bc90b8484a8e5d95b3d41dfaaeca5fbb3bae26": {"DurationSeconds": 1800, "ExternalId": "ext", "RoleArn": "arn:aws:iam::123456789012:role/RoleA"},
		"176f223d915e82456c253545e192aa21d68f5ab8": {"RoleArn": "myrole", "Policy": map[string]any{"Version": "2012-10-17",
			"Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}}}},
	} {
		if got, err := Key(args); err != nil || got != want {
			t.Errorf("Key(%v) = %s, %v; want %s", args, got, err, want)
		}
	}
}

func entry(exp time.Time) Entry {
	return Entry{Credentials: creds.Credentials{AccessKeyID: "ASIAX", SecretAccessKey: "sec", SessionToken: "tok", AccountID: "123456789012", Expires: exp},
		AssumedRoleARN: "arn:aws:sts::123456789012:assumed-role/R/s", AssumedRoleID: "AROA:s"}
}

func TestFileRoundTripAndShape(t *testing.T) {
	c := &File{Dir: filepath.Join(t.TempDir(), "cache")}
	exp := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := c.Put("k", entry(exp)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(c.Dir, "k.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	data, _ := os.ReadFile(filepath.Join(c.Dir, "k.json"))
	if !strings.Contains(string(data), `"Expiration":"2099-01-01T00:00:00UTC"`) {
		t.Errorf("Expiration not in botocore's format: %s", data)
	}
	got, ok := c.Get("k")
	if !ok || got != entry(exp) {
		t.Errorf("Get = %+v, %v", got, ok)
	}
	leftovers, _ := filepath.Glob(filepath.Join(c.Dir, "*.tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

// TestCorruptFileIsAMiss pins the fix for botocore's KeyError on a corrupt
// cache file: a miss with a warning that names the file, no secret.
func TestCorruptFileIsAMiss(t *testing.T) {
	dir := t.TempDir()
	var warnings []string
	c := &File{Dir: dir, Warn: func(m string) { warnings = append(warnings, m) }}
	for name, body := range map[string]string{
		"truncated": `{"Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "sec`,
		"no_creds":  `{"AssumedRoleUser": {}}`,
		"no_token":  `{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "Expiration": "2099-01-01T00:00:00Z"}}`,
		"bad_time":  `{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "soon"}}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Get(name); ok {
			t.Errorf("%s: hit on a bad file", name)
		}
	}
	if len(warnings) != 4 {
		t.Fatalf("warnings: %q", warnings)
	}
	for _, w := range warnings {
		if strings.Contains(w, "sec") && !strings.Contains(w, "json") {
			t.Errorf("warning leaks: %q", w)
		}
	}
	if err := c.Put("truncated", entry(time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("truncated"); !ok {
		t.Error("a rewritten file is not read back")
	}
}

// TestLockSerialisesFetches: 20 goroutines, each with its own File (as
// separate processes would be), fetch under the lock; one fetches.
func TestLockSerialisesFetches(t *testing.T) {
	dir := t.TempDir()
	var fetches atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &File{Dir: dir}
			unlock, err := c.Lock("k")
			if err != nil {
				t.Error(err)
				return
			}
			defer unlock()
			if _, ok := c.Get("k"); !ok {
				fetches.Add(1)
				time.Sleep(20 * time.Millisecond)
				if err := c.Put("k", entry(time.Now().Add(time.Hour))); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

func TestSSOKeyMatchesBotocore(t *testing.T) {
	got, err := SSOKey(map[string]any{"accountId": "1234567890", "roleName": "test-role", "startUrl": "https://d-92671207e4.awsapps.com/start"})
	if err != nil || got != "048db75bbe50955c16af7aba6ff9c41a3131bb7e" {
		t.Errorf("SSOKey = %s, %v", got, err)
	}
}
