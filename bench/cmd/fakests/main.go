// Command fakests serves the recording STS test server on 127.0.0.1 for
// the peer benchmarks: it prints its URL, then one line per STS call, and
// stops after -for.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/credchain/credchain/internal/ststest"
)

func main() {
	d := flag.Duration("for", 10*time.Minute, "how long to serve")
	flag.Parse()
	s := ststest.New()
	defer s.Close()
	fmt.Println(s.URL)
	deadline := time.After(*d)
	for {
		select {
		case <-deadline:
			return
		case <-time.After(50 * time.Millisecond):
			for _, c := range s.Calls() {
				fmt.Fprintf(os.Stdout, "CALL %s %s\n", c.Params["Action"], c.Params["RoleArn"])
			}
		}
	}
}
