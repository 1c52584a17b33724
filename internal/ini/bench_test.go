package ini

import (
	"fmt"
	"strings"
	"testing"
)

// benchText is a config file of n profiles in the shapes real files mix.
func benchText(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "[profile p%05d]\nregion = eu-west-%d\noutput = json\n", i, i%3+1)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "role_arn = arn:aws:iam::%012d:role/Deploy\nsource_profile = p%05d\n", 100000000000+i, i+1)
		case 1:
			fmt.Fprintf(&b, "sso_session = corp\nsso_account_id = %012d\nsso_role_name = ReadOnly\n", 100000000000+i)
		case 2:
			fmt.Fprintf(&b, "credential_process = /usr/local/bin/helper --profile p%05d\n", i)
		case 3:
			fmt.Fprintf(&b, "# comment for p%05d\ncli_pager =\n", i)
		}
	}
	return b.String()
}

func benchParse(b *testing.B, text string) {
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseString(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse20k validates a 20,000-profile config (2.2 MB) in two
// halves at once, as every resolution does.
func BenchmarkParse20k(b *testing.B) { benchParse(b, benchText(20000)) }

// BenchmarkParseSequential20k is the same file in one pass.
func BenchmarkParseSequential20k(b *testing.B) {
	defer func(n int) { parallelMin = n }(parallelMin)
	parallelMin = 1 << 62
	benchParse(b, benchText(20000))
}
