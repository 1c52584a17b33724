// Command credchain resolves AWS credentials exactly like boto3 and explains,
// exports and lists them. Built with the credchain_front tag (make build) it
// is the front, which runs whatever calls AWS in credchain-aws; without it,
// all of credchain in one binary. See the README.
package main

import "github.com/credchain/credchain/internal/cli"

func main() { cli.Run() }
