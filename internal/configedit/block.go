package configedit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/credchain/credchain/internal/atomicfile"
	"github.com/credchain/credchain/internal/filelock"
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
// starts empty), atomically, keeping its mode, and its owner when run as
// root (0600 for a new file). edit must depend on its text alone: it may be
// run again.
//
// A symlink (a dotfiles manager's: stow, chezmoi, home-manager) is kept:
// the file it points to is edited, in its own folder. credchain's own edits
// of a file are serialised by a lock between processes. A save by anyone
// else that lands between the read and the replacement (an editor's atomic
// save, or one written in place into the file that was read) is detected
// and the edit is redone on top of it; a file that keeps changing is left
// as it is, with an error.
func Rewrite(path string, edit func(text string) (string, error)) (changed bool, err error) {
	real, err := resolve(path)
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(lockDir(), 0o700); err != nil {
		return false, fmt.Errorf("%s: lock folder: %w", path, err)
	}
	unlock, err := filelock.Lock(lockPath(real), lockTimeout)
	if err != nil {
		return false, fmt.Errorf("%s: %w (another credchain command is editing it)", path, err)
	}
	defer unlock()
	// base is the text to edit; expect (expectInfo) is what the replacement
	// must displace: the file that was read, or this function's own output
	// after an edit had to be redone.
	var base, expect []byte
	var expectInfo fs.FileInfo
	meta := atomicfile.Meta{Mode: 0o600, UID: -1, GID: -1}
	wrote := false
	// look reads the file; when it is not what is expected, it becomes
	// the base of the edit.
	look := func() (changed bool, err error) {
		f, err := os.Open(real)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		now, nowInfo, err := readAll(f)
		if err != nil {
			return false, err
		}
		if sameFile(nowInfo, expectInfo) && bytes.Equal(now, expect) {
			return false, nil
		}
		base, expect, expectInfo = now, now, nowInfo
		wrote = false // what this function wrote is gone, or it wrote nothing
		if nowInfo != nil {
			meta = atomicfile.MetaOf(nowInfo)
		}
		return true, nil
	}
	if _, err := look(); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	for attempt := 0; attempt < maxAttempts; attempt++ {
		out, err := edit(string(base))
		if err != nil {
			return wrote, fmt.Errorf("%s: %w", path, err)
		}
		if out == string(expect) {
			return wrote, nil
		}
		// A save seen now is taken in without showing anyone a file that
		// lacks it.
		if changed, err := look(); err != nil {
			return wrote, fmt.Errorf("%s: %w", path, err)
		} else if changed {
			continue
		}
		if expectInfo == nil {
			// A new file: its folder may be new too (~/.aws of a new user).
			if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
				return wrote, fmt.Errorf("%s: %w", path, err)
			}
		}
		displaced, err := atomicfile.Replace(real, []byte(out), meta)
		if err != nil {
			return wrote, fmt.Errorf("%s: %w", path, err)
		}
		wrote = true
		now, nowInfo, err := settled(displaced, expectInfo, expect)
		if err != nil {
			return true, fmt.Errorf("%s: %w", path, err)
		}
		if now == nil {
			return true, nil
		}
		// Someone saved the file after it was read: their file, or their
		// bytes in the file that was read, is what was just displaced.
		// Edit what they saved, and put that in place of this output.
		base, expect = now, []byte(out)
		if nowInfo != nil {
			meta = atomicfile.MetaOf(nowInfo) // an editor's save may change the mode
		}
		if expectInfo, err = os.Stat(real); err != nil {
			return true, fmt.Errorf("%s: %w", path, err)
		}
	}
	// Give up: put back what was saved last, without credchain's edit.
	if wrote {
		if displaced, err := atomicfile.Replace(real, base, meta); err == nil && displaced != nil {
			displaced.Close()
		}
	}
	return false, fmt.Errorf("%s kept changing while credchain was editing it (%d saves by another program); credchain's edit was not made: run the command again", path, maxAttempts)
}

// settle is how long a displaced file is watched for an in-place save
// that had begun (truncated the file) but not finished when it was read.
const settle = 25 * time.Millisecond

// settled reads the displaced file now and again after settle, and closes
// it. It returns nil when the file is the one expected with the text
// expected both times, else what it holds once it stopped changing (an
// in-place save seen half written is waited for).
func settled(displaced atomicfile.Displaced, expectInfo fs.FileInfo, expect []byte) ([]byte, fs.FileInfo, error) {
	if displaced == nil {
		if expectInfo == nil {
			return nil, nil, nil
		}
		return []byte{}, nil, nil // the file was removed meanwhile: start again from nothing
	}
	defer displaced.Close()
	unchanged := func(data []byte, fi fs.FileInfo) bool { return sameFile(fi, expectInfo) && bytes.Equal(data, expect) }
	now, fi, err := contents(displaced)
	if err != nil {
		return nil, nil, err
	}
	if unchanged(now, fi) {
		time.Sleep(settle)
		if now, fi, err = contents(displaced); err != nil || unchanged(now, fi) {
			return nil, nil, err
		}
	}
	// Changed: what it holds once two looks agree.
	for i := 0; i < maxSettles; i++ {
		time.Sleep(settle)
		next, nextInfo, err := contents(displaced)
		switch {
		case err != nil:
			return nil, nil, err
		case unchanged(next, nextInfo):
			return nil, nil, nil
		case bytes.Equal(next, now):
			return next, nextInfo, nil
		}
		now, fi = next, nextInfo
	}
	return now, fi, nil
}

// maxSettles bounds the looks at a displaced file that keeps changing.
const maxSettles = 10

const (
	// maxAttempts bounds how often an edit is redone on top of another
	// program's save.
	maxAttempts = 20
	// lockTimeout bounds the wait for another credchain command's edit.
	lockTimeout = time.Minute
)

// readAll reads f from its start and closes it; a nil f reads as a missing
// file (no data, no info).
func readAll(f *os.File) ([]byte, fs.FileInfo, error) {
	if f == nil {
		return nil, nil, nil
	}
	defer f.Close()
	return contents(f)
}

// contents is what f holds from its start, and its information.
func contents(f interface {
	io.ReaderAt
	Stat() (fs.FileInfo, error)
}) ([]byte, fs.FileInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<62))
	return data, fi, err
}

func sameFile(a, b fs.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b)
}

// resolve follows path's symlinks to the file they name, which need not
// exist yet.
func resolve(path string) (string, error) {
	for hops := 0; ; hops++ {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if hops == 40 {
			return "", errors.New("too many levels of symbolic links")
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
}

// lockDir holds the locks of credchain's edits, outside the edited files'
// folders (a dotfiles repository stays clean).
func lockDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "credchain", "edit-locks")
}

// lockPath is the lock of edits to the file at real (an absolute, resolved
// path names one lock).
func lockPath(real string) string {
	if abs, err := filepath.Abs(real); err == nil {
		real = abs
	}
	sum := sha256.Sum256([]byte(real))
	return filepath.Join(lockDir(), hex.EncodeToString(sum[:12])+".lock")
}
