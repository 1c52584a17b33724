package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/credchain/credchain/awsconfig"
	"github.com/credchain/credchain/cache"
)

// fileModes finds files and directories other users can read secrets from
// or write into. Unix permission bits only: on Windows access is governed by
// ACLs, which these checks do not read.
func fileModes(f Files) []Finding {
	if runtime.GOOS == "windows" {
		return nil
	}
	var out []Finding
	mode := func(path string) (os.FileMode, bool) {
		fi, err := os.Stat(path)
		if err != nil {
			return 0, false
		}
		return fi.Mode().Perm(), true
	}
	for _, file := range []struct {
		path, what string
		parsed     *awsconfig.File
	}{{f.ConfigPath, "config", f.Config}, {f.CredentialsPath, "credentials", f.Credentials}} {
		m, ok := mode(file.path)
		if !ok {
			continue
		}
		if m&0o022 != 0 {
			out = append(out, Finding{Where: file.path, Severity: Error, Check: "file-writable",
				Message: fmt.Sprintf("the %s file is writable by other users (mode %04o): anyone could add a credential_process that runs as you", file.what, m),
				Fix:     "chmod go-w " + file.path})
		}
		if m&0o044 == 0 {
			continue
		}
		switch {
		case file.what == "credentials":
			out = append(out, Finding{Where: file.path, Severity: Error, Check: "file-mode",
				Message: fmt.Sprintf("the credentials file is readable by other users (mode %04o)", m), Fix: "chmod 600 " + file.path})
		case file.parsed != nil:
			if where, ok := secretIn(file.parsed); ok {
				out = append(out, Finding{Where: where, Severity: Error, Check: "keys-readable",
					Message: fmt.Sprintf("the config file holds keys and is readable by other users (mode %04o)", m),
					Fix:     "chmod 600 " + file.path + ", or move the keys into the credentials file (mode 600)"})
			}
		}
	}
	seen := map[string]bool{}
	for _, path := range []string{f.ConfigPath, f.CredentialsPath} {
		dir := filepath.Dir(path)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		if m, ok := mode(dir); ok && m&0o022 != 0 {
			out = append(out, Finding{Where: dir, Severity: Error, Check: "dir-writable",
				Message: fmt.Sprintf("the folder of the shared files is writable by other users (mode %04o): anyone could replace them, or add a credential_process that runs as you", m),
				Fix:     "chmod go-w " + dir})
		}
	}
	home := awsconfig.ExpandUser("~", f.Env)
	for _, dir := range []string{cache.DefaultDir(home), filepath.Join(home, ".aws", "sso", "cache"), filepath.Join(home, ".aws", "login", "cache")} {
		if m, ok := mode(dir); ok && m&0o022 != 0 {
			out = append(out, Finding{Where: dir, Severity: Error, Check: "cache-writable",
				Message: fmt.Sprintf("the cache directory is writable by other users (mode %04o): anyone could plant credentials that boto3 and credchain use", m),
				Fix:     "chmod 700 " + dir})
		}
	}
	return out
}

// secretIn returns where the first secret key of file is.
func secretIn(file *awsconfig.File) (string, bool) {
	for i := 0; i < file.Len(); i++ {
		s := file.At(i)
		for _, key := range []string{"aws_secret_access_key", "aws_session_token"} {
			if v, ok := s.Lookup(key); ok && v.Raw != "" {
				return v.Pos(), true
			}
		}
	}
	return "", false
}
