package pyjson

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

func TestDumpsMatchesPython(t *testing.T) {
	values := []any{
		map[string]any{"RoleArn": "myrole"},
		map[string]any{"RoleArn": "arn:aws:iam::123456789012:role/RoleA", "ExternalId": "ext", "DurationSeconds": 1800},
		map[string]any{"b": []any{1, "x", nil, true}, "a": map[string]any{"z": "é€😀<>&/\"\\\n\x01\x7f"}},
	}
	var want []string
	if _, err := exec.LookPath("python3"); err == nil {
		in, _ := json.Marshal(values)
		cmd := exec.Command("python3", "-c", "import json,sys; print(json.dumps([json.dumps(v, sort_keys=True) for v in json.load(sys.stdin)]))")
		cmd.Stdin = bytes.NewReader(in)
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &want); err != nil {
			t.Fatal(err)
		}
	} else {
		t.Skip("python3 not found")
	}
	for i, v := range values {
		got, err := Dumps(v)
		if err != nil || got != want[i] {
			t.Errorf("Dumps(%v) = %s, %v\npython:          %s", v, got, err, want[i])
		}
	}
}

// TestNumbersAsPython: numbers decoded with UseNumber are written as
// json.dumps(json.loads(...)) writes them (a session policy in a cache key).
func TestNumbersAsPython(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip(err)
	}
	for _, lit := range []string{"1", "-0", "1.0", "1e3", "0.1", "1.5e-7", "12345678901234567890", "1e16", "2.5E+20", "0.0001", "123456789012345.6", "-2.0"} {
		out, err := exec.Command("python3", "-c", "import json,sys; print(json.dumps(json.loads(sys.argv[1])))", lit).Output()
		if err != nil {
			t.Fatal(err)
		}
		got, err := Dumps(json.Number(lit))
		if want := strings.TrimSpace(string(out)); err != nil || got != want {
			t.Errorf("%s: got %s, %v; Python %s", lit, got, err, want)
		}
	}
}
