// Package pyjson writes JSON byte for byte like Python's
// json.dumps(obj, sort_keys=True) with the default separators (", " and
// ": ") and ensure_ascii: the encoding botocore hashes into cache keys.
package pyjson

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Dumps encodes v, which may hold strings, ints, bools, nil, []any and
// map[string]any.
func Dumps(v any) (string, error) { return dumps(v, ", ", ": ") }

// DumpsCompact is json.dumps(v, sort_keys=True, separators=(',', ':')), the
// form botocore hashes for SSO cache keys.
func DumpsCompact(v any) (string, error) { return dumps(v, ",", ":") }

func dumps(v any, item, key string) (string, error) {
	var b strings.Builder
	e := encoder{item: item, key: key}
	if err := e.encode(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

type encoder struct{ item, key string }

func (e encoder) encode(b *strings.Builder, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case int32:
		b.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case string:
		writeString(b, x)
	case json.Number:
		// json.loads makes an int of an integer literal and a float of
		// the others; json.dumps writes a float as repr does.
		if !strings.ContainsAny(string(x), ".eE") {
			if x == "-0" {
				x = "0" // int("-0")
			}
			b.WriteString(string(x))
			break
		}
		f, err := x.Float64()
		if err != nil {
			return err
		}
		b.WriteString(floatRepr(f))
	case []any:
		b.WriteByte('[')
		for i, x := range x {
			if i > 0 {
				b.WriteString(e.item)
			}
			if err := e.encode(b, x); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		// Python sorts str keys by code point; Go's string order is byte
		// order, which is the same for valid UTF-8.
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(e.item)
			}
			writeString(b, k)
			b.WriteString(e.key)
			if err := e.encode(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("pyjson: cannot encode %T", v)
	}
	return nil
}

func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20:
				fmt.Fprintf(b, `\u%04x`, r)
			case r < 0x7f:
				b.WriteRune(r)
			case r > 0xffff:
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(b, `\u%04x\u%04x`, r1, r2)
			default:
				fmt.Fprintf(b, `\u%04x`, r)
			}
		}
	}
	b.WriteByte('"')
}

// floatRepr is Python's repr of a float: the shortest digits, positional
// for exponents from -4 to 15 (with ".0" when integral), else scientific.
func floatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	if f == 0 || (math.Abs(f) >= 1e-4 && math.Abs(f) < 1e16) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	return strconv.FormatFloat(f, 'e', -1, 64)
}
