// Command credchain resolves AWS credentials exactly like boto3 and explains,
// exports and lists them. See the README.
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
