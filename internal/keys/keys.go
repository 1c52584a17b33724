// Package keys keeps long-term IAM access keys and MFA sessions in a
// secret store (internal/keystore) instead of ~/.aws/credentials, and
// serves them through credential_process: rotation that never loses the
// working key, and one GetSessionToken per MFA session shared by every
// role chained from the profile.
//
// Items in the store, per profile P:
//
//	keys/P         the key in use: {"AccessKeyId", "SecretAccessKey", "Stored"}
//	rotation/P     a rotation under way: the new key (once created), the id it
//	               replaces and the ids the user had before
//	mfa-session/P  the MFA session: GetSessionToken's credentials
package keys

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/keystore"
)

// Key is a long-term access key.
type Key struct {
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	Stored          time.Time `json:"Stored"`
}

// Credentials returns k as credentials (they do not expire).
func (k Key) Credentials() creds.Credentials {
	return creds.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey}
}

// rotation is a rotation under way. It is first stored as an intent
// (before CreateAccessKey: no New yet, the ids the user had then), so that
// a run killed after IAM created the new key, before the key could be
// stored, leaves enough behind for the next rotate to find that key and
// delete it.
type rotation struct {
	New      Key    `json:"New"`
	Replaces string `json:"Replaces"`
	// Existing are the user's access key ids before CreateAccessKey.
	Existing []string `json:"Existing,omitempty"`
}

// Session is an MFA session: GetSessionToken's credentials.
type Session struct {
	AccessKeyID     string    `json:"AccessKeyId"`
	SecretAccessKey string    `json:"SecretAccessKey"`
	SessionToken    string    `json:"SessionToken"`
	Expiration      time.Time `json:"Expiration"`
	MFASerial       string    `json:"MFASerial"`
	// KeyID is the long-term key the session was made with.
	KeyID string `json:"KeyId"`
}

// Credentials returns s as credentials.
func (s Session) Credentials() creds.Credentials {
	return creds.Credentials{AccessKeyID: s.AccessKeyID, SecretAccessKey: s.SecretAccessKey, SessionToken: s.SessionToken,
		Expires: s.Expiration}
}

// NotStoredError says a profile has no key in the store.
type NotStoredError struct {
	Profile, Backend string
}

func (e *NotStoredError) Error() string {
	return fmt.Sprintf("profile %q has no key in the %s store: add one with credchain keys add %s (or keys import %s)",
		e.Profile, e.Backend, e.Profile, e.Profile)
}

// Vault is the key items of one store.
type Vault struct {
	Store keystore.Store
	Now   func() time.Time
}

func (v *Vault) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

const (
	keyPrefix      = "keys/"
	rotationPrefix = "rotation/"
	sessionPrefix  = "mfa-session/"
)

func (v *Vault) get(name string, into any) (bool, error) {
	data, err := v.Store.Get(name)
	if errors.Is(err, keystore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return false, fmt.Errorf("%s store: the item %s is not credchain's (it does not decode): remove it with credchain keys remove", v.Store.Backend(), name)
	}
	return true, nil
}

// put stores x under name and reads it back: a store that silently drops
// or mangles what it was given is found before anything else depends on it.
func (v *Vault) put(name string, x any) error {
	data, err := json.Marshal(x)
	if err != nil {
		return err
	}
	if err := v.Store.Set(name, data); err != nil {
		return err
	}
	back, err := v.Store.Get(name)
	if err != nil {
		return fmt.Errorf("%s store: reading back %s: %w", v.Store.Backend(), name, err)
	}
	if string(back) != string(data) {
		return fmt.Errorf("%s store: %s reads back differently from what was written", v.Store.Backend(), name)
	}
	return nil
}

// Key returns the profile's key, or a *NotStoredError.
func (v *Vault) Key(profile string) (Key, error) {
	var k Key
	ok, err := v.get(keyPrefix+profile, &k)
	if err != nil {
		return Key{}, fmt.Errorf("profile %q: %w", profile, err)
	}
	if !ok {
		return Key{}, &NotStoredError{Profile: profile, Backend: v.Store.Backend()}
	}
	if k.AccessKeyID == "" || k.SecretAccessKey == "" {
		return Key{}, fmt.Errorf("profile %q: the %s store's item %s%s has no key: add it again with credchain keys add", profile, v.Store.Backend(), keyPrefix, profile)
	}
	return k, nil
}

// Put stores the profile's key (Stored is set to now) and clears its MFA
// session, which belonged to the key it replaces, and any rotation record
// (about the key it replaces).
func (v *Vault) Put(profile string, k Key) error {
	if k.AccessKeyID == "" || k.SecretAccessKey == "" {
		return errors.New("an access key id and a secret access key are both needed")
	}
	k.Stored = v.now().UTC().Truncate(time.Second)
	if err := v.put(keyPrefix+profile, k); err != nil {
		return fmt.Errorf("profile %q: %w", profile, err)
	}
	if err := v.Store.Delete(rotationPrefix + profile); err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return fmt.Errorf("profile %q: %w", profile, err)
	}
	return v.dropSession(profile)
}

func (v *Vault) dropSession(profile string) error {
	if err := v.Store.Delete(sessionPrefix + profile); err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return fmt.Errorf("profile %q: removing the MFA session: %w", profile, err)
	}
	return nil
}

// Remove deletes everything stored for the profile; it reports whether
// there was a key.
func (v *Vault) Remove(profile string) (bool, error) {
	had := false
	for _, name := range []string{sessionPrefix + profile, rotationPrefix + profile, keyPrefix + profile} {
		err := v.Store.Delete(name)
		switch {
		case err == nil:
			had = had || strings.HasPrefix(name, keyPrefix)
		case errors.Is(err, keystore.ErrNotFound):
		default:
			return had, fmt.Errorf("profile %q: %w", profile, err)
		}
	}
	return had, nil
}

// Entry is one profile in the store, with nothing secret in it.
type Entry struct {
	Profile  string     `json:"profile"`
	Backend  string     `json:"backend"`
	KeyID    string     `json:"access_key_id"` // masked
	Stored   time.Time  `json:"stored"`
	Session  *time.Time `json:"mfa_session_expires,omitempty"`
	Rotating bool       `json:"rotation_unfinished,omitempty"`
}

// List returns the profiles that have a key, sorted.
func (v *Vault) List() ([]Entry, error) {
	names, err := v.Store.List()
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, n := range names {
		have[n] = true
	}
	var out []Entry
	for _, n := range names {
		profile, ok := strings.CutPrefix(n, keyPrefix)
		if !ok {
			continue
		}
		k, err := v.Key(profile)
		if err != nil {
			return nil, err
		}
		e := Entry{Profile: profile, Backend: v.Store.Backend(), KeyID: creds.MaskKey(k.AccessKeyID), Stored: k.Stored,
			Rotating: have[rotationPrefix+profile]}
		var s Session
		if ok, _ := v.get(sessionPrefix+profile, &s); ok && s.Expiration.After(v.now()) {
			e.Session = &s.Expiration
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Profile < out[j].Profile })
	return out, nil
}

// StoredSession returns the profile's MFA session, if one is stored.
func (v *Vault) StoredSession(profile string) (Session, bool, error) {
	var s Session
	ok, err := v.get(sessionPrefix+profile, &s)
	return s, ok, err
}
