//go:build !credchain_front

package cli

import "github.com/spf13/cobra"

// front is false in the full build: every command runs here.
const front = false

// awsCommands are the commands that link AWS clients (whoami, sso, keys)
// or the stored keys (explain shows them): the front build hands them to
// the full build whole.
func awsCommands(e *env, g *globals) []*cobra.Command {
	return []*cobra.Command{newExplainCmd(e, g), newWhoamiCmd(e, g), newSSOCmd(e, g), newKeysCmd(e, g), newAgentCmd(e, g), newDockerCmd(e, g), newEKSCmd(e, g), newDockerCredentialCmd(e, g), newAssumeSAMLCmd(e, g)}
}
