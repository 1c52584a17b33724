package prompt

import (
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
