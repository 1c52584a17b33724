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
	"strings"

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
func (v Value) Pos() string { return fmt.Sprintf("%s:%d", v.File, v.Line) }

// Section is one section of a file: a profile, an sso-session, a services
// block or any other section.
type Section struct {
	// Name is the profile (or sso-session, services) name after
	// classification; the raw header for other sections.
	Name   string
	Header string
	File   string
	Line   int
	Keys   []string // key names in file order, inherited [DEFAULT] keys last
	Values map[string]Value
}

// Get returns the raw value of key and whether it is present.
func (s *Section) Get(key string) (string, bool) {
	if s == nil {
		return "", false
	}
	v, ok := s.Values[key]
	return v.Raw, ok
}

// Has reports whether key is present.
func (s *Section) Has(key string) bool { _, ok := s.Get(key); return ok }

// Lookup returns the Value of key.
func (s *Section) Lookup(key string) (Value, bool) {
	if s == nil {
		return Value{}, false
	}
	v, ok := s.Values[key]
	return v, ok
}

// Pos is "file:line" of the section header.
func (s *Section) Pos() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

func (s *Section) set(key string, v Value) {
	if _, ok := s.Values[key]; !ok {
		s.Keys = append(s.Keys, key)
	}
	s.Values[key] = v
}

func (s *Section) clone() *Section {
	c := *s
	c.Keys = append([]string(nil), s.Keys...)
	c.Values = make(map[string]Value, len(s.Values))
	for k, v := range s.Values {
		c.Values[k] = v
	}
	return &c
}

// File is botocore's raw_config_parse result: every section by its raw
// header, in file order.
type File struct {
	Path     string
	Sections []*Section
}

// Section returns the section whose raw header is name.
func (f *File) Section(name string) (*Section, bool) {
	if f == nil {
		return nil, false
	}
	for _, s := range f.Sections {
		if s.Header == name {
			return s, true
		}
	}
	return nil, false
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
	return Parse(path, data)
}

// Parse parses data read from path.
func Parse(path string, data []byte) (*File, error) {
	parsed, err := ini.Parse(data)
	if err != nil {
		var se *ini.SyntaxError
		if errors.As(err, &se) {
			return nil, creds.Errorf(creds.KindConfigParse, "Unable to parse config file: %s:%d: %s", path, se.Line, se.Reason)
		}
		return nil, creds.Errorf(creds.KindConfigParse, "Unable to parse config file: %s: %v", path, err)
	}
	f := &File{Path: path, Sections: make([]*Section, 0, len(parsed.Sections))}
	for _, ps := range parsed.Sections {
		all := ps.All()
		s := &Section{Name: ps.Name, Header: ps.Name, File: path, Line: ps.Line,
			Keys: make([]string, 0, len(all)), Values: make(map[string]Value, len(all))}
		for _, k := range all {
			v := Value{Raw: k.Value, File: path, Line: k.Line}
			if strings.HasPrefix(k.Value, "\n") {
				nested, bad, ok := parseNested(k.Value)
				if !ok {
					return nil, creds.Errorf(creds.KindConfigParse,
						"Unable to parse config file: %s:%d: nested value of %q has a line without '=': %q",
						path, k.Line, k.Name, bad)
				}
				v.Nested = nested
			}
			s.Keys = append(s.Keys, k.Name)
			s.Values[k.Name] = v
		}
		f.Sections = append(f.Sections, s)
	}
	return f, nil
}

// parseNested is botocore's _parse_nested: one level of "key = value" lines,
// split on the first '='; nested keys keep their case.
func parseNested(value string) (map[string]string, string, bool) {
	out := map[string]string{}
	for _, line := range pystr.SplitLines(value) {
		line = pystr.Strip(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, line, false
		}
		out[pystr.Strip(k)] = pystr.Strip(v)
	}
	return out, "", true
}

// Config is botocore's load_config result for the shared config file.
type Config struct {
	Path        string
	Profiles    map[string]*Section
	SSOSessions map[string]*Section
	Services    map[string]*Section
	// Other holds sections that are none of the above ([preview], [foo], ...).
	Other map[string]*Section
	// Dropped lists the headers botocore silently ignores ([profile a b],
	// [profilefoo], an unterminated quote), for the config linter and explain.
	Dropped []*Section
}

// Classify sorts a config file's sections the way botocore's
// build_profile_map does. For [default] versus [profile default] the later
// section wins whole.
func Classify(f *File) *Config {
	c := &Config{Profiles: map[string]*Section{}, SSOSessions: map[string]*Section{},
		Services: map[string]*Section{}, Other: map[string]*Section{}}
	if f == nil {
		return c
	}
	c.Path = f.Path
	for _, s := range f.Sections {
		var into map[string]*Section
		switch h := s.Header; {
		case strings.HasPrefix(h, "profile"):
			into = c.Profiles
		case strings.HasPrefix(h, "sso-session"):
			into = c.SSOSessions
		case strings.HasPrefix(h, "services"):
			into = c.Services
		case h == "default":
			cs := s.clone()
			cs.Name = "default"
			c.Profiles["default"] = cs
			continue
		default:
			c.Other[h] = s
			continue
		}
		// LEGACY: botocore splits "profile NAME" with shlex and keeps the
		// section only when exactly two words come out.
		words, err := pystr.ShlexSplit(s.Header)
		if err != nil || len(words) != 2 {
			c.Dropped = append(c.Dropped, s)
			continue
		}
		cs := s.clone()
		cs.Name = words[1]
		into[words[1]] = cs
	}
	return c
}

// Merge builds session.full_config's profiles: the config file's profiles,
// with each credentials-file section added or merged key by key on top
// (credentials-file values win). creds may be nil.
func Merge(cfg *Config, credFile *File) map[string]*Section {
	out := make(map[string]*Section, len(cfg.Profiles))
	for name, p := range cfg.Profiles {
		out[name] = p
	}
	if credFile == nil {
		return out
	}
	for _, s := range credFile.Sections {
		prev, ok := out[s.Header]
		if !ok {
			out[s.Header] = s
			continue
		}
		merged := prev.clone()
		for _, k := range s.Keys {
			merged.set(k, s.Values[k])
		}
		out[s.Header] = merged
	}
	return out
}
