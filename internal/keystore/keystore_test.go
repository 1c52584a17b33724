package keystore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credchain/credchain/internal/keyringtest"
)

// require skips a test whose store is not installed, unless CI says the
// machine must have it.
func require(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CREDCHAIN_REQUIRE_KEYRING") != "" {
		t.Fatalf("a real store is required: %v", err)
	}
	t.Skip(err)
}

func envOf(pairs ...string) func(string) (string, bool) {
	m := map[string]string{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// exercise runs the contract every backend keeps.
func exercise(t *testing.T, s Store) {
	t.Helper()
	if _, err := s.Get("keys/dev"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing item: %v, want ErrNotFound", err)
	}
	secret := []byte(`{"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"se/cr+et"}`)
	names := []string{"keys/dev", "keys/with space", "mfa-session/dev", "keys/a.b-c_d@e+f"}
	for _, n := range names {
		if err := s.Set(n, secret); err != nil {
			t.Fatalf("Set %q: %v", n, err)
		}
	}
	if err := s.Set("keys/dev", append(secret, '!')); err != nil {
		t.Fatalf("Set over an item: %v", err)
	}
	got, err := s.Get("keys/dev")
	if err != nil || !bytes.Equal(got, append(secret, '!')) {
		t.Fatalf("Get after replace: %q, %v", got, err)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(list, ",") != "keys/a.b-c_d@e+f,keys/dev,keys/with space,mfa-session/dev" {
		t.Fatalf("List = %q", list)
	}
	if err := s.Delete("keys/with space"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("keys/with space"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second Delete: %v, want ErrNotFound", err)
	}
	if list, _ := s.List(); len(list) != 3 {
		t.Fatalf("List after Delete = %q", list)
	}
}

func TestFileStore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Config{Backend: File, Dir: dir, Lookup: envOf(PassphraseVar + "=correct horse")})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, s)
	// Nothing on disk holds the secret in the clear.
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if fi != nil && fi.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			if bytes.Contains(data, []byte("se/cr+et")) || bytes.Contains(data, []byte("AKIAEXAMPLE")) {
				t.Errorf("%s holds the secret in the clear", p)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v", p, fi.Mode().Perm())
			}
		}
		return nil
	})
}

func TestFileStoreWrongPassphrase(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(Config{Backend: File, Dir: dir, Lookup: envOf(PassphraseVar + "=right")})
	if err := s.Set("keys/dev", []byte("secret-value")); err != nil {
		t.Fatal(err)
	}
	wrong, _ := Open(Config{Backend: File, Dir: dir, Lookup: envOf(PassphraseVar + "=wrong")})
	_, err := wrong.Get("keys/dev")
	if err == nil || !strings.Contains(err.Error(), "wrong passphrase") || strings.Contains(err.Error(), "secret-value") {
		t.Fatalf("Get with a wrong passphrase: %v", err)
	}
	// Nor is anything written under another passphrase.
	if err := wrong.Set("keys/other", []byte("x")); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("Set with a wrong passphrase: %v", err)
	}
	if list, _ := s.List(); len(list) != 1 {
		t.Fatalf("List = %q", list)
	}
}

func TestFileStoreAsksForAPassphrase(t *testing.T) {
	dir := t.TempDir()
	var asked []bool
	ask := func(label string, confirm bool) (string, error) {
		asked = append(asked, confirm)
		if !strings.Contains(label, dir) {
			t.Errorf("label %q does not name the store", label)
		}
		return "typed", nil
	}
	s, _ := Open(Config{Backend: File, Dir: dir, Passphrase: ask})
	if err := s.Set("keys/dev", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s2, _ := Open(Config{Backend: File, Dir: dir, Passphrase: ask})
	if got, err := s2.Get("keys/dev"); err != nil || string(got) != "v" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if len(asked) != 2 || !asked[0] || asked[1] {
		t.Fatalf("asked %v: want a confirmed passphrase for the new store, then one question", asked)
	}
	s3, _ := Open(Config{Backend: File, Dir: dir})
	if _, err := s3.Get("keys/dev"); err == nil || !strings.Contains(err.Error(), PassphraseVar) {
		t.Fatalf("no way to ask: %v", err)
	}
}

func TestPassStore(t *testing.T) {
	require(t, keyringtest.PassAvailable())
	dir := t.TempDir()
	env, err := keyringtest.NewPass(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer keyringtest.StopGPGAgent(env)
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	s, err := Open(Config{Backend: Pass, Lookup: os.LookupEnv, Home: dir})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, s)
	data, err := os.ReadFile(filepath.Join(dir, "password-store", "credchain", "keys%2Fdev.gpg"))
	if err != nil || bytes.Contains(data, []byte("AKIAEXAMPLE")) {
		t.Fatalf("the pass entry: %v (or it is not encrypted)", err)
	}
}

func TestPassStoreNotInitialised(t *testing.T) {
	_, err := Open(Config{Backend: Pass, Lookup: envOf("PASSWORD_STORE_DIR=" + t.TempDir())})
	if err == nil || !(strings.Contains(err.Error(), "pass init") || strings.Contains(err.Error(), "not installed")) {
		t.Fatalf("err = %v", err)
	}
}

// TestSecretService runs against GNOME Keyring on a private session bus
// (the process's one session bus connection is made here).
func TestSecretService(t *testing.T) {
	require(t, keyringtest.SecretServiceAvailable())
	dir := t.TempDir()
	svc, err := keyringtest.StartSecretService(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", svc.Addr)
	s, err := Open(Config{Backend: SecretService, Lookup: os.LookupEnv, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, s)
	// secret-tool reads what credchain stored.
	got, err := svc.Lookup("service", Service, "username", "keys/dev")
	if err != nil || !strings.Contains(got, "AKIAEXAMPLE") {
		t.Fatalf("secret-tool lookup: %q, %v", got, err)
	}
	// A locked keyring: a clear error, in bounded time.
	if err := svc.Lock(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = s.Get("keys/dev")
	if err == nil || !strings.Contains(err.Error(), "lock") {
		t.Fatalf("Get from a locked keyring: %v", err)
	}
	t.Logf("locked: %v (after %v)", err, time.Since(start).Round(time.Millisecond))
}

func TestNoSessionBus(t *testing.T) {
	_, err := Open(Config{Backend: SecretService, Lookup: envOf()})
	if err == nil || !strings.Contains(err.Error(), "--backend pass") || !strings.Contains(err.Error(), "--backend file") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Open(Config{Backend: "vault"}); err == nil || !strings.Contains(err.Error(), "secret-service, pass, file") {
		t.Fatalf("unknown backend: %v", err)
	}
}

// memory is a store without listing, to test the index.
type memory struct{ m map[string][]byte }

func (m *memory) Backend() string { return "memory" }
func (m *memory) Get(n string) ([]byte, error) {
	if v, ok := m.m[n]; ok {
		return v, nil
	}
	return nil, ErrNotFound
}
func (m *memory) Set(n string, d []byte) error { m.m[n] = d; return nil }
func (m *memory) Delete(n string) error {
	if _, ok := m.m[n]; !ok {
		return ErrNotFound
	}
	delete(m.m, n)
	return nil
}
func (m *memory) List() ([]string, error) { return nil, errors.New("cannot list") }

func TestIndexListsStoresThatCannot(t *testing.T) {
	m := &memory{m: map[string][]byte{}}
	exercise(t, &indexed{Store: m})
	// An item deleted behind the index's back is not listed.
	delete(m.m, "keys/dev")
	if list, _ := (&indexed{Store: m}).List(); strings.Join(list, ",") != "keys/a.b-c_d@e+f,mfa-session/dev" {
		t.Fatalf("List = %q", list)
	}
}

func TestEscape(t *testing.T) {
	for _, n := range []string{"keys/dev", "..", ".hidden", "a b/c%d", "ü", "keys/x.y"} {
		e := escape(n)
		if strings.ContainsAny(e, "/ .") && strings.HasPrefix(e, ".") {
			t.Errorf("escape(%q) = %q", n, e)
		}
		if got, ok := unescape(e); !ok || got != n {
			t.Errorf("unescape(escape(%q)) = %q, %v", n, got, ok)
		}
	}
	if _, ok := unescape("a%2fb"); ok {
		t.Error("a name escape did not make was accepted")
	}
}

// hang is a store whose every operation waits forever (an unlock prompt
// nobody answers).
type hang struct{ *memory }

func (hang) Get(string) ([]byte, error) { select {} }

func TestOperationsAreBounded(t *testing.T) {
	s := bounded{hang{&memory{}}, 50 * time.Millisecond}
	_, err := s.Get("keys/dev")
	if err == nil || !strings.Contains(err.Error(), "no answer within 50ms") {
		t.Fatalf("err = %v", err)
	}
}

// TestFileStoreWritersWithTwoPassphrases: two writers with different
// passphrases start on an empty store at once; one of them is refused, so
// that every item opens with one passphrase (before, both checked the empty
// store, both wrote, and items were left that no passphrase opened).
func TestFileStoreWritersWithTwoPassphrases(t *testing.T) {
	for round := range 10 {
		dir := t.TempDir()
		var wg sync.WaitGroup
		for w, pass := range []string{"first", "second"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, _ := Open(Config{Backend: File, Dir: dir, Lookup: envOf(PassphraseVar + "=" + pass)})
				for i := range 3 {
					_ = s.Set(fmt.Sprintf("item-%d-%d", w, i), []byte("data"))
				}
			}()
		}
		wg.Wait()
		opened := map[string]int{}
		names, _ := (&fileStore{dir: dir}).List()
		for _, pass := range []string{"first", "second"} {
			f := &fileStore{dir: dir, passphrase: pass}
			for _, n := range names {
				if _, err := f.decrypt(n); err == nil {
					opened[pass]++
				}
			}
		}
		if opened["first"] != len(names) && opened["second"] != len(names) {
			t.Fatalf("round %d: of %d items, %d open with the first passphrase and %d with the second", round, len(names), opened["first"], opened["second"])
		}
	}
}

func TestFileDir(t *testing.T) {
	if got := FileDir("/home/u", envOf("XDG_DATA_HOME=/data")); got != filepath.Join("/data", "credchain", "keystore") {
		t.Errorf("XDG_DATA_HOME: %s", got)
	}
	if got := FileDir("/home/u", envOf("XDG_DATA_HOME=relative")); got != filepath.Join("/home/u", ".local", "share", "credchain", "keystore") {
		t.Errorf("a relative XDG_DATA_HOME is ignored: %s", got)
	}
}
