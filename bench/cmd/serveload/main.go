// Command serveload measures credchain's credential server: it starts a
// server (container protocol) on loopback, runs -c concurrent clients for
// -d, and prints requests per second, p50/p99 latency, and the server's heap
// after the run. The load is bounded in time and goes to 127.0.0.1 only.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/server"
)

func main() {
	clients := flag.Int("c", 64, "concurrent clients")
	dur := flag.Duration("d", 10*time.Second, "duration (at most 2m)")
	flag.Parse()
	if *dur > 2*time.Minute {
		*dur = 2 * time.Minute
	}
	c := creds.Credentials{AccessKeyID: "ASIABENCH", SecretAccessKey: "s", SessionToken: "t", Expires: time.Now().Add(time.Hour)}
	srv, err := server.New(server.Container, &creds.Refreshing{Provider: static{c}})
	if err == nil {
		err = srv.Listen("127.0.0.1:0")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { _ = srv.Serve(ctx) }()
	defer cancel()

	transport := &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	var total, failed atomic.Int64
	lat := make([][]time.Duration, *clients)
	deadline := time.Now().Add(*dur)
	var wg sync.WaitGroup
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest("GET", srv.URL(), nil)
			req.Header.Set("Authorization", srv.Token)
			for time.Now().Before(deadline) {
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
				}
				lat[i] = append(lat[i], time.Since(start))
				total.Add(1)
			}
		}(i)
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(a, b int) bool { return all[a] < all[b] })
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	n := total.Load()
	fmt.Printf("requests: %d in %s with %d clients (%d failed)\n", n, *dur, *clients, failed.Load())
	fmt.Printf("throughput: %.0f requests/s\n", float64(n)/dur.Seconds())
	if len(all) > 0 {
		fmt.Printf("latency: p50 %s, p99 %s\n", all[len(all)/2].Round(time.Microsecond), all[len(all)*99/100].Round(time.Microsecond))
	}
	fmt.Printf("heap in use after the run (server and load generator, one process): %.1f MB\n", float64(ms.HeapInuse)/(1<<20))
}

type static struct{ c creds.Credentials }

func (s static) Method() string { return "static" }
func (s static) Retrieve(context.Context) (creds.Credentials, error) {
	return s.c, nil
}
