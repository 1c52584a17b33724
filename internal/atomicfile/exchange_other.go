//go:build !linux

package atomicfile

// exchange reports that no atomic exchange is available here.
func exchange(a, b string) (ok bool, err error) { return false, nil }
