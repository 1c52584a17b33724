package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrepareOutNeverDeletesForeignFiles: a folder make dist did not
// write is refused, files kept; its own folder is emptied; a new one is
// made.
func TestPrepareOutNeverDeletesForeignFiles(t *testing.T) {
	foreign := t.TempDir()
	keep := filepath.Join(foreign, "thesis.tex")
	if err := os.WriteFile(keep, []byte("years of work"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := prepareOut(foreign)
	if err == nil || !strings.Contains(err.Error(), foreign) || !strings.Contains(err.Error(), marker) {
		t.Fatalf("prepareOut(a folder with a file) = %v", err)
	}
	if data, err := os.ReadFile(keep); err != nil || string(data) != "years of work" {
		t.Fatalf("the file is gone or changed: %v", err)
	}

	own := filepath.Join(t.TempDir(), "dist")
	if err := prepareOut(own); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(own, "old.tar.gz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepareOut(own); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(own, "old.tar.gz")); !os.IsNotExist(err) {
		t.Fatalf("make dist's own folder was not emptied: %v", err)
	}
}

func TestParseTargets(t *testing.T) {
	ts, err := parseTargets("linux/amd64, windows/arm64,linux/amd64")
	if err != nil || len(ts) != 2 || ts[1] != (target{"windows", "arm64"}) {
		t.Fatalf("parseTargets = %v, %v", ts, err)
	}
	for _, bad := range []string{"linux", "linux/", "plan9/amd64", "linux/386", ""} {
		if _, err := parseTargets(bad); err == nil || !strings.Contains(err.Error(), "-targets") {
			t.Errorf("parseTargets(%q) = %v, want an error naming -targets", bad, err)
		}
	}
}

func TestTagVersion(t *testing.T) {
	for in, want := range map[string]string{"v1.2.3\n": "v1.2.3", "v0.1.0-51-ga8a2779-dirty": "v0.1.0-51-ga8a2779-dirty", "a8a2779": "v0.0.0-a8a2779"} {
		if got := tagVersion(in); got != want {
			t.Errorf("tagVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAPKSuffix(t *testing.T) {
	for in, want := range map[string]string{"": "", "rc.1": "rc1", "beta": "beta", "alpha-2": "alpha2", "rc12": "rc12",
		"55-ga8a2779": "git55", "55-ga8a2779-dirty": "git55", "a8a2779": "git0", "weird.thing": "git0"} {
		if got := apkSuffix(in); got != want {
			t.Errorf("apkSuffix(%q) = %q, want %q", in, got, want)
		}
	}
}
