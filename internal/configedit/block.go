package configedit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/ini"
)

// A Block is a run of whole sections that credchain owns in a file,
// between two marker lines (comments, so readers ignore them). A later
// write replaces everything between the markers and nothing else.
type Block struct {
	// Begin and End are the marker lines, without line endings; each
	// starts with "#".
	Begin, End string
}

// Find returns the text between b's markers in text (line endings as in
// the file) and whether the block is there. A begin marker without its end
// (or two blocks) is an error: the file was edited by hand.
func (b Block) Find(text string) (body string, ok bool, err error) {
	start, end, ok, err := b.locate(text)
	if err != nil || !ok {
		return "", ok, err
	}
	return text[start:end], true, nil
}

// locate returns the offsets of the body: after the begin line, before the
// end line.
func (b Block) locate(text string) (start, end int, ok bool, err error) {
	lines := splitLines(text)
	beginAt, endAt := -1, -1
	off := 0
	for _, l := range lines {
		trimmed := strings.TrimRight(l, "\r\n")
		switch trimmed {
		case b.Begin:
			if beginAt >= 0 {
				return 0, 0, false, fmt.Errorf("the marker %q appears twice: remove one block by hand", b.Begin)
			}
			beginAt, start = off, off+len(l)
		case b.End:
			if beginAt < 0 || endAt >= 0 {
				return 0, 0, false, fmt.Errorf("the marker %q is not after its begin marker %q: fix the block by hand", b.End, b.Begin)
			}
			endAt, end = off, off
		}
		off += len(l)
	}
	switch {
	case beginAt < 0 && endAt < 0:
		return 0, 0, false, nil
	case endAt < 0:
		return 0, 0, false, fmt.Errorf("the marker %q has no end marker %q: fix the block by hand", b.Begin, b.End)
	}
	return start, end, true, nil
}

// splitLines splits text after each line ending, keeping them.
func splitLines(text string) []string {
	var out []string
	for text != "" {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			out = append(out, text)
			break
		}
		j := i + 1
		if text[i] == '\r' && j < len(text) && text[j] == '\n' {
			j++
		}
		out = append(out, text[:j])
		text = text[j:]
	}
	return out
}

// Replace returns text with body between b's markers (the block appended at
// the end, after a blank line, when the file has none). body is whole
// sections, "\n"-terminated; it is written with the file's line endings.
// The result is parsed again: every section outside the block must read
// as before, and the block's sections as body says; otherwise nothing is
// returned but the reason.
func (b Block) Replace(text, body string) (string, error) {
	before, err := ini.ParseString(text)
	if err != nil {
		return "", fmt.Errorf("the file does not parse (%v): fix it first; nothing was changed", err)
	}
	eol := "\n"
	if strings.Contains(text, "\r\n") {
		eol = "\r\n"
	}
	body = strings.ReplaceAll(body, "\n", eol)
	start, end, ok, err := b.locate(text)
	if err != nil {
		return "", err
	}
	var out, old string
	if ok {
		old = text[start:end]
		out = text[:start] + body + text[end:]
	} else {
		prefix := ""
		switch {
		case text == "":
		case !strings.HasSuffix(text, "\n") && !strings.HasSuffix(text, "\r"):
			prefix = eol + eol
		default:
			prefix = eol
		}
		out = text + prefix + b.Begin + eol + body + b.End + eol
	}
	oldSections, err := ini.ParseString(old)
	if err != nil {
		return "", fmt.Errorf("the block between %q and %q does not parse (%v): fix it by hand", b.Begin, b.End, err)
	}
	newSections, err := ini.ParseString(body)
	if err != nil {
		return "", fmt.Errorf("the new block would not parse (%v); nothing was changed", err)
	}
	after, err := ini.ParseString(out)
	if err != nil {
		return "", fmt.Errorf("the edited file would not parse (%v); nothing was changed", err)
	}
	want := values(before)
	for name := range values(oldSections) {
		if name != ini.DefaultSection {
			delete(want, name)
		}
	}
	for name, keys := range values(newSections) {
		if name == ini.DefaultSection {
			continue
		}
		if _, clash := want[name]; clash {
			return "", fmt.Errorf("[%s] is both in the file and in the new block; nothing was changed", name)
		}
		want[name] = keys
	}
	// [DEFAULT] keys are inherited: compare what the sections define.
	if got := values(after); !equal(stripDefaults(want, before), stripDefaults(got, after)) {
		return "", errors.New("the edited file would not read as intended; nothing was changed")
	}
	return out, nil
}

// stripDefaults removes from each section the keys it only inherits.
func stripDefaults(v map[string]map[string]string, f *ini.File) map[string]map[string]string {
	if f.Defaults == nil {
		return v
	}
	inherited := map[string]string{}
	for _, k := range f.Defaults.Keys() {
		inherited[k.Name] = k.Value
	}
	out := map[string]map[string]string{}
	for s, keys := range v {
		m := map[string]string{}
		for k, val := range keys {
			if s == ini.DefaultSection || inherited[k] != val {
				m[k] = val
			}
		}
		out[s] = m
	}
	return out
}

// Rewrite replaces the file at path with edit(its text) (a missing file
// starts empty), atomically, keeping its mode (0600 for a new file). If
// the file changed while edit ran, nothing is written.
func Rewrite(path string, edit func(text string) (string, error)) (changed bool, err error) {
	data, err := os.ReadFile(path)
	mode := fs.FileMode(0o600)
	switch {
	case err == nil:
		if fi, err := os.Stat(path); err == nil {
			mode = fi.Mode().Perm()
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return false, fmt.Errorf("%s: %w", path, err)
	}
	out, err := edit(string(data))
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if out == string(data) {
		return false, nil
	}
	now, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if !bytes.Equal(now, data) {
		return false, fmt.Errorf("%s changed while credchain was editing it; nothing was written: run the command again", path)
	}
	if err := atomicfile.Write(path, []byte(out), mode); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}
