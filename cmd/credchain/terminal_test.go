//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/credchain/credchain/internal/ststest"
)

const mfaConfig = `[profile base]
region = us-east-1
aws_access_key_id = AKIABASE
aws_secret_access_key = base-secret
[profile mfa]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/R
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/alice
`

// TestMFAPromptOnTerminalKeepsPipedInput: with data piped into exec, the
// MFA code is asked for on the terminal and the command gets every line
// (the first line used to be taken as the code, and ~1 KiB more lost:
// wc counted 99,717).
func TestMFAPromptOnTerminalKeepsPipedInput(t *testing.T) {
	term := newTerminal(t)
	bin := credchainBinary(t)
	sts := ststest.New()
	defer sts.Close()
	home := home(t, mfaConfig)
	out := filepath.Join(home, "count")
	term.Start("mfa", "sh", "-c", "HOME="+home+" AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=/nonexistent AWS_ENDPOINT_URL_STS="+sts.URL+
		" sh -c 'seq 1 100000 | "+bin+" exec mfa --no-cache -- wc -l > "+out+"; echo exit=$?'; sleep 30")
	term.WaitFor("mfa", "Enter MFA code for arn:aws:iam::123456789012:mfa/alice:")
	term.Keys("mfa", "271828", "Enter")
	screen := term.WaitFor("mfa", "exit=")
	if strings.Contains(screen, "271828") {
		t.Errorf("the MFA code was echoed:\n%s", screen)
	}
	data, _ := os.ReadFile(out)
	if strings.TrimSpace(string(data)) != "100000" {
		t.Fatalf("wc counted %q lines, want 100000\n%s", data, screen)
	}
	calls := sts.Calls()
	if len(calls) != 1 || calls[0].Params["TokenCode"] != "271828" || calls[0].Params["SerialNumber"] != "arn:aws:iam::123456789012:mfa/alice" {
		t.Fatalf("STS calls: %+v", calls)
	}
}

// TestExecGivesTheCommandTheTerminal: the command exec runs has the
// terminal as its stdin, stdout and stderr, as it would without credchain
// (the front used to hand it a pipe for stdout, so programs lost their
// colours, pagers and prompts).
func TestExecGivesTheCommandTheTerminal(t *testing.T) {
	term := newTerminal(t)
	bin := credchainBinary(t)
	home := home(t, "[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n")
	term.Start("tty", "sh", "-c", "HOME="+home+" AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=/nonexistent "+bin+
		" exec dev -- sh -c 'for fd in 0 1 2; do if [ -t $fd ]; then echo fd$fd=tty; else echo fd$fd=other; fi; done'; echo exit=$?; sleep 30")
	screen := term.WaitFor("tty", "exit=")
	for _, want := range []string{"fd0=tty", "fd1=tty", "fd2=tty", "exit=0"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("want %s:\n%s", want, screen)
		}
	}
}

// TestMFAWithoutTerminalReadsOneLine: with no terminal at all, the code is
// the first line of stdin and nothing after it is consumed.
func TestMFAWithoutTerminalReadsOneLine(t *testing.T) {
	bin := credchainBinary(t)
	sts := ststest.New()
	defer sts.Close()
	home := home(t, mfaConfig)
	input := "654321\n" + strings.Repeat("line\n", 50000)
	cmd := exec.Command(bin, "exec", "mfa", "--no-cache", "--", "wc", "-l")
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_EC2_METADATA_DISABLED=true", "BOTO_CONFIG=/nonexistent", "AWS_ENDPOINT_URL_STS=" + sts.URL}
	cmd.Stdin = strings.NewReader(input)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
	var stderr strings.Builder
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if strings.TrimSpace(string(got)) != "50000" {
		t.Fatalf("wc counted %q, want 50000", got)
	}
	if calls := sts.Calls(); len(calls) != 1 || calls[0].Params["TokenCode"] != "654321" {
		t.Fatalf("STS calls: %+v", calls)
	}
}

// TestCtrlCReachesTheCommandOnce: on a terminal Ctrl-C reaches the whole
// foreground group; exec must not send the command a second SIGINT
// (terraform aborts on the second one: 15 of 41 trials).
func TestCtrlCReachesTheCommandOnce(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	term := newTerminal(t)
	bin := credchainBinary(t)
	home := home(t, "[profile dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n")
	child := `import signal, time
n = [0]
signal.signal(signal.SIGINT, lambda *a: n.__setitem__(0, n[0] + 1))
print("ready", flush=True)
time.sleep(2)
print("interrupts", n[0], flush=True)`
	script := filepath.Join(home, "child.py")
	if err := os.WriteFile(script, []byte(child), 0o600); err != nil {
		t.Fatal(err)
	}
	// An interactive shell, as a person has: the command line runs in its
	// own foreground process group.
	term.Start("sig", "env", "-i", "PATH="+os.Getenv("PATH"), "HOME="+home, "PS1=PROMPT>", "HISTFILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"BOTO_CONFIG=/nonexistent", "bash", "--norc", "-i")
	term.WaitFor("sig", "PROMPT>")
	term.Keys("sig", bin+" exec dev -- python3 "+script+"; echo exit=$((1+1))-$?", "Enter")
	term.WaitFor("sig", "ready")
	term.Keys("sig", "C-c")
	screen := term.WaitFor("sig", "exit=2-")
	if !strings.Contains(screen, "interrupts 1") {
		t.Fatalf("the command did not get exactly one SIGINT:\n%s", screen)
	}
}

// TestMFAPromptReachesThePersonAsCredentialProcess: run by boto3 as a
// credential_process, credchain's stdout and stderr are pipes boto3 reads;
// the prompt still reaches the person on the terminal.
func TestMFAPromptReachesThePersonAsCredentialProcess(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	term := newTerminal(t)
	bin := credchainBinary(t)
	sts := ststest.New()
	defer sts.Close()
	home := home(t, mfaConfig+"[profile viaprocess]\ncredential_process = "+bin+" export mfa --no-cache\n")
	read := `import boto3; print("key", boto3.Session(profile_name="viaprocess").get_credentials().get_frozen_credentials().access_key[:4])`
	term.Start("proc", "sh", "-c", "HOME="+home+" AWS_EC2_METADATA_DISABLED=true BOTO_CONFIG=/nonexistent AWS_ENDPOINT_URL_STS="+sts.URL+
		" python3 -c '"+read+"'; echo exit=$?; sleep 30")
	term.WaitFor("proc", "Enter MFA code for arn:aws:iam::123456789012:mfa/alice:")
	term.Keys("proc", "314159", "Enter")
	screen := term.WaitFor("proc", "exit=")
	if !strings.Contains(screen, "key ASIA") {
		t.Fatalf("boto3 did not get the role's keys:\n%s", screen)
	}
	if calls := sts.Calls(); len(calls) != 1 || calls[0].Params["TokenCode"] != "314159" {
		t.Fatalf("STS calls: %+v", calls)
	}
}

// TestServeDetachAsksForTheMFACodeOnTheTerminal: serve --detach of a role
// that needs MFA asks for the code on the terminal before it detaches (the
// detached server had no terminal and failed with "no terminal"); boto3 in
// the shell then gets the role's keys from the server, and serve --stop
// puts the shell back.
func TestServeDetachAsksForTheMFACodeOnTheTerminal(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	bin := credchainBinary(t)
	sts := ststest.New()
	defer sts.Close()
	home := home(t, mfaConfig)
	term := newTerminal(t)
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_EC2_METADATA_DISABLED=true", "BOTO_CONFIG=/nonexistent",
		"AWS_ENDPOINT_URL_STS=" + sts.URL, "XDG_STATE_HOME=" + filepath.Join(home, "state")}
	term.Bash("serve", env)
	term.Keys("serve", `eval "$(`+bin+` --no-cache serve mfa --detach)"; echo rc-serve:$?`, "Enter")
	term.WaitFor("serve", "Enter MFA code for arn:aws:iam::123456789012:mfa/alice:")
	term.Keys("serve", "271828", "Enter")
	term.WaitFor("serve", "rc-serve:0")
	term.Keys("serve", `python3 -c 'import boto3; c = boto3.Session().get_credentials(); print("via", c.method, c.get_frozen_credentials().access_key[:4])'`, "Enter")
	term.WaitFor("serve", "via container-role ASIA")
	term.Keys("serve", `eval "$(`+bin+` serve --stop)"; echo rc-stop:$? uri=${AWS_CONTAINER_CREDENTIALS_FULL_URI-unset}`, "Enter")
	screen := term.WaitFor("serve", "rc-stop:0 uri=unset")
	if strings.Count(screen, "Enter MFA code") != 1 || strings.Contains(screen, "271828") {
		t.Fatalf("the MFA prompt:\n%s", screen)
	}
	if calls := sts.Calls(); len(calls) != 1 || calls[0].Params["TokenCode"] != "271828" {
		t.Fatalf("STS calls: %+v", calls)
	}
}

// TestSlowSTSCallShowsWhatItWaitsFor: an STS call that takes longer than 2 s
// says on the terminal what credchain waits for (it stayed silent); a fast
// one says nothing.
func TestSlowSTSCallShowsWhatItWaitsFor(t *testing.T) {
	bin := credchainBinary(t)
	sts := ststest.New()
	defer sts.Close()
	home := home(t, mfaConfig+`[profile slow]
role_arn = arn:aws:iam::123456789012:role/slow3000ms
source_profile = base
[profile fast]
role_arn = arn:aws:iam::123456789012:role/Fast
source_profile = base
`)
	term := newTerminal(t)
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_EC2_METADATA_DISABLED=true", "BOTO_CONFIG=/nonexistent",
		"AWS_ENDPOINT_URL_STS=" + sts.URL, "AWS_DEFAULT_REGION=us-east-1"}
	term.Bash("slow", env)
	term.Keys("slow", bin+" --no-cache export fast --format env >/dev/null; echo rc-fast:$?", "Enter")
	term.WaitFor("slow", "rc-fast:0")
	term.Keys("slow", bin+" --no-cache export slow --format env >/dev/null; echo rc-slow:$?", "Enter")
	screen := term.WaitFor("slow", "rc-slow:0")
	if n := strings.Count(screen, "credchain: waiting for STS AssumeRole at 127.0.0.1:"); n != 1 {
		t.Fatalf("%d notices:\n%s", n, screen)
	}
	if i, j := strings.Index(screen, "rc-fast"), strings.Index(screen, "waiting for"); j < i {
		t.Fatalf("the fast call gave a notice:\n%s", screen)
	}
}
