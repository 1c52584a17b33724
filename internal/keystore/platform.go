package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/zalando/go-keyring"
	ss "github.com/zalando/go-keyring/secret_service"
)

// osStore is the operating system's store through go-keyring: the Secret
// Service on Linux and the BSDs, the login keychain on macOS (through
// /usr/bin/security, so without cgo), the Credential Manager on Windows.
// Items are (service "credchain", account name).
type osStore struct {
	backend string
	explain func(error) error
}

func (o osStore) Backend() string { return o.backend }

func (o osStore) Get(name string) ([]byte, error) {
	v, err := keyring.Get(Service, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, o.explain(err)
	}
	return []byte(v), nil
}

func (o osStore) Set(name string, data []byte) error {
	if err := keyring.Set(Service, name, string(data)); err != nil {
		return o.explain(err)
	}
	return nil
}

func (o osStore) Delete(name string) error {
	err := keyring.Delete(Service, name)
	if errors.Is(err, keyring.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return o.explain(err)
	}
	return nil
}

func (o osStore) List() ([]string, error) {
	return nil, fmt.Errorf("%s store: cannot list", o.backend)
}

func openSecretService(cfg Config) (Store, error) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		return nil, fmt.Errorf("the secret-service backend is for Linux and the BSDs: on %s use --backend %s", runtime.GOOS, Default())
	}
	// godbus would start a bus with dbus-launch when none is configured:
	// look for one first.
	addr, ok := cfg.Lookup("DBUS_SESSION_BUS_ADDRESS")
	if !ok || addr == "" {
		runtimeDir, _ := cfg.Lookup("XDG_RUNTIME_DIR")
		if fi, err := os.Stat(filepath.Join(runtimeDir, "bus")); runtimeDir == "" || err != nil || fi.Mode()&os.ModeSocket == 0 {
			return nil, errors.New("no Secret Service: this session has no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set). " +
				"On a desktop, log in to it (GNOME Keyring, KWallet or KeePassXC provide the store); on a headless machine choose " +
				"--backend pass (install pass and gnupg) or --backend file (an encrypted file; passphrase from the terminal or " + PassphraseVar + ")")
		}
	}
	explain := func(err error) error {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "org.freedesktop.secrets") || strings.Contains(msg, "ServiceUnknown"):
			return fmt.Errorf("secret-service store: no Secret Service answers on the D-Bus session (%v): start gnome-keyring-daemon, KWallet or KeePassXC, or choose --backend pass or --backend file", err)
		case strings.Contains(msg, "unlock") || strings.Contains(msg, "IsLocked") || strings.Contains(msg, "locked"):
			return fmt.Errorf("secret-service store: the keyring is locked (%v): unlock it (log in to the desktop, or seahorse), then run the command again", err)
		}
		return fmt.Errorf("secret-service store: %w", err)
	}
	return secretService{osStore{backend: SecretService, explain: explain}}, nil
}

// secretService lists natively: the items of the login collection whose
// service attribute is credchain's.
type secretService struct{ osStore }

func (s secretService) List() ([]string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return nil, s.explain(err)
	}
	coll := svc.GetLoginCollection()
	if err := svc.Unlock(coll.Path()); err != nil {
		return nil, s.explain(err)
	}
	items, err := svc.SearchItems(coll, map[string]string{"service": Service})
	if err != nil {
		return nil, s.explain(err)
	}
	var names []string
	for _, it := range items {
		v, err := svc.Object("org.freedesktop.secrets", it).GetProperty("org.freedesktop.Secret.Item.Attributes")
		if err != nil {
			return nil, s.explain(err)
		}
		if attrs, ok := v.Value().(map[string]string); ok && attrs["username"] != "" {
			names = append(names, attrs["username"])
		}
	}
	sort.Strings(names)
	return names, nil
}

func openKeychain(Config) (Store, error) {
	if runtime.GOOS != "darwin" {
		return nil, fmt.Errorf("the keychain backend is macOS only: on %s use --backend %s", runtime.GOOS, Default())
	}
	explain := func(err error) error {
		return fmt.Errorf("keychain store (/usr/bin/security): %w: unlock the login keychain (security unlock-keychain), or choose --backend file", err)
	}
	return &indexed{Store: osStore{backend: Keychain, explain: explain}}, nil
}

func openWinCred(Config) (Store, error) {
	if runtime.GOOS != "windows" {
		return nil, fmt.Errorf("the wincred backend is Windows only: on %s use --backend %s", runtime.GOOS, Default())
	}
	explain := func(err error) error { return fmt.Errorf("wincred store: %w", err) }
	return &indexed{Store: osStore{backend: WinCred, explain: explain}}, nil
}

// indexName is the item that lists the others in stores that cannot list.
const indexName = "credchain-index"

// indexed keeps, for a store that cannot list its items, an index item
// with their names. An item is written before it is indexed and unindexed
// before it is deleted, so the index never names a missing item for long:
// List drops names whose item is gone.
type indexed struct{ Store }

func (x *indexed) index() ([]string, error) {
	data, err := x.Store.Get(indexName)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(data, &names); err != nil {
		return nil, nil // a damaged index is rebuilt by the next Set
	}
	return names, nil
}

func (x *indexed) writeIndex(names []string) error {
	sort.Strings(names)
	data, _ := json.Marshal(names)
	return x.Store.Set(indexName, data)
}

func (x *indexed) Set(name string, data []byte) error {
	if err := x.Store.Set(name, data); err != nil {
		return err
	}
	names, err := x.index()
	if err != nil {
		return err
	}
	for _, n := range names {
		if n == name {
			return nil
		}
	}
	return x.writeIndex(append(names, name))
}

func (x *indexed) Delete(name string) error {
	names, err := x.index()
	if err != nil {
		return err
	}
	kept := names[:0]
	for _, n := range names {
		if n != name {
			kept = append(kept, n)
		}
	}
	if len(kept) != len(names) {
		if err := x.writeIndex(kept); err != nil {
			return err
		}
	}
	return x.Store.Delete(name)
}

func (x *indexed) List() ([]string, error) {
	names, err := x.index()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if _, err := x.Store.Get(n); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}
