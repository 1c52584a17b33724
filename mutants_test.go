package credchain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// A mutant breaks one botocore rule in a scratch copy of the module. The
// generator is good when its scenarios catch (nearly) every mutant.
type mutant struct {
	name, file, old, new string
}

// mutants are the planted rule-breaks of make mutants: source order,
// parameter validation, error kinds, region and retry rules, parsing and
// the rules of issue 21. Each old text must occur exactly once in its file,
// so that a change to the code shows here instead of silently leaving a
// mutant that changes nothing.
var mutants = []mutant{
	{"empty-external-id-dropped", "roles.go",
		"\t\treturn &v.Raw\n\t}\n\ta := &stscreds.AssumeRole{",
		"\t\tif v.Raw == \"\" && k == \"external_id\" {\n\t\t\treturn nil\n\t\t}\n\t\treturn &v.Raw\n\t}\n\ta := &stscreds.AssumeRole{"},
	{"boto-config-before-ec2-credentials-file", "resolve.go",
		"\t\tlegacycreds.EC2File{Env: r.env},\n\t\tlegacycreds.BotoConfig{Env: r.env, System: r.o.botoSystemCfg},",
		"\t\tlegacycreds.BotoConfig{Env: r.env, System: r.o.botoSystemCfg},\n\t\tlegacycreds.EC2File{Env: r.env},"},
	{"process-before-shared-credentials", "roles.go",
		"\t\tfilecreds.Provider{Name: filecreds.MethodCredentialsFile, Section: r.credentialsSection(name)},\n\t\t&lazy{method: logincreds.Method, build: func() (creds.Provider, error) { return r.login(name) }},\n\t\t&lazy{method: processcreds.Method, build: func() (creds.Provider, error) { return r.process(name) }},",
		"\t\t&lazy{method: processcreds.Method, build: func() (creds.Provider, error) { return r.process(name) }},\n\t\tfilecreds.Provider{Name: filecreds.MethodCredentialsFile, Section: r.credentialsSection(name)},\n\t\t&lazy{method: logincreds.Method, build: func() (creds.Provider, error) { return r.login(name) }},"},
	{"env-after-assume-role", "resolve.go",
		"\tif !r.explicit {\n\t\tc = append(c, envcreds.Provider{Env: r.env})\n\t}\n\tc = append(c, &lazy{method: stscreds.MethodAssumeRole, build: func() (creds.Provider, error) { return r.assumeRole(name) }})",
		"\tc = append(c, &lazy{method: stscreds.MethodAssumeRole, build: func() (creds.Provider, error) { return r.assumeRole(name) }})\n\tif !r.explicit {\n\t\tc = append(c, envcreds.Provider{Env: r.env})\n\t}"},
	{"sso-before-web-identity", "roles.go",
		"\t\t&lazy{method: stscreds.MethodWebIdentity, build: func() (creds.Provider, error) { return r.webIdentity(name, disableEnv) }},\n\t\t&lazy{method: ssocreds.Method, build: func() (creds.Provider, error) { return r.sso(name) }},",
		"\t\t&lazy{method: ssocreds.Method, build: func() (creds.Provider, error) { return r.sso(name) }},\n\t\t&lazy{method: stscreds.MethodWebIdentity, build: func() (creds.Provider, error) { return r.webIdentity(name, disableEnv) }},"},
	{"imds-before-container", "resolve.go",
		"\t\t&containercreds.Provider{Env: r.env},\n\t\tcreds.Func(r.instanceMetadata, imdscreds.Method),",
		"\t\tcreds.Func(r.instanceMetadata, imdscreds.Method),\n\t\t&containercreds.Provider{Env: r.env},"},
	{"aws-profile-before-aws-default-profile", "resolve.go",
		`[]string{"AWS_DEFAULT_PROFILE", "AWS_PROFILE"}`, `[]string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE"}`},
	{"region-not-validated", "clientsettings.go",
		"if reg.set && !awsconfig.ValidRegion(reg.value) {", "if false && reg.set && !awsconfig.ValidRegion(reg.value) {"},
	{"retry-mode-not-validated", "clientsettings.go",
		"\t\tdefault:\n\t\t\treturn out, creds.Errorf(\"InvalidRetryModeError\"",
		"\t\tdefault:\n\t\t\tif true {\n\t\t\t\treturn out, nil\n\t\t\t}\n\t\t\treturn out, creds.Errorf(\"InvalidRetryModeError\""},
	{"min-length-off-by-one", "internal/botomodel/botomodel.go", "n < p.Min {", "n < p.Min-1 {"},
	{"min-value-off-by-one", "internal/botomodel/botomodel.go", "x < p.Min {", "x < p.Min-1 {"},
	{"nested-block-parameter-accepted", "internal/botomodel/botomodel.go",
		"\t\tcase Dict:\n", "\t\tcase Dict:\n\t\t\tif true {\n\t\t\t\tcontinue\n\t\t\t}\n"},
	{"process-version-2-accepted", "processcreds/processcreds.go", "\t\tif v != 1 {", "\t\tif v != 1 && v != 2 {"},
	{"process-naive-expiry-before-mfa", "processcreds/processcreds.go",
		"\t\tif errors.Is(err, timefmt.ErrNaive) {", "\t\tif false && errors.Is(err, timefmt.ErrNaive) {"},
	{"env-session-token-before-security-token", "envcreds/envcreds.go",
		"[]string{SecurityToken, SessionToken}", "[]string{SessionToken, SecurityToken}"},
	{"file-session-token-before-security-token", "filecreds/filecreds.go",
		`range []string{"aws_security_token", "aws_session_token"} {`, `range []string{"aws_session_token", "aws_security_token"} {`},
	{"partial-env-keys-skipped", "envcreds/envcreds.go",
		"return creds.Credentials{}, creds.Partial(Method, SecretKey, \"\")", "return creds.Credentials{}, creds.Skip(\"partial\")"},
	{"web-identity-token-stripped", "stscreds/stscreds.go",
		"return strings.ReplaceAll(strings.ReplaceAll(string(data), \"\\r\\n\", \"\\n\"), \"\\r\", \"\\n\"), nil",
		"return strings.TrimSpace(string(data)), nil"},
	{"web-identity-token-not-utf8-sent", "stscreds/stscreds.go", "\tif !utf8.Valid(data) {", "\tif false && !utf8.Valid(data) {"},
	{"missing-services-section-ignored", "clientsettings.go", "\t\tif !ok || len(block.Keys) == 0 {", "\t\tif false && (!ok || len(block.Keys) == 0) {"},
	{"nested-data-path-accepted", "resolve.go",
		`if raw, ok := p.Lookup("data_path"); ok && raw.Nested != nil {`, `if raw, ok := p.Lookup("data_path"); ok && raw.Nested != nil && false {`},
	{"sso-refresh-connection-error-swallowed", "ssocreds/ssocreds.go",
		"\tif k := awshttp.TransportKind(err); k != \"\" {\n\t\treturn nil, false, &creds.Error",
		"\tif k := awshttp.TransportKind(err); k != \"\" && false {\n\t\treturn nil, false, &creds.Error"},
	{"session-name-not-botocores", "stscreds/stscreds.go", `"botocore-session-%d"`, `"credchain-session-%d"`},
	{"aws-default-region-ignored", "resolve.go",
		`v, err := r.configVar("AWS_DEFAULT_REGION", "region")`, `v, err := r.configVar("AWS_REGION", "region")`},
	{"still-expired-after-refresh-accepted", "creds/creds.go", "\tif fresh.Expired(now) {", "\tif false && fresh.Expired(now) {"},
	{"mandatory-refresh-failure-ignored", "creds/creds.go", "\t\tif left < MandatoryRefresh {\n\t\t\treturn Credentials{}, err", "\t\tif false {\n\t\t\treturn Credentials{}, err"},
	{"credential-source-any-case", "awsconfig/roles.go",
		"func IsCredentialSource(name string) bool { return credentialSources[name] }",
		"func IsCredentialSource(name string) bool {\n\tfor k := range credentialSources {\n\t\tif strings.EqualFold(k, name) {\n\t\t\treturn true\n\t\t}\n\t}\n\treturn false\n}"},
}

// named are the mutants the issue names: the generator missed them before.
var namedMutants = []string{"empty-external-id-dropped", "boto-config-before-ec2-credentials-file", "process-before-shared-credentials"}

// TestMutants (make mutants): botocore's pass over the generated scenarios
// once, then for each mutant a scratch copy of the module with the rule
// broken, its test binary replaying credchain's side against that pass.
// CREDCHAIN_MUTANTS_SEED and CREDCHAIN_MUTANTS_COUNT choose the scenarios.
func TestMutants(t *testing.T) {
	if os.Getenv("CREDCHAIN_MUTANTS") == "" {
		t.Skip("make mutants runs it")
	}
	requireOracle(t)
	seed, count := int64(20261206), 1500
	if v, err := strconv.ParseInt(os.Getenv("CREDCHAIN_MUTANTS_SEED"), 10, 64); err == nil {
		seed = v
	}
	if v, err := strconv.Atoi(os.Getenv("CREDCHAIN_MUTANTS_COUNT")); err == nil && v > 0 {
		count = v
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	// botocore's pass, once; the unmutated code must agree with it.
	var pass botoPass
	if failures, _ := runDifferentialWith(t, generate(seed, count), false, &pass); failures != 0 {
		t.Fatalf("the code under test already disagrees with botocore in %d scenarios: fix those first", failures)
	}
	data, err := json.Marshal(pass)
	if err != nil {
		t.Fatal(err)
	}
	baseline := filepath.Join(work, "botocore.json")
	if err := os.WriteFile(baseline, data, 0o600); err != nil {
		t.Fatal(err)
	}
	files := trackedFiles(t, root)
	type outcome struct {
		mismatches int
		names      []string
		err        error
	}
	// The control is the code unchanged, replayed like a mutant: it must
	// agree everywhere, or a mutant's "catch" could be the replay's own
	// noise (it was: paths of the scenario folder in botocore's results).
	all := append([]mutant{{name: "control"}}, mutants...)
	outcomes := make([]outcome, len(all))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, m := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			n, names, err := runMutant(root, filepath.Join(work, m.name), files, m, baseline, seed, count)
			outcomes[i] = outcome{n, names, err}
		}()
	}
	wg.Wait()
	if o := outcomes[0]; o.err != nil || o.mismatches != 0 {
		t.Fatalf("control (the code unchanged) replayed with %d mismatches (%s), %v: the replay is noisy, so no catch can be trusted", o.mismatches, strings.Join(o.names, " "), o.err)
	}
	fmt.Println("mutant control (the code unchanged): 0 mismatches")
	caught := 0
	for i, m := range mutants {
		o := outcomes[i+1]
		switch {
		case o.err != nil:
			t.Errorf("mutant %s: %v", m.name, o.err)
		case o.mismatches > 0:
			caught++
			fmt.Printf("mutant %s: caught (%d mismatches: %s)\n", m.name, o.mismatches, strings.Join(o.names, " "))
		default:
			fmt.Printf("mutant %s: missed\n", m.name)
			for _, named := range namedMutants {
				if named == m.name {
					t.Errorf("mutant %s, named by issue 21, is missed", m.name)
				}
			}
		}
	}
	pct := 100 * caught / len(mutants)
	fmt.Printf("mutants: %d of %d caught (%d%%), seed %d, %d scenarios\n", caught, len(mutants), pct, seed, count)
	if pct < 90 {
		t.Errorf("%d%% of the mutants caught, want at least 90%%", pct)
	}
}

// trackedFiles are the module's files as git knows them (new ones too).
func trackedFiles(t *testing.T, root string) []string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

var replayed = regexp.MustCompile(`mutant-replay: (\d+) mismatches`)

// runMutant copies the module to dir, breaks one rule, builds the root
// package's tests and replays credchain's side; it returns the mismatches
// and the first scenarios that disagreed.
func runMutant(root, dir string, files []string, m mutant, baseline string, seed int64, count int) (int, []string, error) {
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the work tree
		}
		if f == m.file {
			if n := strings.Count(string(data), m.old); n != 1 {
				return 0, nil, fmt.Errorf("%s holds the text to break %d times, want once: update the mutant", m.file, n)
			}
			data = []byte(strings.Replace(string(data), m.old, m.new, 1))
		}
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return 0, nil, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return 0, nil, err
		}
	}
	bin := filepath.Join(dir, "mutant.test")
	build := exec.Command("go", "test", "-c", "-vet=off", "-o", bin, ".")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		return 0, nil, fmt.Errorf("build: %v\n%s", err, out)
	}
	run := exec.Command(bin, "-test.run=^TestMutantReplay$", "-test.v")
	run.Dir = dir
	run.Env = append(os.Environ(), "CREDCHAIN_MUTANT_BASELINE="+baseline,
		fmt.Sprintf("CREDCHAIN_MUTANT_SEED=%d", seed), fmt.Sprintf("CREDCHAIN_MUTANT_COUNT=%d", count), "CREDCHAIN_DIFF_OUT="+filepath.Join(dir, "failures"))
	var out bytes.Buffer
	run.Stdout, run.Stderr = &out, &out
	_ = run.Run()
	mm := replayed.FindStringSubmatch(out.String())
	if mm == nil {
		return 0, nil, fmt.Errorf("the replay printed no count:\n%s", tail(out.String(), 2000))
	}
	n, _ := strconv.Atoi(mm[1])
	var names []string
	if entries, err := os.ReadDir(filepath.Join(dir, "failures")); err == nil {
		for _, e := range entries {
			if len(names) < 5 {
				names = append(names, strings.TrimSuffix(e.Name(), ".json"))
			}
		}
	}
	return n, names, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// TestMutantReplay is credchain's side of the differential run against a
// botocore pass computed before (TestMutants runs it in each mutant).
func TestMutantReplay(t *testing.T) {
	path := os.Getenv("CREDCHAIN_MUTANT_BASELINE")
	if path == "" {
		t.Skip("run by TestMutants")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pass botoPass
	if err := json.Unmarshal(data, &pass); err != nil {
		t.Fatal(err)
	}
	seed, _ := strconv.ParseInt(os.Getenv("CREDCHAIN_MUTANT_SEED"), 10, 64)
	count, _ := strconv.Atoi(os.Getenv("CREDCHAIN_MUTANT_COUNT"))
	failures, _ := runDifferentialWith(t, generate(seed, count), false, &pass)
	fmt.Printf("mutant-replay: %d mismatches\n", failures)
}
