package ini

import "github.com/credchain/credchain/internal/pystr"

// Spans locate sections and keys in a file's text, by byte offset, with the
// parser's own line rules (universal newlines, continuation by indentation,
// blank and comment lines inside values), so that an editor can change one
// key and keep every other byte.

// KeySpan is where one key's entry lies: from the start of its line to the
// end of its last continuation line, line ending included.
type KeySpan struct {
	Name       string
	Start, End int
}

// SectionSpan is a section's header line and its keys; End is where the
// section's last entry ends (the header's end when it has none).
type SectionSpan struct {
	Name       string
	Start, End int
	Keys       []KeySpan
}

// Spans returns the sections of text in file order ([DEFAULT] included).
// The text must parse (Parse): Spans does not validate.
func Spans(text string) []SectionSpan { return SpansOf(text, nil) }

// SpansOf is Spans of only the sections keep accepts (every one when keep
// is nil): an edit of one section of a large file keeps no other.
func SpansOf(text string, keep func(name string) bool) []SectionSpan {
	var out []SectionSpan
	var cur *SectionSpan
	var skipped SectionSpan // stands for a section not kept
	inOpt := false
	indent := 0
	start := 0
	lines(text, 0, func(_, next int, line string) bool {
		lineStart := start
		start = next
		value := pystr.Strip(line)
		if value == "" || value[0] == '#' || value[0] == ';' {
			return true
		}
		ind := indentOf(line)
		if cur != nil && inOpt && ind > indent {
			k := &cur.Keys[len(cur.Keys)-1]
			k.End, cur.End = next, next
			return true
		}
		indent = ind
		if name, ok := header(value); ok {
			if keep != nil && !keep(name) {
				skipped = SectionSpan{Keys: skipped.Keys[:0]}
				cur, inOpt = &skipped, false
				return true
			}
			out = append(out, SectionSpan{Name: name, Start: lineStart, End: next})
			cur, inOpt = &out[len(out)-1], false
			return true
		}
		if key, _, ok := option(value); ok && cur != nil {
			if cur == &skipped {
				// Only the last key matters, for its continuation lines.
				cur.Keys = append(cur.Keys[:0], KeySpan{})
			} else {
				cur.Keys = append(cur.Keys, KeySpan{Name: pystr.Lower(key), Start: lineStart, End: next})
			}
			cur.End, inOpt = next, true
		}
		return true
	})
	return out
}
