// Package keyringtest starts real secret stores for tests: a private D-Bus
// session bus with GNOME Keyring's Secret Service on it, and a pass store
// with a throw-away GPG key.
package keyringtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// SecretServiceAvailable says whether dbus-daemon and gnome-keyring-daemon
// are installed.
func SecretServiceAvailable() error {
	for _, c := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(c); err != nil {
			return fmt.Errorf("%s is not installed (apt-get install gnome-keyring dbus-daemon)", c)
		}
	}
	return nil
}

// SecretService is a running session bus with an unlocked GNOME Keyring.
type SecretService struct {
	// Env is what a client needs: DBUS_SESSION_BUS_ADDRESS (and HOME, where
	// the keyring file lives).
	Env     []string
	Addr    string
	procs   []*exec.Cmd
	sockDir string
}

// Password unlocks the login keyring.
const Password = "keyring-test-password"

// StartSecretService starts dbus-daemon and gnome-keyring-daemon with their
// files under dir (HOME for the daemon).
func StartSecretService(dir string) (*SecretService, error) {
	if err := SecretServiceAvailable(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// A socket path must be short (108 bytes): not under a test's deep
	// work directory.
	sockDir, err := os.MkdirTemp("", "ccbus")
	if err != nil {
		return nil, err
	}
	s := &SecretService{sockDir: sockDir}
	sock := filepath.Join(sockDir, "bus")
	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--address=unix:path="+sock, "--print-address=1")
	out, err := bus.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := bus.Start(); err != nil {
		return nil, err
	}
	s.procs = append(s.procs, bus)
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(out).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case s.Addr = <-line:
	case <-time.After(10 * time.Second):
		s.Close()
		return nil, errors.New("dbus-daemon printed no address in 10s")
	}
	if s.Addr == "" {
		s.Close()
		return nil, fmt.Errorf("dbus-daemon printed no address (socket %s)", sock)
	}
	s.Env = []string{"DBUS_SESSION_BUS_ADDRESS=" + s.Addr, "HOME=" + dir}
	gk := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground")
	gk.Env = append(os.Environ(), s.Env...)
	gk.Env = append(gk.Env, "XDG_DATA_HOME="+filepath.Join(dir, ".local", "share"))
	gk.Stdin = strings.NewReader(Password)
	var gkOut bytes.Buffer
	gk.Stdout, gk.Stderr = &gkOut, &gkOut
	if err := gk.Start(); err != nil {
		s.Close()
		return nil, err
	}
	s.procs = append(s.procs, gk)
	// Ready when the service name has an owner on the bus.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := exec.Command("dbus-send", "--session", "--dest=org.freedesktop.DBus", "--type=method_call", "--print-reply",
			"/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets")
		c.Env = append(os.Environ(), s.Env...)
		if o, err := c.Output(); err == nil && strings.Contains(string(o), "boolean true") {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.Close()
			return nil, fmt.Errorf("gnome-keyring-daemon did not take org.freedesktop.secrets in 10s: %s", gkOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Lock locks the login collection, as a screen lock would.
func (s *SecretService) Lock() error {
	c := exec.Command("dbus-send", "--session", "--dest=org.freedesktop.secrets", "--type=method_call", "--print-reply",
		"/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login")
	c.Env = append(os.Environ(), s.Env...)
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("locking the keyring: %v: %s", err, out)
	}
	return nil
}

// Lookup reads an item back with secret-tool (libsecret-tools), as a
// person would.
func (s *SecretService) Lookup(attrs ...string) (string, error) {
	c := exec.Command("secret-tool", append([]string{"lookup"}, attrs...)...)
	c.Env = append(os.Environ(), s.Env...)
	out, err := c.Output()
	return string(out), err
}

// Close stops the daemons.
func (s *SecretService) Close() {
	for i := len(s.procs) - 1; i >= 0; i-- {
		p := s.procs[i]
		if p.Process != nil {
			p.Process.Kill()
			p.Wait()
		}
	}
	os.RemoveAll(s.sockDir)
}

// PassAvailable says whether pass and gpg are installed.
func PassAvailable() error {
	for _, c := range []string{"pass", "gpg"} {
		if _, err := exec.LookPath(c); err != nil {
			return fmt.Errorf("%s is not installed (apt-get install pass gnupg)", c)
		}
	}
	return nil
}

// NewPass makes a GPG home with a throw-away key (no passphrase) and a pass
// store initialised for it, under dir; it returns the environment that
// points pass at them.
func NewPass(dir string) ([]string, error) {
	if err := PassAvailable(); err != nil {
		return nil, err
	}
	gnupg := filepath.Join(dir, "gnupg")
	if err := os.MkdirAll(gnupg, 0o700); err != nil {
		return nil, err
	}
	env := []string{"GNUPGHOME=" + gnupg, "PASSWORD_STORE_DIR=" + filepath.Join(dir, "password-store")}
	run := func(name string, args ...string) error {
		c := exec.Command(name, args...)
		c.Env = append(os.Environ(), env...)
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
		}
		return nil
	}
	if err := run("gpg", "--batch", "--passphrase", "", "--quick-gen-key", "credchain-test@example.com", "default", "default", "never"); err != nil {
		return nil, err
	}
	if err := run("pass", "init", "credchain-test@example.com"); err != nil {
		return nil, err
	}
	return env, nil
}

// StopGPGAgent stops the agent of a GPG home made by NewPass.
func StopGPGAgent(env []string) {
	c := exec.Command("gpgconf", "--kill", "gpg-agent")
	c.Env = append(os.Environ(), env...)
	c.Run()
}
