//go:build credchain_front

package cli

import "github.com/spf13/cobra"

// front is true in the front build (handover.go).
const front = true

// awsCommands: the front has none; the full build runs them.
func awsCommands(*env, *globals) []*cobra.Command { return nil }
