package ini

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/credchain/credchain/internal/pystr"
	"github.com/google/go-cmp/cmp"
)

type kv = [2]string

func flat(f *File) map[string][]kv {
	out := map[string][]kv{}
	for _, s := range f.Sections() {
		var keys []kv
		for _, k := range s.All() {
			keys = append(keys, kv{k.Name, k.Value})
		}
		out[s.Name] = keys
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string][]kv
		errLine  int
	}{
		{name: "equals_and_colon", in: "[s]\na = 1\nb: 2\n", want: map[string][]kv{"s": {{"a", "1"}, {"b", "2"}}}},
		{name: "first_delimiter_splits", in: "[s]\nk : v = w\nk2==v\na:b = c\n", want: map[string][]kv{"s": {{"k", "v = w"}, {"k2", "=v"}, {"a", "b = c"}}}},
		{name: "keys_lowercased_values_not", in: "[s]\nAWS_Key = VaLuE\n", want: map[string][]kv{"s": {{"aws_key", "VaLuE"}}}},
		{name: "inline_comment_kept", in: "[s]\nk = v # c ; d\n", want: map[string][]kv{"s": {{"k", "v # c ; d"}}}},
		{name: "quotes_kept", in: "[s]\nk = \"q\"\n", want: map[string][]kv{"s": {{"k", `"q"`}}}},
		{name: "continuation", in: "[s]\nk = a\n  b\n\n  c\n\n", want: map[string][]kv{"s": {{"k", "a\nb\n\nc"}}}},
		{name: "comment_inside_continuation_dropped", in: "[s]\nk = a\n  # c\n  b\n", want: map[string][]kv{"s": {{"k", "a\nb"}}}},
		{name: "indented_header_is_value", in: "[s]\nk = a\n  [t]\n", want: map[string][]kv{"s": {{"k", "a\n[t]"}}}},
		{name: "indented_first_key", in: "[s]\n   k = a\n   j = b\n", want: map[string][]kv{"s": {{"k", "a"}, {"j", "b"}}}},
		{name: "default_inherited", in: "[DEFAULT]\nr = 1\n[s]\nk = 2\n[t]\nr = 3\n", want: map[string][]kv{"s": {{"k", "2"}, {"r", "1"}}, "t": {{"r", "3"}}}},
		{name: "greedy_bracket", in: "[a]b]c\nk=v\n", want: map[string][]kv{"a]b": {{"k", "v"}}}},
		{name: "header_not_stripped", in: "[ x ]\n", want: map[string][]kv{" x ": nil}},
		{name: "crlf_and_cr", in: "[s]\r\na = 1\rb = 2\r\n", want: map[string][]kv{"s": {{"a", "1"}, {"b", "2"}}}},
		{name: "empty_value", in: "[s]\nk =\n", want: map[string][]kv{"s": {{"k", ""}}}},
		{name: "nested_block_raw", in: "[s]\ns3 =\n  a = 1\n", want: map[string][]kv{"s": {{"s3", "\na = 1"}}}},
		{name: "duplicate_section", in: "[s]\n[t]\n[s]\n", errLine: 3},
		{name: "duplicate_key_case", in: "[s]\na = 1\nA = 2\n", errLine: 3},
		{name: "empty_key", in: "[s]\n= v\n", errLine: 2},
		{name: "no_delimiter", in: "[s]\nk = 1\nbad\n", errLine: 3},
		{name: "key_before_header", in: "k = 1\n", errLine: 1},
		{name: "bom", in: "\ufeff[s]\n", errLine: 1},
		{name: "invalid_utf8", in: "[s]\nk = \xff\n", errLine: 2},
		{name: "empty_brackets", in: "[]\n", errLine: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.in))
			if tt.errLine != 0 {
				var se *SyntaxError
				if !errors.As(err, &se) || se.Line != tt.errLine {
					t.Fatalf("Parse error = %v, want a SyntaxError at line %d", err, tt.errLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, flat(f)); d != "" {
				t.Errorf("sections (-want +got):\n%s", d)
			}
		})
	}
}

func TestKeyLines(t *testing.T) {
	f, err := Parse([]byte("# c\n[DEFAULT]\nd = 1\n\n[s]\n\na = 1\n  cont\nb = 2\n"))
	if err != nil {
		t.Fatal(err)
	}
	i, _ := f.Index("s")
	s := f.Section(i)
	got := map[string]int{}
	for _, k := range s.All() {
		got[k.Name] = k.Line
	}
	want := map[string]int{"a": 7, "b": 9, "d": 3}
	if d := cmp.Diff(want, got); d != "" || s.Line != 5 {
		t.Errorf("lines (-want +got):\n%s section line %d", d, s.Line)
	}
}

// FuzzParse checks that any input either fails with a line number inside the
// input or parses into keys that are lower-cased, stripped and unique.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"[s]\na = 1\n", "[DEFAULT]\nx=1\n[a]\nk : v\n  c\n", "[a]]\n=\n", "\ufeff[x]", "[s]\nk = \n\n  x\n# c\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 1; se.Line < 1 || se.Line > lines {
				t.Fatalf("error line %d outside 1..%d", se.Line, lines)
			}
			return
		}
		if !utf8.Valid(data) {
			t.Fatal("invalid UTF-8 accepted")
		}
		names := map[string]bool{}
		for _, s := range file.Sections() {
			if names[s.Name] || s.Name == DefaultSection || s.Name == "" {
				t.Fatalf("bad or duplicate section %q", s.Name)
			}
			names[s.Name] = true
			seen := map[string]bool{}
			for _, k := range s.Keys() {
				if k.Name == "" || seen[k.Name] || pystr.Lower(k.Name) != k.Name || pystr.Strip(k.Name) != k.Name || pystr.Strip(k.Value) != k.Value && pystr.RStrip(k.Value) != k.Value {
					t.Fatalf("bad key %q = %q in [%s]", k.Name, k.Value, s.Name)
				}
				seen[k.Name] = true
			}
		}
	})
}
