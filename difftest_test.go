package credchain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credchain/credchain/internal/installtest"
	"github.com/credchain/credchain/internal/netcatch"
	"github.com/credchain/credchain/internal/oracle"
	"github.com/credchain/credchain/internal/proc"
	"github.com/credchain/credchain/internal/timefmt"
)

// TestDifferentialGenerated resolves scenarios generated from a seed with
// botocore, the library and the credchain binary (explain --json). The
// seed and count come from CREDCHAIN_DIFF_SEED and CREDCHAIN_DIFF_COUNT
// (make difftest SEED=n COUNT=m; make test passes a seed derived from the
// commit under test); without them a small run from seed 1 checks the
// generator itself. A mismatch is written out as a self-contained case
// (CREDCHAIN_DIFF_OUT, default difftest-failures/) that can be pinned in
// testdata/difftest/regressions.json.
func TestDifferentialGenerated(t *testing.T) {
	requireOracle(t)
	if !inNetns() {
		// Run in a network namespace of the suite's own, where nothing
		// outside the machine can be reached and any try is recorded.
		err := rerunInNetns(t)
		if err == nil {
			return
		}
		fmt.Printf("difftest: not isolated (%v): run as root with unshare and ip for a network namespace of the suite's own\n", err)
	} else {
		c, err := netcatch.Start()
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		diffCatcher = c
		defer func() {
			diffCatcher = nil
			for _, a := range c.Attempts() {
				t.Errorf("a process tried to leave the machine: %s", a)
			}
			fmt.Printf("difftest: isolated in a network namespace: %d tries to leave the machine\n", len(c.Attempts()))
		}()
	}
	seed, count := int64(1), 40
	if v := os.Getenv("CREDCHAIN_DIFF_SEED"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("CREDCHAIN_DIFF_SEED=%q: %v", v, err)
		}
		seed = n
	}
	if v := os.Getenv("CREDCHAIN_DIFF_COUNT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			t.Fatalf("CREDCHAIN_DIFF_COUNT=%q: want a count", v)
		}
		count = n
	}
	t.Logf("difftest: seed %d (rerun: make difftest SEED=%d COUNT=%d)", seed, seed, count)
	cases := generate(seed, count)
	if v := os.Getenv("CREDCHAIN_DIFF_ONLY"); v != "" {
		// Scenarios FROM-TO of the seed (indexes, both included): to find
		// the one of a run that misbehaved without rerunning them all.
		from, to, ok := strings.Cut(v, "-")
		a, errA := strconv.Atoi(from)
		b, errB := strconv.Atoi(to)
		if !ok || errA != nil || errB != nil || a < 0 || b < a || b >= len(cases) {
			t.Fatalf("CREDCHAIN_DIFF_ONLY=%q: want FROM-TO, scenario indexes below %d", v, len(cases))
		}
		cases = cases[a : b+1]
		t.Logf("difftest: only scenarios %d to %d", a, b)
	}
	lines, _ := coverageReport(wantCoverage(t), cases)
	for _, l := range lines {
		fmt.Println(l)
	}
	failures, n := runDifferential(t, cases, true)
	msg := fmt.Sprintf("difftest: seed %d, %d scenarios, %d mismatches", seed, n, failures)
	t.Log(msg)
	fmt.Println(msg)
}

// diffCatcher, inside the suite's network namespace, records tries to leave
// the machine and serves the container endpoint's link-local address.
var diffCatcher *netcatch.Catcher

// generate builds n scenarios from seed: profiles of every kind with every
// setting in valid, empty, boundary, too-short and wrong-type variants,
// chains of source profiles, INI noise, profile selection, environment
// variables and servers in failure modes.
func generate(seed int64, n int) []genCase {
	out := make([]genCase, n)
	for i := range out {
		// One generator per scenario: scenario i of a seed is the same
		// whatever the count.
		g := &gen{netns: inNetns(), rng: rand.New(rand.NewSource(seed*1_000_003 + int64(i))), files: map[string]string{}, env: map[string]string{}}
		name := fmt.Sprintf("gen_%d_%d", seed, i)
		if g.chance(0.2) {
			// One fault in a clean scenario (fault_NAME_gen_SEED_I).
			out[i] = faultCase(name, g.rng)
			continue
		}
		out[i] = g.scenario(name)
	}
	return out
}

type gen struct {
	// netns: the suite runs in its own network namespace, where the
	// container endpoint's link-local address is served.
	netns bool
	rng   *rand.Rand
	files map[string]string
	env   map[string]string
	codes []string
	// extra sections for the end of the config file, and lines for the
	// first profile.
	extra, profileExtra string
	// everySection: lines for every profile section of both files.
	everySection string
	// selected is the profile selected; sections, the files each
	// profile's section was put in (before files are left out).
	selected string
	sections map[string][]string
}

func (g *gen) pick(xs ...string) string { return xs[g.rng.Intn(len(xs))] }
func (g *gen) chance(p float64) bool    { return g.rng.Float64() < p }

// key writes "key = value" with case, delimiter and indentation noise.
func (g *gen) key(k, v string) string {
	switch g.rng.Intn(8) {
	case 0:
		k = strings.ToUpper(k)
	case 1:
		k = strings.ToUpper(k[:1]) + k[1:]
	}
	return g.pick("", "", "", "  ") + k + g.pick(" = ", "=", " : ", ":", "= ", "  =  ") + v + "\n"
}

var genNames = []string{"default", "dev", "prod", "my prof", "a.b", "ops", "x"}

func (g *gen) scenario(name string) genCase {
	gc := genCase{name: name}
	g.sections = map[string][]string{}
	np := 1 + g.rng.Intn(4)
	names := make([]string, 0, np)
	used := map[string]bool{}
	for len(names) < np {
		n := g.pick(genNames...)
		if !used[n] {
			used[n] = true
			names = append(names, n)
		}
	}
	var cfg, cred strings.Builder
	if g.chance(0.1) {
		fmt.Fprintf(&cfg, "[DEFAULT]\n%s", g.key(g.pick("region", "max_attempts", "retry_mode"), g.pick("eu-central-1", "2", "standard")))
	}
	for i, n := range names {
		body := g.profileBody(n, names, i)
		inCred := g.chance(0.3)
		if !inCred || g.chance(0.3) {
			header := "profile " + n
			if strings.Contains(n, " ") {
				header = "profile " + g.pick(`"`+n+`"`, strings.ReplaceAll(n, " ", `\ `), "'"+n+"'")
			}
			if n == "default" && g.chance(0.5) {
				header = "default"
			}
			fmt.Fprintf(&cfg, "[%s]\n%s", header, body)
			g.sections[n] = append(g.sections[n], cfgPath)
			if g.chance(0.1) {
				cfg.WriteString(g.pick("# comment\n", "; c\n", "\n"))
			}
		}
		if inCred {
			fmt.Fprintf(&cred, "[%s]\n%s", n, g.credBody(n))
			g.sections[n] = append(g.sections[n], credPath)
		}
	}
	if g.chance(0.05) {
		cfg.WriteString(g.pick("junk line\n", "[profile a b]\nregion = r\n", "[profilefoo]\nx = 1\n", "[sso-session corp]\nsso_start_url = "+ssoURL+"\nsso_region = us-east-1\n"))
	}
	for _, f := range []struct {
		path string
		b    *strings.Builder
	}{{cfgPath, &cfg}, {credPath, &cred}} {
		if f.b.Len() == 0 || g.chance(0.05) {
			continue
		}
		text := f.b.String()
		switch g.rng.Intn(30) {
		case 0:
			text = strings.ReplaceAll(text, "\n", "\r\n")
		case 1:
			text = "\ufeff" + text
		}
		g.files[f.path] = text
	}
	g.environment(&gc, names)
	if c, ok := g.files[cfgPath]; ok {
		if g.profileExtra != "" {
			if i := strings.Index(c, "]\n"); i >= 0 {
				c = c[:i+2] + g.profileExtra + c[i+2:]
			}
		}
		g.files[cfgPath] = c + g.extra
	}
	if g.everySection != "" {
		for _, p := range []string{cfgPath, credPath} {
			if text, ok := g.files[p]; ok {
				g.files[p] = profileHeader.ReplaceAllStringFunc(text, func(h string) string {
					if strings.HasPrefix(h, "[sso-session") || strings.HasPrefix(h, "[services") {
						return h
					}
					return h + g.everySection
				})
			}
		}
	}
	g.staySafe()
	gc.files, gc.env, gc.mfaCodes = g.files, g.env, g.codes
	return gc
}

// profileHeader is a profile's section header line (a credentials-file
// section, [default], [profile NAME]), not an sso-session or services one.
var profileHeader = regexp.MustCompile(`(?m)^\[[^\]\n]*\][^\n]*\n`)

// staySafe keeps a scenario on this machine: ignoring the configured
// endpoints sends a role's or SSO's call to AWS itself, so a scenario that
// could make one keeps its endpoints.
func (g *gen) staySafe() {
	// An STS endpoint in the config file reaches only a config file that
	// is read: when it was left out or another is named, the environment
	// names the endpoint.
	_, otherCfg := g.env["AWS_CONFIG_FILE"]
	_, otherCred := g.env["AWS_SHARED_CREDENTIALS_FILE"]
	_, written := g.files[cfgPath]
	if _, global := g.env["AWS_ENDPOINT_URL"]; g.env["AWS_ENDPOINT_URL_STS"] == "\x00unset" && !global && (otherCfg || otherCred || !written) {
		g.env["AWS_ENDPOINT_URL"] = "{sts}"
	}
	needsAWS := g.env["AWS_ROLE_ARN"] != "" || g.env["AWS_WEB_IDENTITY_TOKEN_FILE"] != ""
	for _, k := range []string{"role_arn", "sso_", "web_identity_token_file", "login_session"} {
		needsAWS = needsAWS || strings.Contains(strings.ToLower(g.files[cfgPath]), k)
	}
	if !needsAWS {
		return
	}
	if v, ok := g.env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]; ok && strings.EqualFold(v, "true") {
		g.env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "false"
	}
	// In both files: botocore merges a credentials-file section over the
	// config's (gen_1419585746_782: the credentials file's true sent the
	// role to sts.amazonaws.com).
	for _, p := range []string{cfgPath, credPath} {
		if text, ok := g.files[p]; ok {
			g.files[p] = strings.ReplaceAll(text, "ignore_configured_endpoint_urls = true", "ignore_configured_endpoint_urls = false")
		}
	}
}

// inNetns says whether this process runs in the suite's own network
// namespace (see TestDifferentialGenerated).
func inNetns() bool { return os.Getenv("CREDCHAIN_DIFF_NETNS") == "1" }

// credBody is a credentials-file section: keys in every variant.
func (g *gen) credBody(n string) string {
	var b strings.Builder
	switch g.rng.Intn(6) {
	case 0, 1, 2:
		b.WriteString(g.key("aws_access_key_id", "AKCRED"+strings.ToUpper(strings.ReplaceAll(n, " ", ""))))
		b.WriteString(g.key("aws_secret_access_key", g.pick("s", "s # c", `"s"`, "")))
	case 3:
		b.WriteString(g.key("aws_access_key_id", "AKPARTIAL"))
	case 4:
		b.WriteString(g.key("aws_session_token", "tok"))
	default:
		b.WriteString(g.key("region", g.pick("us-west-1", "", "bad_region!")))
	}
	if g.chance(0.2) {
		b.WriteString(g.key(g.pick("aws_session_token", "aws_security_token", "aws_account_id"), g.pick("tok", "", "123456789012")))
	}
	return b.String()
}

// profileBody is a config-file profile of a random kind with random
// settings.
func (g *gen) profileBody(n string, names []string, i int) string {
	var b strings.Builder
	if g.chance(0.4) {
		b.WriteString(g.key("region", g.pick("eu-west-1", "us-east-1", "", "eu-west-1 # c", "bad_region!", "us east")))
	}
	if g.chance(0.1) {
		b.WriteString(g.key("max_attempts", g.pick("1", "2", "0", "many", "")))
	}
	if g.chance(0.08) {
		b.WriteString(g.key("retry_mode", g.pick("legacy", "standard", "adaptive", "Standard", "")))
	}
	if g.chance(0.08) {
		// Read for the STS client; its endpoint is configured, so they are
		// validated (or not) rather than used.
		k := g.pick("sts_regional_endpoints", "use_fips_endpoint", "use_dualstack_endpoint")
		v := g.pick("true", "false", "bogus", "")
		if k == "sts_regional_endpoints" {
			v = g.pick("legacy", "regional", "bogus", "")
		}
		b.WriteString(g.key(k, v))
	}
	if g.chance(0.04) {
		b.WriteString(g.key("ca_bundle", g.pick("{dir}/no-such.pem", "{dir}/ca.pem", "")))
		g.files["ca.pem"] = "not a certificate\n"
	}
	if g.chance(0.03) {
		b.WriteString(g.key("aws_session_token", g.pick("cfgtok", "")))
	}
	if g.chance(0.03) {
		b.WriteString(g.key("aws_account_id", g.pick("444455556666", "", "x")))
	}
	if g.chance(0.02) {
		b.WriteString(g.key("aws_security_token", g.pick("cfgsectok", "")))
	}
	if g.chance(0.02) {
		b.WriteString(g.key("data_path", g.pick("{dir}/data", "")))
	}
	switch g.rng.Intn(10) {
	case 0, 1:
		b.WriteString(g.key("aws_access_key_id", "AK"+strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(n, " ", ""), ".", ""))))
		b.WriteString(g.key("aws_secret_access_key", g.pick("s", "s ; c", "")))
	case 2, 3, 4:
		g.role(&b, n, names, i)
	case 5:
		b.WriteString("credential_process = " + g.process() + "\n")
	case 6:
		g.webIdentity(&b, n)
	case 7:
		g.sso(&b, n)
	case 8:
		b.WriteString(g.key("output", "json"))
	default:
		b.WriteString("login_session = arn:aws:sts::123456789012:assumed-role/Admin/admin\n")
	}
	return b.String()
}

// process is a credential_process command: one of the outputs, or a
// helper that fails (exit status, nothing found).
func (g *gen) process() string {
	switch g.rng.Intn(12) {
	case 0:
		return "sh -c 'echo helper failed >&2; exit 3'"
	case 1:
		return "{dir}/no-such-helper --profile x"
	}
	files, cmd := processCase(g.rng.Intn(len(processOutputs)))
	for p, v := range files {
		g.files[p] = v
	}
	return cmd
}

func (g *gen) roleARN() string {
	role := g.pick("Ops", "Ops", "Ops", "Admin", "denied", "throttle1", "e500x1", "exc-ExpiredTokenException-x", "exc-RegionDisabledException-x", "exc-MalformedPolicyDocument-x", "short")
	arn := "arn:aws:iam::111111111111:role/" + role
	if g.chance(0.05) {
		arn = g.pick("arn:aws:iam::1:r", "", "x")
	}
	return arn
}

func (g *gen) role(b *strings.Builder, n string, names []string, i int) {
	b.WriteString(g.key("role_arn", g.roleARN()))
	switch g.rng.Intn(8) {
	case 0, 1, 2, 3, 4:
		src := names[g.rng.Intn(len(names))]
		if i+1 < len(names) && g.chance(0.6) {
			src = names[i+1]
		}
		if g.chance(0.05) {
			src = "ghost"
		}
		b.WriteString(g.key("source_profile", src))
	case 5:
		b.WriteString(g.key("credential_source", g.pick("Environment", "Environment", "EcsContainer", "Ec2InstanceMetadata", "environment")))
	case 6:
		// Both, or neither.
		if g.chance(0.5) {
			b.WriteString(g.key("source_profile", names[0]))
			b.WriteString(g.key("credential_source", "Environment"))
		}
	default:
		b.WriteString(g.key("source_profile", n))
		b.WriteString(g.key("aws_access_key_id", "AKSELF"))
		b.WriteString(g.key("aws_secret_access_key", "s"))
	}
	if g.chance(0.3) {
		b.WriteString(g.key("role_session_name", g.pick("alice", "", "a", "my-session")))
	}
	if g.chance(0.2) {
		b.WriteString(g.key("external_id", g.pick("ext-42", "", "x")))
	}
	if g.chance(0.2) {
		b.WriteString(g.key("duration_seconds", g.pick("900", "3600", "0", "899", "-5", "1h", "")))
	}
	if g.chance(0.12) {
		b.WriteString(g.key("mfa_serial", g.pick("arn:aws:iam::111111111111:mfa/me", "", "short")))
		g.codes = append(g.codes, g.pick("123456", "123456", "12345", ""))
	}
}

func (g *gen) webIdentity(b *strings.Builder, n string) {
	b.WriteString(g.key("role_arn", g.roleARN()))
	tok := "tok-" + strings.ReplaceAll(n, " ", "")
	b.WriteString(g.key("web_identity_token_file", "{dir}/"+tok))
	if !g.chance(0.1) {
		g.files[tok] = g.pick("token-value", "token-value\n", "line1\r\nline2\r", "abc", "", "  padded  ")
	}
	if g.chance(0.3) {
		b.WriteString(g.key("role_session_name", g.pick("ws", "", "w")))
	}
}

func (g *gen) sso(b *strings.Builder, n string) {
	region := g.pick("us-east-1", "us-east-1", "us-east-1", "bad_region!", "")
	start := ssoURL
	session := g.chance(0.5)
	if session {
		b.WriteString("sso_session = corp\n")
		g.files[cfgPath+".sso"] = "[sso-session corp]\nsso_start_url = " + start + "\nsso_region = " + region + "\n"
		if g.chance(0.3) {
			g.files[cfgPath+".sso"] += g.key("sso_registration_scopes", g.pick("sso:account:access", "", "a, b"))
		}
	} else {
		b.WriteString("sso_start_url = " + start + "\nsso_region = " + region + "\n")
	}
	if !g.chance(0.1) {
		b.WriteString(g.key("sso_account_id", "123456789012"))
	}
	if !g.chance(0.1) {
		b.WriteString(g.key("sso_role_name", g.pick("Dev", "Admin")))
	}
	tokenName := start
	if session {
		tokenName = "corp"
	}
	switch g.rng.Intn(6) {
	case 0, 1:
		g.files[ssoToken(tokenName)] = tokenDoc("tok-"+strings.ReplaceAll(n, " ", ""), "2099-01-01T00:00:00Z", session)
	case 2:
		g.files[ssoToken(tokenName)] = tokenDoc("tok-old", "2001-01-01T00:00:00Z", session && g.chance(0.7))
	case 3:
		g.files[ssoToken(tokenName)] = tokenDoc(g.pick("expired-server", "sso429-x"), "2099-01-01T00:00:00Z", false)
	case 4:
		g.files[ssoToken(tokenName)] = `{"expiresAt": "2099-01-01T00:00:00Z"}`
	}
	for k, v := range ssoEnv {
		g.env[k] = v
	}
	if g.chance(0.1) {
		// Nothing listens on port 1 of loopback: a refresh gets no answer.
		g.env["AWS_ENDPOINT_URL_SSO_OIDC"] = "http://127.0.0.1:1"
	}
}

// container sets the container endpoint (a full URI) and maybe its token.
func (g *gen) container() {
	g.env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = g.pick("{meta}/creds", "ftp://127.0.0.1:9/x", "http://169.254.170.99/x", "{meta}/auth_creds")
	if g.chance(0.6) {
		g.containerToken()
	}
}

// containerToken is the container endpoint's token, inline or in a file.
func (g *gen) containerToken() {
	if g.chance(0.5) {
		g.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = g.pick("Bearer tok", "wrong", "")
		return
	}
	g.env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = g.pick("{dir}/ctok", "{dir}/no-such-token")
	g.files["ctok"] = g.pick("Bearer tok", "Bearer tok\n", "wrong", "")
	if g.chance(0.3) {
		g.env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Bearer tok"
	}
}

// imds turns instance metadata on at the local server, from the
// environment or the profile, with its other settings.
func (g *gen) imds() {
	g.env["AWS_EC2_METADATA_DISABLED"] = g.pick("\x00unset", "\x00unset", "false")
	// From the config only where the profile selected is read: otherwise
	// the endpoint would be the real one (gen_777001_2036: the implicit
	// default's only file left out).
	fromConfig := g.selectedRead() && g.chance(0.4)
	set := func(env, key, v string) {
		if fromConfig {
			g.everySection += key + " = " + v + "\n"
		} else {
			g.env[env] = v
		}
	}
	set("AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint", "{meta}/")
	if g.chance(0.5) {
		set("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts", g.pick("0", "1", "2", "-1"))
	}
	if g.chance(0.3) {
		set("AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout", g.pick("0", "1", "2"))
	}
	if g.chance(0.3) {
		// The endpoint is given, so the mode only matters if validated.
		set("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode", g.pick("IPv4", "IPv6", "ipv6", "bogus"))
	}
	if g.chance(0.3) {
		set("AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled", g.pick("true", "false", "bogus"))
	}
	if g.chance(0.2) {
		set("AWS_IMDS_USE_IPV6", "imds_use_ipv6", g.pick("true", "false"))
	}
}

// selectedRead reports whether the selected profile's section is in a
// file that is written and read: not left out, not replaced by
// AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE.
func (g *gen) selectedRead() bool {
	for _, p := range g.sections[g.selected] {
		variable := "AWS_CONFIG_FILE"
		if p == credPath {
			variable = "AWS_SHARED_CREDENTIALS_FILE"
		}
		_, written := g.files[p]
		_, replaced := g.env[variable]
		if written && !replaced {
			return true
		}
	}
	return false
}

func (g *gen) botoConfig() {
	g.files["boto.cfg"] = "[Credentials]\naws_access_key_id = AKBOTO\naws_secret_access_key = skboto\naws_session_token = t\n"
	g.env["BOTO_CONFIG"] = "{dir}/boto.cfg"
}

func (g *gen) ec2CredentialFile() {
	g.files["ec2.txt"] = g.pick("AWSAccessKeyId=AKEC2\nAWSSecretKey=s\n", "AWSAccessKeyId=AKEC2\n")
	g.env["AWS_CREDENTIAL_FILE"] = "{dir}/ec2.txt"
}

// environment sets profile selection, keys, region and the other sources'
// variables.
func (g *gen) environment(gc *genCase, names []string) {
	pickName := func() string {
		if g.chance(0.1) {
			return g.pick("missing", "")
		}
		return names[g.rng.Intn(len(names))]
	}
	selected := "default"
	switch g.rng.Intn(6) {
	case 0:
		selected = pickName()
		g.env["AWS_PROFILE"] = selected
	case 1:
		selected = pickName()
		g.env["AWS_DEFAULT_PROFILE"] = selected
	case 2, 3:
		selected = pickName()
		gc.profile = sp(selected)
	}
	g.selected = selected
	switch g.rng.Intn(8) {
	case 0:
		g.env["AWS_ACCESS_KEY_ID"], g.env["AWS_SECRET_ACCESS_KEY"] = "AKENV", "skenv"
	case 1:
		g.env["AWS_ACCESS_KEY_ID"], g.env["AWS_SECRET_ACCESS_KEY"], g.env["AWS_SESSION_TOKEN"] = "AKENV", "skenv", "tokenv"
	case 2:
		g.env["AWS_ACCESS_KEY_ID"] = g.pick("AKENV", "")
	case 3:
		g.env["AWS_ACCESS_KEY_ID"], g.env["AWS_SECRET_ACCESS_KEY"] = "AKENV", "skenv"
		g.env["AWS_SECURITY_TOKEN"] = g.pick("sectok", "")
	}
	if _, ok := g.env["AWS_ACCESS_KEY_ID"]; ok {
		if g.chance(0.2) {
			g.env["AWS_CREDENTIAL_EXPIRATION"] = g.pick("2099-01-01T00:00:00Z", "2001-01-01T00:00:00Z", "2099-01-01T00:00:00", "garbage", "")
		}
		if g.chance(0.2) {
			g.env["AWS_ACCOUNT_ID"] = g.pick("111122223333", "")
		}
	}
	if g.chance(0.04) {
		g.env[g.pick("AWS_STS_REGIONAL_ENDPOINTS", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT")] = g.pick("true", "false", "legacy", "regional", "bogus")
	}
	if g.chance(0.03) {
		g.env["AWS_CA_BUNDLE"] = g.pick("{dir}/no-such.pem", "")
	}
	if g.chance(0.05) {
		// boto3 ignores it (the SDKs read it first).
		g.env["AWS_REGION"] = g.pick("ap-south-1", "bad_region!", "")
	}
	if g.chance(0.03) {
		g.env["AWS_DATA_PATH"] = g.pick("{dir}/data", "")
	}
	if g.chance(0.03) {
		g.env["AWS_EC2_METADATA_DISABLED"] = g.pick("true", "TRUE")
	}
	if g.chance(0.05) {
		g.env["AWS_LOGIN_CACHE_DIRECTORY"] = g.pick("{dir}/login-cache", "~/elsewhere", "")
	}
	if g.chance(0.15) {
		g.env["AWS_DEFAULT_REGION"] = g.pick("sa-east-1", "", "bad_region!")
	}
	if g.chance(0.05) {
		g.env["AWS_MAX_ATTEMPTS"] = g.pick("1", "3", "0")
	}
	if g.chance(0.05) {
		g.env["AWS_RETRY_MODE"] = g.pick("standard", "adaptive", "legacy", "bogus")
	}
	if g.chance(0.1) {
		// The STS endpoint from the configuration instead of the
		// environment: endpoint_url, a [services] block, or ignored. In
		// every profile (the selected one reads it; a role's source
		// profile does not), and only where the selected profile is read:
		// otherwise the endpoint would be AWS's own.
		delete(g.env, "AWS_ENDPOINT_URL_STS")
		g.env["AWS_ENDPOINT_URL_STS"] = "\x00unset"
		pick := g.rng.Intn(4)
		if !g.selectedRead() {
			pick = 0
		}
		switch pick {
		case 0:
			g.env["AWS_ENDPOINT_URL"] = "{sts}"
		case 1:
			g.extra += "[services local]\nsts =\n  endpoint_url = {sts}\n"
			g.everySection += "services = local\n"
		case 2:
			g.everySection += "endpoint_url = {sts}\n"
		default:
			g.everySection += "endpoint_url = {sts}\n"
			if g.chance(0.5) {
				g.env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = g.pick("true", "TRUE", "false")
			} else {
				g.everySection += "ignore_configured_endpoint_urls = " + g.pick("true", "false") + "\n"
			}
		}
	}
	if g.chance(0.05) {
		g.env["AWS_ROLE_SESSION_NAME"] = g.pick("envsession", "", "e")
	}
	if g.chance(0.04) {
		g.env[g.pick("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")] = g.pick("{dir}/nope", "", "~/.aws/config")
	}
	switch g.rng.Intn(24) {
	case 0:
		g.container()
	case 1:
		g.imds()
	case 2:
		g.botoConfig()
	case 3:
		g.ec2CredentialFile()
	case 20:
		// Two late sources at once: their order is the rule.
		g.botoConfig()
		g.ec2CredentialFile()
	case 21:
		g.container()
		g.imds()
	case 22:
		if g.netns {
			// 169.254.170.2 is this suite's own loopback address.
			g.env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = g.pick("/{scope}/creds", "/{scope}/auth_creds", "/{scope}/nope")
			if g.chance(0.5) {
				g.containerToken()
			}
		}
	case 4:
		g.files["envtok"] = "token-from-env"
		g.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = "{dir}/envtok"
		if g.chance(0.8) {
			g.env["AWS_ROLE_ARN"] = g.roleARN()
		}
	}
	// The sso-session section of an sso profile joins the config file.
	if extra, ok := g.files[cfgPath+".sso"]; ok {
		delete(g.files, cfgPath+".sso")
		if c, ok := g.files[cfgPath]; ok {
			g.files[cfgPath] = c + extra
		}
	}
}

// buildCLI is credchain as installed (installtest.Dir): the front with
// the full build beside it, so that every scenario's export runs in the
// front and whatever calls AWS is handed over, as on a person's machine.
func buildCLI(t *testing.T) string {
	t.Helper()
	dir, err := installtest.Dir()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return filepath.Join(dir, installtest.Exe("credchain"))
}

// cliResult is what explain --json printed.
type cliResult struct {
	Region      *string `json:"region"`
	Method      *string `json:"method"`
	AccessKeyID *string `json:"access_key_id"`
	Error       *struct {
		Type string `json:"type"`
	} `json:"error"`
	Providers []struct {
		Method string `json:"method"`
		Result string `json:"result"`
	} `json:"providers"`
	raw string
}

// runCLI runs credchain explain --json for the scenario.
func runCLI(t *testing.T, bin string, sc oracle.Scenario) cliResult {
	cmd := cliCommand(bin, sc, "explain", "--json")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	var r cliResult
	r.raw = strings.TrimSpace(stdout.String() + " " + stderr.String())
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		r.Error = &struct {
			Type string `json:"type"`
		}{Type: "unparseable explain output"}
	}
	return r
}

// cliCommand is credchain ARGS for the scenario: its environment only, its
// profile, no role cache (boto3's is in memory), no terminal (the MFA codes
// come from stdin, one line each).
func cliCommand(bin string, sc oracle.Scenario, args ...string) *exec.Cmd {
	args = append(args, "--no-cache")
	if sc.Profile != nil {
		args = append(args, "--profile", *sc.Profile)
	}
	cmd := exec.Command(bin, args...)
	for k, v := range sc.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdin := ""
	if len(sc.MFACodes) > 0 {
		stdin = strings.Join(sc.MFACodes, "\n") + "\n"
	}
	cmd.Stdin = strings.NewReader(stdin) // no code: stdin at its end, as botocore's getpass sees it
	proc.Detach(cmd)
	return cmd
}

// runExport runs credchain export --format process for the scenario.
func runExport(bin string, sc oracle.Scenario) map[string]any {
	out, err := cliCommand(bin, sc, "export").Output()
	var doc map[string]any
	if err != nil || json.Unmarshal(out, &doc) != nil {
		return nil
	}
	return doc
}

// compareExport returns "" when export --format process printed botocore's
// keys and expiry.
func compareExport(want oracle.Result, doc map[string]any, short bool, shift time.Duration) string {
	if doc == nil {
		return "export failed where botocore resolved " + str(want.Method)
	}
	s := func(k string) string { v, _ := doc[k].(string); return v }
	var diffs []string
	if s("AccessKeyId") != str(want.AccessKey) {
		diffs = append(diffs, fmt.Sprintf("AccessKeyId %q, botocore %q", s("AccessKeyId"), str(want.AccessKey)))
	}
	if d := maskDiff(str(want.SecretKey), s("SecretAccessKey")); d != "" {
		diffs = append(diffs, "SecretAccessKey "+d)
	}
	if d := maskDiff(str(want.Token), s("SessionToken")); d != "" {
		diffs = append(diffs, "SessionToken "+d)
	}
	if want.Expiry != nil {
		// shift: how much later credchain's short-lived role was issued.
		wt, err1 := timefmt.Parse(*want.Expiry)
		gt, err2 := timefmt.Parse(s("Expiration"))
		within := time.Duration(0)
		if short {
			within = 3 * time.Second // issued to the second, at each side's own time
		}
		if err1 != nil || err2 != nil || gt.Add(-shift).Sub(wt).Abs() > within {
			diffs = append(diffs, fmt.Sprintf("Expiration %q, botocore %q", s("Expiration"), *want.Expiry))
		}
	}
	return strings.Join(diffs, "; ")
}

// compareCLI returns "" when explain --json agrees with botocore.
func compareCLI(want oracle.Result, got cliResult) string {
	gotKind := ""
	if got.Error != nil {
		gotKind = got.Error.Type
	}
	lib := goResult{kind: gotKind, method: str(got.Method), ak: str(got.AccessKeyID), msg: got.raw}
	for _, p := range got.Providers {
		if p.Result == "error" {
			lib.errMethod = p.Method
		}
	}
	if got.Error == nil {
		// explain --json shows no secrets: compare what it shows.
		want.SecretKey, want.Token, want.AccountID, want.Expiry = nil, nil, nil, nil
	}
	// Region: explain shows the environment's region even where the
	// session cannot be built; compare it where botocore could read it.
	want.Prompts = nil
	if want.RegionError == nil {
		lib.region = got.Region
	} else {
		lib.regionErr = true
	}
	return compare(want, lib)
}

// failureCase is a scenario written out when it fails, and the format of
// testdata/difftest/regressions.json.
type failureCase struct {
	Name     string            `json:"name"`
	Files    map[string]string `json:"files,omitempty"`
	Env      map[string]string `json:"env,omitempty"`
	Profile  *string           `json:"profile,omitempty"`
	Explicit *oracle.Explicit  `json:"explicit,omitempty"`
	MFACodes []string          `json:"mfa_codes,omitempty"`
	// Why says what broke (written by the generator; kept when pinned).
	Why []string `json:"why,omitempty"`
}

// writeFailure writes a failing scenario as CREDCHAIN_DIFF_OUT/NAME.json.
func writeFailure(t *testing.T, gc genCase, want oracle.Result, diffs []string) {
	dir := os.Getenv("CREDCHAIN_DIFF_OUT")
	if dir == "" {
		dir = "difftest-failures"
	}
	fc := failureCase{Name: gc.name, Files: gc.files, Env: gc.env, Profile: gc.profile, Explicit: gc.explicit, MFACodes: gc.mfaCodes, Why: diffs}
	data, _ := json.MarshalIndent(fc, "", "  ")
	if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(filepath.Join(dir, gc.name+".json"), data, 0o644) == nil {
		t.Logf("%s: written to %s", gc.name, filepath.Join(dir, gc.name+".json"))
	}
}

// loadRegressions reads the scenarios the generator found and that were
// fixed: each stays pinned.
func loadRegressions(t *testing.T) []genCase {
	data, err := os.ReadFile(filepath.Join("testdata", "difftest", "regressions.json"))
	if err != nil {
		t.Fatalf("regressions: %v", err)
	}
	var list []failureCase
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatalf("regressions.json: %v", err)
	}
	out := make([]genCase, len(list))
	for i, f := range list {
		out[i] = genCase{name: "regression_" + f.Name, files: f.Files, env: f.Env, profile: f.Profile, explicit: f.Explicit, mfaCodes: f.MFACodes}
	}
	return out
}
