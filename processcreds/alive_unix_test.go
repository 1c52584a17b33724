//go:build unix

package processcreds

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// alive reports whether pid runs (a zombie, killed but not yet reaped by
// whoever adopted it, does not).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no procfs (macOS): kill(0) is all we know
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
