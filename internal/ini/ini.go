// Package ini parses files exactly like Python's configparser.RawConfigParser
// with its default settings, which is what botocore reads ~/.aws/config,
// ~/.aws/credentials and boto2 files with.
//
// The rules, each deliberate (see the LEGACY notes below):
//
//   - '=' and ':' both delimit; the first one on the line splits key from value.
//   - keys are lower-cased (Python str.lower) and stripped; values are stripped.
//   - only full-line comments exist ('#' or ';' first); inline comments are
//     part of the value, and so are quotes.
//   - a line indented more than the key line continues the value (joined with
//     "\n"); blank lines inside a value are kept, trailing ones dropped.
//   - [DEFAULT] is not a section: its keys are inherited by every section.
//   - a duplicate section or a duplicate key in one section is an error.
//   - the header is everything between the first '[' and the last ']'.
//   - a UTF-8 byte order mark is not skipped, so it breaks the first line.
package ini

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/credchain/credchain/internal/pystr"
)

// DefaultSection is configparser's special section name.
const DefaultSection = "DEFAULT"

// Key is one option of a section with the line it was defined on.
type Key struct {
	Name  string
	Value string
	Line  int
}

// Section is one [section] of a file. Keys holds its own keys in file order;
// Get also finds keys inherited from [DEFAULT].
type Section struct {
	Name string
	Line int
	Keys []Key

	defaults *Section
}

// Lookup returns the key named name (already lower-case), from the section
// itself or else from [DEFAULT].
func (s *Section) Lookup(name string) (Key, bool) {
	for _, k := range s.Keys {
		if k.Name == name {
			return k, true
		}
	}
	if s.defaults != nil {
		return s.defaults.Lookup(name)
	}
	return Key{}, false
}

// All returns the section's keys followed by the [DEFAULT] keys it does not
// override: configparser's options() order.
func (s *Section) All() []Key {
	if s.defaults == nil || len(s.defaults.Keys) == 0 {
		return s.Keys
	}
	out := append([]Key(nil), s.Keys...)
	for _, d := range s.defaults.Keys {
		if _, own := s.ownKey(d.Name); !own {
			out = append(out, d)
		}
	}
	return out
}

func (s *Section) ownKey(name string) (Key, bool) {
	for _, k := range s.Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// File is a parsed file: its sections in file order, [DEFAULT] excluded.
type File struct {
	Sections []*Section
	Defaults *Section

	byName map[string]int
}

// Section returns the section named name.
func (f *File) Section(name string) (*Section, bool) {
	i, ok := f.Index(name)
	if !ok {
		return nil, false
	}
	return f.Sections[i], true
}

// Index returns the position in Sections of the section named name.
func (f *File) Index(name string) (int, bool) {
	i, ok := f.byName[name]
	return i, ok
}

// SyntaxError is a parse failure at a line of the input.
type SyntaxError struct {
	Line   int
	Reason string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Parse parses data. The returned error, if any, is a *SyntaxError naming the
// first offending line.
//
// Names and values are substrings of data's string form: a large file is
// parsed without copying each line.
func Parse(data []byte) (*File, error) { return ParseString(string(data)) }

// ParseString is Parse for text already in a string.
func ParseString(text string) (*File, error) {
	if !utf8.ValidString(text) {
		return nil, &SyntaxError{Line: invalidUTF8Line([]byte(text)), Reason: "the file is not valid UTF-8"}
	}
	if at := splitPoint(text); at > 0 {
		return parseHalves(text[:at], text[at:])
	}
	p := parseRange(text, 0)
	if p.err != nil {
		return nil, p.err
	}
	if p.deferred != nil {
		return nil, p.deferred
	}
	p.finish(p.file.Defaults)
	return p.file, nil
}

// parallelMin is the size from which a file is parsed in two halves at once.
const parallelMin = 256 << 10

// splitPoint returns where a large file can be cut in two and each half
// parsed on its own: the start of a line, near the middle, that holds a
// section header at column 0. Such a line is a header whatever precedes it
// (it cannot continue a value, being indented no deeper than any key), so
// the second half starts in the same state a sequential parse would reach.
// It returns 0 for a small file or when there is no such line.
func splitPoint(text string) int {
	if len(text) < parallelMin {
		return 0
	}
	for from := len(text) / 2; from < len(text); {
		i := strings.IndexByte(text[from:], '[')
		if i < 0 {
			return 0
		}
		at := from + i
		from = at + 1
		if prev := text[at-1]; prev != '\n' && prev != '\r' {
			continue
		}
		end := strings.IndexAny(text[at:], "\r\n")
		if end < 0 {
			end = len(text) - at
		}
		if _, ok := header(pystr.Strip(text[at : at+end])); ok {
			return at
		}
	}
	return 0
}

// parseHalves parses the two halves of a file concurrently and joins them,
// reporting the error a sequential parse would: the first immediate error
// (duplicates, a key before any header) in file order, else the first bad
// line.
func parseHalves(first, second string) (*File, error) {
	var a *parser
	done := make(chan struct{})
	go func() {
		defer close(done)
		a = parseRange(first, 0)
	}()
	b := parseRange(second, countLines(first))
	<-done
	if a.err != nil {
		return nil, a.err
	}
	immediate := b.err
	earlier := func(line int, reason string) {
		if se, ok := immediate.(*SyntaxError); immediate == nil || (ok && line < se.Line) {
			immediate = &SyntaxError{Line: line, Reason: reason}
		}
	}
	for _, s := range b.file.Sections {
		if i, dup := a.file.byName[s.Name]; dup {
			earlier(s.Line, fmt.Sprintf("duplicate section [%s] (first at line %d)", s.Name, a.file.Sections[i].Line))
		}
	}
	a.joinValues()
	b.joinValues()
	defaults := a.file.Defaults
	if b.file.Defaults != nil {
		if defaults == nil {
			defaults = b.file.Defaults
		} else {
			merged := &Section{Name: DefaultSection, Line: defaults.Line, Keys: append(append([]Key(nil), defaults.Keys...), b.file.Defaults.Keys...)}
			for _, k := range b.file.Defaults.Keys {
				if prev, ok := defaults.ownKey(k.Name); ok {
					earlier(k.Line, fmt.Sprintf("duplicate key %q in section [%s] (first at line %d)", k.Name, DefaultSection, prev.Line))
				}
			}
			defaults = merged
		}
	}
	if immediate != nil {
		return nil, immediate
	}
	if a.deferred != nil {
		return nil, a.deferred
	}
	if b.deferred != nil {
		return nil, b.deferred
	}
	a.finish(defaults)
	b.finish(defaults)
	f := a.file
	f.Defaults = defaults
	for _, s := range b.file.Sections {
		f.byName[s.Name] = len(f.Sections)
		f.Sections = append(f.Sections, s)
	}
	return f, nil
}

// countLines counts the line terminators of text (universal newlines).
func countLines(text string) int {
	n := strings.Count(text, "\n")
	for i := strings.IndexByte(text, '\r'); i >= 0; {
		if i+1 >= len(text) || text[i+1] != '\n' {
			n++
		}
		j := strings.IndexByte(text[i+1:], '\r')
		if j < 0 {
			break
		}
		i += j + 1
	}
	return n
}

// parseRange parses text whose first line is line offset+1. The parser's
// err is the first immediate error; deferred the first bad line.
func parseRange(text string, offset int) *parser {
	sections := strings.Count(text, "[") + 1 // an upper bound, counted fast
	p := &parser{file: &File{byName: make(map[string]int, sections), Sections: make([]*Section, 0, sections)},
		arena: make([]Section, 0, sections), keys: make([]Key, 0, strings.Count(text, "\n")+1)}
	lineno := offset
	// Universal newlines: "\r\n", "\r" and "\n" all end a line. Most files
	// have no "\r": look for "\n" alone then.
	next := func(t string) int { return strings.IndexAny(t, "\r\n") }
	if strings.IndexByte(text, '\r') < 0 {
		next = func(t string) int { return strings.IndexByte(t, '\n') }
	}
	for len(text) > 0 {
		i := next(text)
		line := text
		if i < 0 {
			text = ""
		} else {
			line = text[:i]
			if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			text = text[i+1:]
		}
		lineno++
		if err := p.line(lineno, line); err != nil {
			p.err = err
			return p
		}
	}
	p.closeSection()
	return p
}

func invalidUTF8Line(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' || (r == '\r' && !bytes.HasPrefix(data[1:], []byte("\n"))) {
			line++
		}
		data = data[size:]
	}
	return line
}

type parser struct {
	file *File
	cur  *Section
	// keys holds the keys of every section but [DEFAULT], in file order: a
	// section's keys are contiguous (duplicate sections are errors), so each
	// section's Keys is a slice of this one array. start is where the
	// current section's keys begin.
	keys  []Key
	start int
	// arena allocates sections in chunks.
	arena []Section
	// opt is the index in cur.Keys of the option a continuation line would
	// extend, or -1.
	opt        int
	optOK      bool
	indent     int
	multiParts map[multiKey][]string // the lines of multi-line values
	deferred   error                 // configparser reports bad option lines after reading the whole file
	err        error                 // the first immediate error
}

func (p *parser) line(lineno int, line string) error {
	value := pystr.Strip(line)
	if value == "" || value[0] == '#' || value[0] == ';' {
		// LEGACY: a blank line is kept inside a multi-line value; a comment
		// line is dropped without ending the value (configparser does both).
		if value == "" && p.optOK {
			p.appendLine("")
		}
		return nil
	}
	indent := indentOf(line)
	if p.cur != nil && p.optOK && indent > p.indent {
		p.appendLine(value)
		return nil
	}
	p.indent = indent
	if name, ok := header(value); ok {
		return p.section(lineno, name)
	}
	if p.cur == nil {
		return &SyntaxError{Line: lineno, Reason: "a key before any [section] header"}
	}
	key, val, ok := option(value)
	if !ok {
		if p.deferred == nil {
			p.deferred = &SyntaxError{Line: lineno, Reason: "expected 'key = value' (or 'key: value')"}
		}
		return nil
	}
	if key == "" && p.deferred == nil {
		p.deferred = &SyntaxError{Line: lineno, Reason: "empty key before the delimiter"}
	}
	key = pystr.Lower(key)
	keys := p.curKeys()
	for _, k := range keys {
		if k.Name == key {
			return &SyntaxError{Line: lineno, Reason: fmt.Sprintf("duplicate key %q in section [%s] (first at line %d)", key, p.cur.Name, k.Line)}
		}
	}
	k := Key{Name: key, Value: pystr.Strip(val), Line: lineno}
	if p.cur == p.file.Defaults {
		p.cur.Keys = append(p.cur.Keys, k)
	} else {
		p.keys = append(p.keys, k)
	}
	p.opt, p.optOK = len(keys), true
	return nil
}

// curKeys returns the keys of the current section so far.
func (p *parser) curKeys() []Key {
	if p.cur == p.file.Defaults {
		return p.cur.Keys
	}
	return p.keys[p.start:]
}

// closeSection fixes the current section's Keys to its part of p.keys.
func (p *parser) closeSection() {
	if p.cur != nil && p.cur != p.file.Defaults {
		end := len(p.keys)
		p.cur.Keys = p.keys[p.start:end:end]
	}
}

func (p *parser) newSection(name string, line int) *Section {
	if len(p.arena) == cap(p.arena) {
		p.arena = make([]Section, 0, 64)
	}
	p.arena = append(p.arena, Section{Name: name, Line: line})
	return &p.arena[len(p.arena)-1]
}

// indentOf counts the leading whitespace characters (code points) of line.
func indentOf(line string) int {
	n := 0
	for i := 0; i < len(line); {
		if c := line[i]; c < utf8.RuneSelf {
			if !pystr.IsSpace(rune(c)) {
				return n
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(line[i:])
			if !pystr.IsSpace(r) {
				return n
			}
			i += size
		}
		n++
	}
	return n
}

func (p *parser) appendLine(v string) {
	// Keyed by section and index: appending keys can move a section's array.
	id := multiKey{p.cur, p.opt}
	parts, ok := p.multiParts[id]
	if !ok {
		parts = []string{p.curKeys()[p.opt].Value}
	}
	if p.multiParts == nil {
		p.multiParts = map[multiKey][]string{}
	}
	p.multiParts[id] = append(parts, v)
}

type multiKey struct {
	s *Section
	i int
}

func (p *parser) section(lineno int, name string) error {
	p.optOK = false
	p.closeSection()
	if name == DefaultSection {
		if p.file.Defaults == nil {
			p.file.Defaults = &Section{Name: name, Line: lineno}
		}
		p.cur = p.file.Defaults
		return nil
	}
	if prev, dup := p.file.byName[name]; dup {
		return &SyntaxError{Line: lineno, Reason: fmt.Sprintf("duplicate section [%s] (first at line %d)", name, p.file.Sections[prev].Line)}
	}
	p.cur = p.newSection(name, lineno)
	p.start = len(p.keys)
	p.file.byName[name] = len(p.file.Sections)
	p.file.Sections = append(p.file.Sections, p.cur)
	return nil
}

// finish builds multi-line values from their lines, the way configparser
// does at the end of a read: "\n".join(parts).rstrip().
func (p *parser) finish(defaults *Section) {
	p.joinValues()
	for _, s := range p.file.Sections {
		s.defaults = defaults
	}
}

// joinValues builds multi-line values from their lines (idempotent).
func (p *parser) joinValues() {
	p.closeSection()
	for id, parts := range p.multiParts {
		id.s.Keys[id.i].Value = pystr.RStrip(strings.Join(parts, "\n"))
	}
	p.multiParts = nil
}

// header matches configparser's SECTCRE, \[(?P<header>.+)\], against the
// stripped line: anchored at the start, greedy up to the last ']'.
func header(value string) (string, bool) {
	if value[0] != '[' {
		return "", false
	}
	end := strings.LastIndexByte(value, ']')
	if end < 2 {
		return "", false
	}
	return value[1:end], true
}

// option matches configparser's OPTCRE with delimiters '=' and ':':
// (?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$ — the first delimiter splits.
func option(value string) (key, val string, ok bool) {
	for i := 0; i < len(value); i++ {
		if c := value[i]; c == '=' || c == ':' {
			return pystr.RStrip(value[:i]), value[i+1:], true
		}
	}
	return "", "", false
}
