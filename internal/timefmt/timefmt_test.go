package timefmt

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	utc := func(ns int) time.Time { return time.Date(2030, 1, 2, 3, 4, 5, ns, time.UTC) }
	for in, want := range map[string]time.Time{
		"2030-01-02T03:04:05Z":             utc(0),
		"2030-01-02T03:04:05.411365Z":      utc(411365000),
		"2030-01-02 03:04:05Z":             utc(0),
		"2030-01-02T03:04:05UTC":           utc(0),
		"2030-01-02T03:04:05 UTC":          utc(0),
		"2030-01-02T05:04:05+02:00":        utc(0),
		"2030-01-02T05:04:05+0200":         utc(0),
		"2030-01-02T01:04:05.000001-02:00": utc(1000),
	} {
		got, err := Parse(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := Parse("2030-01-02T03:04:05"); !errors.Is(err, ErrNaive) {
		t.Errorf("naive timestamp: err = %v, want ErrNaive", err)
	}
	if _, err := Parse("tomorrow"); err == nil || errors.Is(err, ErrNaive) {
		t.Errorf("garbage: err = %v", err)
	}
}

func TestISOIsPythonIsoformat(t *testing.T) {
	if got := ISO(time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)); got != "2099-01-01T00:00:00+00:00" {
		t.Errorf("got %s", got)
	}
	if got := ISO(time.Date(2099, 1, 1, 0, 0, 0, 411365000, time.UTC)); got != "2099-01-01T00:00:00.411365+00:00" {
		t.Errorf("got %s", got)
	}
}
