package bench

import (
	"context"
	"github.com/credchain/credchain/internal/profiles"
	"path/filepath"
	"testing"

	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsconfig"
)

func setup(b *testing.B, n int) []string {
	dir := b.TempDir()
	cfg, cred, err := WriteConfig(dir, n)
	if err != nil {
		b.Fatal(err)
	}
	return []string{"HOME=" + dir, "AWS_CONFIG_FILE=" + cfg, "AWS_SHARED_CREDENTIALS_FILE=" + cred, "BOTO_CONFIG=" + filepath.Join(dir, "none"), "AWS_EC2_METADATA_DISABLED=true"}
}

// lookupIn looks variables up in env (KEY=VALUE strings).
func lookupIn(env []string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		for _, kv := range env {
			if len(kv) > len(k) && kv[:len(k)] == k && kv[len(k)] == '=' {
				return kv[len(k)+1:], true
			}
		}
		return "", false
	}
}

func benchResolve(b *testing.B, n int) {
	env := setup(b, n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := credchain.NewSession(credchain.WithProfile(Target(n)), credchain.WithEnviron(env))
		c, err := s.Credentials(context.Background())
		if err != nil || c.Method != "shared-credentials-file" {
			b.Fatalf("%+v %v", c.Method, err)
		}
	}
}

// BenchmarkResolveStatic20k resolves one static profile of a 20,000-profile
// configuration (both files parsed in full, as botocore does).
func BenchmarkResolveStatic20k(b *testing.B) { benchResolve(b, 20000) }

// BenchmarkResolveStatic1 resolves the only profile of a one-profile setup.
func BenchmarkResolveStatic1(b *testing.B) { benchResolve(b, 1) }

// BenchmarkParseConfig20k parses and classifies the 20,000-profile config file.
func BenchmarkParseConfig20k(b *testing.B) {
	dir := b.TempDir()
	cfg, _, err := WriteConfig(dir, 20000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := awsconfig.ReadFile(cfg)
		if err != nil {
			b.Fatal(err)
		}
		awsconfig.Classify(f)
	}
}

// BenchmarkProfiles20k lists every profile of the 20,000-profile files (the
// work behind `credchain profiles` and --profile completion).
func BenchmarkProfiles20k(b *testing.B) {
	lookup := lookupIn(setup(b, 20000))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := profiles.All(lookup); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompleteProfile20k is the work behind one TAB on --profile
// p0100 at 20,000 profiles: the matching names, prefix first.
func BenchmarkCompleteProfile20k(b *testing.B) {
	lookup := lookupIn(setup(b, 20000))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := profiles.Names(lookup, "p0100"); err != nil {
			b.Fatal(err)
		}
	}
}
