//go:build !linux

package credchain_test

import (
	"errors"
	"testing"
)

// rerunInNetns: network namespaces are Linux's.
func rerunInNetns(*testing.T) error { return errors.New("network namespaces are Linux's") }
