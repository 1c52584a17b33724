package agent

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/credchain/credchain/creds"
	"github.com/credchain/credchain/server"
	"github.com/credchain/credchain/stscreds"
)

func TestPerson(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:user/alice":                                  "alice",
		"arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_1/bob@x.com": "bob@x.com",
		"arn:aws:iam::123456789012:root":                                        "root",
		"arn:aws:sts::1:assumed-role/R/has space!":                              "hasspace",
		"": "unknown",
	} {
		if got := Person(arn); got != want {
			t.Errorf("Person(%q) = %q, want %q", arn, got, want)
		}
	}
}

// TestSessionEndsWithItsMaximum: credentials are served for the TTL, the
// last ones no longer than the session has left (STS's minimum aside),
// then the session answers ErrSessionOver, which the server turns into 403.
func TestSessionEndsWithItsMaximum(t *testing.T) {
	s, err := New("claude code", "arn:aws:iam::1:role/R", "arn:aws:iam::1:user/alice", "1", "eu-west-1", stscreds.Scope{}, "", 20*time.Minute, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if s.Scope.SourceIdentity != "alice" || s.Scope.Tags[0] != (stscreds.Tag{Key: "credchain:agent", Value: "claude code"}) || s.Scope.Tags[1].Value != s.ID {
		t.Fatalf("scope %+v", s.Scope)
	}
	now := s.Started
	s.Now = func() time.Time { return now }
	var asked []time.Duration
	assume := func(_ context.Context, d time.Duration) (creds.Credentials, error) {
		asked = append(asked, d)
		return creds.Credentials{AccessKeyID: "ASIA"}, nil
	}
	for _, at := range []time.Duration{0, 50 * time.Minute, 55 * time.Minute} {
		now = s.Started.Add(at)
		if _, err := s.Assume(context.Background(), assume); err != nil {
			t.Fatal(err)
		}
	}
	if asked[0] != 20*time.Minute || asked[1] != 15*time.Minute || asked[2] != 15*time.Minute {
		t.Fatalf("durations %v", asked)
	}
	now = s.Started.Add(time.Hour)
	_, err = s.Assume(context.Background(), assume)
	if !errors.Is(err, server.ErrSessionOver) {
		t.Fatalf("err = %v", err)
	}
	srv, _ := server.New(server.Container, creds.Func(func(context.Context) (creds.Credentials, error) { return creds.Credentials{}, err }, "agent"))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, server.ContainerPath, nil)
	req.Header.Set("Authorization", srv.Token)
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `"SessionExpired"`) {
		t.Fatalf("after the session: %d %s", rec.Code, rec.Body)
	}
}

func TestNewRefuses(t *testing.T) {
	if _, err := New("x", "r", "a", "1", "", stscreds.Scope{}, "", 10*time.Minute, time.Hour); err == nil {
		t.Error("a TTL under 15 minutes")
	}
	if _, err := New("x", "r", "a", "1", "", stscreds.Scope{}, "", time.Hour, 30*time.Minute); err == nil {
		t.Error("a maximum session under the TTL")
	}
	tags := make([]stscreds.Tag, 49)
	for i := range tags {
		tags[i] = stscreds.Tag{Key: "k" + strings.Repeat("x", i)}
	}
	if _, err := New("x", "r", "arn:aws:iam::1:user/a1", "1", "", stscreds.Scope{Tags: tags}, "", time.Hour, time.Hour); err == nil || !strings.Contains(err.Error(), "at most 50") {
		t.Errorf("49 tags and the agent's two: %v", err)
	}
}
