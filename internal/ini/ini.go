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
}

// Section returns the section named name.
func (f *File) Section(name string) (*Section, bool) {
	for _, s := range f.Sections {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}

// SyntaxError is a parse failure at a line of the input.
type SyntaxError struct {
	Line   int
	Reason string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Parse parses data. The returned error, if any, is a *SyntaxError naming the
// first offending line.
func Parse(data []byte) (*File, error) {
	if !utf8.Valid(data) {
		return nil, &SyntaxError{Line: invalidUTF8Line(data), Reason: "the file is not valid UTF-8"}
	}
	p := parser{file: &File{}, seenKeys: map[[2]string]bool{}}
	lineno := 0
	for _, line := range splitUniversal(string(data)) {
		lineno++
		if err := p.line(lineno, line); err != nil {
			return nil, err
		}
	}
	if p.deferred != nil {
		return nil, p.deferred
	}
	p.join()
	return p.file, nil
}

// splitUniversal splits like Python text files in universal-newline mode:
// "\r\n", "\r" and "\n" all end a line.
func splitUniversal(s string) []string {
	var lines []string
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	return lines
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

type pending struct {
	sect  *Section
	index int
	parts []string
}

type parser struct {
	file     *File
	cur      *Section
	opt      *pending // the option a continuation line would extend
	indent   int
	seenKeys map[[2]string]bool
	values   []*pending
	deferred error // configparser reports bad option lines after reading the whole file
}

func (p *parser) line(lineno int, line string) error {
	value := pystr.Strip(line)
	if value == "" || value[0] == '#' || value[0] == ';' {
		// LEGACY: a blank line is kept inside a multi-line value; a comment
		// line is dropped without ending the value (configparser does both).
		if value == "" && p.opt != nil {
			p.opt.parts = append(p.opt.parts, "")
		}
		return nil
	}
	indent := 0
	for _, r := range line {
		if !pystr.IsSpace(r) {
			break
		}
		indent++
	}
	if p.cur != nil && p.opt != nil && indent > p.indent {
		p.opt.parts = append(p.opt.parts, value)
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
	key = pystr.Lower(pystr.RStrip(key))
	id := [2]string{p.cur.Name, key}
	if p.seenKeys[id] {
		return &SyntaxError{Line: lineno, Reason: fmt.Sprintf("duplicate key %q in section [%s]", key, p.cur.Name)}
	}
	p.seenKeys[id] = true
	p.cur.Keys = append(p.cur.Keys, Key{Name: key, Line: lineno})
	p.opt = &pending{sect: p.cur, index: len(p.cur.Keys) - 1, parts: []string{pystr.Strip(val)}}
	p.values = append(p.values, p.opt)
	return nil
}

func (p *parser) section(lineno int, name string) error {
	p.opt = nil
	if name == DefaultSection {
		if p.file.Defaults == nil {
			p.file.Defaults = &Section{Name: name, Line: lineno}
		}
		p.cur = p.file.Defaults
		return nil
	}
	if prev, dup := p.file.Section(name); dup {
		return &SyntaxError{Line: lineno, Reason: fmt.Sprintf("duplicate section [%s] (first at line %d)", name, prev.Line)}
	}
	p.cur = &Section{Name: name, Line: lineno}
	p.file.Sections = append(p.file.Sections, p.cur)
	return nil
}

// join builds every value from its lines, the way configparser does at the
// end of a read: "\n".join(parts).rstrip().
func (p *parser) join() {
	for _, v := range p.values {
		v.sect.Keys[v.index].Value = pystr.RStrip(strings.Join(v.parts, "\n"))
	}
	for _, s := range p.file.Sections {
		s.defaults = p.file.Defaults
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
func option(value string) (key, val string, ok bool) {
	i := strings.IndexAny(value, "=:")
	if i < 0 {
		return "", "", false
	}
	return pystr.RStrip(value[:i]), value[i+1:], true
}
