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
	"iter"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

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

// Section is one [section] of a file.
//
// Parsing validates every line but stores no keys: a section's keys are
// read from its text on first use, so a large file costs little more than
// one pass over its bytes.
type Section struct {
	Name string
	Line int

	body   string // the lines after the header, up to the next header
	indent int32  // the header line's indentation
	// HasBlock reports that a value of the section starts with "\n": a key
	// with an empty value followed by indented lines (a nested block).
	HasBlock bool
	loaded   atomic.Pointer[[]Key]
	defaults *Section
}

// Keys returns the section's own keys in file order. Safe for concurrent use.
func (s *Section) Keys() []Key {
	if k := s.loaded.Load(); k != nil {
		return *k
	}
	if s.body == "" {
		return nil
	}
	// Concurrent first calls may both read the text; the results are equal.
	k := materialize(s)
	s.loaded.Store(&k)
	return k
}

// Lookup returns the key named name (already lower-case), from the section
// itself or else from [DEFAULT].
func (s *Section) Lookup(name string) (Key, bool) {
	if k, ok := s.ownKey(name); ok {
		return k, true
	}
	if s.defaults != nil {
		return s.defaults.ownKey(name)
	}
	return Key{}, false
}

// All returns the section's keys followed by the [DEFAULT] keys it does not
// override: configparser's options() order.
func (s *Section) All() []Key {
	own := s.Keys()
	if s.defaults == nil || len(s.defaults.Keys()) == 0 {
		return own
	}
	out := append([]Key(nil), own...)
	for _, d := range s.defaults.Keys() {
		if _, ok := s.ownKey(d.Name); !ok {
			out = append(out, d)
		}
	}
	return out
}

func (s *Section) ownKey(name string) (Key, bool) {
	for _, k := range s.Keys() {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// File is a parsed file: its sections in file order, [DEFAULT] excluded.
//
// Sections are kept as offsets into the text, with no pointers, so that a
// file of a million sections costs 28 bytes a section (plus 10 in the name
// index) and nothing for the garbage collector to scan; Section builds the
// full view of one when asked.
type File struct {
	// Defaults holds the [DEFAULT] keys (all [DEFAULT] sections together).
	Defaults *Section

	text   string
	spans  []span
	byName *names
}

// span is where one section lies in the text.
type span struct {
	name, nameLen, body, bodyEnd uint32
	line, indent                 int32
	hasBlock                     bool
}

// Len is the number of sections.
func (f *File) Len() int { return len(f.spans) }

// Header returns the name of section i (the text between its brackets).
func (f *File) Header(i int) string {
	s := &f.spans[i]
	return f.text[s.name : s.name+s.nameLen]
}

// HasBlock reports that a value of section i starts with "\n" (see
// Section.HasBlock).
func (f *File) HasBlock(i int) bool { return f.spans[i].hasBlock }

// Line returns the line of section i's header.
func (f *File) Line(i int) int { return int(f.spans[i].line) }

// Section returns section i. Each call builds a new view, which reads its
// keys from the text on first use.
func (f *File) Section(i int) *Section {
	s := &f.spans[i]
	return &Section{Name: f.Header(i), Line: int(s.line), body: f.text[s.body:s.bodyEnd], indent: s.indent,
		HasBlock: s.hasBlock, defaults: f.Defaults}
}

// Body is the text of section i after its header, up to the next header:
// two sections with the same header and body read the same.
func (f *File) Body(i int) string {
	s := &f.spans[i]
	return f.text[s.body:s.bodyEnd]
}

// Sections yields every section in file order.
func (f *File) Sections() iter.Seq2[int, *Section] {
	return func(yield func(int, *Section) bool) {
		for i := range f.spans {
			if !yield(i, f.Section(i)) {
				return
			}
		}
	}
}

// Index returns the position of the section named name.
func (f *File) Index(name string) (int, bool) {
	if f.byName == nil {
		return 0, false
	}
	return f.byName.find(f.Header, name)
}

// SyntaxError is a parse failure at a line of the input.
type SyntaxError struct {
	Line   int
	Reason string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Parse parses data. The returned error, if any, is a *SyntaxError naming the
// first offending line.
func Parse(data []byte) (*File, error) { return ParseString(string(data)) }

// ParseString is Parse for text already in a string. Names and values are
// substrings of text.
func ParseString(text string) (*File, error) {
	if !utf8.ValidString(text) {
		return nil, &SyntaxError{Line: invalidUTF8Line([]byte(text)), Reason: "the file is not valid UTF-8"}
	}
	if len(text) > math.MaxUint32 {
		return nil, &SyntaxError{Line: 1, Reason: "the file is larger than 4 GB"}
	}
	if at := splitPoint(text); at > 0 {
		return parseHalves(text, at)
	}
	return parseSequential(text)
}

// parseSequential parses text in one pass.
func parseSequential(text string) (*File, error) {
	p := parseRange(text, 0, 0)
	if p.err != nil {
		return nil, p.err
	}
	if p.deferred != nil {
		return nil, p.deferred
	}
	p.joinDefaults()
	return p.file, nil
}

// parallelMin is the size from which a file is parsed in two halves at once.
var parallelMin = 256 << 10 // a variable for the split tests

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
	for from := len(text)/2 + 1; from < len(text); {
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
func parseHalves(text string, at int) (*File, error) {
	first, second := text[:at], text[at:]
	var a *parser
	done := make(chan struct{})
	go func() {
		defer close(done)
		a = parseRange(first, 0, strings.Count(first, "[")+strings.Count(second, "[")+1)
	}()
	// The second half keeps no name index: its names go into the first
	// half's index below, which finds its duplicates too.
	b := parseRange(second, countLines(first), -1)
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
	f := a.file
	f.text = text
	f.spans = slices.Grow(f.spans, len(b.file.spans))
	for _, s := range b.file.spans {
		s.name, s.body, s.bodyEnd = s.name+uint32(at), s.body+uint32(at), s.bodyEnd+uint32(at)
		f.spans = append(f.spans, s)
		if i := len(f.spans) - 1; !f.byName.add(f.Header, f.Header(i), i) {
			prev, _ := f.Index(f.Header(i))
			earlier(f.Line(i), fmt.Sprintf("duplicate section [%s] (first at line %d)", f.Header(i), f.Line(prev)))
		}
	}
	a.joinDefaults()
	b.joinDefaults()
	defaults := a.file.Defaults
	if b.file.Defaults != nil {
		if defaults == nil {
			defaults = b.file.Defaults
		} else {
			merged := &Section{Name: DefaultSection, Line: defaults.Line, HasBlock: defaults.HasBlock || b.file.Defaults.HasBlock}
			keys := append(append([]Key(nil), defaults.Keys()...), b.file.Defaults.Keys()...)
			merged.loaded.Store(&keys)
			for _, k := range b.file.Defaults.Keys() {
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
	f.Defaults = defaults
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

// lines calls fn for each line of text (universal newlines: "\r\n", "\r"
// and "\n" all end a line) with its number, counting from offset+1, and
// the offset where the next line starts; it stops when fn returns false.
func lines(text string, offset int, fn func(lineno, next int, line string) bool) {
	next := func(t string) int { return strings.IndexAny(t, "\r\n") }
	if strings.IndexByte(text, '\r') < 0 {
		// Most files have no "\r": look for "\n" alone then.
		next = func(t string) int { return strings.IndexByte(t, '\n') }
	}
	pos, lineno := 0, offset
	for pos < len(text) {
		rest := text[pos:]
		i := next(rest)
		line, adv := rest, len(rest)
		if i >= 0 {
			line, adv = rest[:i], i+1
			if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
				adv++
			}
		}
		lineno++
		pos += adv
		if !fn(lineno, pos, line) {
			return
		}
	}
}

// parseRange validates text whose first line is line offset+1 and records
// its sections. The parser's err is the first immediate error; deferred
// the first bad line. index sizes the section-name index; -1 keeps none
// (duplicate sections are then found by the caller). The sections are
// given room for index too: the first half of a file is given the second's
// without copying.
func parseRange(text string, offset, index int) *parser {
	sections := strings.Count(text, "[") + 1 // an upper bound, counted fast
	p := &parser{file: &File{text: text, spans: make([]span, 0, max(index, sections))}, text: text}
	if index >= 0 {
		p.file.byName = newNames(max(index, sections))
	}
	// The loop of lines(), inlined: this is the hot path of every
	// resolution (one call per line of both files), and a helper shared
	// with lines() is too large for the compiler to inline: it measured
	// 10-15% slower (BenchmarkParseSequential20k).
	cr := strings.IndexByte(text, '\r') >= 0
	pos, lineno := 0, offset
	for pos < len(text) {
		rest := text[pos:]
		var i int
		if cr {
			i = strings.IndexAny(rest, "\r\n")
		} else {
			i = strings.IndexByte(rest, '\n')
		}
		line, adv := rest, len(rest)
		if i >= 0 {
			line, adv = rest[:i], i+1
			if rest[i] == '\r' && i+1 < len(rest) && rest[i+1] == '\n' {
				adv++
			}
		}
		lineno++
		p.pos, p.next = pos, pos+adv
		if p.err = p.line(lineno, line); p.err != nil {
			break
		}
		pos += adv
	}
	p.pos = len(text)
	p.closeSection()
	return p
}

// materialize reads a validated section's keys from its text.
func materialize(s *Section) []Key {
	// One allocation for the keys: a section has at most a key a line.
	p := parser{store: true, cur: s, indent: int(s.indent), file: &noFile,
		keys: make([]Key, 0, strings.Count(s.body, "\n")+1)}
	lines(s.body, s.Line, func(lineno, _ int, line string) bool {
		_ = p.line(lineno, line) // validated when the file was parsed
		return true
	})
	p.joinValues()
	return p.keys
}

// noFile is the file of a materializing parser, which records no sections.
var noFile File

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

// parser follows configparser's state machine over lines. In validation
// mode it keeps only the key names of the current section (to find
// duplicates) and the [DEFAULT] keys; in store mode (materialize) it keeps
// the current section's keys and values.
type parser struct {
	file  *File
	cur   *Section
	store bool

	text      string // the text being validated
	pos       int    // where the current line starts in text
	next      int    // where the next line starts in text
	bodyStart int    // where the current section's body starts in text

	// keys are the current section's keys (names only when validating).
	keys []Key
	// opt is the index in the current keys of the option a continuation
	// line would extend; optOK says whether there is one.
	opt      int
	optOK    bool
	optEmpty bool // the option's first line had an empty value
	indent   int
	// multi holds the lines of multi-line values, by key index.
	multi map[int][]string
	// defKeys are the [DEFAULT] keys, which are kept; defMulti is their multi.
	defKeys  []Key
	defMulti map[int][]string
	// scratch is the current section while it is read; its place in
	// file.spans is curSpan.
	scratch Section
	curSpan int

	deferred error // configparser reports bad option lines after reading the whole file
	err      error // the first immediate error
}

// asciiSpace marks the ASCII characters Python's str.isspace accepts.
var asciiSpace = func() (t [utf8.RuneSelf]bool) {
	for c := rune(0); c < utf8.RuneSelf; c++ {
		t[c] = pystr.IsSpace(c)
	}
	return t
}()

// line handles one line. Most lines are ASCII at both ends: their stripped
// text and indentation come from one scan; any other line takes Python's
// full Unicode rules (pystr.Strip, indentOf).
func (p *parser) line(lineno int, line string) error {
	start, end := 0, len(line)
	for start < end && line[start] < utf8.RuneSelf && asciiSpace[line[start]] {
		start++
	}
	for end > start && line[end-1] < utf8.RuneSelf && asciiSpace[line[end-1]] {
		end--
	}
	if start < end && (line[start] >= utf8.RuneSelf || line[end-1] >= utf8.RuneSelf) {
		return p.stripped(lineno, pystr.Strip(line), indentOf(line))
	}
	return p.stripped(lineno, line[start:end], start)
}

// stripped handles a line given its stripped text and indentation (in code
// points).
func (p *parser) stripped(lineno int, value string, indent int) error {
	if value == "" || value[0] == '#' || value[0] == ';' {
		// LEGACY: a blank line is kept inside a multi-line value; a comment
		// line is dropped without ending the value (configparser does both).
		if value == "" && p.optOK {
			p.appendLine("")
		}
		return nil
	}
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
	keys := p.curKeys()
	for _, k := range keys {
		if k.Name == key {
			return &SyntaxError{Line: lineno, Reason: fmt.Sprintf("duplicate key %q in section [%s] (first at line %d)", key, p.cur.Name, k.Line)}
		}
	}
	k := Key{Name: key, Line: lineno}
	isDefault := p.cur == p.file.Defaults
	if p.store || isDefault {
		k.Value = pystr.Strip(val)
	}
	// value is stripped and val is its tail after the delimiter, so val
	// strips to "" exactly when the delimiter is value's last character.
	optEmpty := len(val) == 0
	if isDefault {
		p.defKeys = append(p.defKeys, k)
	} else {
		p.keys = append(p.keys, k)
	}
	p.opt, p.optOK = len(keys), true
	p.optEmpty = optEmpty
	return nil
}

// curKeys returns the keys of the current section so far.
func (p *parser) curKeys() []Key {
	if p.cur != nil && p.cur == p.file.Defaults {
		return p.defKeys
	}
	return p.keys
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

// appendLine adds a continuation line to the current option's value; only
// values that are kept need their lines.
func (p *parser) appendLine(v string) {
	if p.optEmpty && v != "" {
		p.cur.HasBlock = true
	}
	isDefault := p.cur == p.file.Defaults
	if !p.store && !isDefault {
		return
	}
	m := &p.multi
	if isDefault {
		m = &p.defMulti
	}
	if *m == nil {
		*m = map[int][]string{}
	}
	parts, ok := (*m)[p.opt]
	if !ok {
		parts = []string{p.curKeys()[p.opt].Value}
	}
	(*m)[p.opt] = append(parts, v)
}

// closeSection records where the current section's body ends.
func (p *parser) closeSection() {
	if p.cur != nil && p.cur != p.file.Defaults && !p.store {
		sp := &p.file.spans[p.curSpan]
		sp.body, sp.bodyEnd, sp.hasBlock = uint32(p.bodyStart), uint32(p.pos), p.cur.HasBlock
	}
}

func (p *parser) section(lineno int, name string) error {
	if p.store {
		// Materializing stops at the section's end; a header cannot occur.
		return nil
	}
	p.optOK = false
	p.closeSection()
	p.keys = p.keys[:0]
	p.bodyStart = p.next
	if name == DefaultSection {
		if p.file.Defaults == nil {
			p.file.Defaults = &Section{Name: name, Line: lineno}
		}
		p.cur = p.file.Defaults
		return nil
	}
	// name is a substring of the text: its offset is the distance between
	// the two.
	off := uintptr(unsafe.Pointer(unsafe.StringData(name))) - uintptr(unsafe.Pointer(unsafe.StringData(p.text)))
	if off > uintptr(len(p.text)-len(name)) || p.text[off:off+uintptr(len(name))] != name {
		panic("ini: a section name that is not part of the text") // a bug here, not bad input
	}
	p.file.spans = append(p.file.spans, span{name: uint32(off), nameLen: uint32(len(name)), line: int32(lineno), indent: int32(p.indent)})
	p.curSpan = len(p.file.spans) - 1
	if p.file.byName != nil && !p.file.byName.add(p.file.Header, name, p.curSpan) {
		first, _ := p.file.Index(name)
		return &SyntaxError{Line: lineno, Reason: fmt.Sprintf("duplicate section [%s] (first at line %d)", name, p.file.Line(first))}
	}
	p.scratch = Section{Name: name, Line: lineno}
	p.cur = &p.scratch
	return nil
}

// joinDefaults builds the multi-line [DEFAULT] values (idempotent).
func (p *parser) joinDefaults() {
	join(p.defKeys, p.defMulti)
	p.defMulti = nil
	if d := p.file.Defaults; d != nil {
		keys := p.defKeys
		d.loaded.Store(&keys)
	}
}

// joinValues builds the multi-line values of a materialized section.
func (p *parser) joinValues() {
	join(p.keys, p.multi)
	p.multi = nil
}

// join sets each multi-line value to "\n".join(lines).rstrip(), as
// configparser does at the end of a read.
func join(keys []Key, multi map[int][]string) {
	for i, parts := range multi {
		keys[i].Value = pystr.RStrip(strings.Join(parts, "\n"))
	}
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
//
// The key comes back lower-cased (Python's str.lower): the scan for the
// delimiter also notes whether the key has anything to lower, so the usual
// all-lower ASCII key costs no second pass.
func option(value string) (key, val string, ok bool) {
	plain := true // ASCII without upper-case letters
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c == '=' || c == ':' {
			key = value[:i]
			for len(key) > 0 && key[len(key)-1] < utf8.RuneSelf && asciiSpace[key[len(key)-1]] {
				key = key[:len(key)-1]
			}
			if !plain {
				key = pystr.Lower(pystr.RStrip(key))
			}
			return key, value[i+1:], true
		}
		if c >= 'A' && (c <= 'Z' || c >= utf8.RuneSelf) {
			plain = false
		}
	}
	return "", "", false
}
