//go:build unix

// Command peers runs whole-process commands side by side and reports, for
// each, the median wall time and peak resident memory over several runs, and
// the ratio to a reference command measured in the same run. Runs are
// interleaved (every command once, then again) so that a noisy machine
// slows all of them alike.
//
//	peers -runs 10 -ref credchain name1='cmd args' name2='cmd args' ...
//
// -target states a goal and prints whether this run meets it: a ratio of
// two commands' median times ("credchain/floor<=2", "boto3/credchain>=300")
// or a command's peak RSS in MB ("rss:credchain<=10"). It may be repeated.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
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
	var targets []string
	flag.Func("target", `a goal: "a/b<=x" or "a/b>=x" (ratio of median times) or "rss:a<=x" (peak RSS in MB)`, func(s string) error {
		targets = append(targets, s)
		return nil
	})
	flag.Parse()
	type command struct{ name, line string }
	var cmds []command
	for _, arg := range flag.Args() {
		name, cmdline, ok := strings.Cut(arg, "=")
		if !ok {
			fmt.Fprintf(os.Stderr, "peers: %q is not name=command\n", arg)
			os.Exit(2)
		}
		cmds = append(cmds, command{name, cmdline})
	}
	results := make([]result, len(cmds))
	times := make([][]time.Duration, len(cmds))
	for i := 0; i < *runs; i++ {
		for j, c := range cmds {
			d, rss, err := runOnce(c.line)
			if err != nil {
				fmt.Fprintf(os.Stderr, "peers: %s: %v\n", c.name, err)
				os.Exit(1)
			}
			times[j] = append(times[j], d)
			results[j].name = c.name
			results[j].maxRSS = max(results[j].maxRSS, rss)
		}
	}
	for j := range results {
		sort.Slice(times[j], func(a, b int) bool { return times[j][a] < times[j][b] })
		results[j].median = times[j][len(times[j])/2]
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
	byName := map[string]result{}
	for _, r := range results {
		byName[r.name] = r
	}
	for _, t := range targets {
		line, err := check(t, byName)
		if err != nil {
			fmt.Fprintln(os.Stderr, "peers:", err)
			os.Exit(2)
		}
		fmt.Println(line)
	}
}

// check evaluates one -target against the results.
func check(target string, byName map[string]result) (string, error) {
	op := "<="
	expr, limit, ok := strings.Cut(target, op)
	if !ok {
		op = ">="
		if expr, limit, ok = strings.Cut(target, op); !ok {
			return "", fmt.Errorf("target %q: want a/b<=x, a/b>=x or rss:a<=x", target)
		}
	}
	want, err := strconv.ParseFloat(limit, 64)
	if err != nil {
		return "", fmt.Errorf("target %q: %v", target, err)
	}
	var got float64
	var shown string
	if name, isRSS := strings.CutPrefix(expr, "rss:"); isRSS {
		r, ok := byName[name]
		if !ok {
			return "", fmt.Errorf("target %q: no command %q", target, name)
		}
		got = float64(r.maxRSS) / 1024
		shown = fmt.Sprintf("peak RSS of %s: %.1f MB (target %s %g MB)", name, got, op, want)
	} else {
		a, b, ok := strings.Cut(expr, "/")
		ra, okA := byName[a]
		rb, okB := byName[b]
		if !ok || !okA || !okB || rb.median == 0 {
			return "", fmt.Errorf("target %q: want two measured commands a/b", target)
		}
		got = float64(ra.median) / float64(rb.median)
		shown = fmt.Sprintf("%s / %s: %.2fx (target %s %gx)", a, b, got, op, want)
	}
	met := got <= want
	if op == ">=" {
		met = got >= want
	}
	verdict := "met"
	if !met {
		verdict = "NOT met"
	}
	return "  " + shown + ": " + verdict, nil
}

// runOnce runs cmdline and returns its wall time and peak RSS (KiB).
func runOnce(cmdline string) (time.Duration, int64, error) {
	cmd := exec.Command("sh", "-c", "exec "+cmdline)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%v: %s", err, stderr.String())
	}
	d := time.Since(start)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return d, rss, nil
}
