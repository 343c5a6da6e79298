package event

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Detail keys. Every reader writes the same keys whatever its source, so a
// detection states its condition once for portal CSVs, Graph JSON and the
// unified audit log alike. All are optional.
//
//	params      object  cmdlet parameters (Name -> Value); inbox rule properties
//	modified    array   [{name, old, new}] modified properties
//	targets     array   [{type, id, name, upn}] target resources
//	additional  object  additional details / extended properties (key -> value)
//	actorType   string  User, Application, ... (directory audit initiator)
//	service     string  logged-by service / UAL Workload
//	category    string  directory audit category
//	result      string  result / ResultStatus
//	resultReason string directory audit result reason
//	items       array   [{subject, internetMessageId, folder}] mail items
//	folders     array   folder paths
//	destFolder  string  destination folder of a move
//	file        object  {name, site, url}
//	mailAccess  string  MailItemsAccessed MailAccessType (Bind, Sync)
//	throttled   bool    MailItemsAccessed IsThrottled
//	mailbox     string  mailbox owner UPN (lower case)
//	objectId    string  UAL ObjectId
//	auth        array   [{method, detail, succeeded, result}] (the portal's
//	                    AuthDetails companion joined on Request ID, or
//	                    Graph's authenticationDetails)
//	deviceName  string  device display name
const (
	DParams       = "params"
	DModified     = "modified"
	DTargets      = "targets"
	DAdditional   = "additional"
	DActorType    = "actorType"
	DService      = "service"
	DCategory     = "category"
	DResult       = "result"
	DResultReason = "resultReason"
	DItems        = "items"
	DFolders      = "folders"
	DDestFolder   = "destFolder"
	DFile         = "file"
	DMailAccess   = "mailAccess"
	DThrottled    = "throttled"
	DMailbox      = "mailbox"
	DObjectID     = "objectId"
	DDeviceName   = "deviceName"
)

// JSON appends a JSON document to a byte slice: readers use it to build an
// event's Detail without maps or reflection. The caller writes keys and
// values in a valid order; commas are inserted automatically.
type JSON struct {
	B        []byte
	comma    []bool // per open container: an element was written
	afterKey bool
}

// Reset empties the writer for reuse.
func (w *JSON) Reset() { w.B, w.comma, w.afterKey = w.B[:0], w.comma[:0], false }

// value prepares for a value: after a key nothing, else a comma when the
// container already has an element.
func (w *JSON) value() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.comma); n > 0 {
		if w.comma[n-1] {
			w.B = append(w.B, ',')
		}
		w.comma[n-1] = true
	}
}

// Open starts an object ('{') or array ('[').
func (w *JSON) Open(c byte) {
	w.value()
	w.B = append(w.B, c)
	w.comma = append(w.comma, false)
}

// Close ends the innermost container.
func (w *JSON) Close(c byte) {
	w.B = append(w.B, c)
	w.comma = w.comma[:len(w.comma)-1]
}

// Key writes an object key; the next call writes its value.
func (w *JSON) Key(k string) {
	w.value()
	w.B = appendString(w.B, k)
	w.B = append(w.B, ':')
	w.afterKey = true
}

// Str writes a string value.
func (w *JSON) Str(s string) { w.value(); w.B = appendString(w.B, s) }

// Bool writes a boolean.
func (w *JSON) Bool(v bool) { w.value(); w.B = strconv.AppendBool(w.B, v) }

// Int writes an integer.
func (w *JSON) Int(v int64) { w.value(); w.B = strconv.AppendInt(w.B, v, 10) }

// Null writes null.
func (w *JSON) Null() { w.value(); w.B = append(w.B, "null"...) }

// Raw writes an already encoded JSON value.
func (w *JSON) Raw(v []byte) { w.value(); w.B = append(w.B, v...) }

// KeyStr writes a string member, skipping empty values.
func (w *JSON) KeyStr(k, v string) {
	if v != "" {
		w.Key(k)
		w.Str(v)
	}
}

// Done returns a copy of the document.
func (w *JSON) Done() []byte { return append([]byte(nil), w.B...) }

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: control characters escaped,
// invalid UTF-8 replaced (logs carry attacker-chosen text).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// AppendJSONString appends s as a JSON string.
func AppendJSONString(b []byte, s string) []byte { return appendString(b, s) }

// CanonIP returns an address in canonical form: a port stripped
// ("185.73.124.135:19823", "[2a0b:f4c2::1]:443"), IPv4-mapped IPv6
// unmapped, IPv6 compressed and lower case, zone dropped. ok is false for
// text that is no address (it is then not used as one).
func CanonIP(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return canon(a), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return canon(ap.Addr()), true
	}
	// "[v6]" without a port, or "v4:port" forms ParseAddrPort refused.
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			if a, err := netip.ParseAddr(s[1:i]); err == nil {
				return canon(a), true
			}
		}
	}
	if i := strings.LastIndexByte(s, ':'); i > 0 && strings.Count(s, ":") == 1 {
		if a, err := netip.ParseAddr(s[:i]); err == nil {
			return canon(a), true
		}
	}
	return "", false
}

func canon(a netip.Addr) string { return a.Unmap().WithZone("").String() }
