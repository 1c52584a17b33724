package keystore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/credchain/credchain/internal/proc"
)

// passStore keeps each item as credchain/<name> in pass, the standard Unix
// password manager (gpg-encrypted files under PASSWORD_STORE_DIR). The pass
// command does the work; the secret travels on its stdin and stdout only.
type passStore struct {
	cmd string
	dir string
}

func openPass(cfg Config) (Store, error) {
	cmd, err := exec.LookPath("pass")
	if err != nil {
		return nil, errors.New("pass store: the pass command is not installed: install pass and gnupg, run pass init GPG-ID, or choose another --backend")
	}
	dir, ok := cfg.Lookup("PASSWORD_STORE_DIR")
	if !ok || dir == "" {
		if cfg.Home == "" {
			return nil, errors.New("pass store: no PASSWORD_STORE_DIR and no home directory")
		}
		dir = filepath.Join(cfg.Home, ".password-store")
	}
	if _, err := os.Stat(filepath.Join(dir, ".gpg-id")); err != nil {
		return nil, fmt.Errorf("pass store %s is not initialised: run pass init GPG-ID, or choose another --backend", dir)
	}
	return &passStore{cmd: cmd, dir: dir}, nil
}

func (p *passStore) Backend() string { return Pass }

func (p *passStore) entry(name string) string { return Service + "/" + escape(name) }

// maxOutput bounds what is read from pass.
const maxOutput = 1 << 20

// passTimeout bounds one pass command: gpg may wait for a person at
// pinentry.
const passTimeout = 2 * time.Minute

func (p *passStore) run(stdin []byte, args ...string) ([]byte, error) {
	out, err := proc.Run(context.Background(), proc.Helper{Argv: append([]string{p.cmd}, args...), Stdin: bytes.NewReader(stdin),
		Timeout: passTimeout, MaxOutput: maxOutput})
	if err != nil {
		msg := strings.TrimSpace(string(out.Stderr))
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		return nil, fmt.Errorf("pass store: pass %s %s: %v: %s", args[0], args[len(args)-1], err, msg)
	}
	if out.Truncated {
		return nil, fmt.Errorf("pass store: pass %s printed more than %d bytes", args[0], maxOutput)
	}
	return out.Stdout, nil
}

func (p *passStore) file(name string) string {
	return filepath.Join(p.dir, Service, escape(name)+".gpg")
}

func (p *passStore) Get(name string) ([]byte, error) {
	if _, err := os.Stat(p.file(name)); errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	return p.run(nil, "show", p.entry(name))
}

func (p *passStore) Set(name string, data []byte) error {
	_, err := p.run(data, "insert", "--multiline", "--force", p.entry(name))
	return err
}

func (p *passStore) Delete(name string) error {
	if _, err := os.Stat(p.file(name)); errors.Is(err, fs.ErrNotExist) {
		return ErrNotFound
	}
	_, err := p.run(nil, "rm", "--force", p.entry(name))
	return err
}

func (p *passStore) List() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(p.dir, Service))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("pass store: %w", err)
	}
	var names []string
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".gpg")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		if name, ok := unescape(base); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}
