package credchain_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestGeneratedIMDSStaysLocal checks the generator without running a
// scenario: wherever instance metadata is on and the environment names no
// endpoint, the profile botocore reads names the local one, so no
// scenario can reach 169.254.169.254 (seed 777001 scenario 2036 did: the
// implicit default's only file was left out). Seed 777001 is pinned, and
// the seed of make test's run (CREDCHAIN_DIFF_SEED) checked too.
func TestGeneratedIMDSStaysLocal(t *testing.T) {
	for _, seed := range safetySeeds(777001) {
		for _, gc := range generate(seed, 3000) {
			if imdsMayLeave(gc) {
				t.Errorf("%s: instance metadata is on, and neither the environment nor the profile read names the local endpoint", gc.name)
			}
		}
	}
}

// safetySeeds are the seeds a safety check generates 3,000 scenarios of:
// the one that found its escape (pinned), 1, 4242, and the seed make
// test's run uses (CREDCHAIN_DIFF_SEED).
func safetySeeds(pinned int64) []int64 {
	seeds := []int64{pinned, 1, 4242}
	if s, err := strconv.ParseInt(os.Getenv("CREDCHAIN_DIFF_SEED"), 10, 64); err == nil {
		seeds = append(seeds, s)
	}
	return seeds
}

// TestGeneratedSTSStaysLocal: wherever a scenario may call STS or SSO (a
// role, web identity, SSO or aws login in the config), no file botocore
// reads and no variable ignores the configured endpoints
// (gen_1419585746_782, a seed of make test, did in the credentials file,
// which botocore merges over the config).
func TestGeneratedSTSStaysLocal(t *testing.T) {
	for _, seed := range safetySeeds(1419585746) {
		for _, gc := range generate(seed, 3000) {
			cfg := strings.ToLower(gc.files[cfgPath])
			needsAWS := gc.env["AWS_ROLE_ARN"] != "" || gc.env["AWS_WEB_IDENTITY_TOKEN_FILE"] != ""
			for _, k := range []string{"role_arn", "sso_", "web_identity_token_file", "login_session"} {
				needsAWS = needsAWS || strings.Contains(cfg, k)
			}
			if !needsAWS {
				continue
			}
			ignored := strings.EqualFold(gc.env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"], "true")
			for _, p := range []string{cfgPath, credPath} {
				for _, line := range strings.Split(strings.ToLower(gc.files[p]), "\n") {
					k, v, ok := strings.Cut(line, "=")
					ignored = ignored || ok && strings.TrimSpace(k) == "ignore_configured_endpoint_urls" && strings.TrimSpace(v) == "true"
				}
			}
			if ignored {
				t.Errorf("%s: may call STS or SSO and ignores the configured endpoints", gc.name)
			}
		}
	}
}

// imdsMayLeave: metadata on, no endpoint in the environment, and the
// profile botocore uses (the implicit default, or one selected that is
// read: a missing one fails first) lacks ec2_metadata_service_endpoint.
func imdsMayLeave(gc genCase) bool {
	set := func(k string) (string, bool) {
		v, ok := gc.env[k]
		return v, ok && v != "\x00unset"
	}
	if v, ok := set("AWS_EC2_METADATA_DISABLED"); !ok || strings.EqualFold(v, "true") {
		return false // the base environment turns it off
	}
	if _, ok := set("AWS_EC2_METADATA_SERVICE_ENDPOINT"); ok {
		return false
	}
	selected, explicit := "default", false
	for _, k := range []string{"AWS_DEFAULT_PROFILE", "AWS_PROFILE"} {
		if v, ok := set(k); ok && v != "" {
			selected, explicit = v, true
		}
	}
	if gc.profile != nil {
		selected, explicit = *gc.profile, true
	}
	found := false
	for _, f := range []struct{ path, variable string }{{cfgPath, "AWS_CONFIG_FILE"}, {credPath, "AWS_SHARED_CREDENTIALS_FILE"}} {
		text, written := gc.files[f.path]
		if _, replaced := gc.env[f.variable]; !written || replaced {
			continue
		}
		if strings.HasPrefix(text, "\ufeff") {
			return false // botocore fails on its first line (no section header) before any source
		}
		in, hasKey := false, false
		for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			if h := strings.TrimSpace(line); strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
				in = sectionName(h[1:len(h)-1], f.path == cfgPath) == selected
				found = found || in
				continue
			}
			if in && strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "ec2_metadata_service_endpoint") {
				hasKey = true
			}
		}
		if hasKey {
			return false
		}
	}
	return !explicit || found
}

// sectionName is the profile a section header names.
func sectionName(h string, config bool) string {
	h = strings.TrimSpace(h)
	if !config || h == "default" {
		return h
	}
	name, ok := strings.CutPrefix(h, "profile ")
	if !ok {
		return ""
	}
	name = strings.TrimSpace(name)
	if len(name) >= 2 && (name[0] == '"' || name[0] == '\'') && name[len(name)-1] == name[0] {
		name = name[1 : len(name)-1]
	}
	return strings.ReplaceAll(name, `\ `, " ")
}
