//go:build unix

package configedit

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestRewriteKeepsTheOwnerWhenRoot: root editing a user's file (sudo)
// leaves it the user's (it became root's).
func TestRewriteKeepsTheOwnerWhenRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root can give a file to another owner")
	}
	path := filepath.Join(t.TempDir(), "config")
	os.WriteFile(path, []byte("[default]\n"), 0o600)
	if err := os.Chown(path, 1234, 2345); err != nil {
		t.Fatal(err)
	}
	if err := Edit(path, Change{Section: "default", Key: "region", Value: "eu-west-1"}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	st := fi.Sys().(*syscall.Stat_t)
	if st.Uid != 1234 || st.Gid != 2345 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("owner %d:%d mode %v", st.Uid, st.Gid, fi.Mode())
	}
}
