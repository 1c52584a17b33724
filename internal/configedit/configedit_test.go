package configedit

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplyKeepsEveryOtherByte(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		change   Change
		want     string
	}{
		{"replace keeps comments and spacing",
			"# mine\n[profile dev]\nregion  =  eu-west-1   ; note\n\n  ; indented comment\noutput=json\n[default]\nregion=x\n",
			Change{Section: "profile dev", Key: "region", Value: "us-east-1"},
			"# mine\n[profile dev]\nregion = us-east-1\n\n  ; indented comment\noutput=json\n[default]\nregion=x\n"},
		{"replace a continued value whole",
			"[profile dev]\ns3 =\n  addressing_style = path\n\n  signature_version = s3v4\nregion = x\n",
			Change{Section: "profile dev", Key: "s3", Value: "none"},
			"[profile dev]\ns3 = none\nregion = x\n"},
		{"add after the last key, before trailing comments",
			"[profile dev]\nregion = x\n# about prod\n\n[profile prod]\nregion = y\n",
			Change{Section: "profile dev", Key: "credential_process", Value: "/usr/bin/credchain keys process dev"},
			"[profile dev]\nregion = x\ncredential_process = /usr/bin/credchain keys process dev\n# about prod\n\n[profile prod]\nregion = y\n"},
		{"add a section to a file without a final newline",
			"[default]\nregion = x",
			Change{Section: "profile new", Key: "region", Value: "y"},
			"[default]\nregion = x\n[profile new]\nregion = y\n"},
		{"CRLF stays CRLF",
			"[default]\r\nregion = x\r\n",
			Change{Section: "default", Key: "output", Value: "json"},
			"[default]\r\nregion = x\r\noutput = json\r\n"},
		{"delete a key and its continuation, keep the rest",
			"[DEFAULT]\nregion = d\n[a]\naws_access_key_id = AK\naws_secret_access_key = s\n  more\n# keep\n[b]\nx = 1\n",
			Change{Section: "a", Key: "aws_secret_access_key", Delete: true},
			"[DEFAULT]\nregion = d\n[a]\naws_access_key_id = AK\n# keep\n[b]\nx = 1\n"},
		{"add to an empty file", "", Change{Section: "default", Key: "region", Value: "x"}, "[default]\nregion = x\n"},
		{"a key of the same name elsewhere is untouched",
			"[a]\nregion = 1\n[b]\nregion = 2\n",
			Change{Section: "b", Key: "region", Value: "3"},
			"[a]\nregion = 1\n[b]\nregion = 3\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Apply(tc.in, tc.change)
			if err != nil || got != tc.want {
				t.Fatalf("Apply = %q, %v\nwant %q", got, err, tc.want)
			}
		})
	}
}

func TestApplyRefusesWhatItCannotWriteSafely(t *testing.T) {
	for _, tc := range []struct {
		in     string
		change Change
		want   string
	}{
		{"[a]\nx = 1\n[a]\ny = 2\n", Change{Section: "a", Key: "x", Value: "2"}, "does not parse"},
		{"[a]\n", Change{Section: "a", Key: "x", Value: "two\nlines"}, "cannot be written on one line"},
		{"[a]\n", Change{Section: "a", Key: "x", Value: " padded"}, "cannot be written on one line"},
		{"[a]\n", Change{Section: "a", Key: "X", Value: "1"}, "invalid key"},
		{"[a]\n", Change{Section: "a]", Key: "x", Value: "1"}, "invalid section"},
	} {
		if _, err := Apply(tc.in, tc.change); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Apply(%q, %+v) = %v, want %q", tc.in, tc.change, err, tc.want)
		}
	}
}

func TestEditIsAtomicAndKeepsTheMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path, []byte("[default]\nregion = x\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Edit(path, Change{Section: "default", Key: "output", Value: "json"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(data) != "[default]\nregion = x\noutput = json\n" || fi.Mode().Perm() != 0o640 {
		t.Fatalf("%q %v", data, fi.Mode())
	}
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("junk\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Edit(bad, Change{Section: "default", Key: "x", Value: "1"}); err == nil {
		t.Fatal("an unparseable file was edited")
	}
	if data, _ := os.ReadFile(bad); string(data) != "junk\n" {
		t.Fatalf("the file changed: %q", data)
	}
}

// tricky are files with the syntax an editor gets wrong.
var tricky = []string{
	"# top\n[default]\nregion = eu-west-1 # c\n\n[profile dev]\n  ; c\naws_access_key_id=AK\naws_secret_access_key : s\n  continued\n\n  more\n[profile \"my prof\"]\noutput=json\n",
	"[DEFAULT]\nregion = d\n[profile a]\ns3 =\n  addressing_style = path\n[services x]\nsts =\n  endpoint_url = http://x\n",
	"[default]\r\naws_access_key_id = AK\r\naws_secret_access_key = s\r\n\r\n[profile b]\r\nregion=r",
	"[profile c]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = default\n\n\n# end\n",
}

// TestEditsReadTheSameInBotocore applies generated changes to tricky files
// and reads both versions with botocore's own loader: every profile and
// key is the same apart from the change.
func TestEditsReadTheSameInBotocore(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not found")
	}
	seed := int64(20261130)
	rng := rand.New(rand.NewSource(seed))
	dir := t.TempDir()
	type pair struct {
		before, after string
		change        Change
	}
	var pairs []pair
	sections := []string{"default", "profile dev", "profile my prof", "profile a", "profile new", "DEFAULT"}
	keys := []string{"region", "aws_secret_access_key", "credential_process", "s3", "output", "sso_session"}
	for i := 0; i < 60; i++ {
		in := tricky[rng.Intn(len(tricky))]
		c := Change{Section: sections[rng.Intn(len(sections))], Key: keys[rng.Intn(len(keys))], Value: fmt.Sprintf("v%d with = and : and # and ;", i)}
		if strings.Contains(c.Section, "my prof") {
			c.Section = `profile "my prof"`
		}
		c.Delete = rng.Intn(3) == 0
		out, err := Apply(in, c)
		if err != nil {
			t.Fatalf("seed %d case %d: %v", seed, i, err)
		}
		pairs = append(pairs, pair{in, out, c})
	}
	var paths []string
	for i, p := range pairs {
		for j, text := range []string{p.before, p.after} {
			path := filepath.Join(dir, fmt.Sprintf("%d-%d", i, j))
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, path)
		}
	}
	script := `import json, sys
from botocore.configloader import raw_config_parse
print(json.dumps([raw_config_parse(p) for p in sys.argv[1:]]))`
	out, err := exec.Command("python3", append([]string{"-c", script}, paths...)...).Output()
	if err != nil {
		t.Fatalf("botocore: %v", err)
	}
	var parsed []map[string]map[string]any
	if err := json.Unmarshal(out, &parsed); err != nil {
		t.Fatal(err)
	}
	for i, p := range pairs {
		before, after := parsed[2*i], parsed[2*i+1]
		want := map[string]map[string]any{}
		for s, kv := range before {
			want[s] = map[string]any{}
			for k, v := range kv {
				want[s][k] = v
			}
		}
		sec := strings.Trim(p.change.Section, `"`)
		if p.change.Section == `profile "my prof"` {
			sec = `profile "my prof"`
		}
		if p.change.Delete {
			delete(want[sec], p.change.Key)
		} else {
			if want[sec] == nil {
				want[sec] = map[string]any{}
				// A new section inherits [DEFAULT] in botocore.
				if strings.Contains(p.before, "[DEFAULT]\nregion = d\n") {
					want[sec]["region"] = "d"
				}
			}
			want[sec][p.change.Key] = p.change.Value
		}
		// [DEFAULT] keys are inherited by every section in botocore.
		if sec == "DEFAULT" {
			continue
		}
		w, _ := json.Marshal(want)
		g, _ := json.Marshal(after)
		if string(w) != string(g) {
			t.Errorf("seed %d case %d (%+v): botocore reads\n%s\nwant\n%s", seed, i, p.change, g, w)
		}
	}
}
