// Package processcache runs a credential_process helper once for every
// process that asks at the same time, and keeps what it printed until
// botocore would refresh it: botocore and the AWS CLI run the helper at
// every process start and cache nothing.
package processcache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/filelock"
	"github.com/credchain/credchain/internal/proc"
	"github.com/credchain/credchain/internal/timefmt"
)

// Dir is the cache folder: beside the AWS CLI's cache, under its parent
// (~/.aws/cli/credchain-process-cache).
func Dir(home string) string { return filepath.Join(home, ".aws", "cli", "credchain-process-cache") }

// Cache runs helpers through a cache folder.
type Cache struct {
	Dir string
	// Stdin, Stderr are the helper's (the caller's terminal, for prompts).
	Stdin  io.Reader
	Stderr io.Writer
	// Timeout bounds one helper run (default 5 minutes: a sign-in in the
	// browser).
	Timeout time.Duration
	Now     func() time.Time
	// LockWait bounds the wait for another caller's run (default 10 min).
	LockWait time.Duration
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// key names a command line (and the caller's profile key, when the same
// helper serves several profiles).
func key(profileKey string, argv []string) string {
	sum := sha256.Sum256([]byte(profileKey + "\x00" + strings.Join(argv, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// output is what a credential_process prints.
type output struct {
	Version         json.RawMessage `json:"Version"`
	AccessKeyID     string          `json:"AccessKeyId"`
	SecretAccessKey string          `json:"SecretAccessKey"`
	Expiration      string          `json:"Expiration"`
}

// usable reports whether out can be served at now: valid JSON with keys,
// and an Expiration more than botocore's advisory window away (output
// without one is never cached).
func usable(out []byte, now time.Time) (time.Time, bool) {
	var o output
	if json.Unmarshal(out, &o) != nil || o.AccessKeyID == "" || o.SecretAccessKey == "" || o.Expiration == "" {
		return time.Time{}, false
	}
	exp, err := timefmt.Parse(o.Expiration)
	if err != nil {
		return time.Time{}, false
	}
	return exp, exp.Sub(now) > creds.AdvisoryRefresh
}

// Run returns the helper's output: the cached one while it is good, else
// the helper's, run once for all concurrent callers (a lock per command
// line) and cached when it has an Expiration. A failure is not cached.
func (c *Cache) Run(ctx context.Context, profileKey string, argv []string) ([]byte, error) {
	if len(argv) == 0 {
		return nil, errors.New("process-cache: no helper to run (credchain process-cache -- HELPER ARGS...)")
	}
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("process-cache folder: %w", err)
	}
	if fi, err := os.Stat(c.Dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(c.Dir, 0o700); err != nil {
			return nil, fmt.Errorf("process-cache folder %s is readable by others and cannot be made private: %w", c.Dir, err)
		}
	}
	k := key(profileKey, argv)
	path := filepath.Join(c.Dir, k+".json")
	if out, ok := c.read(path); ok {
		return out, nil
	}
	wait := c.LockWait
	if wait <= 0 {
		wait = 10 * time.Minute
	}
	unlock, err := filelock.Lock(path+".lock", wait)
	if err != nil {
		return nil, fmt.Errorf("process-cache: waiting for another run of %s: %w", argv[0], err)
	}
	defer unlock()
	if out, ok := c.read(path); ok {
		return out, nil // the run we waited for
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	res, err := proc.Run(ctx, proc.Helper{Argv: argv, Stdin: c.Stdin, Stderr: c.Stderr, Timeout: timeout})
	if err != nil {
		return nil, fmt.Errorf("process-cache: %s: %w", argv[0], err)
	}
	if _, ok := usable(res.Stdout, c.now()); ok {
		if err := atomicfile.Write(path, res.Stdout, 0o600); err != nil && c.Stderr != nil {
			fmt.Fprintf(c.Stderr, "credchain: warning: process-cache: %v\n", err)
		}
	}
	return res.Stdout, nil
}

func (c *Cache) read(path string) ([]byte, bool) {
	out, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	if _, ok := usable(out, c.now()); !ok {
		return nil, false
	}
	return out, true
}

// Clear removes every cached output; it returns how many.
func (c *Cache) Clear() (int, error) {
	entries, err := os.ReadDir(c.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") || strings.HasSuffix(e.Name(), ".lock") {
			if err := os.Remove(filepath.Join(c.Dir, e.Name())); err == nil && strings.HasSuffix(e.Name(), ".json") {
				n++
			}
		}
	}
	return n, nil
}
