package lint

import "testing"

func TestShellSyntax(t *testing.T) {
	for line, want := range map[string]bool{
		"helper --profile x | jq .":                 true,
		"helper > /tmp/out":                         true,
		"~/bin/helper":                              true,
		"helper $PROFILE":                           true,
		"helper *.json":                             true,
		`sh -c 'helper --profile x | jq .'`:         false, // lint's own fix
		`sh -c 'helper > "$HOME/last"'`:             false,
		`bash -c "helper $PROFILE"`:                 true, // sh expands it before the inner shell does
		`helper --name "a | b"`:                     false,
		`helper --name 'a*b'`:                       false,
		`helper a\|b`:                               false,
		`C:\bin\helper.exe --profile x`:             false,
		"/usr/local/bin/credchain keys process dev": false,
		`sh -c 'echo it'\''s' ; rm x`:               true,
	} {
		if got := shellSyntax(line); got != want {
			t.Errorf("shellSyntax(%q) = %v, want %v", line, got, want)
		}
	}
}
