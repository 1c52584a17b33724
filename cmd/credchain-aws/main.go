// Command credchain-aws is credchain's full build: every command, with the
// AWS clients. The front, credchain (cmd/credchain built with the
// credchain_front tag), runs in it whatever calls AWS; it also works on its
// own. See the README.
package main

import "github.com/credchain/credchain/internal/cli"

func main() { cli.Run() }
