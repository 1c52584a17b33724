// Package keystore keeps credchain's secrets (long-term IAM keys, MFA
// sessions) in the operating system's secret store, behind one small
// interface. Backends:
//
//   - secret-service: the freedesktop Secret Service over D-Bus (GNOME
//     Keyring, KWallet, KeePassXC), the default on Linux and the BSDs;
//   - keychain: the macOS login keychain through /usr/bin/security (no cgo),
//     the default on macOS;
//   - wincred: the Windows Credential Manager, the default on Windows;
//   - pass: the standard Unix password manager (pass and gpg);
//   - file: files encrypted with a passphrase (JWE, PBES2 with AES-GCM, the
//     format of aws-vault's file backend), for machines with none of these.
//
// The secret-service, keychain and wincred adapters sit on
// github.com/zalando/go-keyring; the file backend encrypts with
// github.com/dvsekhvalnov/jose2go. Every operation is bounded in time: a
// store that waits on an unlock prompt nobody answers gives an error.
package keystore

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"
)

// Service names credchain's items in the stores that have the notion.
const Service = "credchain"

// ErrNotFound says the store has no item of that name.
var ErrNotFound = errors.New("not in the secret store")

// A Store holds named secrets. Implementations are safe for use by one
// goroutine at a time; names are any non-empty strings.
type Store interface {
	// Get returns the secret stored under name, or ErrNotFound.
	Get(name string) ([]byte, error)
	// Set stores data under name, replacing what was there in one step.
	Set(name string, data []byte) error
	// Delete removes name; ErrNotFound when it was not there.
	Delete(name string) error
	// List returns the names of every item credchain stored, sorted.
	List() ([]string, error)
	// Backend is the backend's name (secret-service, pass, ...).
	Backend() string
}

// Backend names.
const (
	SecretService = "secret-service"
	Keychain      = "keychain"
	WinCred       = "wincred"
	Pass          = "pass"
	File          = "file"
)

// Backends lists every backend name, for help and errors.
var Backends = []string{SecretService, Pass, File, Keychain, WinCred}

// Config chooses and sets up a backend.
type Config struct {
	// Backend is one of Backends; "" is the platform's default.
	Backend string
	// Lookup reads the environment (DBUS_SESSION_BUS_ADDRESS,
	// PASSWORD_STORE_DIR, CREDCHAIN_FILE_PASSPHRASE, HOME, XDG_DATA_HOME).
	Lookup func(string) (string, bool)
	// Passphrase asks for the file backend's passphrase when
	// CREDCHAIN_FILE_PASSPHRASE is not set; confirm asks twice (a new
	// store).
	Passphrase func(label string, confirm bool) (string, error)
	// Dir is the file backend's directory.
	Dir string
	// Home is the user's home directory (pass's default store).
	Home string
	// Timeout bounds every operation (2 minutes when zero: long enough to
	// answer an unlock prompt).
	Timeout time.Duration
}

// Default is the platform's store.
func Default() string {
	switch runtime.GOOS {
	case "darwin":
		return Keychain
	case "windows":
		return WinCred
	default:
		return SecretService
	}
}

// Open returns the store cfg names. It fails, saying what to install or
// choose, when the backend cannot work on this machine.
func Open(cfg Config) (Store, error) {
	if cfg.Lookup == nil {
		cfg.Lookup = func(string) (string, bool) { return "", false }
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Minute
	}
	name := cfg.Backend
	if name == "" {
		name = Default()
	}
	var s Store
	var err error
	switch name {
	case SecretService:
		s, err = openSecretService(cfg)
	case Keychain:
		s, err = openKeychain(cfg)
	case WinCred:
		s, err = openWinCred(cfg)
	case Pass:
		s, err = openPass(cfg)
	case File:
		s, err = openFile(cfg)
	default:
		return nil, fmt.Errorf("unknown secret store backend %q: choose one of %s", name, strings.Join(Backends, ", "))
	}
	if err != nil {
		return nil, err
	}
	return bounded{s, cfg.Timeout}, nil
}

// bounded gives every operation of a store a time limit.
type bounded struct {
	s       Store
	timeout time.Duration
}

func (b bounded) Backend() string { return b.s.Backend() }

func (b bounded) Get(name string) ([]byte, error) {
	return call(b, "reading "+name, func() ([]byte, error) { return b.s.Get(name) })
}

func (b bounded) Set(name string, data []byte) error {
	_, err := call(b, "writing "+name, func() (struct{}, error) { return struct{}{}, b.s.Set(name, data) })
	return err
}

func (b bounded) Delete(name string) error {
	_, err := call(b, "deleting "+name, func() (struct{}, error) { return struct{}{}, b.s.Delete(name) })
	return err
}

func (b bounded) List() ([]string, error) {
	return call(b, "listing", b.s.List)
}

// call runs op, giving up after the timeout (the operation is left to
// finish or not: a prompt nobody answers would hold it forever; its result
// is then dropped).
func call[T any](b bounded, what string, op func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := op()
		done <- result{v, err}
	}()
	t := time.NewTimer(b.timeout)
	defer t.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-t.C:
		var zero T
		return zero, fmt.Errorf("%s store: %s: no answer within %s (is it locked, waiting on an unlock prompt?): unlock it, or choose another backend with --backend", b.s.Backend(), what, b.timeout)
	}
}

// escape makes a name safe as a file name or a pass path: letters, digits
// and ".-_@+" stay, every other byte is %XX.
func escape(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_@+", c) >= 0 || c == '.' && i > 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// unescape reverses escape; ok is false for a name escape did not make.
func unescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		var c byte
		if _, err := fmt.Sscanf(s[i+1:i+3], "%02X", &c); err != nil {
			return "", false
		}
		b.WriteByte(c)
		i += 2
	}
	return b.String(), escape(b.String()) == s
}
