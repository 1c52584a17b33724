package awsconfig_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/creds"
	"github.com/google/go-cmp/cmp"
)

// parseScript runs botocore's raw_config_parse and load_config on each path.
const parseScript = `
import json, sys
from botocore import configloader
from botocore.exceptions import ConfigParseError
out = []
for path in json.load(sys.stdin):
    r = {"error": None, "raw": None, "profiles": None, "sso_sessions": None, "services": None}
    try:
        r["raw"] = configloader.raw_config_parse(path)
        c = configloader.load_config(path)
        r["profiles"] = c["profiles"]
        r["sso_sessions"] = c["sso_sessions"]
        r["services"] = c["services"]
    except ConfigParseError as e:
        r["error"] = "ConfigParseError"
    except Exception as e:
        r["error"] = type(e).__name__
    out.append(r)
json.dump(out, sys.stdout)
`

type pyParse struct {
	Error       *string                   `json:"error"`
	Raw         map[string]map[string]any `json:"raw"`
	Profiles    map[string]map[string]any `json:"profiles"`
	SSOSessions map[string]map[string]any `json:"sso_sessions"`
	Services    map[string]map[string]any `json:"services"`
}

// iniCorpus returns hand-written files that pin configparser's rules, then
// random files assembled from tricky lines.
func iniCorpus(n int) []string {
	corpus := []string{
		"[a]\nk = v\n",
		"[a]\nk : v = w\nk2==v\nk3:b = c\n",
		"[a]\nK = 1\nk = 2\n",
		"[a]\n=v\n",
		"[a]\nnovalue\n",
		"k = v\n[a]\n",
		"\ufeff[a]\nk=v\n",
		"[a]\nk = v # c\nq = \"x\"\n",
		"[a]\nk = 1\n  2\n\n  3\n\n\n",
		"[a]\nk = 1\n  # c\n  2\n",
		"[a]\nk = 1\n  [b]\n",
		"[DEFAULT]\nr = 1\n[a]\nk = 2\n[b]\nr = 3\n",
		"[DEFAULT]\nr = 1\n[DEFAULT]\ns = 2\n[a]\n",
		"[DEFAULT]\nr = 1\n[DEFAULT]\nr = 2\n[a]\n",
		"[a]\n[a]\n",
		"[a]]\nk=v\n[b] ; c\nk=v\n",
		"[]\n",
		"[]]\nk=v\n",
		"[ profile x]\nk=v\n",
		"[profile x]\ns3 =\n  a = 1\n  b=2\n",
		"[profile x]\ns3 =\n  a: 1\n",
		"[profile x]\ns3 =\n  a: b=1\n",
		"[profile x]\ns3 =\n\n  a = 1\n",
		"[profile \"a b\"]\nk=v\n[profile a\\ c]\nk=v\n[profile 'q']\nk=v\n",
		"[profile a b]\nk=v\n[profilefoo]\nk=v\n[profile \"x]\nk=v\n[profile]\nk=v\n",
		"[default]\nk=1\n[profile default]\nk=2\n",
		"[profile default]\nk=2\n[default]\nk=1\n",
		"[sso-session s]\nsso_region = r\n[services dev]\nsts =\n  endpoint_url = http://x\n",
		"[a]\r\nk = v\r\n",
		"[a]\rk = v\r",
		"[a]\n\tk\t=\tv\t\n",
		"[a]\nk = \u00a0v\u00a0\n",
		"[a]\nk = 1\n\u00a0cont\n",
		"[a]\n\x1ck = v\n",
		"[a]\nİ = v\n",
		"[a]\nk = v\n\f\n",
		"[a]\nk = \n",
		"[a]\n  k = 1\n  j = 2\n",
		"  [a]\nk = 1\n",
		"[a]\nk = 1\n bad line\nj = 2\n",
		"[a]\nbad\n[a]\n",
		"; only a comment\n",
		"",
		"[a]\nk = %(x)s\n",
		"[profile x]\ns3 =\n  k = v\n  k = w\n",
		"[a]\nk = v\n[b]\nk\n",
	}
	headers := []string{"[a]", "[b]", "[DEFAULT]", "[profile x]", "[profile \"y z\"]", "[default]", "[sso-session s]", "[services v]", "[a] trailing", "  [b]"}
	good := []string{"k = v", "K=V", "k2: v", "k3 = v # c", "  cont", "\tcont2", "", "# c", "; c", "  # c", "s3 =", "  a = 1",
		"x = \"q\"", "\u00a0nb = v", "k4 =", "k5 = a=b", "  k6 = v"}
	bad := []string{"bad", "= v", "  b: 2", "k = dup"}
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < n; i++ {
		var b strings.Builder
		for j := rng.Intn(12) + 1; j > 0; j-- {
			var line string
			switch r := rng.Intn(20); {
			case r < 4 || b.Len() == 0:
				line = headers[rng.Intn(len(headers))]
			case r == 19:
				line = bad[rng.Intn(len(bad))]
			default:
				line = good[rng.Intn(len(good))]
			}
			b.WriteString(line)
			b.WriteString([]string{"\n", "\n", "\n", "\r\n"}[rng.Intn(4)])
		}
		corpus = append(corpus, b.String())
	}
	return corpus
}

func nestedOrRaw(v awsconfig.Value) any {
	if v.Nested != nil {
		m := map[string]any{}
		for k, s := range v.Nested {
			m[k] = s
		}
		return m
	}
	return v.Raw
}

func sections(m map[string]*awsconfig.Section) map[string]map[string]any {
	out := map[string]map[string]any{}
	for name, s := range m {
		vals := map[string]any{}
		for _, k := range s.Keys {
			v, _ := s.Lookup(k.Name)
			vals[k.Name] = nestedOrRaw(v)
		}
		out[name] = vals
	}
	return out
}

// TestParseMatchesBotocore parses every corpus file with botocore's
// configloader and with awsconfig, and requires the same sections, keys,
// values, classification, and the same files rejected.
func TestParseMatchesBotocore(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatal("python3 with botocore is required")
		}
		t.Skip("python3 not found")
	}
	corpus := iniCorpus(800)
	dir := t.TempDir()
	paths := make([]string, len(corpus))
	for i, text := range corpus {
		paths[i] = filepath.Join(dir, fmt.Sprintf("f%03d", i))
		if err := os.WriteFile(paths[i], []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	in, _ := json.Marshal(paths)
	cmd := exec.Command("python3", "-c", parseScript)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v", err)
	}
	var want []pyParse
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	rejected := 0
	for i, path := range paths {
		w := want[i]
		f, err := awsconfig.ReadFile(path)
		if w.Error != nil {
			rejected++
			if creds.KindOf(err) != *w.Error {
				t.Errorf("file %d %q: botocore %s, awsconfig error %v", i, corpus[i], *w.Error, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("file %d %q: botocore parsed it, awsconfig: %v", i, corpus[i], err)
			continue
		}
		raw := map[string]*awsconfig.Section{}
		for _, s := range f.Sections() {
			raw[s.Header] = s
		}
		c := awsconfig.Classify(f)
		for _, cmpCase := range []struct {
			what string
			want map[string]map[string]any
			got  map[string]*awsconfig.Section
		}{{"raw", w.Raw, raw}, {"profiles", w.Profiles, c.Profiles}, {"sso_sessions", w.SSOSessions, c.SSOSessions}, {"services", w.Services, c.Services}} {
			if d := cmp.Diff(cmpCase.want, sections(cmpCase.got)); d != "" {
				t.Errorf("file %d %q: %s differ (-botocore +awsconfig):\n%s", i, corpus[i], cmpCase.what, d)
			}
		}
	}
	t.Logf("%d files, %d rejected by botocore", len(paths), rejected)
}
