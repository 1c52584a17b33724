package main

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// binaries are the two binaries of every target: the front (tag
// credchain_front) and the full build it runs for AWS calls.
var binaries = []struct{ name, tags string }{
	{"credchain", "credchain_front"},
	{"credchain-aws", ""},
}

// artefact is one file of the release, named relative to the output folder.
type artefact struct {
	name   string
	target target
	kind   string // archive, package, sbom
}

// run builds every artefact of o into o.out.
func run(ctx context.Context, o *options) ([]artefact, error) {
	if err := prepareOut(o.out); err != nil {
		return nil, err
	}
	work := filepath.Join(o.out, ".work")
	defer os.RemoveAll(work)
	docs := filepath.Join(work, "docs")
	if err := writeDocs(ctx, o.root, docs); err != nil {
		return nil, err
	}
	var sbomTool string
	if o.sbom {
		// Built for this machine once: run with a target's GOOS, go tool
		// would build it for the target.
		sbomTool = filepath.Join(work, "cyclonedx-gomod")
		if err := goCmd(ctx, filepath.Join(o.root, "tools", "dist"), nil, "build", "-o", sbomTool, "github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod"); err != nil {
			return nil, err
		}
	}
	var arts []artefact
	for _, t := range o.targets {
		bin := filepath.Join(work, t.os+"_"+t.arch)
		if err := build(ctx, o, t, bin); err != nil {
			return nil, err
		}
		name, err := writeArchive(o, t, bin, docs)
		if err != nil {
			return nil, err
		}
		fmt.Printf("dist: %s\n", name)
		arts = append(arts, artefact{name, t, "archive"})
		if o.sbom {
			sbom := name + ".sbom.json"
			if err := writeSBOM(ctx, o, t, sbomTool, filepath.Join(o.out, sbom)); err != nil {
				return nil, err
			}
			arts = append(arts, artefact{sbom, t, "sbom"})
		}
		if t.os != "linux" {
			continue
		}
		pkgs, err := writePackages(o, t, bin, docs)
		if err != nil {
			return nil, err
		}
		for _, p := range pkgs {
			fmt.Printf("dist: %s\n", p)
			arts = append(arts, artefact{p, t, "package"})
		}
	}
	sums, err := writeChecksums(o.out, arts)
	if err != nil {
		return nil, err
	}
	if err := writeFormula(o, arts, sums); err != nil {
		return nil, err
	}
	if err := writeScoop(o, arts, sums); err != nil {
		return nil, err
	}
	return arts, nil
}

// build writes t's two binaries into dir: static, trimmed, stripped, and
// stamped with the version credchain --version prints.
func build(ctx context.Context, o *options, t target, dir string) error {
	ldflags := "-s -w -X github.com/credchain/credchain/internal/cli.buildVersion=" + o.version
	for _, b := range binaries {
		args := []string{"build", "-trimpath", "-ldflags", ldflags, "-o", filepath.Join(dir, t.exe(b.name))}
		if b.tags != "" {
			args = append(args, "-tags", b.tags)
		}
		args = append(args, "./cmd/"+b.name)
		if err := goCmd(ctx, o.root, []string{"CGO_ENABLED=0", "GOOS=" + t.os, "GOARCH=" + t.arch}, args...); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}

// writeSBOM writes the CycloneDX SBOM of t's modules with the
// cyclonedx-gomod binary tool: those of credchain-aws, which holds every
// module the front has.
func writeSBOM(ctx context.Context, o *options, t target, tool, path string) error {
	cmd := exec.CommandContext(ctx, tool, "app", "-json", "-licenses", "-noserial", "-notimestamp", "-output", path, "-main", "cmd/credchain-aws", o.root)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.os, "GOARCH="+t.arch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: cyclonedx-gomod: %v\n%s", t, err, out)
	}
	return nil
}

// writeChecksums writes checksums.txt (sha256sum's format, sorted by name)
// and returns each artefact's hex SHA-256.
func writeChecksums(out string, arts []artefact) (map[string]string, error) {
	names := make([]string, 0, len(arts))
	for _, a := range arts {
		names = append(names, a.name)
	}
	sort.Strings(names)
	sums := map[string]string{}
	var b strings.Builder
	for _, name := range names {
		sum, err := sha256File(filepath.Join(out, name))
		if err != nil {
			return nil, err
		}
		sums[name] = sum
		b.WriteString(sum + "  " + name + "\n")
	}
	return sums, os.WriteFile(filepath.Join(out, "checksums.txt"), []byte(b.String()), 0o644)
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeDocs writes the man pages (man/, and gzipped in man-gz/ for the
// packages) and completions (completions/) of the command tree into docs.
func writeDocs(ctx context.Context, root, docs string) error {
	if err := goCmd(ctx, root, nil, "run", "./tools/gendocs", "-man", filepath.Join(docs, "man"), "-completions", filepath.Join(docs, "completions")); err != nil {
		return err
	}
	return gzipDir(filepath.Join(docs, "man"), filepath.Join(docs, "man-gz"))
}

// gzipDir writes every file of src gzipped into dst (man pages for the
// packages, as Debian's policy and man-db expect).
func gzipDir(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(dst, e.Name()+".gz"))
		if err != nil {
			return err
		}
		zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
		if _, err := zw.Write(data); err != nil {
			f.Close()
			return err
		}
		if err := zw.Close(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
