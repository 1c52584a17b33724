// Command credchain-aws is credchain's full build: every command, with the
// AWS clients. The front, credchain (cmd/credchain built with the
// credchain_front tag), runs in it whatever calls AWS; it also works on its
// own. See the README.
package main

import (
	"os"
	"runtime/debug"

	"github.com/credchain/credchain/internal/cli"
)

func main() {
	// credchain runs for milliseconds: collecting garbage costs more than it
	// saves. A larger GOGC cuts whole-process time by a third on large
	// configs; GOGC in the environment still wins.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
}
