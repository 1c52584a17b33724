// Command dist builds credchain's release artefacts into one folder; it is
// make dist. For each target: both binaries (static, trimmed, stamped with
// the version), one archive holding them with the README, the licence, the
// changelog, completions and man pages (.tar.gz, .zip for Windows) and a
// CycloneDX SBOM of it; for Linux targets .deb, .rpm and .apk packages
// through nfpm from packaging/nfpm.yaml. Then checksums.txt (SHA-256 of
// every artefact), a Homebrew formula (packaging/homebrew) and a Scoop
// manifest pointing at the archives. Nothing is published.
//
//	go run . -root ../.. -out ../../dist [-targets linux/amd64,...] [-version v1.2.3]
//	go run . -root ../.. -check
//
// -check validates the release configuration (nfpm's own validation for
// each packager, the formula's template) without building.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// allTargets are the release's targets, in the order archives are built.
const allTargets = "linux/amd64,linux/arm64,darwin/amd64,darwin/arm64,windows/amd64,windows/arm64"

// marker is the file that says a folder is make dist's own, so a second
// run may empty it.
const marker = ".credchain-dist"

type target struct{ os, arch string }

func (t target) String() string { return t.os + "/" + t.arch }

// exe is the name of binary name on t.
func (t target) exe(name string) string {
	if t.os == "windows" {
		return name + ".exe"
	}
	return name
}

// options is one run of dist.
type options struct {
	root    string // the checkout
	out     string // the folder the artefacts go to
	version string // the tag form, v1.2.3 or git describe's v1.2.3-4-gabcdef0
	targets []target
	sbom    bool
	// baseURL is where the release's archives are downloaded from
	// (formula and manifest).
	baseURL string
	mtime   time.Time // every file's time in archives and packages
}

// pkgVersion is the version without its v: archives, packages, formula.
func (o *options) pkgVersion() string { return strings.TrimPrefix(o.version, "v") }

func main() {
	root := flag.String("root", ".", "the credchain checkout")
	out := flag.String("out", "dist", "folder for the artefacts (emptied first if make dist wrote it)")
	version := flag.String("version", "", "version to stamp (default: git describe --tags --always --dirty of -root)")
	targets := flag.String("targets", allTargets, "comma-separated GOOS/GOARCH targets")
	sbom := flag.Bool("sbom", true, "write a CycloneDX SBOM per archive (cyclonedx-gomod)")
	baseURL := flag.String("url", "https://github.com/credchain/credchain/releases/download/{{tag}}", "download folder of the archives for the formula and manifest ({{tag}}: the version's tag)")
	check := flag.Bool("check", false, "only validate the release configuration")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := mainErr(ctx, *root, *out, *version, *targets, *baseURL, *sbom, *check); err != nil {
		fmt.Fprintf(os.Stderr, "dist: %v\n", err)
		os.Exit(1)
	}
}

func mainErr(ctx context.Context, root, out, version, targets, baseURL string, sbom, check bool) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	o := &options{root: root, sbom: sbom}
	if o.targets, err = parseTargets(targets); err != nil {
		return err
	}
	if version == "" {
		if version, err = git(ctx, root, "describe", "--tags", "--always", "--dirty"); err != nil {
			return err
		}
	}
	o.version = tagVersion(version)
	if check {
		return checkConfig(ctx, o)
	}
	if o.out, err = filepath.Abs(out); err != nil {
		return err
	}
	o.baseURL = strings.ReplaceAll(baseURL, "{{tag}}", "v"+o.pkgVersion())
	o.mtime = time.Unix(0, 0).UTC()
	if ct, err := git(ctx, root, "log", "-1", "--format=%ct"); err == nil {
		if sec, err := strconv.ParseInt(ct, 10, 64); err == nil {
			o.mtime = time.Unix(sec, 0).UTC()
		}
	}
	start := time.Now()
	arts, err := run(ctx, o)
	if err != nil {
		return err
	}
	fmt.Printf("dist: %d artefacts for %s in %s (%.1f s)\n", len(arts), o.version, o.out, time.Since(start).Seconds())
	return nil
}

// tagVersion makes a version a tag: v and a semantic version, so that
// packages accept it. git describe without any tag is only a commit:
// v0.0.0-COMMIT.
func tagVersion(v string) string {
	v = strings.TrimSpace(v)
	if !strings.HasPrefix(v, "v") {
		return "v0.0.0-" + v
	}
	return v
}

func parseTargets(s string) ([]target, error) {
	var ts []target
	seen := map[string]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		goos, goarch, ok := strings.Cut(f, "/")
		if !ok || goos == "" || goarch == "" {
			return nil, fmt.Errorf("-targets: %q is not GOOS/GOARCH (e.g. linux/amd64)", f)
		}
		switch goos {
		case "linux", "darwin", "windows":
		default:
			return nil, fmt.Errorf("-targets: %q: credchain is released for linux, darwin and windows", f)
		}
		switch goarch {
		case "amd64", "arm64":
		default:
			return nil, fmt.Errorf("-targets: %q: credchain is released for amd64 and arm64", f)
		}
		if !seen[f] {
			seen[f] = true
			ts = append(ts, target{goos, goarch})
		}
	}
	return ts, nil
}

// prepareOut empties the output folder when make dist wrote it (its
// marker file), creates it when missing, and refuses any other folder
// that holds files: it never deletes what it did not write.
func prepareOut(out string) error {
	entries, err := os.ReadDir(out)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(out, marker)); err != nil {
			return fmt.Errorf("%s holds files and is not a folder make dist wrote (no %s): give -out an empty or new folder", out, marker)
		}
		if err := os.RemoveAll(out); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, marker), []byte("written by make dist (tools/dist); it empties this folder on its next run\n"), 0o644)
}

// git runs git in dir and returns its trimmed output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s in %s: %v: %s", strings.Join(args, " "), dir, err, strings.TrimSpace(string(ee.Stderr)))
		}
		return "", fmt.Errorf("git %s in %s: %v", strings.Join(args, " "), dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// goCmd runs the go command in dir with extra environment, its output
// going to stderr on failure only.
func goCmd(ctx context.Context, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}
