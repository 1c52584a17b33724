// Command floor is the floor of the large-configuration benchmark: a Go
// program that reads the config and credentials files the environment
// names (as credchain does) and scans every line of both, counting the
// section headers. No parser can do less and still look at every line, so
// credchain's time on the same files is quoted as a multiple of it.
package main

import (
	"bytes"
	"fmt"
	"os"
)

func main() {
	headers := 0
	for _, env := range []string{"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"} {
		data, err := os.ReadFile(os.Getenv(env))
		if err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		for len(data) > 0 {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			if line = bytes.TrimSpace(line); len(line) > 0 && line[0] == '[' {
				headers++
			}
		}
	}
	fmt.Println(headers, "sections")
}
