package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/installtest"
)

// credchainBinary is the installed front (installtest.Dir: the front and
// credchain-aws side by side, built as `make build` builds them).
func credchainBinary(t *testing.T) string {
	t.Helper()
	dir, err := installtest.Dir()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return filepath.Join(dir, installtest.Exe("credchain"))
}

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
