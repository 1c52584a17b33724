// Package awsconfig reads the AWS shared config and credentials files the way
// botocore does: configparser-exact parsing (internal/ini), botocore's nested
// values, its classification of config-file sections into profiles,
// sso-sessions and services, and the merge of the credentials file into the
// config file's profiles (session.full_config).
package awsconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/internal/ini"
	"github.com/credchain/credchain/internal/pystr"
)

// Value is one setting and the place it was defined.
type Value struct {
	// Raw is the value as configparser returns it (quotes and inline
	// comments included).
	Raw string
	// Nested holds the sub-keys when the value is a nested block
	// ("s3 =\n  addressing_style = path"); nil otherwise.
	Nested map[string]string
	File   string
	Line   int
}

// Pos is "file:line".
func (v Value) Pos() string { return v.File + ":" + strconv.Itoa(v.Line) }

// Section is one section of a file: a profile, an sso-session, a services
// block or any other section.
type Section struct {
	// Name is the profile (or sso-session, services) name after
	// classification; the raw header for other sections.
	Name   string
	Header string
	File   string
	Line   int
	// Keys are the keys in file order, inherited [DEFAULT] keys last.
	// Sections are small, so lookups scan this slice.
	Keys []ini.Key
	// nested holds the parsed nested blocks, by key.
	nested map[string]map[string]string
	// files, when set, names the file of each key (a merged profile).
	files []string
}

// Get returns the raw value of key and whether it is present.
func (s *Section) Get(key string) (string, bool) {
	if i := s.index(key); i >= 0 {
		return s.Keys[i].Value, true
	}
	return "", false
}

// Has reports whether key is present.
func (s *Section) Has(key string) bool { return s.index(key) >= 0 }

// Lookup returns the Value of key.
func (s *Section) Lookup(key string) (Value, bool) {
	i := s.index(key)
	if i < 0 {
		return Value{}, false
	}
	k := s.Keys[i]
	file := s.File
	if s.files != nil {
		file = s.files[i]
	}
	return Value{Raw: k.Value, Nested: s.nested[k.Name], File: file, Line: k.Line}, true
}

func (s *Section) index(key string) int {
	if s == nil {
		return -1
	}
	for i := range s.Keys {
		if s.Keys[i].Name == key {
			return i
		}
	}
	return -1
}

// Pos is "file:line" of the section header.
func (s *Section) Pos() string { return s.File + ":" + strconv.Itoa(s.Line) }

// mergeFrom overlays other's keys on s, key by key, as dict.update does.
// Values keep the file they came from.
func (s *Section) mergeFrom(other *Section) *Section {
	out := &Section{Name: s.Name, Header: s.Header, File: s.File, Line: s.Line,
		Keys: append([]ini.Key(nil), s.Keys...)}
	files := make([]string, len(out.Keys), len(out.Keys)+len(other.Keys))
	for i := range files {
		files[i] = s.File
	}
	nested := map[string]map[string]string{}
	for k, v := range s.nested {
		nested[k] = v
	}
	for _, k := range other.Keys {
		if i := out.index(k.Name); i >= 0 {
			out.Keys[i], files[i] = k, other.File
		} else {
			out.Keys = append(out.Keys, k)
			files = append(files, other.File)
		}
		delete(nested, k.Name)
		if n, ok := other.nested[k.Name]; ok {
			nested[k.Name] = n
		}
	}
	out.files = files
	if len(nested) > 0 {
		out.nested = nested
	}
	return out
}

// File is botocore's raw_config_parse result: every section by its raw
// header, in file order.
//
// Sections are wrapped when asked for: resolving one profile of a large file
// builds a handful of them.
type File struct {
	Path string

	parsed *ini.File
}

// DefaultsPos is "file:line" of the [DEFAULT] section, "" when there is none.
func (f *File) DefaultsPos() string {
	if f == nil || f.parsed.Defaults == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d", f.Path, f.parsed.Defaults.Line)
}

// Len is the number of sections (0 for no file).
func (f *File) Len() int {
	if f == nil {
		return 0
	}
	return f.parsed.Len()
}

// Header is the raw header of section i.
func (f *File) Header(i int) string { return f.parsed.Header(i) }

// At returns section i, read from the file's text at each call: the file
// keeps nothing but the text and where its sections are, so callers keep
// what they need (Config and Profiles keep the sections they looked up) and
// a listing that visits every section holds about the file in memory.
func (f *File) At(i int) *Section {
	ps := f.parsed.Section(i)
	return f.wrap(ps, ps.All())
}

// Find returns the index of the section whose raw header is name.
func (f *File) Find(name string) (int, bool) {
	if f == nil {
		return 0, false
	}
	return f.parsed.Index(name)
}

// Line is the line of section i's header.
func (f *File) Line(i int) int { return f.parsed.Line(i) }

func (f *File) wrap(ps *ini.Section, keys []ini.Key) *Section {
	s := &Section{Name: ps.Name, Header: ps.Name, File: f.Path, Line: ps.Line, Keys: keys}
	for _, k := range s.Keys {
		if strings.HasPrefix(k.Value, "\n") {
			if s.nested == nil {
				s.nested = map[string]map[string]string{}
			}
			s.nested[k.Name], _, _ = parseNested(k.Value) // validated by parse
		}
	}
	return s
}

// Sections returns every section in file order.
func (f *File) Sections() []*Section {
	out := make([]*Section, f.Len())
	for i := range out {
		out[i] = f.At(i)
	}
	return out
}

// Section returns the section whose raw header is name.
func (f *File) Section(name string) (*Section, bool) {
	if f == nil {
		return nil, false
	}
	i, ok := f.parsed.Index(name)
	if !ok {
		return nil, false
	}
	return f.At(i), true
}

// ErrNotFound is botocore's ConfigNotFound: the path is not a regular file.
// Every provider but ec2-credentials-file treats it as an absent file.
var ErrNotFound = errors.New("config file not found")

// IsRegularFile is os.path.isfile.
func IsRegularFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// ReadFile parses path (already expanded) like botocore's raw_config_parse.
// A path that is not a regular file gives an error wrapping ErrNotFound; a
// malformed file a ConfigParseError naming the file and line.
func ReadFile(path string) (*File, error) {
	if !IsRegularFile(path) {
		return nil, &creds.Error{Kind: creds.KindConfigNotFound,
			Msg: fmt.Sprintf("The specified config file (%s) could not be found.", path), Err: ErrNotFound}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		reason := err.Error()
		if errors.Is(err, fs.ErrPermission) {
			reason = "permission denied (check the file's owner and mode)"
		}
		return nil, creds.Errorf(creds.KindConfigParse, "Unable to parse config file: %s: %s", path, reason)
	}
	// The buffer is ours and never modified: parse it in place.
	return parse(path, unsafe.String(unsafe.SliceData(data), len(data)))
}

// Parse parses data read from path.
func Parse(path string, data []byte) (*File, error) {
	return parse(path, string(data))
}

func parse(path, text string) (*File, error) {
	parsed, err := ini.ParseString(text)
	if err != nil {
		var se *ini.SyntaxError
		if errors.As(err, &se) {
			return nil, creds.Errorf(creds.KindConfigParse, "Unable to parse config file: %s:%d: %s", path, se.Line, se.Reason)
		}
		return nil, creds.Errorf(creds.KindConfigParse, "Unable to parse config file: %s: %v", path, err)
	}
	// botocore parses the nested values of every section (own keys, then
	// [DEFAULT] keys) and fails on a bad one. [DEFAULT] alone, with no
	// section to inherit it, is never looked at. Only sections with a
	// nested block are read here.
	check := func(keys []ini.Key) error {
		for _, k := range keys {
			if !strings.HasPrefix(k.Value, "\n") {
				continue
			}
			if _, bad, ok := parseNested(k.Value); !ok {
				// The offending line is not shown: it may hold a secret.
				return creds.Errorf(creds.KindConfigParse,
					"Unable to parse config file: %s:%d: line %d of the nested block %q has no '=' (nested blocks hold 'key = value' lines)",
					path, k.Line, bad, k.Name)
			}
		}
		return nil
	}
	for i := range parsed.Len() {
		if parsed.HasBlock(i) {
			if err := check(parsed.Section(i).Keys()); err != nil {
				return nil, err
			}
		}
	}
	if d := parsed.Defaults; d != nil && d.HasBlock && parsed.Len() > 0 {
		if err := check(d.Keys()); err != nil {
			return nil, err
		}
	}
	return &File{Path: path, parsed: parsed}, nil
}

// parseNested is botocore's _parse_nested: one level of "key = value" lines,
// split on the first '='; nested keys keep their case. On failure it returns
// the offending line's index within the block (the key line is 0).
func parseNested(value string) (map[string]string, int, bool) {
	out := map[string]string{}
	for i, line := range pystr.SplitLines(value) {
		line = pystr.Strip(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, i, false
		}
		out[pystr.Strip(k)] = pystr.Strip(v)
	}
	return out, 0, true
}

// Kinds of config-file sections, as botocore's build_profile_map sorts them.
const (
	SectionOther = iota
	SectionProfile
	SectionSSOSession
	SectionServices
	// SectionDropped is a "profile"/"sso-session"/"services" header that is
	// not exactly two shell words: botocore silently ignores it.
	SectionDropped
)

// ClassifyHeader returns what botocore makes of a config-file header: its
// kind and the profile, sso-session or services name.
func ClassifyHeader(h string) (kind int, name string) {
	switch {
	case strings.HasPrefix(h, "profile"):
		kind = SectionProfile
	case strings.HasPrefix(h, "sso-session"):
		kind = SectionSSOSession
	case strings.HasPrefix(h, "services"):
		kind = SectionServices
	case h == "default":
		return SectionProfile, "default"
	default:
		return SectionOther, h
	}
	// LEGACY: botocore splits "profile NAME" with shlex and keeps the
	// section only when exactly two words come out.
	second, ok := secondOfTwoWords(h)
	if !ok {
		return SectionDropped, ""
	}
	return kind, second
}

// secondOfTwoWords is len(shlex.split(h)) == 2 and its second word, without
// allocating for the common header that has no quotes or backslashes.
func secondOfTwoWords(h string) (string, bool) {
	if strings.ContainsAny(h, "\"'\\") {
		words, err := pystr.ShlexSplit(h)
		if err != nil || len(words) != 2 {
			return "", false
		}
		return words[1], true
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	var second string
	n := 0
	for i := 0; i < len(h); {
		for i < len(h) && isSpace(h[i]) {
			i++
		}
		j := i
		for j < len(h) && !isSpace(h[j]) {
			j++
		}
		if j > i {
			n++
			if n == 2 {
				second = h[i:j]
			}
		}
		i = j
	}
	return second, n == 2
}

// Config is the shared config file as botocore's load_config sees it.
// Lookups classify headers on demand, so resolving one profile of a large
// file does not index every section.
type Config struct {
	Path  string
	file  *File
	mu    sync.Mutex
	cache map[[2]any]*Section
	index *headerIndex
}

// NewConfig wraps a parsed config file; f may be nil (no file).
func NewConfig(f *File) *Config {
	c := &Config{file: f, cache: map[[2]any]*Section{}}
	if f != nil {
		c.Path = f.Path
	}
	return c
}

// Fresh returns a Config over the same file that shares its header index
// but none of the sections it handed out: a listing that looks at every
// profile once takes a fresh one for each, so that it keeps none of them.
func (c *Config) Fresh() *Config {
	return &Config{Path: c.Path, file: c.file, cache: map[[2]any]*Section{}, index: c.headers()}
}

// headers returns the header index, built on first use (nil without a
// file).
func (c *Config) headers() *headerIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.file != nil && c.index == nil {
		c.index = newHeaderIndex(c.file)
	}
	return c.index
}

// File is the parsed file (nil when there is none).
func (c *Config) File() *File { return c.file }

// Profile returns the profile name; for [default] versus [profile default]
// the later section wins whole, as in botocore.
func (c *Config) Profile(name string) (*Section, bool) { return c.find(SectionProfile, name) }

// SSOSession returns the [sso-session name] section.
func (c *Config) SSOSession(name string) (*Section, bool) { return c.find(SectionSSOSession, name) }

// Service returns the [services name] section.
func (c *Config) Service(name string) (*Section, bool) { return c.find(SectionServices, name) }

func (c *Config) find(kind int, name string) (*Section, bool) {
	if c.file == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	key := [2]any{kind, name}
	if s, ok := c.cache[key]; ok {
		return s, s != nil
	}
	var found *Section
	if c.index == nil && len(c.cache) >= indexAfter {
		// Many lookups (a listing, completion): classify every header once.
		c.index = newHeaderIndex(c.file)
	}
	if c.index != nil {
		if _, last := c.index.span(c.file, kind, name, -1); last >= 0 {
			found = c.file.At(last).renamed(name)
		}
	} else {
		// A few lookups (resolving one profile): scan from the end.
		for i := c.file.Len() - 1; i >= 0; i-- {
			if k, n := ClassifyHeader(c.file.Header(i)); k == kind && n == name {
				found = c.file.At(i).renamed(name)
				break
			}
		}
	}
	c.cache[key] = found
	return found, found != nil
}

// EachProfile calls fn for each profile of the file whose name match
// accepts (every profile when match is nil), in botocore's order: where the
// profile's first section is. i is the section that defines the profile,
// the last one naming it ([default] and [profile default], or
// [profile "a"] and [profile a], name one profile). An error from fn stops
// the walk and is returned.
func (c *Config) EachProfile(match func(string) bool, fn func(name string, i int) error) error {
	x := c.headers()
	for i := 0; c.file != nil && i < c.file.Len(); i++ {
		h := c.file.Header(i)
		kind, name := ClassifyHeader(h)
		if kind != SectionProfile || (match != nil && !match(name)) {
			continue
		}
		at := -1
		if isCanonical(h, kind, name) {
			at = i
		}
		if first, last := x.span(c.file, kind, name, at); first == i {
			if err := fn(name, last); err != nil {
				return err
			}
		}
	}
	return nil
}

// HasProfile reports whether a section of the file names profile name.
func (c *Config) HasProfile(name string) bool {
	_, ok := c.ProfileSection(name)
	return ok
}

// ProfileSection returns the index of the section that defines profile
// name: the last one naming it.
func (c *Config) ProfileSection(name string) (int, bool) {
	if c.file == nil {
		return 0, false
	}
	_, last := c.headers().span(c.file, SectionProfile, name, -1)
	return last, last >= 0
}

// Dropped returns the sections botocore ignores: a profile, sso-session or
// services header that is not exactly two shell words.
func (c *Config) Dropped() []*Section {
	if c.file == nil {
		return nil
	}
	var out []*Section
	for _, i := range c.headers().dropped {
		out = append(out, c.file.At(i))
	}
	return out
}

// headerIndex finds a config file's sections by kind and name: the
// parser's index answers for the canonical header ("profile NAME",
// "default"); odd holds the few headers botocore reads as the same name
// but spelt otherwise ([profile "NAME"], [profile  NAME]).
type headerIndex struct {
	odd     map[[2]any][]int
	dropped []int
}

func newHeaderIndex(f *File) *headerIndex {
	x := &headerIndex{odd: map[[2]any][]int{}}
	for i := 0; i < f.Len(); i++ {
		h := f.Header(i)
		switch kind, name := ClassifyHeader(h); {
		case kind == SectionDropped:
			x.dropped = append(x.dropped, i)
		case kind != SectionOther && !isCanonical(h, kind, name) && h != "default":
			key := [2]any{kind, name}
			x.odd[key] = append(x.odd[key], i)
		}
	}
	return x
}

// canonicalHeader is the usual header of a section of kind named name.
func canonicalHeader(kind int, name string) string {
	switch kind {
	case SectionProfile:
		return "profile " + name
	case SectionSSOSession:
		return "sso-session " + name
	case SectionServices:
		return "services " + name
	}
	return name
}

// isCanonical is h == canonicalHeader(kind, name), without building it.
func isCanonical(h string, kind int, name string) bool {
	prefix := canonicalHeader(kind, "")
	return len(h) == len(prefix)+len(name) && strings.HasPrefix(h, prefix) && h[len(prefix):] == name
}

// span returns the first and last section of kind named name (-1, -1 for
// none); at, when not -1, is where the canonical header is.
func (x *headerIndex) span(f *File, kind int, name string, at int) (first, last int) {
	if at < 0 {
		// The canonical spelling of a name with spaces or quotes is not
		// read as that name ([profile a b] is dropped).
		if j, ok := f.Find(canonicalHeader(kind, name)); ok {
			if k, n := ClassifyHeader(f.Header(j)); k == kind && n == name {
				at = j
			}
		}
	}
	first, last = at, at
	seen := func(j int) {
		if first < 0 || j < first {
			first = j
		}
		last = max(last, j)
	}
	if kind == SectionProfile && name == "default" {
		if j, ok := f.Find("default"); ok {
			seen(j)
		}
	}
	for _, j := range x.odd[[2]any{kind, name}] {
		seen(j)
	}
	return first, last
}

// indexAfter is how many distinct lookups a Config answers by scanning
// before it indexes every header.
const indexAfter = 16

func (s *Section) renamed(name string) *Section {
	r := *s
	r.Name = name
	return &r
}

// Classified is every section of a config file sorted like botocore's
// build_profile_map, for listings.
type Classified struct {
	Path        string
	Profiles    map[string]*Section
	SSOSessions map[string]*Section
	Services    map[string]*Section
	// Other holds sections that are none of the above ([preview], [foo], ...).
	Other map[string]*Section
	// Dropped lists the headers botocore silently ignores ([profile a b],
	// [profilefoo], an unterminated quote).
	Dropped []*Section
}

// Classify sorts every section of a config file (f may be nil).
func Classify(f *File) *Classified {
	c := &Classified{Profiles: map[string]*Section{}, SSOSessions: map[string]*Section{},
		Services: map[string]*Section{}, Other: map[string]*Section{}}
	if f == nil {
		return c
	}
	c.Path = f.Path
	for _, s := range f.Sections() {
		kind, name := ClassifyHeader(s.Header)
		switch kind {
		case SectionProfile:
			c.Profiles[name] = s.renamed(name)
		case SectionSSOSession:
			c.SSOSessions[name] = s.renamed(name)
		case SectionServices:
			c.Services[name] = s.renamed(name)
		case SectionDropped:
			c.Dropped = append(c.Dropped, s)
		default:
			c.Other[name] = s
		}
	}
	return c
}

// Profiles is session.full_config's profiles: the config file's profiles
// with each credentials-file section added, or merged key by key on top
// (credentials-file values win). Merged sections are built on first use, so
// resolving one profile of a large file merges one section.
type Profiles struct {
	cfg    *Config
	cred   *File
	mu     sync.Mutex
	merged map[string]*Section
}

// Merge returns the merged profiles of cfg and credFile (which may be nil).
func Merge(cfg *Config, credFile *File) *Profiles {
	return &Profiles{cfg: cfg, cred: credFile, merged: map[string]*Section{}}
}

// Get returns the merged profile name.
func (p *Profiles) Get(name string) (*Section, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.merged[name]; ok {
		return s, true
	}
	c, inCfg := p.cfg.Profile(name)
	var cr *Section
	i, inCred := p.cred.Find(name)
	if inCred {
		cr = p.cred.At(i)
	}
	if !inCfg && !inCred {
		return nil, false
	}
	out := MergeSections(c, cr)
	p.merged[name] = out
	return out, true
}

// MergeSections is one profile of session.full_config: the config file's
// section cfg with the credentials file's section cred merged on top, key
// by key (credentials-file values win). Either may be nil.
func MergeSections(cfg, cred *Section) *Section {
	switch {
	case cfg == nil:
		return cred
	case cred == nil:
		return cfg
	}
	return cfg.mergeFrom(cred)
}

// Lookup returns the merged profile name, or nil (a profile with no keys,
// like botocore's profiles.get(name, {})).
func (p *Profiles) Lookup(name string) *Section {
	s, _ := p.Get(name)
	return s
}

// Each calls fn for each profile of both files whose name match accepts
// (every profile when match is nil), in botocore's order
// (available_profiles): the config file's profiles where their first
// section is, then the credentials file's other sections. cfgAt is the
// config section that defines the profile (the last one naming it) and
// credAt its credentials-file section, -1 for none. A profile match
// refuses costs a look at its header. An error from fn stops the walk and
// is returned.
func (p *Profiles) Each(match func(string) bool, fn func(name string, cfgAt, credAt int) error) error {
	if err := p.cfg.EachProfile(match, func(name string, i int) error {
		credAt := -1
		if j, ok := p.cred.Find(name); ok {
			credAt = j
		}
		return fn(name, i, credAt)
	}); err != nil {
		return err
	}
	for i := 0; i < p.cred.Len(); i++ {
		name := p.cred.Header(i)
		if (match != nil && !match(name)) || p.cfg.HasProfile(name) {
			continue
		}
		if err := fn(name, -1, i); err != nil {
			return err
		}
	}
	return nil
}

// Sections reads the sections Each names: the config file's section
// cfgAt and the credentials file's section credAt, nil for -1.
func (p *Profiles) Sections(cfgAt, credAt int) (cfgSec, credSec *Section) {
	if cfgAt >= 0 {
		cfgSec = p.cfg.file.At(cfgAt)
	}
	if credAt >= 0 {
		credSec = p.cred.At(credAt)
	}
	return cfgSec, credSec
}

// Names lists every profile name of both files, each once, in the order
// of Each.
func (p *Profiles) Names() []string {
	var names []string
	_ = p.Each(nil, func(name string, _, _ int) error {
		names = append(names, name)
		return nil
	})
	return names
}
