package selfbin

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestSelfIsTheRunningBinary(t *testing.T) {
	self, err := Self()
	exe, _ := os.Executable()
	if err != nil || !sameFile(self, exe) || !filepath.IsAbs(self) {
		t.Fatalf("Self = %q, %v (running %q)", self, err, exe)
	}
}

func TestFullOnPathOrNotFound(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a shell script stands for the full build")
	}
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	var nf *NotFoundError
	if _, err := Full(); !errors.As(err, &nf) || nf.Near == "" {
		t.Fatalf("Full with no full build = %v", err)
	}
	full := filepath.Join(dir, FullName)
	if err := os.WriteFile(full, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if p, err := Full(); err != nil || p != full {
		t.Fatalf("Full = %q, %v; want %q from PATH", p, err, full)
	}
}
