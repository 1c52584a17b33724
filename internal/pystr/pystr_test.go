package pystr

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unicode/utf8"
)

const splitScript = `
import json, shlex, sys
from botocore.compat import _windows_shell_split
from botocore.configloader import _parse_nested
import os.path
out = []
for s in json.load(sys.stdin):
    r = {}
    try:
        r["posix"] = shlex.split(s)
    except ValueError:
        r["posix"] = None
    try:
        r["windows"] = _windows_shell_split(s)
    except ValueError:
        r["windows"] = None
    r["lines"] = s.splitlines()
    r["strip"] = s.strip()
    r["lower"] = s.lower()
    os.environ.clear()
    os.environ.update({"HOME": "/h", "A": "x", "B_1": "y"})
    r["expandvars"] = os.path.expandvars(s)
    try:
        r["int"] = int(s)
    except ValueError:
        r["int"] = None
    out.append(r)
json.dump(out, sys.stdout)
`

func corpus() []string {
	c := []string{
		`a b c`, `"a b" c`, `'a b' c`, `a\ b`, `"a\"b"`, `"a\b"`, `'a\b'`, `a"b c"d`, `""`, `''`, `"" x`,
		`"unterminated`, `'unterminated`, `trailing\`, `a\\b`, "a\tb\nc\rd", `  lead  `, `C:\Program Files\x.exe /y`,
		`"C:\Program Files\x.exe" --arg "quoted \"inner\""`, `\\\"x`, `a\\\\"b c"`, `"a\\"`, `x "" y`,
		"İstanbul", "ÀB", "a\u00a0b", "\x1cX\x1d", "l1\nl2\r\nl3\rl4\x0bl5\x0cl6\x1el7\u2028l8\u0085", "$A/${B_1}/$C/${}/$/$$A/${A", "~/x",
		"12", " -7 ", "1_000", "_1", "1__0", "+5", "1.5", "", "0x10", "٣",
	}
	rng := rand.New(rand.NewSource(3))
	atoms := []string{"a", " ", "\t", `"`, `'`, `\`, "b c", `\"`, `\\`, "\n", "$A", "x=y"}
	for i := 0; i < 300; i++ {
		var b strings.Builder
		for j := rng.Intn(8); j >= 0; j-- {
			b.WriteString(atoms[rng.Intn(len(atoms))])
		}
		c = append(c, b.String())
	}
	return c
}

// TestMatchesPython checks every helper against CPython and botocore on a
// corpus of hand-picked and random strings.
func TestMatchesPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatal("python3 is required")
		}
		t.Skip("python3 not found")
	}
	in := corpus()
	data, _ := json.Marshal(in)
	cmd := exec.Command("python3", "-c", splitScript)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []struct {
		Posix      []string `json:"posix"`
		Windows    []string `json:"windows"`
		Lines      []string `json:"lines"`
		Strip      string   `json:"strip"`
		Lower      string   `json:"lower"`
		ExpandVars string   `json:"expandvars"`
		Int        *int64   `json:"int"`
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": "/h", "A": "x", "B_1": "y"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for i, s := range in {
		w := want[i]
		gotPosix, err := ShlexSplit(s)
		if err != nil {
			gotPosix = nil
		}
		if (w.Posix == nil) != (err != nil) || strings.Join(w.Posix, "\x00") != strings.Join(gotPosix, "\x00") || len(w.Posix) != len(gotPosix) {
			t.Errorf("ShlexSplit(%q) = %q, %v; python %q", s, gotPosix, err, w.Posix)
		}
		gotWin, err := WindowsSplit(s)
		if (w.Windows == nil) != (err != nil) || strings.Join(w.Windows, "\x00") != strings.Join(gotWin, "\x00") || len(w.Windows) != len(gotWin) {
			t.Errorf("WindowsSplit(%q) = %q, %v; botocore %q", s, gotWin, err, w.Windows)
		}
		if got := SplitLines(s); strings.Join(got, "\x00") != strings.Join(w.Lines, "\x00") || len(got) != len(w.Lines) {
			t.Errorf("SplitLines(%q) = %q; python %q", s, got, w.Lines)
		}
		if got := Strip(s); got != w.Strip {
			t.Errorf("Strip(%q) = %q; python %q", s, got, w.Strip)
		}
		if got := Lower(s); got != w.Lower {
			t.Errorf("Lower(%q) = %q; python %q", s, got, w.Lower)
		}
		if got := ExpandVars(s, lookup); got != w.ExpandVars {
			t.Errorf("ExpandVars(%q) = %q; python %q", s, got, w.ExpandVars)
		}
		n, ok := ParseInt(s)
		if ok != (w.Int != nil) || (ok && n != *w.Int) {
			t.Errorf("ParseInt(%q) = %d, %v; python %v", s, n, ok, w.Int)
		}
	}
}

func FuzzShlexSplit(f *testing.F) {
	for _, s := range corpus()[:40] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words, err := ShlexSplit(s)
		if err != nil {
			return
		}
		// Re-quoting every word and splitting again gives the same words.
		var b strings.Builder
		for _, w := range words {
			b.WriteString("'" + strings.ReplaceAll(w, "'", `'\''`) + "' ")
		}
		again, err := ShlexSplit(b.String())
		if err != nil || strings.Join(again, "\x00") != strings.Join(words, "\x00") || len(again) != len(words) {
			t.Fatalf("round trip of %q: %q -> %q (%v)", s, words, again, err)
		}
	})
}

// FuzzJoin: any words (valid UTF-8) joined by Join come back word for word
// from botocore's split, on POSIX and on Windows.
func FuzzJoin(f *testing.F) {
	f.Add("/usr/bin/credchain-aws\x00keys\x00process\x00dev")
	f.Add(`C:\Program Files\credchain\credchain-aws.exe` + "\x00--backend\x00wincred\x00my prof")
	f.Add(`a\` + "\x00" + `"q"` + "\x00\x00" + `tail\\"` + "\x00it's")
	f.Fuzz(func(t *testing.T, joined string) {
		if !utf8.ValidString(joined) {
			return
		}
		words := strings.Split(joined, "\x00")
		for _, windows := range []bool{false, true} {
			line := Join(words, windows)
			split := ShlexSplit
			if windows {
				split = WindowsSplit
			}
			got, err := split(line)
			if err != nil || strings.Join(got, "\x00") != joined || len(got) != len(words) {
				t.Fatalf("windows=%v: %q joined as %q splits into %q (%v)", windows, words, line, got, err)
			}
		}
	})
}
