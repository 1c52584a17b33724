package server

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
)

// AuditLog writes audit lines to a writer without ever making a request
// wait for it: lines go through a bounded queue to one writer goroutine,
// and when the queue is full (stderr on a pipe nobody reads) a line is
// dropped and counted; the count is written as soon as the writer moves
// again, and at Close.
type AuditLog struct {
	w       io.Writer
	lines   chan string
	dropped atomic.Int64
	done    chan struct{}
	mu      sync.RWMutex // guards closed against a send on a closed channel
	closed  bool
}

// DefaultAuditQueue is how many lines wait for a slow writer.
const DefaultAuditQueue = 4096

// NewAuditLog starts writing lines to w, each prefixed with "credchain: ".
func NewAuditLog(w io.Writer, queue int) *AuditLog {
	a := &AuditLog{w: w, lines: make(chan string, queue), done: make(chan struct{})}
	go a.run()
	return a
}

// Line queues one line; it never blocks.
func (a *AuditLog) Line(line string) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		a.dropped.Add(1)
		return
	}
	select {
	case a.lines <- line:
	default:
		a.dropped.Add(1)
	}
}

// Dropped is how many lines were dropped so far.
func (a *AuditLog) Dropped() int64 { return a.dropped.Load() }

func (a *AuditLog) run() {
	defer close(a.done)
	var b strings.Builder
	reported := int64(0)
	for line := range a.lines {
		b.Reset()
		if d := a.dropped.Load(); d > reported {
			fmt.Fprintf(&b, "credchain: %d audit lines dropped (the log is not being read)\n", d-reported)
			reported = d
		}
		b.WriteString("credchain: ")
		b.WriteString(line)
		b.WriteByte('\n')
		// Batch what is already queued into one write.
		for n := len(a.lines); n > 0; n-- {
			b.WriteString("credchain: ")
			b.WriteString(<-a.lines)
			b.WriteByte('\n')
		}
		_, _ = io.WriteString(a.w, b.String())
	}
	if d := a.dropped.Load(); d > reported {
		fmt.Fprintf(a.w, "credchain: %d audit lines dropped (the log is not being read)\n", d-reported)
	}
}

// Close writes what is queued and stops; lines after Close are dropped.
func (a *AuditLog) Close() {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.lines)
	}
	a.mu.Unlock()
	<-a.done
}

// auditField makes a value from a request safe for one audit line: every
// byte outside printable ASCII, and the space, is written as %XX, so a
// client cannot forge a line (%0A) or send terminal escape codes.
func auditField(s string) string {
	if s == "" {
		return "-"
	}
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '%' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
