package motoserver

import (
	"os"
	"testing"
)

// TestStart checks that the server starts, is set up, and then enforces
// authentication (the readiness probe must not use up a free request).
func TestStart(t *testing.T) {
	if err := Available(); err != nil {
		if os.Getenv("CREDCHAIN_REQUIRE_ORACLE") != "" {
			t.Fatalf("moto_server is required: %v", err)
		}
		t.Skip(err)
	}
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.AccessKeyID == "" || s.Roles["Ops"] == "" || s.Instance == "" {
		t.Fatalf("setup incomplete: %+v", s)
	}
}
