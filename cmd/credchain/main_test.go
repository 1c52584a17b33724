package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/cli"
	"github.com/credchain/credchain/internal/cloudtrailtest"
	"github.com/credchain/credchain/internal/keyringtest"
	"github.com/credchain/credchain/internal/motoserver"
	"github.com/credchain/credchain/internal/ssotest"
	"github.com/credchain/credchain/internal/ststest"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"credchain": func() {
			detachTerminal()
			os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
		},
	})
}

type stsHolder struct{ s *ststest.Server }

type secretServiceHolder struct{ *keyringtest.SecretService }

type ssoHolder struct{ s *ssotest.Server }

// TestScripts runs the CLI acceptance scripts in testdata/script: each is a
// readable example of the tool. HOME is the script's work directory and no
// AWS variable leaks in from the test's environment.
//
// The condition [moto] says whether moto_server can run. Extra commands:
// "moto" starts a set-up moto_server (IAM enforced) and
// exports MOTO, ALICE_KEY, ALICE_SECRET, BOB_KEY, BOB_SECRET, ROLE_OPS, ROLE_SECOND, ROLE_THIRD,
// ROLE_PARTNER and INSTANCE; "fakests" starts the recording STS test server
// (STS_URL); "fakemeta" starts the container/IMDS/SSO test server
// (META_URL); "secretservice" starts GNOME Keyring on a private session
// bus (DBUS_SESSION_BUS_ADDRESS), "secretservice lock" locks it; "passstore"
// makes a pass store with a throw-away GPG key (GNUPGHOME,
// PASSWORD_STORE_DIR); "ssoserver [N]" starts the SSO portal and OIDC
// test server with N accounts (roles Admin and ReadOnly; token
// "portal-token"; SSO_URL), "ssoserver accounts N|fail N|throttle N" changes
// it, "ssoserver token TOKEN" adds a valid token, "ssoserver calls PATH N" checks the calls to PATH since the last
// check, "[!] ssoserver valid TOKEN" checks the portal still accepts a token;
// "stscalls N [PARAM=VALUE ...]" checks how many calls it
// received since the last check ("<=N": at least one and at most N), and
// their parameters.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("BOTO_CONFIG", filepath.Join(e.WorkDir, "no-boto.cfg"))
			e.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			if err := setupBuild(e); err != nil {
				return err
			}
			e.Values["sts"] = &stsHolder{}
			e.Values["secretservice"] = &secretServiceHolder{}
			e.Values["sso"] = &ssoHolder{}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			var err error
			switch cond {
			case "secretservice", "pass":
				if cond == "pass" {
					err = keyringtest.PassAvailable()
				} else {
					err = keyringtest.SecretServiceAvailable()
				}
				if err != nil && os.Getenv("CREDCHAIN_REQUIRE_KEYRING") != "" {
					return false, fmt.Errorf("a real %s store is required: %v", cond, err)
				}
				return err == nil, nil
			case "netns":
				// A network namespace of the test's own (root, unshare, ip).
				return os.Getuid() == 0 && exec.Command("unshare", "-n", "--", "ip", "link", "set", "lo", "up").Run() == nil, nil
			case "moto":
			default:
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			err = motoserver.Available()
			if err != nil && os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
				return false, fmt.Errorf("moto_server is required: %v", err)
			}
			return err == nil, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"moto": func(ts *testscript.TestScript, neg bool, args []string) {
				s, err := motoserver.Start()
				ts.Check(err)
				ts.Defer(s.Close)
				for k, v := range map[string]string{"MOTO": s.URL, "ALICE_KEY": s.AccessKeyID, "ALICE_SECRET": s.SecretAccessKey,
					"BOB_KEY": s.BobKeyID, "BOB_SECRET": s.BobSecret,
					"ROLE_OPS": s.Roles["Ops"], "ROLE_SECOND": s.Roles["Second"], "ROLE_THIRD": s.Roles["Third"],
					"ROLE_PARTNER": s.Roles["Partner"], "INSTANCE": s.Instance} {
					ts.Setenv(k, v)
				}
			},
			"secretservice": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) == 1 && args[0] == "lock" {
					ts.Check(ts.Value("secretservice").(*secretServiceHolder).Lock())
					return
				}
				s, err := keyringtest.StartSecretService(ts.MkAbs("keyring-daemon"))
				ts.Check(err)
				ts.Defer(s.Close)
				ts.Setenv("DBUS_SESSION_BUS_ADDRESS", s.Addr)
				ts.Value("secretservice").(*secretServiceHolder).SecretService = s
			},
			"passstore": func(ts *testscript.TestScript, neg bool, args []string) {
				env, err := keyringtest.NewPass(ts.MkAbs("pass"))
				ts.Check(err)
				ts.Defer(func() { keyringtest.StopGPGAgent(env) })
				for _, kv := range env {
					k, v, _ := strings.Cut(kv, "=")
					ts.Setenv(k, v)
				}
			},
			"ssoserver": func(ts *testscript.TestScript, neg bool, args []string) {
				h := ts.Value("sso").(*ssoHolder)
				if len(args) == 3 && args[0] == "calls" {
					want, err := strconv.Atoi(args[2])
					ts.Check(err)
					got := 0
					for _, c := range h.s.Calls() {
						if c.Op == args[1] {
							got++
						}
					}
					if got != want {
						ts.Fatalf("%d calls of %s, want %d", got, args[1], want)
					}
					return
				}
				if len(args) == 2 && args[0] == "token" {
					h.s.AddToken(args[1])
					return
				}
				if len(args) == 2 && args[0] == "valid" {
					if h.s.ValidToken(args[1]) == neg {
						ts.Fatalf("token %s: valid %v, want %v", args[1], !neg, neg)
					}
					return
				}
				if len(args) == 2 {
					n, err := strconv.Atoi(args[1])
					ts.Check(err)
					switch args[0] {
					case "accounts":
						h.s.SetAccounts(ssotest.Accounts(n, "Admin", "ReadOnly"))
					case "fail":
						h.s.FailFrom(n)
					case "throttle":
						h.s.SetThrottle(n)
					default:
						ts.Fatalf("usage: ssoserver [N | accounts N | fail N | throttle N]")
					}
					return
				}
				n := 3
				if len(args) == 1 {
					var err error
					n, err = strconv.Atoi(args[0])
					ts.Check(err)
				}
				h.s = ssotest.New(ssotest.Accounts(n, "Admin", "ReadOnly"), "portal-token")
				ts.Defer(h.s.Close)
				ts.Setenv("SSO_URL", h.s.URL)
			},
			"fakemeta": func(ts *testscript.TestScript, neg bool, args []string) {
				s := ststest.NewMetadata()
				ts.Defer(s.Close)
				ts.Setenv("META_URL", s.URL)
			},
			"fakests": func(ts *testscript.TestScript, neg bool, args []string) {
				s := ststest.New()
				ts.Defer(s.Close)
				ts.Value("sts").(*stsHolder).s = s
				ts.Setenv("STS_URL", s.URL)
			},
			"fakecloudtrail": func(ts *testscript.TestScript, neg bool, args []string) {
				// A CloudTrail stand-in reporting, for any key, a listing of
				// buckets, a refused ListUsers and a GetObject.
				ct := cloudtrailtest.New(cloudtrailtest.Event{Source: "s3.amazonaws.com", Name: "ListBuckets"},
					cloudtrailtest.Event{Source: "iam.amazonaws.com", Name: "ListUsers", ErrorCode: "AccessDenied"},
					cloudtrailtest.Event{Source: "s3.amazonaws.com", Name: "GetObject"})
				ts.Defer(ct.Close)
				ts.Setenv("CLOUDTRAIL_URL", ct.URL)
			},
			"stscalls": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 1 {
					ts.Fatalf("usage: stscalls N [PARAM=VALUE ...]")
				}
				atMost := strings.HasPrefix(args[0], "<=")
				want, err := strconv.Atoi(strings.TrimPrefix(args[0], "<="))
				ts.Check(err)
				calls := ts.Value("sts").(*stsHolder).s.Calls()
				got := len(calls)
				if ok := got == want || atMost && got > 0 && got <= want; ok == neg {
					ts.Fatalf("%d STS calls, want %s%s", got, map[bool]string{true: "not ", false: ""}[neg], args[0])
				}
				// Action=X limits the other checks to the calls of action X.
				only := ""
				for _, kv := range args[1:] {
					if a, ok := strings.CutPrefix(kv, "Action="); ok {
						only = a
					}
				}
				for _, c := range calls {
					ts.Logf("%s", fmt.Sprint(c.Params["Action"], " ", c.Params["RoleArn"], " signed by ", c.Signer))
					if only != "" && c.Params["Action"] != only {
						continue
					}
					for _, kv := range args[1:] {
						k, v, _ := strings.Cut(kv, "=")
						if c.Params[k] != v {
							ts.Fatalf("STS call has %s=%q, want %q", k, c.Params[k], v)
						}
					}
				}
			},
		},
	})
}
