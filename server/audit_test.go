package server

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestAuditNeverBlocksServing: with the audit log on a pipe nobody reads,
// the server keeps answering (it stopped after ~750 requests) and counts
// what it dropped.
func TestAuditNeverBlocksServing(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	log := NewAuditLog(w, 64)
	s, _ := start(t, Container, static)
	s.Audit = log.Line
	for i := 0; i < 3000; i++ {
		done := make(chan int, 1)
		go func() {
			code, _ := do(t, "GET", "http://"+s.Addr()+ContainerPath, map[string]string{"Authorization": s.Token})
			done <- code
		}()
		select {
		case code := <-done:
			if code != 200 {
				t.Fatalf("request %d: status %d", i, code)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("request %d blocked behind the unread audit log", i)
		}
	}
	if log.Dropped() == 0 {
		t.Error("no line was dropped although nobody reads the pipe")
	}
	// Once the reader catches up, the drop count is reported.
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
		}
	}()
	log.Close()
	w.Close()
}

// TestAuditFieldsCannotForgeLines: a path with %0A or an escape sequence
// stays on one line, escaped.
func TestAuditFieldsCannotForgeLines(t *testing.T) {
	var b strings.Builder
	log := NewAuditLog(&b, 16)
	s, _ := start(t, Container, static)
	handled := make(chan struct{}, 1)
	s.Audit = func(l string) { log.Line(l); handled <- struct{}{} }
	conn, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /x%%0Acredchain:%%20GET%%20/credentials%%20200%%1B[31m HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", s.Addr())
	_, _ = bufio.NewReader(conn).ReadString('\n')
	conn.Close()
	select {
	case <-handled:
	case <-time.After(5 * time.Second):
		t.Fatal("no audit line")
	}
	log.Close()
	out := b.String()
	if strings.Count(out, "\n") != 1 || strings.ContainsRune(out, 0x1b) || !strings.Contains(out, "/x%0Acredchain:%20GET") {
		t.Errorf("audit output %q", out)
	}
}

func TestAuditField(t *testing.T) {
	for in, want := range map[string]string{"/credentials": "/credentials", "": "-", "a b\n\x1b%": "a%20b%0A%1B%25", "é": "%C3%A9"} {
		if got := auditField(in); got != want {
			t.Errorf("auditField(%q) = %q, want %q", in, got, want)
		}
	}
}
