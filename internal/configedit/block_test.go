package configedit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testBlock = Block{Begin: "# BEGIN gen", End: "# END gen"}

func TestBlockReplace(t *testing.T) {
	for _, tc := range []struct {
		name, text, body, want, wantErr string
	}{
		{name: "empty file", text: "", body: "[profile a]\nk = v\n",
			want: "# BEGIN gen\n[profile a]\nk = v\n# END gen\n"},
		{name: "appended after a blank line", text: "[default]\nregion = x\n", body: "[profile a]\nk = v\n",
			want: "[default]\nregion = x\n\n# BEGIN gen\n[profile a]\nk = v\n# END gen\n"},
		{name: "no final newline", text: "[default]\nregion = x", body: "[profile a]\nk = v\n",
			want: "[default]\nregion = x\n\n# BEGIN gen\n[profile a]\nk = v\n# END gen\n"},
		{name: "replaced, the rest kept", text: "# top\n[default]\nregion = x\n# BEGIN gen\n[profile old]\nk = 1\n# END gen\n[profile mine]\nk = 2\n",
			body: "[profile new]\nk = 3\n",
			want: "# top\n[default]\nregion = x\n# BEGIN gen\n[profile new]\nk = 3\n# END gen\n[profile mine]\nk = 2\n"},
		{name: "CRLF", text: "[default]\r\nregion = x\r\n# BEGIN gen\r\n# END gen\r\n", body: "[profile a]\nk = v\n",
			want: "[default]\r\nregion = x\r\n# BEGIN gen\r\n[profile a]\r\nk = v\r\n# END gen\r\n"},
		{name: "DEFAULT inherited", text: "[DEFAULT]\nregion = x\n", body: "[profile a]\nk = v\n",
			want: "[DEFAULT]\nregion = x\n\n# BEGIN gen\n[profile a]\nk = v\n# END gen\n"},
		{name: "no end marker", text: "# BEGIN gen\n[profile a]\n", body: "", wantErr: "has no end marker"},
		{name: "two blocks", text: "# BEGIN gen\n# END gen\n# BEGIN gen\n# END gen\n", body: "", wantErr: "appears twice"},
		{name: "clash with a hand-written section", text: "[profile a]\nk = 1\n", body: "[profile a]\nk = 2\n", wantErr: "duplicate section"},
		{name: "file that does not parse", text: "[profile a\n", body: "", wantErr: "fix it first"},
		{name: "a value continued into the block", text: "[profile a]\nk = 1\n  more\n", body: "  indented = x\n", wantErr: "parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := testBlock.Replace(tc.text, tc.body)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q (got %q)", err, tc.wantErr, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v\nwant %q", got, err, tc.want)
			}
			if body, ok, err := testBlock.Find(got); !ok || err != nil || strings.ReplaceAll(body, "\r\n", "\n") != tc.body {
				t.Fatalf("Find = %q, %v, %v", body, ok, err)
			}
		})
	}
}

func TestRewriteRefusesAFileChangedMeanwhile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	os.WriteFile(path, []byte("[default]\n"), 0o640)
	_, err := Rewrite(path, func(text string) (string, error) {
		os.WriteFile(path, []byte("[default]\nregion = changed-by-someone\n"), 0o640)
		return text + "[profile a]\nk = v\n", nil
	})
	if err == nil || !strings.Contains(err.Error(), "changed while credchain was editing it") {
		t.Fatalf("err = %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "[default]\nregion = changed-by-someone\n" {
		t.Fatalf("file = %q", data)
	}
	changed, err := Rewrite(path, func(text string) (string, error) { return text + "[profile a]\nk = v\n", nil })
	fi, _ := os.Stat(path)
	if !changed || err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("Rewrite: %v, %v, mode %v", changed, err, fi.Mode())
	}
}
