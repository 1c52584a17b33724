package shellenv

import (
	"fmt"
	"strings"
)

// Snapshot returns the code for format (env, fish, powershell) that saves,
// in the shell variable saveVar (not exported: children never see it),
// what the shell has now in each of names, unless saveVar is already set:
// the first of several changes is the one to go back to. Restore puts it
// back.
func Snapshot(format, saveVar string, names []string, lookup func(string) (string, bool)) ([]byte, error) {
	var before Env
	for _, n := range names {
		if v, ok := lookup(n); ok {
			before.Setenv(n, v)
		} else {
			before.Unsetenv(n)
		}
	}
	restore, err := Render(format, before)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	switch format {
	case "env":
		fmt.Fprintf(&b, "[ -n \"${%s+x}\" ] || %s=%s\n", saveVar, saveVar, QuotePOSIX(string(restore)))
	case "fish":
		fmt.Fprintf(&b, "set -q %s; or set -g %s %s\n", saveVar, saveVar, QuoteFish(string(restore)))
	case "powershell":
		fmt.Fprintf(&b, "if ($null -eq $global:%s) { $global:%s = %s }\n", saveVar, saveVar, QuotePowerShell(string(restore)))
	default:
		return nil, fmt.Errorf("no snapshot for format %q", format)
	}
	return []byte(b.String()), nil
}

// Restore returns the code for format that puts back the snapshot saved in
// saveVar and forgets it, or, when the shell has none, unsets names.
func Restore(format, saveVar string, names []string) ([]byte, error) {
	var all Env
	for _, n := range names {
		all.Unsetenv(n)
	}
	clear, err := Render(format, all)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	switch format {
	case "env":
		fmt.Fprintf(&b, "if [ -n \"${%s+x}\" ]; then eval \"$%s\"; unset %s; else\n%sfi\n", saveVar, saveVar, saveVar, clear)
	case "fish":
		fmt.Fprintf(&b, "if set -q %s\nprintf '%%s\\n' $%s | source\nset -e %s\nelse\n%send\n", saveVar, saveVar, saveVar, clear)
	case "powershell":
		fmt.Fprintf(&b, "if ($null -ne $global:%s) { Invoke-Expression $global:%s; Remove-Variable -Name %s -Scope Global } else {\n%s}\n", saveVar, saveVar, saveVar, clear)
	default:
		return nil, fmt.Errorf("no restore for format %q", format)
	}
	return []byte(b.String()), nil
}
