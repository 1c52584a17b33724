package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
)

// installed builds credchain once per test run as `make build` does and a
// person installs it: the front (credchain, tag credchain_front) and the
// full build (credchain-aws) side by side, static, stripped and trimmed.
// It returns their directory.
func installed(t *testing.T) string {
	t.Helper()
	dir, err := install()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return dir
}

func install() (string, error) {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "credchain-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtDir = dir
		for _, b := range []struct{ name, pkg, tags string }{{"credchain", ".", "credchain_front"}, {"credchain-aws", "../credchain-aws", ""}} {
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-tags="+b.tags, "-o", filepath.Join(dir, exe(b.name)), b.pkg)
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = &buildError{err, string(out)}
				return
			}
		}
	})
	return builtDir, buildErr
}

// credchainBinary is the installed front.
func credchainBinary(t *testing.T) string {
	return filepath.Join(installed(t), exe("credchain"))
}

func exe(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

type buildError struct {
	err error
	out string
}

func (b *buildError) Error() string { return b.err.Error() + ": " + b.out }

// TestFrontLinksNoAWSClient: the front build links none of aws-sdk-go-v2's
// service packages, whose package initialisation runs at every start of a
// binary that links them, nor the secret-store libraries (keys runs in the
// full build). An import that brings one back fails here.
func TestFrontLinksNoAWSClient(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "credchain_front", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "aws-sdk-go-v2/service/") || strings.Contains(pkg, "keyring") || strings.Contains(pkg, "godbus") || strings.HasSuffix(pkg, "credchain/internal/keys") {
			t.Errorf("the front links %s", pkg)
		}
	}
}
