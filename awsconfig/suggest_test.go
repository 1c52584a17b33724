package awsconfig

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSuggest(t *testing.T) {
	names := []string{"dev", "prod", "production", "staging", "dev-admin", "ops"}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"deev", []string{"dev"}},
		{"porduction", []string{"production"}},
		{"prdo", []string{"prod"}},
		{"stagin", []string{"staging"}},
		{"admin", []string{"dev-admin"}},
		{"zzzzzz", []string{}},
		{"dev", []string{"dev-admin"}},
	} {
		if got := Suggest(tc.name, names); !cmp.Equal(got, tc.want) {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
