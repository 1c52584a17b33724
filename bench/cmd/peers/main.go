// Command peers runs whole-process commands side by side and reports, for
// each, the median wall time and peak resident memory over several runs, and
// the ratio to a reference command measured in the same run.
//
//	peers -runs 10 -ref credchain name1='cmd args' name2='cmd args' ...
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

type result struct {
	name   string
	median time.Duration
	maxRSS int64 // KiB
}

func main() {
	runs := flag.Int("runs", 10, "runs per command")
	ref := flag.String("ref", "", "name of the reference command for ratios")
	flag.Parse()
	var results []result
	for _, arg := range flag.Args() {
		name, cmdline, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "peers: %q is not name=command\n", arg)
			os.Exit(2)
		}
		r, err := measure(name, cmdline, *runs)
		if err != nil {
			fmt.Fprintf(os.Stderr, "peers: %s: %v\n", name, err)
			os.Exit(1)
		}
		results = append(results, r)
	}
	var base result
	for _, r := range results {
		if r.name == *ref {
			base = r
		}
	}
	fmt.Printf("%-14s %12s %10s %s\n", "command", "median", "peak RSS", "time / "+*ref)
	for _, r := range results {
		ratio := "-"
		if base.median > 0 {
			ratio = fmt.Sprintf("%.1fx", float64(r.median)/float64(base.median))
		}
		fmt.Printf("%-14s %12s %8.1fMB %s\n", r.name, r.median.Round(10*time.Microsecond), float64(r.maxRSS)/1024, ratio)
	}
}

func measure(name, cmdline string, runs int) (result, error) {
	r := result{name: name}
	times := make([]time.Duration, 0, runs)
	for i := 0; i < runs; i++ {
		cmd := exec.Command("sh", "-c", "exec "+cmdline)
		cmd.Stdout = nil
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return r, fmt.Errorf("%v: %s", err, stderr.String())
		}
		times = append(times, time.Since(start))
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > r.maxRSS {
			r.maxRSS = ru.Maxrss
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	r.median = times[len(times)/2]
	return r, nil
}
