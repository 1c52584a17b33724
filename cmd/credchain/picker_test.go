package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPickerInTmux drives the interactive profile picker in a real terminal
// (tmux): with no profile given, no [default] and a terminal on stdin,
// `credchain export` asks; typing filters, Enter picks, and the pick is
// listed first next time.
func TestPickerInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is required")
		}
		t.Skip("tmux not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "credchain")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v: %s", err, out)
	}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := "[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n[profile ops]\nrole_arn = arn:aws:iam::210987654321:role/Ops\nsource_profile = dev\n[profile prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = s\naws_account_id = 123456789012\n"
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	run := func(session string) {
		script := "HOME=" + home + " AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=/nonexistent " + bin + " export --format env; sleep 30"
		tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", "sh", "-c", script)
	}
	waitFor := func(session, want string) string {
		deadline := time.Now().Add(10 * time.Second)
		for {
			screen := tmux("capture-pane", "-p", "-t", session)
			if strings.Contains(screen, want) {
				return screen
			}
			if time.Now().After(deadline) {
				t.Fatalf("%q not on screen:\n%s", want, screen)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	defer exec.Command("tmux", "-S", sock, "kill-server").Run()

	run("first")
	screen := waitFor("first", "profile>")
	for _, want := range []string{"dev", "ops", "role", "210987654321", "prod", "123456789012"} {
		if !strings.Contains(screen, want) {
			t.Errorf("picker does not show %q:\n%s", want, screen)
		}
	}
	tmux("send-keys", "-t", "first", "prd", "")
	waitFor("first", "profile> prd")
	tmux("send-keys", "-t", "first", "Enter")
	waitFor("first", "export AWS_ACCESS_KEY_ID='AKIAPROD'")

	run("second")
	screen = waitFor("second", "profile>")
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "profile>") {
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "> prod") {
				t.Fatalf("the last pick is not first:\n%s", screen)
			}
			break
		}
	}
	tmux("send-keys", "-t", "second", "Escape")
	waitFor("second", "no profile picked")
}
