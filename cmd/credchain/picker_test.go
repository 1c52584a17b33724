//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPickerInTmux drives the interactive profile picker in a real terminal
// (tmux): with no profile given, no [default] and a terminal on stdin,
// `credchain export` asks; typing filters, Enter picks, and the pick is
// listed first next time.
func TestPickerInTmux(t *testing.T) {
	term := newTerminal(t)
	bin := credchainBinary(t)
	home := home(t, "[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n[profile ops]\nrole_arn = arn:aws:iam::210987654321:role/Ops\nsource_profile = dev\n[profile prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = s\naws_account_id = 123456789012\n")
	run := func(session string) {
		term.Start(session, "sh", "-c", "HOME="+home+" AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=/nonexistent "+bin+" export --format env; sleep 30")
	}

	run("first")
	screen := term.WaitFor("first", "profile>")
	for _, want := range []string{"dev", "ops", "role", "210987654321", "prod", "123456789012"} {
		if !strings.Contains(screen, want) {
			t.Errorf("picker does not show %q:\n%s", want, screen)
		}
	}
	term.Keys("first", "prd", "")
	term.WaitFor("first", "profile> prd")
	term.Keys("first", "Enter")
	term.WaitFor("first", "export AWS_ACCESS_KEY_ID='AKIAPROD'")

	run("second")
	screen = term.WaitFor("second", "profile>")
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "profile>") {
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "> prod") {
				t.Fatalf("the last pick is not first:\n%s", screen)
			}
			break
		}
	}
	term.Keys("second", "Escape")
	term.WaitFor("second", "no profile picked")
}

// TestPickerNotOverEnvironmentKeys: with keys in the environment (after a
// switch) the chain finds credentials, so no picker opens, in the
// foreground or for a server started in the background of an interactive
// shell (which the picker used to stop on terminal output).
func TestPickerNotOverEnvironmentKeys(t *testing.T) {
	term := newTerminal(t)
	bin := credchainBinary(t)
	home := home(t, "[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n[profile prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = s\n")
	term.Start("keys", "env", "-i", "PATH="+os.Getenv("PATH"), "HOME="+home, "PS1=PROMPT>", "HISTFILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true", "BOTO_CONFIG=/nonexistent",
		"AWS_ACCESS_KEY_ID=AKIAFROMENV", "AWS_SECRET_ACCESS_KEY=env-secret", "bash", "--norc", "-i")
	term.WaitFor("keys", "PROMPT>")
	term.Keys("keys", bin+" export --format env | grep KEY_ID; echo export-done-$((1+1))", "Enter")
	screen := term.WaitFor("keys", "export-done-2")
	if strings.Contains(screen, "profile>") || !strings.Contains(screen, "export AWS_ACCESS_KEY_ID='AKIAFROMENV'") {
		t.Fatalf("export with keys in the environment:\n%s", screen)
	}
	out := filepath.Join(home, "serve.env")
	term.Keys("keys", bin+" serve > "+out+" 2>/dev/null &", "Enter")
	term.Keys("keys", "sleep 1; jobs; echo jobs-done-$((1+1))", "Enter")
	screen = term.WaitFor("keys", "jobs-done-2")
	if strings.Contains(screen, "Stopped") || !strings.Contains(screen, "Running") {
		t.Fatalf("the background server is not running:\n%s", screen)
	}
	term.Keys("keys", "kill %1; wait; echo killed-$((1+1))", "Enter")
	term.WaitFor("keys", "killed-2")
	data, _ := os.ReadFile(out)
	if !strings.Contains(string(data), "AWS_CONTAINER_CREDENTIALS_FULL_URI") {
		t.Errorf("serve printed %q", data)
	}
}
