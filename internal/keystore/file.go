package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	jose "github.com/dvsekhvalnov/jose2go"

	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/filelock"
	"github.com/credchain/credchain/shellenv"
)

// PassphraseVar holds the file backend's passphrase on machines with no
// one to ask.
const PassphraseVar = shellenv.FilePassphraseVar

// fileStore keeps each item in its own file of Dir, a JWE (PBES2-HS256 +
// A128KW key wrap, A256GCM content) of {"Key": name, "Data": base64}: the
// layout of aws-vault's file backend. Files are replaced atomically.
type fileStore struct {
	dir        string
	passphrase string
	// checked says the passphrase opened an item of the store: every item
	// was written under it.
	checked bool
	cfg     Config
}

func openFile(cfg Config) (Store, error) {
	if cfg.Dir == "" {
		return nil, errors.New("file store: no directory (set HOME or XDG_DATA_HOME)")
	}
	return &fileStore{dir: cfg.Dir, cfg: cfg}, nil
}

func (f *fileStore) Backend() string { return File }

// item is the encrypted payload.
type item struct {
	Key  string
	Data []byte
}

func (f *fileStore) path(name string) string { return filepath.Join(f.dir, escape(name)) }

// unlock gets the passphrase: CREDCHAIN_FILE_PASSPHRASE, else the person
// (twice for a store that has no item yet). An existing item must decrypt
// with it, so that no item is ever written under another passphrase.
func (f *fileStore) unlock() error {
	if f.passphrase != "" {
		return nil
	}
	names, err := f.List()
	if err != nil {
		return err
	}
	p, ok := f.cfg.Lookup(PassphraseVar)
	if !ok || p == "" {
		if f.cfg.Passphrase == nil {
			return fmt.Errorf("file store %s: no passphrase: set %s or run on a terminal", f.dir, PassphraseVar)
		}
		label := fmt.Sprintf("Passphrase for the credchain file store %s: ", f.dir)
		if p, err = f.cfg.Passphrase(label, len(names) == 0); err != nil {
			return fmt.Errorf("file store %s: %w", f.dir, err)
		}
		if p == "" {
			return fmt.Errorf("file store %s: an empty passphrase is not accepted", f.dir)
		}
	}
	f.passphrase = p
	return f.check(names)
}

// check proves the passphrase against the store's first item, once: no
// item is ever written under another passphrase.
func (f *fileStore) check(names []string) error {
	if f.checked || len(names) == 0 {
		return nil
	}
	if _, err := f.decrypt(names[0]); err != nil {
		f.passphrase = ""
		return err
	}
	f.checked = true
	return nil
}

// lockTimeout bounds the wait for another writer of the store.
const lockTimeout = time.Minute

func (f *fileStore) decrypt(name string) ([]byte, error) {
	token, err := os.ReadFile(f.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	payload, _, err := jose.Decode(strings.TrimSpace(string(token)), f.passphrase)
	if err != nil {
		return nil, fmt.Errorf("file store %s: cannot decrypt %s: wrong passphrase (%s), or the file is damaged", f.dir, f.path(name), PassphraseVar)
	}
	var it item
	if err := json.Unmarshal([]byte(payload), &it); err != nil || it.Key != name {
		return nil, fmt.Errorf("file store: %s does not hold the item %q", f.path(name), name)
	}
	return it.Data, nil
}

func (f *fileStore) Get(name string) ([]byte, error) {
	if _, err := os.Stat(f.path(name)); errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err := f.unlock(); err != nil {
		return nil, err
	}
	return f.decrypt(name)
}

func (f *fileStore) Set(name string, data []byte) error {
	if err := f.unlock(); err != nil {
		return err
	}
	payload, err := json.Marshal(item{Key: name, Data: data})
	if err != nil {
		return err
	}
	token, err := jose.Encrypt(string(payload), jose.PBES2_HS256_A128KW, jose.A256GCM, f.passphrase)
	if err != nil {
		return fmt.Errorf("file store: encrypting %s: %w", name, err)
	}
	if err := os.MkdirAll(f.dir, 0o700); err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	// Another writer may have made the store's first item, under its own
	// passphrase, since this one was checked against an empty store: check
	// again, and write, under one lock.
	unlock, err := filelock.Lock(filepath.Join(f.dir, ".lock"), lockTimeout)
	if err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	defer unlock()
	names, err := f.List()
	if err != nil {
		return err
	}
	if err := f.check(names); err != nil {
		return err
	}
	if err := atomicfile.Write(f.path(name), []byte(token), 0o600); err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	return nil
}

func (f *fileStore) Delete(name string) error {
	err := os.Remove(f.path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("file store: %w", err)
	}
	return nil
}

func (f *fileStore) List() ([]string, error) {
	entries, err := os.ReadDir(f.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	var names []string
	for _, e := range entries {
		if name, ok := unescape(e.Name()); ok && e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// FileDir is the file store's folder: $XDG_DATA_HOME/credchain/keystore
// when XDG_DATA_HOME is an absolute path, else
// HOME/.local/share/credchain/keystore.
func FileDir(home string, lookup func(string) (string, bool)) string {
	if v, ok := lookup("XDG_DATA_HOME"); ok && filepath.IsAbs(v) {
		return filepath.Join(v, "credchain", "keystore")
	}
	return filepath.Join(home, ".local", "share", "credchain", "keystore")
}
