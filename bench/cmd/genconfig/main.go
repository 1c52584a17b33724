// Command genconfig writes the benchmark configuration: genconfig DIR N.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/credchain/credchain/bench"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: genconfig DIR PROFILES")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "genconfig: PROFILES must be a positive integer")
		os.Exit(2)
	}
	if _, _, err := bench.WriteConfig(os.Args[1], n); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(bench.Target(n))
}
