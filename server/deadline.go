package server

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultConnTimeout bounds how long a connection may go without a request
// reaching the handler: a slow client (slowloris), a half-sent request and
// an idle keep-alive connection are all closed after it.
const DefaultConnTimeout = 30 * time.Second

// reaper enforces the connection timeout without deadlines: net/http's timeouts set a
// read deadline (a runtime timer) three times a request, a tenth of the
// server's throughput. Instead every connection records when a request last
// reached the handler (one atomic store), and a sweep every few seconds
// closes those past the timeout.
type reaper struct {
	mu    sync.Mutex
	conns map[*trackedConn]struct{}
}

// trackedConn is a connection with the time a request last reached the
// handler on it (or it was accepted), in Unix nanoseconds.
type trackedConn struct {
	net.Conn
	last atomic.Int64
	r    *reaper
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.r.mu.Lock()
		delete(c.r.conns, c)
		c.r.mu.Unlock()
	})
	return c.Conn.Close()
}

// served records that a request reached the handler.
func (c *trackedConn) served(now time.Time) { c.last.Store(now.UnixNano()) }

type connKey struct{}

// connOf is the connection a request came on (nil in a handler test).
func connOf(ctx context.Context) *trackedConn {
	c, _ := ctx.Value(connKey{}).(*trackedConn)
	return c
}

// listener tracks the connections l accepts.
type trackedListener struct {
	net.Listener
	r *reaper
}

func (l trackedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	t := &trackedConn{Conn: c, r: l.r}
	t.served(time.Now())
	l.r.mu.Lock()
	l.r.conns[t] = struct{}{}
	l.r.mu.Unlock()
	return t, nil
}

// sweep closes the connections that have waited longer than timeout for a
// request, every timeout/6 until ctx is done.
func (r *reaper) sweep(ctx context.Context, timeout time.Duration) {
	tick := time.NewTicker(timeout / 6)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		r.closeIdle(time.Now(), timeout)
	}
}

func (r *reaper) closeIdle(now time.Time, timeout time.Duration) {
	limit := now.Add(-timeout).UnixNano()
	var stale []*trackedConn
	r.mu.Lock()
	for c := range r.conns {
		if c.last.Load() < limit {
			stale = append(stale, c)
		}
	}
	r.mu.Unlock()
	for _, c := range stale {
		_ = c.Close()
	}
}
