package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/apk"
	_ "github.com/goreleaser/nfpm/v2/deb"
	_ "github.com/goreleaser/nfpm/v2/rpm"
)

// packagers are the Linux package formats of a release.
var packagers = []string{"deb", "rpm", "apk"}

// nfpmConfig reads packaging/nfpm.yaml for t, its ${...} filled in.
func nfpmConfig(o *options, t target, bin, docs string) (nfpm.Config, error) {
	path := filepath.Join(o.root, "packaging", "nfpm.yaml")
	f, err := os.Open(path)
	if err != nil {
		return nfpm.Config{}, err
	}
	defer f.Close()
	vars := map[string]string{"ARCH": t.arch, "VERSION": o.pkgVersion(), "BIN": bin, "DOCS": docs, "ROOT": o.root}
	cfg, err := nfpm.ParseWithEnvMapping(f, func(k string) string { return vars[k] })
	if err != nil {
		return nfpm.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// packageInfo is the configuration's package for one packager, with
// nfpm's defaults and validation.
func packageInfo(cfg nfpm.Config, format string, o *options) (*nfpm.Info, error) {
	info, err := cfg.Get(format)
	if err != nil {
		return nil, fmt.Errorf("packaging/nfpm.yaml (%s): %w", format, err)
	}
	info.MTime = o.mtime
	info = nfpm.WithDefaults(info)
	if format == "apk" {
		info.Prerelease = apkSuffix(info.Prerelease)
	}
	if err := nfpm.Validate(info); err != nil {
		return nil, fmt.Errorf("packaging/nfpm.yaml (%s): %w", format, err)
	}
	return info, nil
}

// writePackages writes t's .deb, .rpm and .apk into o.out and returns
// their names.
func writePackages(o *options, t target, bin, docs string) ([]string, error) {
	cfg, err := nfpmConfig(o, t, bin, docs)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, format := range packagers {
		info, err := packageInfo(cfg, format, o)
		if err != nil {
			return nil, err
		}
		pkgr, err := nfpm.Get(format)
		if err != nil {
			return nil, err
		}
		name := pkgr.ConventionalFileName(info)
		path := filepath.Join(o.out, name)
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		info.Target = path
		err = pkgr.Package(info, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		names = append(names, name)
	}
	return names, nil
}

var (
	preRelease  = regexp.MustCompile(`^(alpha|beta|pre|rc)[.-]?([0-9]*)$`)
	gitDescribe = regexp.MustCompile(`^([0-9]+)-g[0-9a-f]+(-dirty)?$`)
)

// apkSuffix is a semantic version's pre-release as Alpine's version rules
// take it (apk refuses rc.1): rc.1 is rc1 (alpha, beta, pre alike), git
// describe's 55-gabcdef0 is git55 (a later snapshot), anything else git0.
func apkSuffix(pre string) string {
	if pre == "" {
		return ""
	}
	if m := preRelease.FindStringSubmatch(pre); m != nil {
		return m[1] + m[2]
	}
	if m := gitDescribe.FindStringSubmatch(pre); m != nil {
		return "git" + m[1]
	}
	return "git0"
}
