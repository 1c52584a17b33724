// Package configedit is the one editor of the user's AWS files
// (~/.aws/config and ~/.aws/credentials): it sets or deletes keys by
// position on the parser's own section and key spans, keeps every other
// byte (comments, order, spacing, line endings, [DEFAULT]), checks the
// result by parsing it again (every other section and key reads the same,
// the changed ones read as asked), and replaces the file atomically. No
// command edits INI text by hand.
package configedit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/credchain/credchain/internal/ini"
	"github.com/credchain/credchain/internal/pystr"
)

// Change sets Key to Value in Section, or deletes it.
type Change struct {
	// Section is the header's text: "profile dev", "default",
	// "sso-session corp" in the config file, the profile name in the
	// credentials file. A missing section is added at the end (a delete
	// of a missing key does nothing).
	Section string
	Key     string
	Value   string
	Delete  bool
}

// Apply returns text with the changes made, in order, or an error that
// says why the change cannot be written safely; text itself must parse.
func Apply(text string, changes ...Change) (string, error) {
	before, err := ini.ParseString(text)
	if err != nil {
		return "", fmt.Errorf("the file does not parse (%v): fix it first; nothing was changed", err)
	}
	out := text
	for _, c := range changes {
		if err := check(c); err != nil {
			return "", err
		}
		out = apply(out, c)
	}
	after, err := ini.ParseString(out)
	if err != nil {
		return "", fmt.Errorf("the edited file would not parse (%v); nothing was changed", err)
	}
	if !readsAsIntended(before, after, changes) {
		return "", errors.New("the edited file would not read as intended; nothing was changed")
	}
	return out, nil
}

// readsAsIntended reports whether after reads as before with changes made:
// the same sections in the same order (new ones at the end), every section
// with the keys it had, changed as asked, and the same [DEFAULT]. A section
// whose text is unchanged is not read again: checking an edit of a large
// file holds one section's keys at a time.
func readsAsIntended(before, after *ini.File, changes []Change) bool {
	bySection := map[string][]Change{}
	for _, c := range changes {
		bySection[c.Section] = append(bySection[c.Section], c)
	}
	expect := func(base map[string]string, cs []Change) map[string]string {
		for _, c := range cs {
			if c.Delete {
				delete(base, c.Key)
			} else {
				base[c.Key] = c.Value
			}
		}
		return base
	}
	if !equalKeys(expect(keyMap(before.Defaults), bySection[ini.DefaultSection]), keyMap(after.Defaults)) {
		return false
	}
	delete(bySection, ini.DefaultSection)
	n := before.Len()
	if after.Len() < n {
		return false
	}
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		name := before.Header(i)
		if after.Header(i) != name {
			return false
		}
		seen[name] = true
		cs, changed := bySection[name]
		if !changed && before.Body(i) == after.Body(i) {
			continue
		}
		if !equalKeys(expect(keyMap(before.Section(i)), cs), keyMap(after.Section(i))) {
			return false
		}
	}
	for i := n; i < after.Len(); i++ {
		name := after.Header(i)
		cs, ok := bySection[name]
		if !ok || seen[name] || !equalKeys(expect(map[string]string{}, cs), keyMap(after.Section(i))) {
			return false
		}
		seen[name] = true
	}
	for name, cs := range bySection {
		if !seen[name] && len(expect(map[string]string{}, cs)) > 0 {
			return false // a section with keys to add is missing
		}
	}
	return true
}

// keyMap is a section's own keys by name (none for a nil section).
func keyMap(s *ini.Section) map[string]string {
	m := map[string]string{}
	if s == nil {
		return m
	}
	for _, k := range s.Keys() {
		m[k.Name] = k.Value
	}
	return m
}

func equalKeys(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// Edit applies changes to the file at path (a missing file starts empty)
// and replaces it atomically, keeping its mode (0600 for a new file); a
// file changed by someone else meanwhile is not overwritten.
func Edit(path string, changes ...Change) error {
	_, err := Rewrite(path, func(text string) (string, error) { return Apply(text, changes...) })
	return err
}

// check refuses what one "key = value" line cannot hold as given.
func check(c Change) error {
	switch {
	case c.Section == "" || strings.ContainsAny(c.Section, "[]\r\n") || pystr.Strip(c.Section) != c.Section:
		return fmt.Errorf("invalid section name %q", c.Section)
	case c.Key == "" || strings.ContainsAny(c.Key, "=:[\r\n#;") || pystr.Strip(c.Key) != c.Key || pystr.Lower(c.Key) != c.Key:
		return fmt.Errorf("invalid key %q", c.Key)
	case !c.Delete && (strings.ContainsAny(c.Value, "\r\n") || pystr.Strip(c.Value) != c.Value):
		return fmt.Errorf("the value of %s cannot be written on one line as given (line breaks, or spaces at its ends)", c.Key)
	}
	return nil
}

func apply(text string, c Change) string {
	eol := "\n"
	if strings.Contains(text, "\r\n") {
		eol = "\r\n"
	}
	line := c.Key + " = " + c.Value
	for _, s := range ini.SpansOf(text, func(name string) bool { return name == c.Section }) {
		for _, k := range s.Keys {
			if k.Name != c.Key {
				continue
			}
			if c.Delete {
				return text[:k.Start] + text[k.End:]
			}
			return text[:k.Start] + line + lineEnding(text[k.Start:k.End]) + text[k.End:]
		}
		if c.Delete {
			return text
		}
		at := s.End
		prefix := ""
		if at > 0 && !strings.HasSuffix(text[:at], "\n") && !strings.HasSuffix(text[:at], "\r") {
			prefix = eol
		}
		return text[:at] + prefix + line + eol + text[at:]
	}
	if c.Delete {
		return text
	}
	prefix := ""
	if text != "" && !strings.HasSuffix(text, "\n") && !strings.HasSuffix(text, "\r") {
		prefix = eol
	}
	return text + prefix + "[" + c.Section + "]" + eol + line + eol
}

// lineEnding is the line ending of the last line of span ("" at the end
// of a file without one).
func lineEnding(span string) string {
	switch {
	case strings.HasSuffix(span, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(span, "\n"):
		return "\n"
	case strings.HasSuffix(span, "\r"):
		return "\r"
	}
	return ""
}

func values(f *ini.File) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, s := range f.Sections() {
		m := map[string]string{}
		for _, k := range s.Keys() {
			m[k.Name] = k.Value
		}
		out[s.Name] = m
	}
	if f.Defaults != nil {
		m := map[string]string{}
		for _, k := range f.Defaults.Keys() {
			m[k.Name] = k.Value
		}
		out[ini.DefaultSection] = m
	}
	return out
}

func equal(a, b map[string]map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for s, am := range a {
		bm, ok := b[s]
		if !ok || len(am) != len(bm) {
			return false
		}
		for k, v := range am {
			if w, ok := bm[k]; !ok || w != v {
				return false
			}
		}
	}
	return true
}
