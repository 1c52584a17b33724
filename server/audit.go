package server

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// AuditLog writes audit lines to a writer without ever making a request
// wait for it: a line is appended to a buffer of at most queue lines, which
// one writer goroutine takes whole and writes (one write for what came
// meanwhile). When the buffer is full (stderr on a pipe nobody reads) a
// line is dropped and counted; the count is written as soon as the writer
// moves again, and at Close. A request wakes the writer only when the
// buffer was empty: no channel operation or goroutine switch per line.
type AuditLog struct {
	w     io.Writer
	queue int
	wake  chan struct{} // one token: the buffer went from empty to not
	done  chan struct{}

	mu      sync.Mutex
	buf     []byte
	n       int // lines in buf
	dropped int64
	closed  bool
}

// auditGather is how long the writer lets lines gather after the first.
const auditGather = 5 * time.Millisecond

// DefaultAuditQueue is how many lines wait for a slow writer.
const DefaultAuditQueue = 4096

// NewAuditLog starts writing lines to w, each prefixed with "credchain: ".
func NewAuditLog(w io.Writer, queue int) *AuditLog {
	a := &AuditLog{w: w, queue: queue, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go a.run()
	return a
}

// Line queues one line; it never blocks.
func (a *AuditLog) Line(line string) {
	a.mu.Lock()
	if a.closed || a.n >= a.queue {
		a.dropped++
		a.mu.Unlock()
		return
	}
	first := a.n == 0
	a.buf = append(a.buf, "credchain: "...)
	a.buf = append(a.buf, line...)
	a.buf = append(a.buf, '\n')
	a.n++
	a.mu.Unlock()
	if first {
		select {
		case a.wake <- struct{}{}:
		default:
		}
	}
}

// Dropped is how many lines were dropped so far.
func (a *AuditLog) Dropped() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dropped
}

func (a *AuditLog) run() {
	defer close(a.done)
	var spare []byte
	reported := int64(0)
	for {
		a.mu.Lock()
		if a.n == 0 && a.dropped == reported {
			closed := a.closed
			a.mu.Unlock()
			if closed {
				return
			}
			<-a.wake
			// Let a busy server's lines gather: one write for all of them,
			// not one system call a request.
			time.Sleep(auditGather)
			continue
		}
		out := a.buf
		a.buf, a.n = spare[:0], 0
		dropped := a.dropped
		a.mu.Unlock()
		if dropped > reported {
			fmt.Fprintf(a.w, "credchain: %d audit lines dropped (the log is not being read)\n", dropped-reported)
			reported = dropped
		}
		if len(out) > 0 {
			_, _ = a.w.Write(out)
		}
		spare = out
	}
}

// Close writes what is queued and stops; lines after Close are dropped.
func (a *AuditLog) Close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
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
