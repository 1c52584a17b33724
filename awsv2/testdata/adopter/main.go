// Command adopter is a program in its own module, as a team adopting
// credchain writes it: awsv2.LoadConfig in place of
// config.LoadDefaultConfig, then the SDK's own clients. TestAdopterModule
// builds it with the race detector against the checkout (a replace
// directive) and runs each mode against moto_server or a counting STS.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/credchain/credchain"
	"github.com/credchain/credchain/awsv2"
)

func main() {
	ctx := context.Background()
	switch os.Args[1] {
	case "moto":
		// The one line, then clients that reach the configured endpoint
		// with boto3's keys, region and retries.
		cfg, err := awsv2.LoadConfig(ctx, credchain.WithProfile(os.Args[2]))
		check(err)
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		check(err)
		tables, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
		check(err)
		fmt.Printf("arn=%s\ntables=%s\nregion=%s\nattempts=%d\n", *id.Arn, strings.Join(tables.TableNames, ","), cfg.Region, cfg.Retryer().MaxAttempts())
	case "advisory":
		// 100 goroutines inside botocore's advisory window.
		cfg, err := awsv2.LoadConfig(ctx, credchain.WithProfile(os.Args[2]))
		check(err)
		_, err = cfg.Credentials.Retrieve(ctx)
		check(err)
		var wg sync.WaitGroup
		var failed atomic.Int32
		start := time.Now()
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if c, err := cfg.Credentials.Retrieve(ctx); err != nil || c.AccessKeyID == "" {
					failed.Add(1)
				}
			}()
		}
		wg.Wait()
		fmt.Printf("failed=%d\nelapsed_ms=%d\n", failed.Load(), time.Since(start).Milliseconds())
	case "deadline":
		// Inside the mandatory window (the clock 5 minutes ahead), a caller
		// with a 200 ms deadline while another caller's refresh is at STS.
		ahead := func() time.Time { return time.Now().Add(5 * time.Minute) }
		cfg, err := awsv2.LoadConfig(ctx, credchain.WithProfile(os.Args[2]), credchain.WithClock(ahead))
		check(err)
		_, err = cfg.Credentials.Retrieve(ctx)
		check(err)
		refreshed := make(chan error, 1)
		go func() {
			_, err := cfg.Credentials.Retrieve(ctx)
			refreshed <- err
		}()
		time.Sleep(100 * time.Millisecond)
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = cfg.Credentials.Retrieve(short)
		elapsed := time.Since(start)
		select {
		case <-refreshed:
			fmt.Println("waited_for_refresh=true")
		default:
			fmt.Println("waited_for_refresh=false")
		}
		fmt.Printf("deadline_exceeded=%v\nelapsed_ms=%d\n", errors.Is(err, context.DeadlineExceeded), elapsed.Milliseconds())
		fmt.Printf("refresh_err=%v\n", <-refreshed)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "adopter:", err)
		os.Exit(1)
	}
}
