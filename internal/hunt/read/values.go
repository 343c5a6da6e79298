package read

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

func jsonUnmarshalString(b []byte, out *string) error { return json.Unmarshal(b, out) }

// keySet maps the keys a reader wants, compared case-insensitively (Graph
// writes camelCase, PowerShell tools PascalCase), to slots. One pass over a
// record's keys fills every slot; fastjson's Get would scan the keys once
// per lookup.
type keySet struct {
	idx map[string]int
	n   int
}

func newKeySet(names ...string) *keySet {
	k := &keySet{idx: make(map[string]int, len(names)), n: len(names)}
	for i, n := range names {
		k.idx[strings.ToLower(n)] = i
	}
	return k
}

// collect fills out (len k.n) with o's values for the set's keys; the
// first of repeated keys wins.
func (k *keySet) collect(o *fastjson.Object, out []*fastjson.Value) {
	clear(out)
	var low [64]byte
	o.Visit(func(key []byte, v *fastjson.Value) {
		if len(key) > len(low) {
			return
		}
		for i, c := range key {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			low[i] = c
		}
		if i, ok := k.idx[string(low[:len(key)])]; ok && out[i] == nil {
			out[i] = v
		}
	})
}

// get returns the member of o named name in any case.
func get(v *fastjson.Value, name string) *fastjson.Value {
	if v == nil {
		return nil
	}
	o, err := v.Object()
	if err != nil {
		return nil
	}
	if x := o.Get(name); x != nil {
		return x
	}
	var found *fastjson.Value
	o.Visit(func(key []byte, x *fastjson.Value) {
		if found == nil && strings.EqualFold(string(key), name) {
			found = x
		}
	})
	return found
}

// str returns a value as text: strings unquoted, numbers and booleans as
// written, null and absent as "".
func str(v *fastjson.Value) string {
	if v == nil {
		return ""
	}
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return string(b)
	case fastjson.TypeNull:
		return ""
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	}
	return string(v.MarshalTo(nil))
}

// sbytes is str without a copy for strings (valid while the parse lives).
func sbytes(v *fastjson.Value) []byte {
	if v == nil {
		return nil
	}
	if v.Type() == fastjson.TypeString {
		b, _ := v.StringBytes()
		return b
	}
	s := str(v)
	if s == "" {
		return nil
	}
	return []byte(s)
}

// integer reads a number or a numeric string; ok is false otherwise.
func integer(v *fastjson.Value) (int64, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Type() {
	case fastjson.TypeNumber:
		n, err := v.Int64()
		if err != nil {
			f, ferr := v.Float64()
			return int64(f), ferr == nil
		}
		return n, true
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// boolean reads true/false or "True"/"False".
func boolean(v *fastjson.Value) (bool, bool) {
	if v == nil {
		return false, false
	}
	switch v.Type() {
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return parseBool(string(b))
	}
	return false, false
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	}
	return false, false
}

// array returns a value's elements (nil for anything else).
func array(v *fastjson.Value) []*fastjson.Value {
	if v == nil || v.Type() != fastjson.TypeArray {
		return nil
	}
	a, _ := v.Array()
	return a
}

// parseTime reads the machine-written timestamps of the logs: RFC 3339
// with or without fraction and zone ("2023-12-12T13:50:17Z",
// "2023-06-23T16:15:11.6719696+00:00"), and the UAL's CreationTime, which is
// UTC without a zone ("2023-12-11T06:53:00"). A space may stand for the T.
// Windows PowerShell's JSON dates ("/Date(1702356617000)/", what
// Microsoft-Extractor-Suite wrote before 2024) are milliseconds since the
// epoch. Locale-written dates ("5/25/2023 11:36:35") are refused: their day
// and month order cannot be known.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "/Date(") {
		return parseMSDate(s)
	}
	if len(s) < 19 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	if s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, true
	}
	if strings.HasSuffix(s, " UTC") || strings.HasSuffix(s, "Z") {
		if t, err := time.Parse("2006-01-02T15:04:05.999999999", strings.TrimSuffix(strings.TrimSuffix(s, " UTC"), "Z")); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseMSDate reads "/Date(ms)/" or "/Date(ms+hhmm)/": the milliseconds are
// UTC; the offset only says how the writer's clock showed it.
func parseMSDate(s string) (time.Time, bool) {
	body, ok := strings.CutPrefix(s, "/Date(")
	if body, ok = strings.CutSuffix(body, ")/"); !ok {
		return time.Time{}, false
	}
	if i := strings.IndexAny(body[min(1, len(body)):], "+-"); i >= 0 {
		body = body[:i+min(1, len(body))]
	}
	ms, err := strconv.ParseInt(body, 10, 64)
	if err != nil || ms < 0 || ms > 253402300799999 {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}
