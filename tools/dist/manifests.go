package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"text/template"
)

const homepage = "https://github.com/credchain/credchain"

// formulaData is what packaging/homebrew/credchain.rb.tmpl is given.
type formulaData struct {
	Version, Homepage string
	Platforms         []formulaPlatform
}

type formulaPlatform struct {
	Homebrew string // macos, linux
	Archives []formulaArchive
}

type formulaArchive struct {
	CPU         string // intel, arm
	URL, SHA256 string
}

// formulaTemplate parses the formula's template.
func formulaTemplate(root string) (*template.Template, error) {
	path := filepath.Join(root, "packaging", "homebrew", "credchain.rb.tmpl")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(filepath.Base(path)).Option("missingkey=error").Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tmpl, nil
}

// writeFormula writes credchain.rb, Homebrew's formula for the macOS and
// Linux archives built, when there are any.
func writeFormula(o *options, arts []artefact, sums map[string]string) error {
	d := formulaData{Version: o.pkgVersion(), Homepage: homepage}
	for _, p := range []struct{ goos, brew string }{{"darwin", "macos"}, {"linux", "linux"}} {
		plat := formulaPlatform{Homebrew: p.brew}
		for _, cpu := range []struct{ goarch, brew string }{{"amd64", "intel"}, {"arm64", "arm"}} {
			for _, a := range arts {
				if a.kind == "archive" && a.target == (target{p.goos, cpu.goarch}) {
					plat.Archives = append(plat.Archives, formulaArchive{cpu.brew, o.baseURL + "/" + a.name, sums[a.name]})
				}
			}
		}
		if len(plat.Archives) > 0 {
			d.Platforms = append(d.Platforms, plat)
		}
	}
	if len(d.Platforms) == 0 {
		return nil
	}
	tmpl, err := formulaTemplate(o.root)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, d); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(o.out, "credchain.rb"), b.Bytes(), 0o644)
}

// scoopManifest is Scoop's app manifest (scoop.sh's schema).
type scoopManifest struct {
	Version      string                    `json:"version"`
	Description  string                    `json:"description"`
	Homepage     string                    `json:"homepage"`
	License      string                    `json:"license"`
	Architecture map[string]scoopArch      `json:"architecture"`
	PreInstall   []string                  `json:"pre_install"`
	Bin          []string                  `json:"bin"`
	Notes        []string                  `json:"notes"`
	Checkver     string                    `json:"checkver"`
	Autoupdate   map[string]map[string]any `json:"autoupdate"`
}

type scoopArch struct {
	URL  string `json:"url,omitempty"`
	Hash string `json:"hash,omitempty"`
}

// scoopArchs are Scoop's names of the Windows targets.
var scoopArchs = map[string]string{"amd64": "64bit", "arm64": "arm64"}

// writeScoop writes credchain.json, Scoop's manifest for the Windows
// archives built, when there are any. Scoop installs the two binaries and
// a copy of credchain as docker-credential-credchain.exe (Docker's name for
// the helper; a shim would run credchain under its own name), and its
// notes say how to load the PowerShell completion.
func writeScoop(o *options, arts []artefact, sums map[string]string) error {
	m := scoopManifest{
		Version:      o.pkgVersion(),
		Description:  "AWS credentials resolved exactly as boto3 does, and explained",
		Homepage:     homepage,
		License:      "Apache-2.0",
		Architecture: map[string]scoopArch{},
		PreInstall:   []string{`Copy-Item "$dir\credchain.exe" "$dir\docker-credential-credchain.exe"`},
		Bin:          []string{"credchain.exe", "credchain-aws.exe", "docker-credential-credchain.exe"},
		Notes: []string{
			"PowerShell completion: add this line to your $PROFILE:",
			`  . "$dir\completions\credchain.ps1"`,
		},
		Checkver:   "github",
		Autoupdate: map[string]map[string]any{"architecture": {}},
	}
	for _, a := range arts {
		if a.kind != "archive" || a.target.os != "windows" {
			continue
		}
		arch := scoopArchs[a.target.arch]
		m.Architecture[arch] = scoopArch{o.baseURL + "/" + a.name, sums[a.name]}
		m.Autoupdate["architecture"][arch] = scoopArch{URL: homepage + "/releases/download/v$version/credchain_$version_windows_" + a.target.arch + ".zip"}
	}
	if len(m.Architecture) == 0 {
		return nil
	}
	data, err := json.MarshalIndent(m, "", "    ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(o.out, "credchain.json"), append(data, '\n'), 0o644)
}
