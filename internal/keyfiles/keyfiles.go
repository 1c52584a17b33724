// Package keyfiles is the config-file side of credchain's key store: which
// profile's credential_process serves its key from the store, and the edits
// that point a profile at the store (keys add, import) or take it away
// (keys remove), through configedit. The store itself, the MFA session and
// rotation are internal/keys.
package keyfiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/internal/configedit"
	"github.com/credchain/credchain/internal/keys"
	"github.com/credchain/credchain/internal/pystr"
)

// Files are the user's AWS files.
type Files struct {
	Config, Credentials string
}

// read parses both files (a missing file is empty).
func (f Files) read() (cfg, cred *awsconfig.File, err error) {
	read := func(path string) (*awsconfig.File, error) {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			data, err = nil, nil
		}
		if err != nil {
			return nil, err
		}
		pf, err := awsconfig.Parse(path, data)
		if err != nil {
			return nil, fmt.Errorf("%w: fix the file first; nothing was changed", err)
		}
		return pf, nil
	}
	if cfg, err = read(f.Config); err != nil {
		return nil, nil, err
	}
	if cred, err = read(f.Credentials); err != nil {
		return nil, nil, err
	}
	return cfg, cred, nil
}

// IsOurs reports whether a credential_process command line runs
// credchain's keys process.
func IsOurs(line string) bool {
	_, ok := ourArgs(line)
	return ok
}

// ourArgs splits a credential_process line that runs credchain keys
// process, the way botocore splits it on either kind of system (a config
// file may be shared between them).
func ourArgs(line string) ([]string, bool) {
	for _, split := range []func(string) ([]string, error){pystr.ShlexSplit, pystr.WindowsSplit} {
		argv, err := split(line)
		if err != nil || len(argv) < 3 {
			continue
		}
		base := strings.TrimSuffix(strings.ToLower(filepath.Base(strings.ReplaceAll(argv[0], `\`, "/"))), ".exe")
		if strings.HasPrefix(base, "credchain") && argv[1] == "keys" && argv[2] == "process" {
			return argv, true
		}
	}
	return nil, false
}

// otherSources are the keys of a profile that get credentials another way:
// stored keys in such a profile would not be used, or would change what it
// resolves to.
var otherSources = []string{"role_arn", "credential_source", "web_identity_token_file", "sso_session", "sso_start_url",
	"sso_account_id", "login_session"}

// Use is a profile made to use stored keys: the edits of the files, found
// and checked before anything is changed.
type Use struct {
	Profile string
	// Plain are the keys the files hold in plaintext (keys import), with
	// where they are.
	Plain      *keys.Key
	PlainWhere string
	files      Files
	cfgHeader  string
	command    string
	inConfig   bool // the plaintext keys are in the config file
}

// Inspect checks that profile can use stored keys through command (its
// credential_process) and says what will change. importing asks for the
// plaintext keys the files hold; otherwise plaintext keys are an error
// (they would win over credential_process).
func Inspect(files Files, profile, command string, importing bool) (*Use, error) {
	cfgFile, credFile, err := files.read()
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("profile %q", profile)
	u := &Use{Profile: profile, files: files, command: command, cfgHeader: "profile " + profile}
	if profile == "default" {
		u.cfgHeader = "default"
	}
	cfg := awsconfig.NewConfig(cfgFile)
	cfgSec, inCfg := cfg.Profile(profile)
	credSec, _ := credFile.Section(profile)
	if inCfg {
		u.cfgHeader = cfgSec.Header
		for _, k := range otherSources {
			if v, ok := cfgSec.Lookup(k); ok {
				return nil, fmt.Errorf("%s gets its credentials from %s (%s): stored keys belong to a profile of their own "+
					"(e.g. [profile %s-keys]) that this one names as source_profile", where, k, v.Pos(), profile)
			}
		}
		if v, ok := cfgSec.Lookup("credential_process"); ok && !IsOurs(v.Raw) {
			return nil, fmt.Errorf("%s already has credential_process = %s (%s): remove it first, or store the keys under another profile", where, v.Raw, v.Pos())
		}
	}
	for _, sec := range []*awsconfig.Section{credSec, cfgSec} {
		if sec == nil || !awsconfig.HasStaticKeys(sec) {
			continue
		}
		id, _ := sec.Lookup("aws_access_key_id")
		if !importing {
			return nil, fmt.Errorf("%s already has keys in plaintext (%s): move them into the store with credchain keys import %s", where, sec.Pos(), profile)
		}
		if u.Plain != nil {
			return nil, fmt.Errorf("%s has keys in both %s and %s: keep one pair, then import", where, u.PlainWhere, sec.Pos())
		}
		secret, _ := sec.Get("aws_secret_access_key")
		if id.Raw == "" || secret == "" {
			return nil, fmt.Errorf("%s at %s has an incomplete key pair (aws_access_key_id and aws_secret_access_key are both needed)", where, sec.Pos())
		}
		if v, ok := sec.Lookup("aws_session_token"); ok {
			return nil, fmt.Errorf("%s holds temporary credentials (aws_session_token at %s): only long-term keys are stored", where, v.Pos())
		}
		u.Plain = &keys.Key{AccessKeyID: id.Raw, SecretAccessKey: secret}
		u.PlainWhere, u.inConfig = sec.Pos(), sec == cfgSec
	}
	if importing && u.Plain == nil {
		return nil, fmt.Errorf("%s has no plaintext keys in %s or %s", where, files.Credentials, files.Config)
	}
	return u, nil
}

var plainKeys = []string{"aws_access_key_id", "aws_secret_access_key"}

// Apply writes the change: credential_process in the config file, then the
// plaintext keys removed (each file replaced atomically, every other byte
// kept, the result re-parsed before it replaces the file). A failure
// between the two leaves the keys in plaintext and working.
func (u *Use) Apply() error {
	changes := []configedit.Change{{Section: u.cfgHeader, Key: "credential_process", Value: u.command}}
	if u.Plain != nil && u.inConfig {
		for _, k := range plainKeys {
			changes = append(changes, configedit.Change{Section: u.cfgHeader, Key: k, Delete: true})
		}
	}
	if err := configedit.Edit(u.files.Config, changes...); err != nil {
		return err
	}
	if u.Plain != nil && !u.inConfig {
		var del []configedit.Change
		for _, k := range plainKeys {
			del = append(del, configedit.Change{Section: u.Profile, Key: k, Delete: true})
		}
		if err := configedit.Edit(u.files.Credentials, del...); err != nil {
			return err
		}
	}
	return nil
}

// Unuse removes credchain's credential_process from the profile, if it is
// there; it reports whether it was.
func Unuse(files Files, profile string) (bool, error) {
	cfgFile, _, err := files.read()
	if err != nil {
		return false, err
	}
	sec, ok := awsconfig.NewConfig(cfgFile).Profile(profile)
	if !ok {
		return false, nil
	}
	if v, ok := sec.Lookup("credential_process"); !ok || !IsOurs(v.Raw) {
		return false, nil
	}
	return true, configedit.Edit(files.Config, configedit.Change{Section: sec.Header, Key: "credential_process", Delete: true})
}

// Plaintext lists the profiles whose keys are in plaintext in the files
// (long-term keys only), credentials file first.
func Plaintext(files Files) ([]string, error) {
	cfgFile, credFile, err := files.read()
	if err != nil {
		return nil, err
	}
	profiles := awsconfig.Merge(awsconfig.NewConfig(cfgFile), credFile)
	var out []string
	for _, name := range profiles.Names() {
		p := profiles.Lookup(name)
		if awsconfig.HasStaticKeys(p) && !p.Has("aws_session_token") {
			out = append(out, name)
		}
	}
	return out, nil
}

// ProcessSettings are the keys process reads from the profile.
type ProcessSettings struct {
	MFASerial, MFAProcess string
	Duration              string
	DurationWhere         string
}

// Settings reads the profile's MFA settings.
func Settings(files Files, profile string) (ProcessSettings, error) {
	cfgFile, credFile, err := files.read()
	if err != nil {
		return ProcessSettings{}, err
	}
	p := awsconfig.Merge(awsconfig.NewConfig(cfgFile), credFile).Lookup(profile)
	var s ProcessSettings
	s.MFASerial, _ = p.Get("mfa_serial")
	s.MFAProcess, _ = p.Get("mfa_process")
	if v, ok := p.Lookup("mfa_session_duration"); ok {
		s.Duration, s.DurationWhere = v.Raw, v.Pos()
	}
	return s, nil
}

// Served says how a profile's credentials come from credchain's store:
// the backend its credential_process names ("" for the platform's) and its
// mfa_serial (an MFA session), when the profile's credential_process is
// credchain keys process.
type Served struct {
	Backend, MFASerial string
}

// ServedBy reports whether profile's credential_process is credchain's
// keys process, and how.
func ServedBy(files Files, profile string) (Served, bool) {
	cfgFile, credFile, err := files.read()
	if err != nil {
		return Served{}, false
	}
	p := awsconfig.Merge(awsconfig.NewConfig(cfgFile), credFile).Lookup(profile)
	line, _ := p.Get("credential_process")
	argv, ok := ourArgs(line)
	if !ok {
		return Served{}, false
	}
	var s Served
	for i, a := range argv {
		if a == "--backend" && i+1 < len(argv) {
			s.Backend = argv[i+1]
		} else if b, ok := strings.CutPrefix(a, "--backend="); ok {
			s.Backend = b
		}
	}
	s.MFASerial, _ = p.Get("mfa_serial")
	return s, true
}

// Backends are the stores the files' credential_process lines name for
// credchain's keys process ("" for the platform's default), in file order.
func Backends(files Files) []string {
	cfgFile, credFile, err := files.read()
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	profiles := awsconfig.Merge(awsconfig.NewConfig(cfgFile), credFile)
	_ = profiles.Each(nil, func(name string, cfgAt, credAt int) error {
		line, _ := awsconfig.MergeSections(profiles.Sections(cfgAt, credAt)).Get("credential_process")
		argv, ok := ourArgs(line)
		if !ok {
			return nil
		}
		backend := ""
		for i, a := range argv {
			if a == "--backend" && i+1 < len(argv) {
				backend = argv[i+1]
			} else if b, ok := strings.CutPrefix(a, "--backend="); ok {
				backend = b
			}
		}
		if !seen[backend] {
			seen[backend] = true
			out = append(out, backend)
		}
		return nil
	})
	return out
}
