//go:build linux

// Package packaging holds the release configuration (nfpm.yaml, the
// Homebrew formula's template) that make dist (tools/dist) builds from, and
// the test that installs what it builds.
package packaging

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/credchain/credchain/internal/motoserver"
	"github.com/credchain/credchain/internal/tmuxtest"
)

// testVersion is the version the snapshot is stamped with.
const testVersion = "v9.8.7-rc.1"

// TestReleaseSnapshot builds a release snapshot as make dist does, for
// linux/amd64 and windows/amd64, after the configuration's own check, and
// uses it as a person would: the checksums verify, every archive holds
// both binaries, completions and man pages, the formula and manifest point
// at the archives with their checksums, and the .deb, installed with dpkg
// into a root of its own, gives a pair that prints its version, completes
// a profile name in bash (through bash-completion), zsh and fish, shows
// its man page, and assumes a role against moto_server.
func TestReleaseSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release snapshot")
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("the snapshot's Linux target is linux/amd64")
	}
	for _, tool := range []string{"dpkg", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (not a Debian machine)", tool)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dist := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("go", append([]string{"run", ".", "-root", root}, args...)...)
		cmd.Dir = filepath.Join(root, "tools", "dist")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dist %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := dist("-check"); !strings.Contains(out, "the release configuration is valid") {
		t.Fatalf("dist -check: %s", out)
	}
	out := filepath.Join(t.TempDir(), "dist")
	dist("-out", out, "-targets", "linux/amd64,windows/amd64", "-version", testVersion)

	sums := verifyChecksums(t, out)
	// The same commit and version give the same bytes: anyone can rebuild
	// a release and compare it with checksums.txt.
	again := filepath.Join(t.TempDir(), "dist")
	dist("-out", again, "-targets", "linux/amd64,windows/amd64", "-version", testVersion)
	if a, b := readFile(t, filepath.Join(out, "checksums.txt")), readFile(t, filepath.Join(again, "checksums.txt")); a != b {
		t.Errorf("a second build differs:\n%s\n%s", a, b)
	}
	const v = "9.8.7-rc.1"
	tgz, zipName := "credchain_"+v+"_linux_amd64.tar.gz", "credchain_"+v+"_windows_amd64.zip"
	common := []string{"README.md", "LICENSE", "CHANGELOG.md", "completions/credchain.bash", "completions/_credchain",
		"completions/credchain.fish", "completions/credchain.ps1", "man/credchain.1", "man/credchain-export.1"}
	members := tarMembers(t, filepath.Join(out, tgz))
	for _, m := range append([]string{"credchain", "credchain-aws", "docker-credential-credchain -> credchain"}, common...) {
		if !members[m] {
			t.Errorf("%s lacks %s", tgz, m)
		}
	}
	members = zipMembers(t, filepath.Join(out, zipName))
	for _, m := range append([]string{"credchain.exe", "credchain-aws.exe"}, common...) {
		if !members[m] {
			t.Errorf("%s lacks %s", zipName, m)
		}
	}
	for _, name := range []string{tgz, zipName} {
		checkSBOM(t, filepath.Join(out, name+".sbom.json"))
	}
	checkFormula(t, out, tgz, sums[tgz])
	checkScoop(t, out, zipName, sums[zipName], v)
	deb := "credchain_9.8.7~rc.1_amd64.deb"
	for _, p := range []string{deb, "credchain-9.8.7~rc.1-1.x86_64.rpm", "credchain_9.8.7_rc1_x86_64.apk"} {
		if sums[p] == "" {
			t.Errorf("no %s among the artefacts: %v", p, keys(sums))
		}
	}
	if t.Failed() {
		return
	}
	installed := installDeb(t, filepath.Join(out, deb))
	usePair(t, installed, "vendor-completions")
	t.Run("rpm", func(t *testing.T) {
		usePair(t, installRPM(t, filepath.Join(out, "credchain-9.8.7~rc.1-1.x86_64.rpm")), "site-functions")
	})
	t.Run("apk", func(t *testing.T) {
		usePair(t, extractAPK(t, filepath.Join(out, "credchain_9.8.7_rc1_x86_64.apk")), "site-functions")
	})
}

// installRPM installs the package with rpm into a root of its own (its own
// database) and checks that erasing it leaves nothing in /usr/bin.
func installRPM(t *testing.T, pkg string) string {
	t.Helper()
	if _, err := exec.LookPath("rpm"); err != nil || os.Getuid() != 0 {
		if os.Getenv("CREDCHAIN_REQUIRE_RPM") != "" {
			t.Fatalf("rpm (as root) is required: %v", err)
		}
		t.Skip("rpm is not installed, or not root")
	}
	root := t.TempDir()
	for _, args := range [][]string{{"--root", root, "--initdb"}, {"-i", "--root", root, "--nodeps", pkg}} {
		if out, err := exec.Command("rpm", args...).CombinedOutput(); err != nil {
			t.Fatalf("rpm %v: %v %s", args, err, out)
		}
	}
	checkPackage(t, root, []string{"rpm", "--root", root, "-ql", "credchain"}, []string{"rpm", "--root", root, "-e", "credchain"},
		"/usr/bin/credchain", "/usr/bin/credchain-aws", "/usr/bin/docker-credential-credchain",
		"/usr/share/zsh/site-functions/_credchain", "/usr/share/licenses/credchain/LICENSE")
	return root
}

// extractAPK unpacks the package's data (an .apk is gzip streams one
// after the other: control, then data) into a root of its own, as apk add
// would, after checking its .PKGINFO names the package and version.
func extractAPK(t *testing.T, pkg string) string {
	t.Helper()
	f, err := os.Open(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	zr, err := gzip.NewReader(br)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	var pkginfo string
	for {
		zr.Multistream(false)
		tr := tar.NewReader(zr)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", pkg, err)
			}
			name := filepath.Clean(h.Name)
			if name == ".PKGINFO" {
				data, _ := io.ReadAll(tr)
				pkginfo = string(data)
				continue
			}
			if strings.HasPrefix(name, ".") || filepath.IsAbs(name) || strings.HasPrefix(name, "..") {
				continue // .SIGN, control scripts; never outside root
			}
			dst := filepath.Join(root, name)
			switch h.Typeflag {
			case tar.TypeDir:
				err = os.MkdirAll(dst, 0o755)
			case tar.TypeSymlink:
				if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
					err = os.Symlink(h.Linkname, dst)
				}
			case tar.TypeReg:
				if err = os.MkdirAll(filepath.Dir(dst), 0o755); err == nil {
					var data []byte
					if data, err = io.ReadAll(tr); err == nil {
						err = os.WriteFile(dst, data, os.FileMode(h.Mode).Perm())
					}
				}
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		// Drain what the tar reader left of this stream, then the next.
		if _, err := io.Copy(io.Discard, zr); err != nil {
			t.Fatal(err)
		}
		if err := zr.Reset(br); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
	}
	if !strings.Contains(pkginfo, "pkgname = credchain\n") || !strings.Contains(pkginfo, "pkgver = 9.8.7_rc1") {
		t.Errorf("%s: .PKGINFO does not name credchain 9.8.7_rc1:\n%s", pkg, pkginfo)
	}
	return root
}

// TestMakeInstall: make install from a checkout, into DESTDIR with
// PREFIX=/usr, gives the same working pair with its completions (zsh's in
// site-functions) and man pages.
func TestMakeInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both binaries")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	cmd := exec.Command("make", "install", "DESTDIR="+dest, "PREFIX=/usr", "VERSION="+testVersion)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	for _, f := range []string{"usr/bin/credchain", "usr/bin/credchain-aws", "usr/share/man/man1/credchain.1",
		"usr/share/bash-completion/completions/credchain", "usr/share/zsh/site-functions/_credchain",
		"usr/share/fish/vendor_completions.d/credchain.fish"} {
		if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
			t.Errorf("make install: %v", err)
		}
	}
	if link, err := os.Readlink(filepath.Join(dest, "usr/bin/docker-credential-credchain")); err != nil || link != "credchain" {
		t.Errorf("make install: docker-credential-credchain -> %q (%v)", link, err)
	}
	usePair(t, dest, "site-functions")
}

// verifyChecksums checks checksums.txt against every artefact and that
// every artefact is listed, and returns the sums by name.
func verifyChecksums(t *testing.T, out string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(sum) != 64 {
			t.Fatalf("checksums.txt: not sha256sum's format: %q", sc.Text())
		}
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
			t.Errorf("checksums.txt: %s does not verify", name)
		}
		sums[name] = sum
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch n := e.Name(); {
		case n == "checksums.txt", n == ".credchain-dist", n == "credchain.rb", n == "credchain.json":
		case sums[n] == "":
			t.Errorf("checksums.txt does not list %s", n)
		}
	}
	return sums
}

func tarMembers(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	m := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return m
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch h.Typeflag {
		case tar.TypeSymlink:
			m[h.Name+" -> "+h.Linkname] = true
		case tar.TypeReg:
			want := int64(0o644)
			if h.Name == "credchain" || h.Name == "credchain-aws" {
				want = 0o755
			}
			if h.Mode != want || h.Uname != "root" {
				t.Errorf("%s: %s has mode %o, owner %s", path, h.Name, h.Mode, h.Uname)
			}
			m[h.Name] = true
		}
	}
}

func zipMembers(t *testing.T, path string) map[string]bool {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	m := map[string]bool{}
	for _, f := range zr.File {
		if f.Mode().IsRegular() {
			m[f.Name] = true
		}
	}
	return m
}

// checkSBOM: a CycloneDX document naming the modules credchain is built
// from.
func checkSBOM(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat  string `json:"bomFormat"`
		Components []struct {
			Name string `json:"name"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &bom); err != nil || bom.BOMFormat != "CycloneDX" {
		t.Fatalf("%s: not a CycloneDX SBOM: %v", path, err)
	}
	names := map[string]bool{}
	for _, c := range bom.Components {
		names[c.Name] = true
	}
	for _, want := range []string{"github.com/aws/aws-sdk-go-v2", "github.com/spf13/cobra"} {
		if !names[want] {
			t.Errorf("%s does not name %s", path, want)
		}
	}
}

// checkFormula: the formula installs the Linux archive by its checksum,
// with the completions and man pages; ruby parses it when installed.
func checkFormula(t *testing.T, out, archive, sum string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "credchain.rb"))
	if err != nil {
		t.Fatal(err)
	}
	f := string(data)
	for _, want := range []string{
		"on_linux do\n    on_intel do\n      url \"https://github.com/credchain/credchain/releases/download/" + testVersion + "/" + archive + "\"\n      sha256 \"" + sum + "\"",
		`bin.install "credchain", "credchain-aws"`, `bin.install_symlink "credchain" => "docker-credential-credchain"`,
		`bash_completion.install "completions/credchain.bash" => "credchain"`, `zsh_completion.install "completions/_credchain"`,
		`fish_completion.install "completions/credchain.fish"`, `man1.install Dir["man/*.1"]`,
	} {
		if !strings.Contains(f, want) {
			t.Errorf("credchain.rb lacks %q:\n%s", want, f)
		}
	}
	if strings.Contains(f, "on_macos") {
		t.Errorf("credchain.rb names macOS, whose archives were not built:\n%s", f)
	}
	if _, err := exec.LookPath("ruby"); err == nil {
		if out, err := exec.Command("ruby", "-c", filepath.Join(out, "credchain.rb")).CombinedOutput(); err != nil {
			t.Errorf("ruby -c credchain.rb: %v %s", err, out)
		}
	}
}

// checkScoop: the manifest installs the Windows archive by its checksum,
// with the Docker helper's copy.
func checkScoop(t *testing.T, out, archive, sum, version string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, "credchain.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Version      string
		Architecture map[string]struct{ URL, Hash string }
		Bin          []string
		PreInstall   []string `json:"pre_install"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("credchain.json: %v", err)
	}
	a := m.Architecture["64bit"]
	if m.Version != version || a.Hash != sum || !strings.HasSuffix(a.URL, "/"+testVersion+"/"+archive) || len(m.Architecture) != 1 {
		t.Errorf("credchain.json does not install %s (%s): %s", archive, sum, data)
	}
	if strings.Join(m.Bin, " ") != "credchain.exe credchain-aws.exe docker-credential-credchain.exe" || len(m.PreInstall) != 1 ||
		!strings.Contains(m.PreInstall[0], `"$dir\docker-credential-credchain.exe"`) {
		t.Errorf("credchain.json: bin %v, pre_install %v", m.Bin, m.PreInstall)
	}
}

// installDeb installs the package with dpkg into a root of its own (a
// package database there, nothing of the machine's touched), and removes
// it when the test ends, checking nothing of it is left. Without root,
// dpkg-deb extracts it instead.
func installDeb(t *testing.T, deb string) string {
	t.Helper()
	root := t.TempDir()
	if os.Getuid() != 0 {
		if out, err := exec.Command("dpkg-deb", "-x", deb, root).CombinedOutput(); err != nil {
			t.Fatalf("dpkg-deb -x: %v %s", err, out)
		}
		return root
	}
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("dpkg", "--root="+root, "-i", deb).CombinedOutput(); err != nil {
		t.Fatalf("dpkg -i: %v %s", err, out)
	}
	checkPackage(t, root, []string{"dpkg", "--root=" + root, "-L", "credchain"}, []string{"dpkg", "--root=" + root, "-r", "credchain"},
		"/usr/bin/credchain", "/usr/bin/credchain-aws", "/usr/bin/docker-credential-credchain",
		"/usr/share/bash-completion/completions/credchain", "/usr/share/zsh/vendor-completions/_credchain",
		"/usr/share/fish/vendor_completions.d/credchain.fish", "/usr/share/man/man1/credchain.1.gz", "/usr/share/doc/credchain/copyright")
	return root
}

// checkPackage checks that the package manager's list of the installed
// package (list) holds every path of want and, when the test ends, that
// removing it (remove) leaves nothing in root's /usr/bin.
func checkPackage(t *testing.T, root string, list, remove []string, want ...string) {
	t.Helper()
	listed, err := exec.Command(list[0], list[1:]...).Output()
	if err != nil {
		t.Fatalf("%v: %v", list, err)
	}
	for _, w := range want {
		if !strings.Contains(string(listed)+"\n", w+"\n") {
			t.Errorf("%v does not list %s", list, w)
		}
	}
	t.Cleanup(func() {
		if out, err := exec.Command(remove[0], remove[1:]...).CombinedOutput(); err != nil {
			t.Errorf("%v: %v %s", remove, err, out)
		}
		if left, _ := filepath.Glob(filepath.Join(root, "usr/bin/*")); len(left) > 0 {
			t.Errorf("%v left %v", remove, left)
		}
	})
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// usePair runs the credchain installed under root as a person would;
// zshDir is the folder of /usr/share/zsh its completion is in.
func usePair(t *testing.T, root, zshDir string) {
	bin := filepath.Join(root, "usr", "bin")
	home := t.TempDir()
	cfg := filepath.Join(home, "config")
	env := []string{"HOME=" + home, "PATH=" + bin + ":/usr/bin:/bin", "AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"), "XDG_DATA_DIRS=" + filepath.Join(root, "usr", "share"),
		"TERM=xterm", "LANG=C.UTF-8"}
	write := func(s string) {
		if err := os.WriteFile(cfg, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("[profile alpha-dev]\nregion = eu-west-1\n[profile alpha-prod]\nregion = eu-west-1\n[profile beta]\nregion = eu-west-1\n")
	run := func(name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	for _, b := range []string{"credchain", "credchain-aws"} {
		if got := run(b, "--version"); got != "credchain "+testVersion+"\n" {
			t.Errorf("%s --version = %q", b, got)
		}
	}

	t.Run("man", func(t *testing.T) {
		if _, err := exec.LookPath("man"); err != nil {
			t.Skip("man-db is not installed")
		}
		cmd := exec.Command("man", "-P", "cat", "-M", filepath.Join(root, "usr", "share", "man"), "credchain-export")
		cmd.Env = append(env, "MANWIDTH=100")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "credchain export") || !strings.Contains(string(out), "SYNOPSIS") {
			t.Errorf("man credchain-export: %v\n%s", err, out)
		}
	})
	t.Run("bash", func(t *testing.T) {
		if _, err := os.Stat("/usr/share/bash-completion/bash_completion"); err != nil {
			if os.Getenv("CREDCHAIN_REQUIRE_TMUX") != "" {
				t.Fatal("bash-completion is not installed")
			}
			t.Skip("bash-completion is not installed")
		}
		term := tmuxtest.New(t)
		term.Bash("b", env)
		term.Keys("b", "source /usr/share/bash-completion/bash_completion", "Enter")
		term.Keys("b", "credchain export alpha-", "Tab", "Tab")
		screen := term.WaitFor("b", "alpha-prod")
		if !strings.Contains(screen, "alpha-dev") || strings.Contains(screen, "beta") {
			t.Errorf("bash completion of alpha-:\n%s", screen)
		}
	})
	t.Run("zsh", func(t *testing.T) {
		if _, err := exec.LookPath("zsh"); err != nil {
			t.Skip("zsh is not installed")
		}
		// The package's folder is one zsh looks in (Debian's zsh:
		// vendor-completions; site-functions is in fpath under
		// /usr/local, which make install's default PREFIX is); the
		// installed file there is the one compinit finds.
		dir := "/usr/share/zsh/" + zshDir
		script := `[[ ${fpath[(Ie)` + dir + `]} -gt 0 || ${fpath[(Ie)/usr/local/share/zsh/` + zshDir + `]} -gt 0 ]] || { print "not in fpath: ` + dir + `"; exit 1 }
fpath=(` + root + dir + ` $fpath)
autoload -U compinit && compinit -u -d ` + home + `/zcompdump
print -r -- "comp=${_comps[credchain]}"`
		cmd := exec.Command("zsh", "-f", "-c", script)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "comp=_credchain") {
			t.Errorf("zsh: %v\n%s", err, out)
		}
	})
	t.Run("fish", func(t *testing.T) {
		if _, err := exec.LookPath("fish"); err != nil {
			t.Skip("fish is not installed")
		}
		// fish finds vendor_completions.d under XDG_DATA_DIRS by itself.
		cmd := exec.Command("fish", "-c", "complete -C 'credchain export alpha-'")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "alpha-dev") || !strings.Contains(string(out), "alpha-prod") {
			t.Errorf("fish: %v\n%s", err, out)
		}
	})
	t.Run("role", func(t *testing.T) {
		if err := motoserver.Available(); err != nil {
			if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
				t.Fatalf("moto_server is required: %v", err)
			}
			t.Skip(err)
		}
		s, err := motoserver.Start()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		write("[profile alice]\naws_access_key_id = " + s.AccessKeyID + "\naws_secret_access_key = " + s.SecretAccessKey +
			"\n[profile ops]\nregion = us-east-1\nrole_arn = " + s.Roles["Ops"] + "\nsource_profile = alice\n")
		env = append(env, "AWS_ENDPOINT_URL="+s.URL)
		if got := run("credchain", "whoami", "--profile", "ops"); !strings.Contains(got, "assumed-role/Ops/") {
			t.Errorf("whoami through the installed pair: %s", got)
		}
		// The keys are secrets: only their names are reported.
		got := run("credchain", "export", "--profile", "ops", "--format", "env")
		for _, name := range []string{"AWS_ACCESS_KEY_ID='ASIA", "AWS_SECRET_ACCESS_KEY='", "AWS_SESSION_TOKEN='"} {
			if !strings.Contains(got, "export "+name) {
				t.Errorf("export --format env through the installed pair: no %s", name)
			}
		}
	})
}
