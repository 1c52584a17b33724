package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// member is one file of an archive: its name in the archive, where its
// bytes come from (or the target of a symbolic link), and its mode.
type member struct {
	name, src, link string
	mode            os.FileMode
}

// archiveMembers lists what t's archive holds, in order: the two binaries
// (and on Unix the docker-credential-credchain link), README, LICENSE,
// CHANGELOG, completions/ and man/.
func archiveMembers(o *options, t target, bin, docs string) ([]member, error) {
	var ms []member
	for _, b := range binaries {
		ms = append(ms, member{name: t.exe(b.name), src: filepath.Join(bin, t.exe(b.name)), mode: 0o755})
	}
	if t.os != "windows" {
		ms = append(ms, member{name: "docker-credential-credchain", link: "credchain", mode: 0o777})
	}
	for _, f := range []string{"README.md", "LICENSE", "CHANGELOG.md"} {
		ms = append(ms, member{name: f, src: filepath.Join(o.root, f), mode: 0o644})
	}
	for _, dir := range []string{"completions", "man"} {
		entries, err := os.ReadDir(filepath.Join(docs, dir))
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, n := range names {
			ms = append(ms, member{name: dir + "/" + n, src: filepath.Join(docs, dir, n), mode: 0o644})
		}
	}
	return ms, nil
}

// archiveName is t's archive: credchain_VERSION_OS_ARCH.tar.gz, .zip on
// Windows.
func archiveName(o *options, t target) string {
	ext := ".tar.gz"
	if t.os == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("credchain_%s_%s_%s%s", o.pkgVersion(), t.os, t.arch, ext)
}

// writeArchive writes t's archive into o.out and returns its name. The
// files sit at the archive's top (as GoReleaser's archives do), owned by
// root, dated o.mtime, so the same commit gives the same bytes.
func writeArchive(o *options, t target, bin, docs string) (string, error) {
	ms, err := archiveMembers(o, t, bin, docs)
	if err != nil {
		return "", err
	}
	name := archiveName(o, t)
	path := filepath.Join(o.out, name)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if t.os == "windows" {
		err = writeZip(f, ms, o)
	} else {
		err = writeTarGz(f, ms, o)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return name, nil
}

func writeTarGz(w io.Writer, ms []member, o *options) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	dirs := map[string]bool{}
	for _, m := range ms {
		if dir := filepath.Dir(m.name); dir != "." && !dirs[dir] {
			dirs[dir] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: o.mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}); err != nil {
				return err
			}
		}
		h := &tar.Header{Name: m.name, Mode: int64(m.mode), ModTime: o.mtime, Uname: "root", Gname: "root", Format: tar.FormatPAX}
		if m.link != "" {
			h.Typeflag, h.Linkname = tar.TypeSymlink, m.link
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			continue
		}
		data, err := os.ReadFile(m.src)
		if err != nil {
			return err
		}
		h.Typeflag, h.Size = tar.TypeReg, int64(len(data))
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func writeZip(w io.Writer, ms []member, o *options) error {
	zw := zip.NewWriter(w)
	for _, m := range ms {
		if m.link != "" {
			return fmt.Errorf("%s: a zip archive holds no links", m.name)
		}
		data, err := os.ReadFile(m.src)
		if err != nil {
			return err
		}
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: o.mtime}
		h.SetMode(m.mode)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(data); err != nil {
			return err
		}
	}
	return zw.Close()
}
