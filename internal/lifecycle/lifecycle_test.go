package lifecycle

import (
	"errors"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/credchain/credchain/internal/proc"
)

// TestStopKillsOnlyARegisteredServerThatAnswers: a registered pid whose
// endpoint does not answer is a reused pid: it is not killed, and the
// stale registration goes; one that answers is stopped.
func TestStopKillsOnlyARegisteredServerThatAnswers(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sleep")
	}
	g := Registry{Dir: t.TempDir()}
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleeper.Process.Kill()
	go sleeper.Wait()
	pid := sleeper.Process.Pid
	if _, err := g.Add(Report{PID: pid, Protocol: "container", Endpoint: "http://127.0.0.1:1/credentials", Token: "secret"}); err != nil {
		t.Fatal(err)
	}
	if r, ok := g.Get(pid); !ok || r.Token != "" {
		t.Fatalf("registered %+v, %v (the token must not be kept)", r, ok)
	}
	noAnswer := func(Report) error { return errors.New("connection refused") }
	if err := g.Stop(pid, noAnswer); !errors.Is(err, ErrNotRunning) || !proc.Alive(pid) {
		t.Fatalf("Stop of a pid whose endpoint does not answer: %v, alive %v", err, proc.Alive(pid))
	}
	if _, ok := g.Get(pid); ok {
		t.Fatal("the stale registration is still there")
	}
	g.Add(Report{PID: pid, Protocol: "container", Endpoint: "http://127.0.0.1:1/credentials"})
	if err := g.Stop(pid, func(Report) error { return nil }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for proc.Alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if _, ok := g.Get(pid); ok {
		t.Fatal("the registration outlived the server")
	}
	if err := g.Stop(pid, func(Report) error { return nil }); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("a second Stop: %v", err)
	}
}
