package cli

import (
	"strings"
	"testing"
)

// TestEveryCommandHasExamples keeps the --help text useful: each command
// shows examples.
func TestEveryCommandHasExamples(t *testing.T) {
	lookup := func(string) (string, bool) { return "", false }
	for _, cmd := range []string{"explain", "export", "profiles", "assume", "exec", "whoami", "serve", "lint", "console", "shell-init", "prompt", "sso login"} {
		var out, errOut strings.Builder
		args := append(strings.Fields(cmd), "--help")
		if code := Main(args, nil, &out, &errOut, lookup); code != 0 {
			t.Errorf("%s --help: exit %d: %s", cmd, code, errOut.String())
			continue
		}
		if !strings.Contains(out.String(), "Examples:") {
			t.Errorf("%s --help has no examples", cmd)
		}
	}
}
