package incident

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// obj is a JSON object whose keys keep the order they were added in. Real
// AuditData and Graph records have a service-defined key order (CreationTime,
// Id, Operation, OrganizationId, RecordType, ...); encoding/json's maps would
// sort them, and parsers must not learn to depend on either.
type obj []kv

type kv struct {
	k string
	v any
}

func (o obj) set(k string, v any) obj { return append(o, kv{k, v}) }

// encode appends o as compact JSON. escSlash writes "/" as "\/", as the
// Exchange and Entra workloads do in AuditData (SharePoint does not: see
// testdata/real/purview-export.csv).
func (o obj) encode(b *bytes.Buffer, escSlash bool) {
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, e.k, escSlash)
		b.WriteByte(':')
		writeValue(b, e.v, escSlash)
	}
	b.WriteByte('}')
}

func (o obj) compact(escSlash bool) []byte {
	var b bytes.Buffer
	o.encode(&b, escSlash)
	return b.Bytes()
}

// MarshalJSON lets obj sit inside values encoded by encoding/json.
func (o obj) MarshalJSON() ([]byte, error) { return o.compact(false), nil }

func writeValue(b *bytes.Buffer, v any, escSlash bool) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case obj:
		x.encode(b, escSlash)
	case []obj:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			e.encode(b, escSlash)
		}
		b.WriteByte(']')
	case []string:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, e, escSlash)
		}
		b.WriteByte(']')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, e, escSlash)
		}
		b.WriteByte(']')
	case string:
		writeString(b, x, escSlash)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case rawJSON:
		b.Write(x)
	default:
		j, err := json.Marshal(x)
		if err != nil {
			panic(err) // only the package's own value types reach here
		}
		b.Write(j)
	}
}

// rawJSON is already-encoded JSON inserted as is.
type rawJSON []byte

// writeString writes s as a JSON string the way the services do: only '"',
// '\\' and control characters escaped (and "/" when escSlash), never <, >
// or &. Hand-written because it runs tens of millions of times in the bench.
func writeString(b *bytes.Buffer, s string, escSlash bool) {
	const hexd = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && (c != '/' || !escSlash) {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"', '\\', '/':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&0xf])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
