// Command credchain resolves AWS credentials exactly like boto3 and explains,
// exports and lists them. See the README.
package main

import (
	"os"

	"github.com/credchain/credchain/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
}
