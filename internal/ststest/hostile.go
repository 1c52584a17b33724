package ststest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Hostile is a pair of test servers: URL answers every request with a 302
// redirect to Sink (another host), which records the headers of what
// reaches it; HugeURL answers 200 with a body of HugeSize bytes.
type Hostile struct {
	URL, HugeURL string
	redirect     *httptest.Server
	sink         *httptest.Server
	huge         *httptest.Server
	mu           sync.Mutex
	reached      []http.Header
}

// HugeSize is the body HugeURL streams: 200 MB.
const HugeSize = 200 << 20

// NewHostile starts the servers.
func NewHostile() *Hostile {
	h := &Hostile{}
	h.sink = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.reached = append(h.reached, r.Header.Clone())
		h.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	h.redirect = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.sink.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	h.huge = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat("<x>", 1<<14))
		for sent := 0; sent < HugeSize; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	h.URL, h.HugeURL = h.redirect.URL, h.huge.URL
	return h
}

// Reached returns the headers of every request that reached the other host.
func (h *Hostile) Reached() []http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]http.Header(nil), h.reached...)
}

// Close stops the servers.
func (h *Hostile) Close() {
	h.huge.CloseClientConnections()
	h.huge.Close()
	h.redirect.Close()
	h.sink.Close()
}
