package configedit

import (
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/ini"
)

// FuzzApply: for any file that parses and any change Apply accepts, the
// file read back (with the configparser-exact parser botocore's reading is
// tested against) differs from the file read before by exactly the change,
// and the bytes differ in one place only, which holds no section header.
func FuzzApply(f *testing.F) {
	f.Add("[profile dev]\nregion = x\n# c\n[default]\nk = v\n", "profile dev", "region", "y", false)
	f.Add("[a]\nk = 1\n  more\n[b]\nk = 2", "a", "k", "", true)
	f.Add("[DEFAULT]\nregion = d\n[a]\nx = 1\n", "a", "region", "e", false)
	f.Add("", "profile new", "credential_process", "credchain-aws keys process new", false)
	f.Add("[a]\r\nk = 1\r\n", "b", "k", "2", false)
	f.Add("[a]\nk : 1\n\n\n[b]\n", "b", "k", "v", false)
	f.Fuzz(func(t *testing.T, text, section, key, value string, del bool) {
		before, err := ini.ParseString(text)
		if err != nil {
			return
		}
		c := Change{Section: section, Key: key, Value: value, Delete: del}
		out, err := Apply(text, c)
		if err != nil {
			return
		}
		after, err := ini.ParseString(out)
		if err != nil {
			t.Fatalf("the edited file does not parse: %v", err)
		}
		want := values(before)
		if del {
			delete(want[section], key)
		} else {
			if want[section] == nil {
				want[section] = map[string]string{}
			}
			want[section][key] = value
		}
		if got := values(after); !equal(want, got) {
			t.Fatalf("read back:\n%v\nwant:\n%v", got, want)
		}
		p := 0
		for p < len(text) && p < len(out) && text[p] == out[p] {
			p++
		}
		q := 0
		for q < len(text)-p && q < len(out)-p && text[len(text)-1-q] == out[len(out)-1-q] {
			q++
		}
		for _, line := range strings.Split(text[p:len(text)-q], "\n") {
			if l := strings.TrimSpace(line); strings.HasPrefix(l, "[") && strings.Contains(l, "]") && line == strings.TrimLeft(line, " \t") {
				t.Fatalf("the edit removed the header %q", line)
			}
		}
	})
}
