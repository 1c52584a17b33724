package ini

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func bigFile(n int, eol string, extra func(i int) string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "[profile p%05d]%sregion = eu-west-1%skey = v%d%s  continued %d%s", i, eol, eol, i, eol, i, eol)
		if extra != nil {
			b.WriteString(extra(i))
		}
	}
	return b.String()
}

// TestSplitParseMatchesSequential pins the parallel parse of large files: the
// same sections, keys, values and errors (with their lines) as one pass.
func TestSplitParseMatchesSequential(t *testing.T) {
	const n = 8000
	mid := n / 2
	cases := map[string]string{
		"plain":   bigFile(n, "\n", nil),
		"crlf":    bigFile(n, "\r\n", nil),
		"cr_only": bigFile(n, "\r", nil),
		"defaults_in_both_halves": "[DEFAULT]\nr = 1\n  more\n" + bigFile(n, "\n", func(i int) string {
			if i == n-10 {
				return "[DEFAULT]\ns = 2\n  cont\n"
			}
			return ""
		}),
		"duplicate_default_key_across_halves": "[DEFAULT]\nr = 1\n" + bigFile(n, "\n", func(i int) string {
			if i == n-10 {
				return "[DEFAULT]\nR = 2\n"
			}
			return ""
		}),
		"duplicate_section_across_halves": bigFile(n, "\n", func(i int) string {
			if i == n-10 {
				return "[profile p00003]\n"
			}
			return ""
		}),
		"duplicate_section_within_second_half": bigFile(n, "\n", func(i int) string {
			if i == n-10 {
				return "[profile p07000]\n"
			}
			return ""
		}),
		"bad_line_first_half_dup_key_second": bigFile(n, "\n", func(i int) string {
			switch i {
			case 10:
				return "bad line\n"
			case n - 10:
				return "key = again\n"
			}
			return ""
		}),
		"bad_lines_both_halves": bigFile(n, "\n", func(i int) string {
			if i == 10 || i == n-10 {
				return "bad line\n"
			}
			return ""
		}),
		"indented_header_near_middle": bigFile(n, "\n", func(i int) string {
			if i == mid {
				return "  [not a header]\n"
			}
			return ""
		}),
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			if splitPoint(text) == 0 {
				t.Fatal("the case is not split")
			}
			want, wantErr := parseSequential(text)
			got, gotErr := ParseString(text)
			var we, ge *SyntaxError
			if errors.As(wantErr, &we) != errors.As(gotErr, &ge) || (we != nil && *we != *ge) {
				t.Fatalf("error: sequential %v, split %v", wantErr, gotErr)
			}
			if wantErr != nil {
				return
			}
			if d := cmp.Diff(flat(want), flat(got)); d != "" {
				t.Errorf("sections differ (-sequential +split):\n%s", d)
			}
			for i, s := range got.Sections() {
				if j, ok := got.Index(s.Name); !ok || j != i || s.Line != want.Line(i) || s.Name != want.Header(i) {
					t.Fatalf("section %q: index %d/%d, line %d want %d", s.Name, j, i, s.Line, want.Line(i))
				}
			}
		})
	}
}

// FuzzSplitMatchesSequential parses any input both in one pass and split in
// two at every header found by splitPoint, and requires the same result.
func FuzzSplitMatchesSequential(f *testing.F) {
	for _, s := range []string{"[a]\nk=1\n[b]\nk=2\n", "[DEFAULT]\nx=1\n[a]\n[DEFAULT]\nX=2\n", "[a]\nk=\n  v=1\n[b]\n[a]\n", "[a]\nbad\n[b]\nk=1\nK=2\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		saved := parallelMin
		parallelMin = 1
		defer func() { parallelMin = saved }()
		at := splitPoint(text)
		if at == 0 {
			return
		}
		want, wantErr := parseSequential(text)
		got, gotErr := parseHalves(text, at)
		var we, ge *SyntaxError
		if errors.As(wantErr, &we) != errors.As(gotErr, &ge) || (we != nil && *we != *ge) {
			t.Fatalf("error: sequential %v, split %v", wantErr, gotErr)
		}
		if wantErr == nil {
			if d := cmp.Diff(flat(want), flat(got)); d != "" {
				t.Fatalf("sections differ (-sequential +split):\n%s", d)
			}
		}
	})
}
