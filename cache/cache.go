// Package cache stores temporary credentials the way the AWS CLI does, so
// that a role assumed by credchain is reused by `aws` and the reverse: one
// JSON document per key in ~/.aws/cli/cache/<key>.json, the key being
// botocore's sha1 of the AssumeRole arguments.
//
// Better than botocore's JSONFileCache: files are written atomically (temp
// file, fsync, rename, mode 0600); a lock per key lets concurrent processes
// share one fetch; and a corrupt or truncated file is a miss that the next
// write heals (botocore raises KeyError).
package cache

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/pyjson"
	"github.com/credchain/credchain/internal/timefmt"
)

// Entry is one cached AssumeRole result.
type Entry struct {
	Credentials creds.Credentials
	// AssumedRoleARN and AssumedRoleID describe the session, when known.
	AssumedRoleARN string
	AssumedRoleID  string
	// ProviderType is "sso" for role credentials from IAM Identity Center
	// (botocore writes it; aws sso logout deletes such entries).
	ProviderType string
}

// Cache stores entries by key. Implementations are safe for concurrent use.
type Cache interface {
	// Get returns the entry for key; ok is false on a miss.
	Get(key string) (e Entry, ok bool)
	// Put stores e under key.
	Put(key string, e Entry) error
}

// Locker is implemented by caches shared between processes: Lock holds an
// exclusive lock on key until unlock is called.
type Locker interface {
	Lock(key string) (unlock func(), err error)
}

// Key is botocore's cache key for AssumeRole arguments: the sha1 hex of
// json.dumps(args, sort_keys=True), made safe for a file name.
func Key(args map[string]any) (string, error) {
	s, err := pyjson.Dumps(args)
	if err != nil {
		return "", err
	}
	sum := sha1.Sum([]byte(s))
	return strings.NewReplacer(":", "_", "/", "_", string(os.PathSeparator), "_").Replace(hex.EncodeToString(sum[:])), nil
}

// SSOKey is botocore's cache key for SSO role credentials: the sha1 hex of
// the compact json.dumps of {roleName, accountId, sessionName or startUrl}.
func SSOKey(args map[string]any) (string, error) {
	s, err := pyjson.DumpsCompact(args)
	if err != nil {
		return "", err
	}
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:]), nil
}

// Memory is an in-memory cache: boto3's default.
type Memory struct {
	mu sync.Mutex
	m  map[string]Entry
}

// Get implements Cache.
func (c *Memory) Get(key string) (Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e, ok
}

// Put implements Cache.
func (c *Memory) Put(key string, e Entry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]Entry{}
	}
	c.m[key] = e
	return nil
}

// File is a directory of JSON documents shared with the AWS CLI.
type File struct {
	Dir string
	// Warn receives a message when a cache file is unusable; nil drops it.
	// Messages never hold secrets.
	Warn func(msg string)
	// LockTimeout bounds the wait for another process's lock (default 2m).
	LockTimeout time.Duration
}

func (c *File) lockTimeout() time.Duration {
	if c.LockTimeout > 0 {
		return c.LockTimeout
	}
	return 2 * time.Minute
}

// DefaultDir is the AWS CLI's cache directory under home.
func DefaultDir(home string) string { return filepath.Join(home, ".aws", "cli", "cache") }

func (c *File) path(key string) string { return filepath.Join(c.Dir, key+".json") }

func (c *File) warn(format string, args ...any) {
	if c.Warn != nil {
		c.Warn(fmt.Sprintf(format, args...))
	}
}

// document is the AWS CLI's file: the AssumeRole response.
type document struct {
	Credentials *struct {
		AccessKeyID     *string `json:"AccessKeyId"`
		SecretAccessKey *string `json:"SecretAccessKey"`
		SessionToken    *string `json:"SessionToken"`
		Expiration      *string `json:"Expiration"`
		AccountID       string  `json:"AccountId,omitempty"`
	} `json:"Credentials"`
	ProviderType    string `json:"ProviderType,omitempty"`
	AssumedRoleUser *struct {
		AssumedRoleID string `json:"AssumedRoleId"`
		Arn           string `json:"Arn"`
	} `json:"AssumedRoleUser,omitempty"`
}

// maxFile bounds what is read from a cache file.
const maxFile = 1 << 20

// Get implements Cache. A file that cannot be read or parsed, or lacks a
// credential field, is a miss (with a warning naming the file).
func (c *File) Get(key string) (Entry, bool) {
	path := c.path(key)
	f, err := os.Open(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			c.warn("cannot read cache file %s: %v; fetching new credentials", path, err)
		}
		return Entry{}, false
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		c.warn("cannot read cache file %s: %v; fetching new credentials", path, err)
		return Entry{}, false
	}
	if len(data) > maxFile {
		c.warn("cache file %s is larger than %d bytes; ignoring it", path, maxFile)
		return Entry{}, false
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		c.warn("cache file %s is not valid JSON (truncated or corrupt); it will be rewritten", path)
		return Entry{}, false
	}
	cr := doc.Credentials
	if cr == nil || cr.AccessKeyID == nil || cr.SecretAccessKey == nil || cr.SessionToken == nil || cr.Expiration == nil {
		c.warn("cache file %s lacks Credentials fields; it will be rewritten", path)
		return Entry{}, false
	}
	exp, err := timefmt.Parse(*cr.Expiration)
	if err != nil {
		c.warn("cache file %s has an unreadable Expiration; it will be rewritten", path)
		return Entry{}, false
	}
	e := Entry{Credentials: creds.Credentials{AccessKeyID: *cr.AccessKeyID, SecretAccessKey: *cr.SecretAccessKey,
		SessionToken: *cr.SessionToken, AccountID: cr.AccountID, Expires: exp}}
	if u := doc.AssumedRoleUser; u != nil {
		e.AssumedRoleARN, e.AssumedRoleID = u.Arn, u.AssumedRoleID
	}
	e.ProviderType = doc.ProviderType
	return e, true
}

// Put implements Cache: the document is written to a temporary file in the
// same directory, synced, and renamed over the old one, mode 0600. The
// Expiration is written like botocore's JSONFileCache ("...UTC").
func (c *File) Put(key string, e Entry) error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("cache directory %s: %w", c.Dir, err)
	}
	cr := e.Credentials
	doc := map[string]any{
		"Credentials": map[string]any{
			"AccessKeyId":     cr.AccessKeyID,
			"SecretAccessKey": cr.SecretAccessKey,
			"SessionToken":    cr.SessionToken,
			"Expiration":      cr.Expires.UTC().Format("2006-01-02T15:04:05") + "UTC",
		},
		"ResponseMetadata": map[string]any{"HTTPStatusCode": 200, "HTTPHeaders": map[string]any{}, "RetryAttempts": 0},
	}
	if cr.AccountID != "" {
		doc["Credentials"].(map[string]any)["AccountId"] = cr.AccountID
	}
	if e.ProviderType != "" {
		// botocore's SSO fetcher caches {"ProviderType", "Credentials"}.
		doc["ProviderType"] = e.ProviderType
		delete(doc, "ResponseMetadata")
	}
	if e.AssumedRoleARN != "" || e.AssumedRoleID != "" {
		doc["AssumedRoleUser"] = map[string]any{"Arn": e.AssumedRoleARN, "AssumedRoleId": e.AssumedRoleID}
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(c.path(key), data, 0o600); err != nil {
		return fmt.Errorf("cache file %s: %w", c.path(key), err)
	}
	return nil
}

// FreshFor reports whether e is valid for at least window at now.
func (e Entry) FreshFor(now time.Time, window time.Duration) bool {
	return e.Credentials.Expires.Sub(now) >= window
}
