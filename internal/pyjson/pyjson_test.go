package pyjson

import (
	"bytes"
	"encoding/json"
	"os/exec"
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
