// Package timefmt parses the timestamps botocore reads with dateutil (expiry
// times from credential_process, the environment and cache files) and formats
// them the way the AWS CLI prints them.
package timefmt

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNaive is returned for a timestamp without a time zone. botocore accepts
// such a value and then crashes comparing it with the current time
// (TypeError: can't subtract offset-naive and offset-aware datetimes).
var ErrNaive = errors.New("timestamp has no time zone (add Z or an offset such as +00:00)")

var layouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999Z07",
	"2006-01-02T15:04Z07:00",
}

// Parse accepts ISO 8601 timestamps as they occur in practice: "T" or a space
// between date and time, optional fractional seconds, and a zone given as Z,
// ±hh:mm, ±hhmm, ±hh, or the names UTC/GMT (the AWS CLI's cache writes
// "...UTC").
func Parse(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if len(v) > 10 && v[10] == ' ' {
		v = v[:10] + "T" + v[11:]
	}
	for _, suffix := range []string{" UTC", " GMT", "UTC", "GMT"} {
		if strings.HasSuffix(v, suffix) {
			v = strings.TrimSuffix(v, suffix) + "Z"
			break
		}
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, nil
		}
	}
	for _, l := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if _, err := time.Parse(l, v); err == nil {
			return time.Time{}, fmt.Errorf("%q: %w", s, ErrNaive)
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 timestamp (expected e.g. 2030-01-02T15:04:05Z)", s)
}

// ISO formats t like Python's datetime.isoformat(): "+00:00" rather than "Z",
// microseconds only when non-zero.
func ISO(t time.Time) string {
	t = t.Round(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05-07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000-07:00")
}
