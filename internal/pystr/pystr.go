// Package pystr reproduces the few pieces of Python's string handling that
// botocore's behaviour depends on: str.isspace/strip, str.lower,
// str.splitlines, shlex.split (POSIX), os.path.expandvars and int().
//
// Go's standard library differs from Python on each of these in small ways
// (the whitespace set, İ lower-casing, the line separators of splitlines), and
// those small ways decide which profile a section header names.
package pystr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// IsSpace reports whether r is whitespace for Python's str.isspace, str.strip
// and the \s of the re module. Python counts U+001C..U+001F (the ASCII
// information separators) as whitespace; Go's unicode.IsSpace does not.
func IsSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || (r >= '\t' && r <= '\r') || (r >= 0x1c && r <= 0x1f)
	}
	return unicode.IsSpace(r)
}

// Strip is Python's str.strip() with no argument.
func Strip(s string) string {
	// Fast path: trim ASCII, then fall back for a non-ASCII edge.
	for len(s) > 0 && s[0] < utf8.RuneSelf && IsSpace(rune(s[0])) {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] < utf8.RuneSelf && IsSpace(rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && (s[0] >= utf8.RuneSelf || s[len(s)-1] >= utf8.RuneSelf) {
		return strings.TrimFunc(s, IsSpace)
	}
	return s
}

// RStrip is Python's str.rstrip() with no argument.
func RStrip(s string) string {
	for len(s) > 0 && s[len(s)-1] < utf8.RuneSelf && IsSpace(rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] >= utf8.RuneSelf {
		return strings.TrimRightFunc(s, IsSpace)
	}
	return s
}

// Lower is Python's str.lower(). It differs from strings.ToLower for U+0130
// (LATIN CAPITAL LETTER I WITH DOT ABOVE), which Python lowers to two code
// points.
func Lower(s string) string {
	lower := true
	for i := 0; i < len(s) && lower; i++ {
		c := s[i]
		lower = c < utf8.RuneSelf && !(c >= 'A' && c <= 'Z')
	}
	if lower {
		return s
	}
	if !strings.ContainsRune(s, 'İ') {
		return strings.ToLower(s)
	}
	return strings.ToLower(strings.ReplaceAll(s, "İ", "i\u0307"))
}

// SplitLines is Python's str.splitlines() (without keepends).
func SplitLines(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			out = append(out, string(rs[start:i]))
			start = i + 1
		case '\r':
			out = append(out, string(rs[start:i]))
			if i+1 < len(rs) && rs[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// ErrNoClosingQuotation and ErrNoEscapedCharacter are the two ways
// shlex.split fails.
var (
	ErrNoClosingQuotation  = errors.New("no closing quotation")
	ErrNoEscapedCharacter  = errors.New("no escaped character")
	errUnterminatedWindows = errors.New("no closing quotation")
)

// ShlexSplit is Python's shlex.split(s) in POSIX mode with comments disabled:
// whitespace is space, tab, CR and LF; single quotes are literal; inside double
// quotes a backslash escapes only '"' and '\'; outside quotes a backslash
// escapes any character. There is no expansion of any kind.
func ShlexSplit(s string) ([]string, error) {
	const (
		stWhite = iota
		stWord
		stSingle
		stDouble
		stEscape
	)
	var (
		out      []string
		tok      strings.Builder
		state    = stWhite
		escState = stWord
	)
	isWhite := func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }
	emit := func() {
		out = append(out, tok.String())
		tok.Reset()
	}
	for _, r := range s {
		switch state {
		case stWhite:
			switch {
			case isWhite(r):
			case r == '\\':
				escState, state = stWord, stEscape
			case r == '\'':
				state = stSingle
			case r == '"':
				state = stDouble
			default:
				tok.WriteRune(r)
				state = stWord
			}
		case stWord:
			switch {
			case isWhite(r):
				emit()
				state = stWhite
			case r == '\'':
				state = stSingle
			case r == '"':
				state = stDouble
			case r == '\\':
				escState, state = stWord, stEscape
			default:
				tok.WriteRune(r)
			}
		case stSingle:
			if r == '\'' {
				state = stWord
			} else {
				tok.WriteRune(r)
			}
		case stDouble:
			switch r {
			case '"':
				state = stWord
			case '\\':
				escState, state = stDouble, stEscape
			default:
				tok.WriteRune(r)
			}
		case stEscape:
			if escState == stDouble && r != '\\' && r != '"' {
				tok.WriteRune('\\')
			}
			tok.WriteRune(r)
			state = escState
		}
	}
	switch state {
	case stSingle, stDouble:
		return nil, ErrNoClosingQuotation
	case stEscape:
		return nil, ErrNoEscapedCharacter
	case stWord:
		emit()
	}
	return out, nil
}

// WindowsSplit splits a command line the way botocore's compat_shell_split
// does on Windows (the MSVC argv rules): only space and tab delimit, only
// '"' quotes, and backslashes are literal unless they run up to a '"', where
// 2n backslashes give n and an odd count escapes the quote.
func WindowsSplit(s string) ([]string, error) {
	var (
		out        []string
		tok        strings.Builder
		inQuotes   bool
		backslashs int
		haveTok    bool
	)
	for _, r := range s {
		switch {
		case r == '\\':
			backslashs++
		case r == '"':
			tok.WriteString(strings.Repeat(`\`, backslashs/2))
			if backslashs%2 == 1 {
				tok.WriteRune('"')
			} else {
				inQuotes = !inQuotes
			}
			backslashs = 0
			haveTok = true
		case (r == ' ' || r == '\t') && !inQuotes:
			tok.WriteString(strings.Repeat(`\`, backslashs))
			backslashs = 0
			if haveTok || tok.Len() > 0 {
				out = append(out, tok.String())
				tok.Reset()
				haveTok = false
			}
		default:
			tok.WriteString(strings.Repeat(`\`, backslashs))
			backslashs = 0
			tok.WriteRune(r)
			haveTok = true
		}
	}
	if inQuotes {
		return nil, errUnterminatedWindows
	}
	tok.WriteString(strings.Repeat(`\`, backslashs))
	if haveTok || tok.Len() > 0 {
		out = append(out, tok.String())
	}
	return out, nil
}

// Join quotes argv into one command line that ShlexSplit (windows false)
// or WindowsSplit (windows true), botocore's splits of credential_process,
// give back word for word. Words that need no quoting are left bare.
func Join(argv []string, windows bool) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if windows {
			out[i] = quoteWindows(a)
		} else {
			out[i] = quotePOSIX(a)
		}
	}
	return strings.Join(out, " ")
}

// safeWord are the characters a POSIX word may hold unquoted.
const safeWord = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./@%+=:,-"

func quotePOSIX(a string) string {
	if a != "" && strings.Trim(a, safeWord) == "" {
		return a
	}
	return "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
}

// quoteWindows quotes a for the MSVC rules: inside quotes, backslashes are
// doubled where they run up to a quote (an escaped one, or the closing one).
func quoteWindows(a string) string {
	if a != "" && !strings.ContainsAny(a, " \t\"") {
		return a
	}
	var b strings.Builder
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(a); i++ {
		switch c := a[i]; c {
		case '\\':
			slashes++
			continue
		case '"':
			b.WriteString(strings.Repeat(`\`, 2*slashes+1))
		default:
			b.WriteString(strings.Repeat(`\`, slashes))
		}
		slashes = 0
		b.WriteByte(a[i])
	}
	b.WriteString(strings.Repeat(`\`, 2*slashes))
	b.WriteByte('"')
	return b.String()
}

// ExpandVars is posixpath.expandvars: $name and ${name} (name of ASCII word
// characters) are replaced by their value when lookup finds them; anything
// else is left as it is.
func ExpandVars(s string, lookup func(string) (string, bool)) string {
	if !strings.Contains(s, "$") {
		return s
	}
	isWord := func(b byte) bool {
		return b == '_' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
	}
	var b strings.Builder
	i := 0
	for i < len(s) {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		var name string
		var end int
		if s[i+1] == '{' {
			j := strings.IndexByte(s[i+2:], '}')
			if j < 0 {
				b.WriteByte(s[i])
				i++
				continue
			}
			name, end = s[i+2:i+2+j], i+2+j+1
		} else {
			j := i + 1
			for j < len(s) && isWord(s[j]) {
				j++
			}
			if j == i+1 {
				b.WriteByte(s[i])
				i++
				continue
			}
			name, end = s[i+1:j], j
		}
		if v, ok := lookup(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i:end])
		}
		i = end
	}
	return b.String()
}

// ParseInt is Python's int(str) for base 10: surrounding whitespace, an
// optional sign, ASCII digits with single underscores between them.
func ParseInt(s string) (int64, bool) {
	s = Strip(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	var n int64
	for _, c := range s {
		if c == '_' {
			continue
		}
		d, ok := decimalValue(c)
		if !ok || n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		n = -n
	}
	return n, true
}

// decimalValue is the value of a Unicode decimal digit (category Nd), which
// Python's int() accepts in any script. Nd digits come in aligned runs of ten.
func decimalValue(r rune) (int64, bool) {
	if r >= '0' && r <= '9' {
		return int64(r - '0'), true
	}
	if !unicode.IsDigit(r) {
		return 0, false
	}
	start := r
	for unicode.IsDigit(start - 1) {
		start--
	}
	return int64((r - start) % 10), true
}

// Repr is Python's repr of a str: single quotes unless the text holds one
// and no double quote, backslash escapes for the quote, \\, \t, \n, \r and
// other control characters.
func Repr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// DictRepr is Python's repr of a dict of str, keys sorted (Python keeps
// insertion order; the nested blocks credchain renders have no order).
func DictRepr(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = Repr(k) + ": " + Repr(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
