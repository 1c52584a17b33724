package configedit

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkApplyLargeConfig: one edit of a 100k-profile config (13 MB).
// Checking the edit reads only the changed section's keys again: the
// allocations stay a few times the file (they were 25x: every section's
// keys as maps, twice).
func BenchmarkApplyLargeConfig(b *testing.B) {
	var sb strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&sb, "[profile p%d]\nrole_arn = arn:aws:iam::123456789012:role/R%d\nsource_profile = base\nregion = eu-west-1\n", i, i)
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apply(text, Change{Section: "profile p50000", Key: "credential_process", Value: "credchain-aws keys process p50000"}); err != nil {
			b.Fatal(err)
		}
	}
}
