package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// checkConfig validates the release configuration without building: nfpm
// parses packaging/nfpm.yaml and validates each packager's package (every
// file it names present: the man pages and completions generated from the
// command tree, empty stand-ins for the binaries), and the formula's
// template parses.
func checkConfig(ctx context.Context, o *options) error {
	work, err := os.MkdirTemp("", "credchain-dist-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	docs := filepath.Join(work, "docs")
	if err := writeDocs(ctx, o.root, docs); err != nil {
		return err
	}
	bin := filepath.Join(work, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	for _, b := range binaries {
		if err := os.WriteFile(filepath.Join(bin, b.name), nil, 0o755); err != nil {
			return err
		}
	}
	for _, t := range o.targets {
		if t.os != "linux" {
			continue
		}
		cfg, err := nfpmConfig(o, t, bin, docs)
		if err != nil {
			return err
		}
		for _, format := range packagers {
			if _, err := packageInfo(cfg, format, o); err != nil {
				return fmt.Errorf("%s: %w", t, err)
			}
		}
	}
	if _, err := formulaTemplate(o.root); err != nil {
		return err
	}
	fmt.Printf("dist: the release configuration is valid (%s for %d targets, the formula's template)\n", packagers, len(o.targets))
	return nil
}
