package prompt

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestLineConsumesOneLine: the MFA code is one line; what follows stays in
// the stream for the command's own input.
func TestLineConsumesOneLine(t *testing.T) {
	r := strings.NewReader("123456\r\nrest of the data\n")
	got, err := Line(r)
	if err != nil || got != "123456" {
		t.Fatalf("Line = %q, %v", got, err)
	}
	rest, _ := io.ReadAll(r)
	if string(rest) != "rest of the data\n" {
		t.Errorf("left %q", rest)
	}
	if _, err := Line(strings.NewReader("")); err != io.EOF {
		t.Errorf("empty input: %v, want io.EOF", err)
	}
	if got, err := Line(strings.NewReader("654321")); err != nil || got != "654321" {
		t.Errorf("no newline: %q, %v", got, err)
	}
	if _, err := Line(strings.NewReader(strings.Repeat("x", maxLine+1))); err == nil {
		t.Error("an endless line is read")
	}
}

func TestNewSecretConfirms(t *testing.T) {
	answers := func(a ...string) Asker {
		return AskerFunc(func(context.Context, Question) (string, error) {
			s := a[0]
			a = a[1:]
			return s, nil
		})
	}
	if p, err := NewSecret(context.Background(), answers("pw", "pw"), "New: ", true); err != nil || p != "pw" {
		t.Fatalf("same twice: %q, %v", p, err)
	}
	if _, err := NewSecret(context.Background(), answers("pw", "pv"), "New: ", true); err == nil {
		t.Fatal("two different answers were accepted")
	}
	if p, err := NewSecret(context.Background(), answers("pw"), "Old: ", false); err != nil || p != "pw" {
		t.Fatalf("without confirm: %q, %v", p, err)
	}
}
