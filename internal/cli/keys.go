//go:build !credchain_front

package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/keyfiles"
	"github.com/credchain/credchain/internal/keys"
	"github.com/credchain/credchain/internal/keystore"
	"github.com/credchain/credchain/internal/prompt"
	"github.com/credchain/credchain/internal/pystr"
	"github.com/credchain/credchain/internal/selfbin"
	"github.com/credchain/credchain/shellenv"
	"github.com/credchain/credchain/stscreds"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// BackendVar chooses the secret store when --backend is not given.
const BackendVar = "CREDCHAIN_KEYRING_BACKEND"

type keysOptions struct {
	backend  string
	noVerify bool
	all      bool
	json     bool
	yes      bool
}

func newKeysCmd(e *env, g *globals) *cobra.Command {
	o := &keysOptions{}
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Keep long-term IAM keys in the OS secret store instead of ~/.aws/credentials",
		Long: `Keep long-term IAM access keys in the operating system's secret store
(Secret Service, macOS Keychain, Windows Credential Manager, pass, or an
encrypted file) and serve them through credential_process, so boto3, the AWS
CLI and every SDK use them as before. A profile with mfa_serial gets an MFA
session (GetSessionToken, one code for 12 hours by default, or
mfa_session_duration): role profiles with source_profile set to it assume
roles that require MFA without asking again.`,
		Example: `  credchain keys add dev
  credchain keys import --all
  credchain keys list
  credchain keys rotate dev
  credchain keys add ci --backend file   # passphrase from the terminal or ` + keystore.PassphraseVar,
	}
	cmd.PersistentFlags().StringVar(&o.backend, "backend", "", fmt.Sprintf("secret store: %s (default: %s, or %s)",
		strings.Join(keystore.Backends, ", "), keystore.Default(), BackendVar))
	add := &cobra.Command{
		Use:   "add PROFILE",
		Short: "Store a key for PROFILE (asked on the terminal, or two lines of stdin) and point the profile at it",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return o.add(cmd.Context(), e, g, args[0]) },
	}
	add.Flags().BoolVar(&o.noVerify, "no-verify", false, "store the key without checking it with STS GetCallerIdentity")
	imp := &cobra.Command{
		Use:   "import PROFILE | --all",
		Short: "Move plaintext keys from ~/.aws/credentials (or config) into the store",
		Args:  cobra.MaximumNArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return o.importKeys(e, args) },
	}
	imp.Flags().BoolVar(&o.all, "all", false, "import every profile with plaintext long-term keys")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the profiles whose keys are stored: backend, masked key id, when stored, MFA session",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return o.list(e) },
	}
	list.Flags().BoolVar(&o.json, "json", false, "print JSON")
	remove := &cobra.Command{
		Use:   "remove PROFILE",
		Short: "Delete PROFILE's stored key and MFA session, and its credential_process line (asks first on a terminal)",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return o.remove(e, args[0]) },
	}
	remove.Flags().BoolVar(&o.yes, "yes", false, "do not ask before deleting the key")
	rotate := &cobra.Command{
		Use:   "rotate PROFILE",
		Short: "Replace PROFILE's key: IAM CreateAccessKey, wait until it works, store it, DeleteAccessKey the old one",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return o.rotate(cmd.Context(), e, g, args[0]) },
	}
	process := &cobra.Command{
		Use:   "process PROFILE",
		Short: "The credential_process helper: print PROFILE's stored key, or its MFA session, as credential_process JSON",
		Args:  cobra.ExactArgs(1),
		RunE:  func(cmd *cobra.Command, args []string) error { return o.process(cmd.Context(), e, args[0]) },
	}
	for _, c := range []*cobra.Command{add, remove, rotate, process} {
		c.ValidArgsFunction = completeProfiles(e)
	}
	cmd.AddCommand(add, imp, list, remove, rotate, process)
	return cmd
}

// backendName is the chosen backend: --backend, else BackendVar, else the
// platform's.
func (o *keysOptions) backendName(e *env) string {
	if o.backend != "" {
		return o.backend
	}
	if v, ok := e.lookup(BackendVar); ok && v != "" {
		return v
	}
	return keystore.Default()
}

func (o *keysOptions) vault(e *env) (*keys.Vault, error) { return o.vaultOf(e, o.backendName(e)) }

// vaultOf opens the store backend.
func (o *keysOptions) vaultOf(e *env, backend string) (*keys.Vault, error) {
	home := awsconfig.ExpandUser("~", e.lookup)
	ask := asker(e, "", "")
	st, err := keystore.Open(keystore.Config{Backend: backend, Lookup: e.lookup, Dir: keystore.FileDir(home, e.lookup), Home: home,
		Passphrase: func(label string, confirm bool) (string, error) {
			p, err := prompt.NewSecret(context.Background(), ask, label, confirm)
			if errors.Is(err, prompt.ErrUnavailable) {
				return "", fmt.Errorf("no terminal or desktop to ask for the passphrase: set %s", keystore.PassphraseVar)
			}
			return p, err
		}})
	if err != nil {
		return nil, err
	}
	return &keys.Vault{Store: st}, nil
}

// stdinIsTerminal reports whether the command's stdin is a terminal.
func stdinIsTerminal(e *env) bool {
	f, ok := e.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func files(e *env) keyfiles.Files {
	cfg, _ := awsconfig.ConfigFile(e.lookup)
	cred, _ := awsconfig.CredentialsFile(e.lookup)
	return keyfiles.Files{Config: cfg, Credentials: cred}
}

// processCommand is the credential_process line that runs this binary's
// keys process for profile: its absolute path (the one on PATH when that is
// this binary, so an upgrade keeps working; with the two binaries of `make
// build` it is credchain-aws, which the front hands keys to anyway), quoted for the split botocore
// does, and the backend when it is not the platform's default (boto3 may
// run without CREDCHAIN_KEYRING_BACKEND).
func (o *keysOptions) processCommand(e *env, profile string) (string, error) {
	self, err := selfbin.Self()
	if err != nil {
		return "", fmt.Errorf("credential_process: %w", err)
	}
	if strings.Contains(self, string(filepath.Separator)+"go-build") {
		fmt.Fprintf(e.stderr, "credchain: warning: %s is a temporary binary of go run: install credchain (make build) and run keys add again\n", self)
	}
	argv := []string{self, "keys", "process"}
	if b := o.backendName(e); b != keystore.Default() {
		argv = append(argv, "--backend", b)
	}
	return pystr.Join(append(argv, profile), runtime.GOOS == "windows"), nil
}

// readKey asks for a key: on the terminal without echo when stdin is one,
// else two lines of stdin (access key id, then secret).
func readKey(e *env) (keys.Key, error) {
	var k keys.Key
	if stdinIsTerminal(e) {
		var err error
		if k.AccessKeyID, err = prompt.Terminal("Access key ID: "); err != nil {
			return k, err
		}
		if k.SecretAccessKey, err = prompt.Terminal("Secret access key: "); err != nil {
			return k, err
		}
	} else {
		if e.stdin == nil {
			return k, errors.New("no terminal and no stdin to read the key from")
		}
		for _, p := range []*string{&k.AccessKeyID, &k.SecretAccessKey} {
			line, err := prompt.Line(e.stdin)
			if err != nil {
				return k, errors.New("reading the key from stdin: give two lines, the access key id then the secret access key")
			}
			*p = strings.TrimSpace(line)
		}
	}
	switch {
	case k.AccessKeyID == "" || k.SecretAccessKey == "":
		return k, errors.New("an access key id and a secret access key are both needed")
	case strings.ContainsAny(k.AccessKeyID+k.SecretAccessKey, " \t"):
		return k, errors.New("the access key id or the secret contains spaces: give one per line")
	case strings.HasPrefix(k.AccessKeyID, "ASIA"):
		return k, fmt.Errorf("%s is a temporary key (it needs a session token): store long-term keys (AKIA...)", creds.MaskKey(k.AccessKeyID))
	}
	return k, nil
}

// profileSession is the session of profile, for where STS and IAM are;
// a profile the config does not have yet reads the defaults.
func profileSession(e *env, profile string) *credchain.Session {
	s := credchain.NewSession(credchain.WithEnv(e.lookup), credchain.WithProfile(profile))
	if s.CheckProfile() != nil {
		s = credchain.NewSession(credchain.WithEnv(e.lookup))
	}
	return s
}

// verify calls GetCallerIdentity with k and returns the ARN.
func verify(ctx context.Context, s *credchain.Session, k keys.Key) (string, error) {
	opts, err := s.STSOptions()
	if err != nil {
		return "", err
	}
	out, err := stscreds.CallerIdentity(ctx, opts, k.Credentials())
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}

func (o *keysOptions) add(ctx context.Context, e *env, g *globals, profile string) error {
	command, err := o.processCommand(e, profile)
	if err != nil {
		return err
	}
	use, err := keyfiles.Inspect(files(e), profile, command, false)
	if err != nil {
		return err
	}
	v, err := o.vault(e)
	if err != nil {
		return err
	}
	k, err := readKey(e)
	if err != nil {
		return fmt.Errorf("profile %q: %w; nothing was stored", profile, err)
	}
	if !o.noVerify {
		arn, err := verify(ctx, profileSession(e, profile), k)
		if err != nil {
			return fmt.Errorf("profile %q: the key %s was not stored: STS GetCallerIdentity refused it: %w (--no-verify stores it unchecked)",
				profile, creds.MaskKey(k.AccessKeyID), err)
		}
		fmt.Fprintf(e.stderr, "credchain: the key %s is %s\n", creds.MaskKey(k.AccessKeyID), arn)
	}
	return o.store(e, v, use, k)
}

// store puts k in the store and points the profile at it; if the files
// cannot be written, the store is put back as it was.
func (o *keysOptions) store(e *env, v *keys.Vault, use *keyfiles.Use, k keys.Key) error {
	before, err := v.Key(use.Profile)
	var notStored *keys.NotStoredError
	had := !errors.As(err, &notStored)
	if err != nil && had {
		return err
	}
	if err := v.Put(use.Profile, k); err != nil {
		return err
	}
	if err := use.Apply(); err != nil {
		if had {
			err = errors.Join(err, v.Put(use.Profile, before))
		} else {
			_, rerr := v.Remove(use.Profile)
			err = errors.Join(err, rerr)
		}
		return fmt.Errorf("profile %q: %w; the store was put back as it was", use.Profile, err)
	}
	fmt.Fprintf(e.stderr, "credchain: stored the key %s of profile %s in the %s store; %s now has credential_process for it\n",
		creds.MaskKey(k.AccessKeyID), use.Profile, v.Store.Backend(), files(e).Config)
	return nil
}

func (o *keysOptions) importKeys(e *env, args []string) error {
	var profiles []string
	switch {
	case o.all && len(args) > 0:
		return usageError{errors.New("name a profile or give --all, not both")}
	case o.all:
		var err error
		if profiles, err = keyfiles.Plaintext(files(e)); err != nil {
			return err
		}
		if len(profiles) == 0 {
			fmt.Fprintln(e.stderr, "credchain: no profile has plaintext keys")
			return nil
		}
	case len(args) == 1:
		profiles = args
	default:
		return usageError{errors.New("name a profile to import, or give --all")}
	}
	v, err := o.vault(e)
	if err != nil {
		return err
	}
	var failed []error
	for _, p := range profiles {
		err := func() error {
			command, err := o.processCommand(e, p)
			if err != nil {
				return err
			}
			use, err := keyfiles.Inspect(files(e), p, command, true)
			if err != nil {
				return err
			}
			return o.store(e, v, use, *use.Plain)
		}()
		if err != nil {
			failed = append(failed, err)
			fmt.Fprintf(e.stderr, "credchain: %v\n", err)
		}
	}
	if len(failed) > 0 {
		return exitError{ExitError}
	}
	return nil
}

// list lists the keys of every store that holds some: the one chosen
// (--backend, CREDCHAIN_KEYRING_BACKEND, the platform's), and, unless a
// store was named, each store the files' credential_process lines name. A
// store that cannot be opened (no D-Bus) is reported and skipped.
func (o *keysOptions) list(e *env) error {
	backends := []string{o.backendName(e)}
	if _, named := e.lookup(BackendVar); o.backend == "" && !named {
		for _, b := range keyfiles.Backends(files(e)) {
			if b == "" {
				b = keystore.Default()
			}
			if !slices.Contains(backends, b) {
				backends = append(backends, b)
			}
		}
	}
	var entries []keys.Entry
	var opened []string
	failed := 0
	for _, b := range backends {
		v, err := o.vaultOf(e, b)
		var got []keys.Entry
		if err == nil {
			got, err = v.List()
		}
		if err != nil {
			if len(backends) == 1 {
				return err
			}
			failed++
			fmt.Fprintf(e.stderr, "credchain: the %s store cannot be read (%v): its keys are not listed\n", b, err)
			continue
		}
		opened = append(opened, b)
		entries = append(entries, got...)
	}
	if failed == len(backends) {
		return fmt.Errorf("no store could be read (%s)", strings.Join(backends, ", "))
	}
	if o.json {
		if entries == nil {
			entries = []keys.Entry{}
		}
		b, _ := json.MarshalIndent(entries, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", b)
		return nil
	}
	if len(entries) == 0 {
		fmt.Fprintf(e.stderr, "credchain: no keys in the %s store (credchain keys add PROFILE)\n", strings.Join(opened, " or "))
		return nil
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PROFILE\tBACKEND\tACCESS KEY\tSTORED\tMFA SESSION")
	for _, en := range entries {
		session := "-"
		if en.Session != nil {
			session = "until " + en.Session.Local().Format("2006-01-02 15:04") + " (" + time.Until(*en.Session).Round(time.Minute).String() + " left)"
		}
		stored := en.Stored.Local().Format("2006-01-02 15:04")
		if en.Rotating {
			stored += " (rotation unfinished: keys rotate again)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", en.Profile, en.Backend, en.KeyID, stored, session)
	}
	return w.Flush()
}

func (o *keysOptions) remove(e *env, profile string) error {
	v, err := o.vault(e)
	if err != nil {
		return err
	}
	if k, err := v.Key(profile); err == nil && !o.yes && stdinIsTerminal(e) {
		// IAM never shows a secret again: the store's copy may be the only one.
		ok, err := prompt.Confirm(fmt.Sprintf("Delete profile %s's key %s from the %s store? It may be the only copy of its secret",
			profile, creds.MaskKey(k.AccessKeyID), v.Store.Backend()))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("profile %q: nothing was removed", profile)
		}
	}
	had, err := v.Remove(profile)
	if err != nil {
		return err
	}
	unused, err := keyfiles.Unuse(files(e), profile)
	if err != nil {
		return fmt.Errorf("profile %q: the key was removed from the store, but its credential_process line was not: %w", profile, err)
	}
	if !had && !unused {
		return fmt.Errorf("profile %q has no key in the %s store", profile, v.Store.Backend())
	}
	fmt.Fprintf(e.stderr, "credchain: removed profile %s's key from the %s store", profile, v.Store.Backend())
	if unused {
		fmt.Fprintf(e.stderr, " and its credential_process line")
	}
	fmt.Fprintln(e.stderr)
	return nil
}

func (o *keysOptions) rotate(ctx context.Context, e *env, g *globals, profile string) error {
	v, err := o.vault(e)
	if err != nil {
		return err
	}
	s := profileSession(e, profile)
	endpoint, err := s.EndpointURL("iam")
	if err != nil {
		return err
	}
	stsOpts, err := s.STSOptions()
	if err != nil {
		return err
	}
	r := &keys.Rotator{Vault: v,
		IAM: func(k keys.Key) keys.IAM { return keys.NewIAM(endpoint, stsOpts.Retry, k) },
		Works: func(ctx context.Context, k keys.Key) error {
			_, err := stscreds.CallerIdentity(ctx, stsOpts, k.Credentials())
			return err
		},
		Log: func(format string, args ...any) { fmt.Fprintf(e.stderr, "credchain: "+format+"\n", args...) },
	}
	oldID, newID, err := r.Rotate(ctx, profile)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "credchain: profile %s: rotated %s -> %s\n", profile, creds.MaskKey(oldID), creds.MaskKey(newID))
	return nil
}

// process is the credential_process helper: the stored key, or with
// mfa_serial the MFA session, as the process JSON.
func (o *keysOptions) process(ctx context.Context, e *env, profile string) error {
	v, err := o.vault(e)
	if err != nil {
		return err
	}
	settings, err := keyfiles.Settings(files(e), profile)
	if err != nil {
		return err
	}
	var mfa *keys.MFA
	if settings.MFASerial != "" {
		d, err := keys.ParseSessionDuration(settings.Duration)
		if err != nil {
			return fmt.Errorf("profile %q: %s: %w", profile, settings.DurationWhere, err)
		}
		stsOpts, err := profileSession(e, profile).STSOptions()
		if err != nil {
			return err
		}
		home := awsconfig.ExpandUser("~", e.lookup)
		lockDir := &cache.File{Dir: cache.DefaultDir(home)}
		lockKey, _ := cache.Key(map[string]any{"credchain-mfa-session": profile})
		mfa = &keys.MFA{Serial: settings.MFASerial, Duration: d,
			Code: func() (string, error) {
				code, err := askMFA(ctx, e, credchain.MFARequest{Profile: profile, Serial: settings.MFASerial, Process: settings.MFAProcess})
				if errors.Is(err, prompt.ErrUnavailable) {
					return "", noWayToAsk(settings.MFASerial, profile)
				}
				return code, err
			},
			STS:  func(k keys.Key) keys.SessionAPI { return stscreds.NewClient(stsOpts, k.Credentials()) },
			Lock: func() (func(), error) { return lockDir.Lock(lockKey) },
		}
	}
	c, err := v.Credentials(ctx, profile, mfa)
	if err != nil {
		return err
	}
	out, err := shellenv.Process(creds.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, Expires: c.Expires})
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(out)
	return err
}
