package creds

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type fake struct {
	method string
	c      Credentials
	err    error
	calls  *int
}

func (f fake) Method() string { return f.method }
func (f fake) Retrieve(context.Context) (Credentials, error) {
	*f.calls++
	return f.c, f.err
}

func TestChainFirstFoundWinsAndErrorsStop(t *testing.T) {
	calls := 0
	chain := Chain{
		fake{method: "a", err: Skip("not here"), calls: &calls},
		fake{method: "b", c: Credentials{AccessKeyID: "B", Method: "b", Source: "b:1"}, calls: &calls},
		fake{method: "c", c: Credentials{AccessKeyID: "C"}, calls: &calls},
	}
	c, steps, err := chain.Resolve(context.Background())
	if err != nil || c.AccessKeyID != "B" || calls != 2 {
		t.Fatalf("got %v %v after %d calls", c.AccessKeyID, err, calls)
	}
	want := []string{"a skipped not here", "b found b:1", "c not tried "}
	for i, s := range steps {
		if got := s.Method + " " + s.Result + " " + s.Detail; got != want[i] {
			t.Errorf("step %d = %q, want %q", i, got, want[i])
		}
	}

	calls = 0
	boom := Errorf(KindInvalidConfig, "bad")
	chain[0] = fake{method: "a", err: boom, calls: &calls}
	_, steps, err = chain.Resolve(context.Background())
	if !errors.Is(err, boom) || calls != 1 || steps[0].Result != ResultError || steps[2].Result != ResultNotTried {
		t.Fatalf("error did not stop the chain: %v, %d calls, %+v", err, calls, steps)
	}
}

func TestNothingFoundIsNoCredentialsError(t *testing.T) {
	calls := 0
	_, _, err := Chain{fake{method: "a", err: Skip("no"), calls: &calls}}.Resolve(context.Background())
	if KindOf(err) != KindNoCredentials || err.Error() != "Unable to locate credentials" {
		t.Fatalf("err = %v", err)
	}
}

func TestPartialMessageIsBotocores(t *testing.T) {
	err := Partial("env", "AWS_SECRET_ACCESS_KEY", "")
	if err.Error() != "Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY" || KindOf(err) != KindPartialCredentials {
		t.Fatalf("err = %v", err)
	}
	if got := Partial("config-file", "aws_secret_access_key", "config:3").Error(); !strings.HasPrefix(got, "config:3: Partial credentials") {
		t.Errorf("got %q", got)
	}
}

func TestMaskKey(t *testing.T) {
	if got := MaskKey("AKIAEXAMPLE1234"); got != "****************1234" {
		t.Errorf("got %q", got)
	}
	if got := MaskKey("abc"); got != "****" {
		t.Errorf("short key: got %q", got)
	}
}
