//go:build unix

package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credchain/credchain/internal/motoserver"
	"github.com/credchain/credchain/internal/ststest"
)

// keysHome makes a HOME whose profile base has its key in credchain's file
// store (added with keys add, as a person would) and mfa_serial; roles r1,
// r2 and r3 name it as source_profile and have no mfa_serial of their own.
func keysHome(t *testing.T, bin, extra string) (dir string, env []string) {
	t.Helper()
	dir = home(t, `[profile base]
region = us-east-1
mfa_serial = arn:aws:iam::123456789012:mfa/bob
`+extra+`
[profile r1]
role_arn = arn:aws:iam::123456789012:role/MfaA
source_profile = base
[profile r2]
role_arn = arn:aws:iam::123456789012:role/MfaB
source_profile = base
[profile r3]
role_arn = arn:aws:iam::123456789012:role/MfaC
source_profile = base
`)
	env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_EC2_METADATA_DISABLED=true", "BOTO_CONFIG=/nonexistent",
		"CREDCHAIN_FILE_PASSPHRASE=pw", "AWS_DEFAULT_REGION=us-east-1"}
	add := exec.Command(bin, "keys", "add", "base", "--backend", "file", "--no-verify")
	add.Env = env
	add.Stdin = strings.NewReader("AKIABASEKEY00001\nbase-secret-value\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("keys add: %v: %s", err, out)
	}
	return dir, env
}

// TestOneMFAPromptForManyRoles: three boto3 processes at once resolve three
// role profiles chained from a profile whose key is in the store and which
// has mfa_serial. The person is asked once, on the terminal; one
// GetSessionToken is made with the code; the three AssumeRole calls are
// signed with the MFA session and carry no MFA parameters. A fourth
// process later asks nothing.
func TestOneMFAPromptForManyRoles(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	term := newTerminal(t)
	bin := credchainBinary(t)
	sts := ststest.New()
	defer sts.Close()
	dir, env := keysHome(t, bin, "")
	script := filepath.Join(dir, "roles.py")
	os.WriteFile(script, []byte(`import boto3, sys
c = boto3.Session(profile_name=sys.argv[1]).get_credentials().get_frozen_credentials()
print("role", sys.argv[1], c.access_key[:4], "token" if c.token else "")
`), 0o600)
	run := strings.Join(append(env, "AWS_ENDPOINT_URL_STS="+sts.URL), " ")
	term.Start("roles", "sh", "-c", "export "+run+"; for p in r1 r2 r3; do python3 "+script+" $p & done; wait; "+
		"python3 "+script+" r1; echo done=$?; sleep 60")
	term.WaitFor("roles", "Enter MFA code for arn:aws:iam::123456789012:mfa/bob:")
	term.Keys("roles", "271828", "Enter")
	screen := term.WaitFor("roles", "done=")
	if n := strings.Count(screen, "Enter MFA code"); n != 1 {
		t.Fatalf("asked %d times:\n%s", n, screen)
	}
	for _, p := range []string{"r1 ASIA token", "r2 ASIA token", "r3 ASIA token"} {
		if !strings.Contains(screen, "role "+p) {
			t.Fatalf("%q missing:\n%s", p, screen)
		}
	}
	var sessions, roles int
	session := ""
	for _, c := range sts.Calls() {
		switch c.Params["Action"] {
		case "GetSessionToken":
			sessions++
			if c.Signer != "AKIABASEKEY00001" || c.Params["TokenCode"] != "271828" || c.Params["SerialNumber"] != "arn:aws:iam::123456789012:mfa/bob" ||
				c.Params["DurationSeconds"] != "43200" {
				t.Errorf("GetSessionToken: %+v", c)
			}
		case "AssumeRole":
			roles++
			if session == "" {
				session = c.Signer
			}
			if !strings.HasPrefix(c.Signer, "ASIA") || c.Signer != session || c.Params["SerialNumber"] != "" || c.Params["TokenCode"] != "" {
				t.Errorf("AssumeRole not signed by the MFA session, or with MFA parameters: %+v", c)
			}
		default:
			t.Errorf("unexpected call %+v", c)
		}
	}
	// Three roles at once, then r1 again (boto3 has no role cache across
	// processes).
	if sessions != 1 || roles != 4 {
		t.Fatalf("%d GetSessionToken and %d AssumeRole calls, want 1 and 4", sessions, roles)
	}
}

// TestKeysAddOnATerminal: keys add asks for the key on the terminal
// without echo, stores it, and keys process serves it.
func TestKeysAddOnATerminal(t *testing.T) {
	term := newTerminal(t)
	bin := credchainBinary(t)
	dir := home(t, "# mine\n[profile dev]\nregion = eu-west-1\n")
	env := "HOME=" + dir + " CREDCHAIN_FILE_PASSPHRASE=pw"
	term.Start("add", "sh", "-c", "export "+env+"; "+bin+" keys add dev --backend file --no-verify; echo exit=$?; sleep 60")
	term.WaitFor("add", "Access key ID:")
	term.Keys("add", "AKIATYPED0000001", "Enter")
	term.WaitFor("add", "Secret access key:")
	term.Keys("add", "typed/secret+value", "Enter")
	screen := term.WaitFor("add", "exit=")
	if !strings.Contains(screen, "exit=0") || strings.Contains(screen, "typed/secret") || strings.Contains(screen, "AKIATYPED0000001") {
		t.Fatalf("keys add on a terminal (the key must not be echoed):\n%s", screen)
	}
	cmd := exec.Command(bin, "keys", "process", "dev", "--backend", "file")
	cmd.Env = []string{"HOME=" + dir, "CREDCHAIN_FILE_PASSPHRASE=pw"}
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), `"AccessKeyId": "AKIATYPED0000001"`) || !strings.Contains(string(out), `"SecretAccessKey": "typed/secret+value"`) {
		t.Fatalf("keys process: %v: %s", err, out)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, ".aws", "config"))
	// keys runs in the full build: the line names it, so boto3 runs it directly.
	full := filepath.Join(filepath.Dir(bin), "credchain-aws")
	if !strings.HasPrefix(string(cfg), "# mine\n[profile dev]\nregion = eu-west-1\ncredential_process = "+full+" keys process --backend file dev\n") {
		t.Fatalf("config:\n%s", cfg)
	}
}

// TestFileStorePassphraseOnATerminal: with no CREDCHAIN_FILE_PASSPHRASE,
// the file store asks for a new passphrase twice on the terminal, then once
// to read.
func TestFileStorePassphraseOnATerminal(t *testing.T) {
	term := newTerminal(t)
	bin := credchainBinary(t)
	dir := home(t, "")
	in := filepath.Join(dir, "key.in")
	os.WriteFile(in, []byte("AKIAPIPED0000001\npiped-secret\n"), 0o600)
	term.Start("pp", "sh", "-c", "export HOME="+dir+"; "+bin+" keys add dev --backend file --no-verify < "+in+"; echo add=$?; "+
		bin+" keys process dev --backend file | grep -c PIPED; echo process=$?; sleep 60")
	term.WaitFor("pp", "Passphrase for the credchain file store")
	term.Keys("pp", "s3cure pass", "Enter")
	term.WaitFor("pp", "Again, to confirm:")
	term.Keys("pp", "s3cure pass", "Enter")
	term.WaitFor("pp", "add=0")
	// The second question (keys process) is on screen: the terminal is in
	// no-echo mode before a key is typed.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if strings.Count(term.Tmux("capture-pane", "-p", "-t", "pp"), "Passphrase for") == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("keys process did not ask for the passphrase")
		}
	}
	term.Keys("pp", "s3cure pass", "Enter")
	screen := term.WaitFor("pp", "process=")
	if !strings.Contains(screen, "process=0") || strings.Contains(screen, "s3cure") {
		t.Fatalf("passphrase on a terminal:\n%s", screen)
	}
	cmd := exec.Command(bin, "keys", "process", "dev", "--backend", "file")
	cmd.Env = []string{"HOME=" + dir, "CREDCHAIN_FILE_PASSPHRASE=wrong"}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "wrong passphrase") || strings.Contains(string(out), "piped-secret") {
		t.Fatalf("wrong passphrase: %v: %s", err, out)
	}
}

// TestStoredKeyMFAProfileOnATerminal: a person's day with a stored key that
// has mfa_serial and three roles chained from it, in bash on a terminal:
// export r1 asks once for the MFA code (credchain's keys process runs as
// the base profile's credential_process and asks on the terminal: it was
// stopped by SIGTTIN in a background process group before, and the
// command hung for 5 minutes), then exec r2 and ccswitch r3 ask nothing.
func TestStoredKeyMFAProfileOnATerminal(t *testing.T) {
	bin := credchainBinary(t)
	sts := ststest.New()
	defer sts.Close()
	_, env := keysHome(t, bin, "")
	term := newTerminal(t)
	env = append(env, "AWS_ENDPOINT_URL_STS="+sts.URL)
	term.Bash("day", env)
	term.Keys("day", `eval "$(`+bin+` shell-init bash)"`, "Enter")
	term.Keys("day", bin+" --no-cache export r1 --format env | grep AWS_ACCESS_KEY_ID | cut -c1-30; echo rc-export:$?", "Enter")
	term.WaitFor("day", "Enter MFA code for arn:aws:iam::123456789012:mfa/bob:")
	term.Keys("day", "271828", "Enter")
	term.WaitFor("day", "rc-export:0")
	term.Keys("day", bin+" --no-cache exec r2 -- sh -c 'echo exec-key=${AWS_ACCESS_KEY_ID%????????????}'; echo rc-exec:$?", "Enter")
	term.WaitFor("day", "rc-exec:0")
	term.Keys("day", "ccswitch r3; echo rc-switch:$? switched-key=${AWS_ACCESS_KEY_ID%????????????}", "Enter")
	screen := term.WaitFor("day", "rc-switch:0")
	for _, want := range []string{"export AWS_ACCESS_KEY_ID='ASIA", "exec-key=ASIA", "rc-exec:0", "rc-switch:0 switched-key=ASIA"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("%q missing:\n%s", want, screen)
		}
	}
	if n := strings.Count(screen, "Enter MFA code"); n != 1 || strings.Contains(screen, "271828") {
		t.Fatalf("asked %d times (or echoed the code):\n%s", n, screen)
	}
	var sessions, roles int
	for _, c := range sts.Calls() {
		switch c.Params["Action"] {
		case "GetSessionToken":
			sessions++
		case "AssumeRole":
			roles++
		}
	}
	if sessions != 1 || roles != 3 {
		t.Fatalf("%d GetSessionToken and %d AssumeRole calls, want 1 and 3", sessions, roles)
	}
}

// TestTwentyConcurrentKeysAdd: twenty keys add at once on one config all
// exit 0, and botocore then finds credential_process in every one of the
// twenty profiles (4-6 of 20 had it before: the edits overwrote each
// other), and every key is in the store.
func TestTwentyConcurrentKeysAdd(t *testing.T) {
	bin := credchainBinary(t)
	dir := home(t, "# my profiles\n[default]\nregion = eu-west-1\n")
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "CREDCHAIN_FILE_PASSPHRASE=pw"}
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			add := exec.Command(bin, "keys", "add", fmt.Sprintf("p%d", i), "--backend", "file", "--no-verify")
			add.Env = env
			add.Stdin = strings.NewReader(fmt.Sprintf("AKIACONCURRENT%04d\nsecret-%d\n", i, i))
			if out, err := add.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("keys add p%d: %v: %s", i, err, out)
				return
			}
			errs <- nil
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	py := exec.Command("python3", "-c", `import botocore.session
s = botocore.session.Session()
print(sum(1 for p in s.full_config["profiles"].values() if "credential_process" in p))`)
	py.Env = append(env, "BOTO_CONFIG=/nonexistent")
	out, err := py.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "20" {
		cfg, _ := os.ReadFile(filepath.Join(dir, ".aws", "config"))
		t.Fatalf("botocore finds credential_process in %s of 20 profiles (%v)\n%s", out, err, cfg)
	}
	for i := range 20 {
		cmd := exec.Command(bin, "keys", "process", fmt.Sprintf("p%d", i), "--backend", "file")
		cmd.Env = env
		if out, err := cmd.Output(); err != nil || !strings.Contains(string(out), fmt.Sprintf("AKIACONCURRENT%04d", i)) {
			t.Errorf("keys process p%d: %v", i, err)
		}
	}
	if cfg, _ := os.ReadFile(filepath.Join(dir, ".aws", "config")); !strings.HasPrefix(string(cfg), "# my profiles\n[default]\nregion = eu-west-1\n") {
		t.Fatalf("the config lost its first lines:\n%s", cfg)
	}
}

// TestRotateSurvivesKillsAtRandomInstants: keys rotate against moto (IAM
// enforced) is killed with SIGKILL at random instants (seeded; the seed is
// printed); after every kill the stored key works, and the next rotate
// that is let finish succeeds and leaves the user exactly one key. Before,
// a kill between CreateAccessKey's answer and the first store write left a
// second key whose secret was lost, and every later rotate failed with
// LimitExceeded.
func TestRotateSurvivesKillsAtRandomInstants(t *testing.T) {
	if err := motoserver.Available(); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	bin := credchainBinary(t)
	moto, err := motoserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer moto.Close()
	dir := home(t, "[profile bob]\nregion = us-east-1\n")
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "CREDCHAIN_FILE_PASSPHRASE=pw", "AWS_ENDPOINT_URL=" + moto.URL,
		"AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "BOTO_CONFIG=/nonexistent"}
	run := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdin = env, strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(moto.BobKeyID+"\n"+moto.BobSecret+"\n", "keys", "add", "bob", "--backend", "file"); err != nil {
		t.Fatalf("keys add: %v: %s", err, out)
	}
	// How long a whole rotate takes here sets the range of the kills.
	start := time.Now()
	if out, err := run("", "keys", "rotate", "bob", "--backend", "file"); err != nil {
		t.Fatalf("keys rotate: %v: %s", err, out)
	}
	whole := time.Since(start)
	seed := time.Now().UnixNano()
	if s := os.Getenv("CREDCHAIN_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	t.Logf("kill seed %d (rerun: CREDCHAIN_KILL_SEED=%d), a whole rotate takes %v", seed, seed, whole)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	keyCount := func() string {
		py := exec.Command("python3", "-c", `import boto3; print(len(boto3.Session(profile_name="bob").client("iam").list_access_keys()["AccessKeyMetadata"]))`)
		py.Env = env
		out, err := py.CombinedOutput()
		if err != nil {
			t.Fatalf("boto3 with the stored key: %v: %s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for i := range 8 {
		cmd := exec.Command(bin, "keys", "rotate", "bob", "--backend", "file")
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(whole))))
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		keyCount() // the stored key works
		if out, err := run("", "keys", "rotate", "bob", "--backend", "file"); err != nil {
			t.Fatalf("kill %d: the next rotate: %v: %s", i, err, out)
		}
		if n := keyCount(); n != "1" {
			t.Fatalf("kill %d: the user has %s keys after the next rotate", i, n)
		}
	}
}

// TestKeysRemoveAsksOnATerminal: on a terminal keys remove asks before it
// deletes what may be the only copy of a secret (it deleted at once); "n"
// keeps the key, "y" deletes it, --yes does not ask.
func TestKeysRemoveAsksOnATerminal(t *testing.T) {
	bin := credchainBinary(t)
	dir, env := keysHome(t, bin, "")
	term := newTerminal(t)
	term.Bash("rm", env)
	term.Keys("rm", bin+" keys remove base --backend file; echo rc-no:$?", "Enter")
	term.WaitFor("rm", "Delete profile base's key ****************0001 from the file store? It may be the only copy of its secret [y/N]")
	term.Keys("rm", "n", "Enter")
	term.WaitFor("rm", "rc-no:1")
	term.Keys("rm", bin+" keys remove base --backend file; echo rc-yes:$?", "Enter")
	for deadline := time.Now().Add(15 * time.Second); strings.Count(term.Screen("rm"), "[y/N]") < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not asked again:\n%s", term.Screen("rm"))
		}
	}
	term.Keys("rm", "y", "Enter")
	screen := term.WaitFor("rm", "rc-yes:0")
	flat := strings.Join(strings.Fields(screen), " ")
	if !strings.Contains(flat, "nothing was removed") || !strings.Contains(strings.ReplaceAll(screen, "\n", ""), "removed profile base's key from the file") {
		t.Fatalf("keys remove on a terminal:\n%s", screen)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, ".aws", "config"))
	if strings.Contains(string(cfg), "keys process") {
		t.Fatalf("the credential_process line stayed:\n%s", cfg)
	}
}

// TestCcswitchAsksThroughTheHelper: the first thing of the day is ccswitch
// to a role whose source is a stored key with mfa_serial: keys process, run
// as credential_process under switch inside the shell function's command
// substitution, asks on the terminal (ccswitch got "input/output error"
// before), and the shell then holds the role's keys.
func TestCcswitchAsksThroughTheHelper(t *testing.T) {
	bin := credchainBinary(t)
	sts := ststest.New()
	defer sts.Close()
	_, env := keysHome(t, bin, "")
	term := newTerminal(t)
	env = append(env, "AWS_ENDPOINT_URL_STS="+sts.URL, "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"))
	term.Bash("sw", env)
	term.Keys("sw", `eval "$(credchain shell-init bash)"; ccswitch --no-cache r2; echo rc-switch:$? key=${AWS_ACCESS_KEY_ID%????????????}`, "Enter")
	term.WaitFor("sw", "Enter MFA code for arn:aws:iam::123456789012:mfa/bob:")
	term.Keys("sw", "314159", "Enter")
	screen := term.WaitFor("sw", "rc-switch:0 key=ASIA")
	if strings.Contains(screen, "314159") || strings.Contains(screen, "input/output error") {
		t.Fatalf("ccswitch through the helper:\n%s", screen)
	}
}
