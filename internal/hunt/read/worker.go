package read

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// badRow is a record a mapper refused: it is counted and listed, never
// dropped silently.
type badRow struct{ reason string }

func (b *badRow) Error() string { return b.reason }

func bad(format string, args ...any) error { return &badRow{reason: fmt.Sprintf(format, args...)} }

// worker maps raw records to events; one per goroutine, so its scratch
// space (parsers, intern cache, JSON writer) needs no locking.
type worker struct {
	in     *event.Strings // this worker's own table (merged after reading)
	id     int
	p      fastjson.Parser // the record
	inner  fastjson.Parser // a record's nested JSON text (UAL AuditData in a CSV cell or a Graph string)
	j      event.JSON
	keep   func(event.Kind, string, int16) bool
	kept   map[keepKey]bool
	slots  []*fastjson.Value
	slots2 []*fastjson.Value
	file   uint32
	out    []event.Event
	auth   map[string][]AuthStep // AuthDetails rows (companion files)
}

type keepKey struct {
	kind event.Kind
	op   event.Sym
	rt   int16
}

func newWorker(id int, keep func(event.Kind, string, int16) bool) *worker {
	if keep == nil {
		keep = func(event.Kind, string, int16) bool { return true }
	}
	return &worker{id: id, in: event.NewStrings(), keep: keep, kept: map[keepKey]bool{}, slots: make([]*fastjson.Value, 64), slots2: make([]*fastjson.Value, 64)}
}

// ip interns an address in canonical form; text that is no address is
// dropped (it cannot be compared or classified).
func (w *worker) ip(s string) event.Sym {
	if s == "" {
		return 0
	}
	c, ok := event.CanonIP(s)
	if !ok {
		return 0
	}
	return w.in.Intern(c)
}

// op sets an event's operation and its comparison key.
func (w *worker) op(e *event.Event, op string) {
	e.Op = w.in.Intern(op)
	e.OpKey = w.in.Intern(event.NormOp(op))
}

func (w *worker) lower(s string) event.Sym {
	if s == "" {
		return 0
	}
	return w.in.Lower(s)
}

// wants reports whether the event is a candidate of some detection, so its
// Detail must be kept.
func (w *worker) wants(e *event.Event) bool {
	k := keepKey{e.Kind, e.OpKey, e.RecordType}
	v, ok := w.kept[k]
	if !ok {
		v = w.keep(e.Kind, w.in.Str(e.OpKey), e.RecordType)
		w.kept[k] = v
	}
	return v
}

// rowID is a record's id when its source has none (the portal's audit
// CSV, a Get-InboxRule export without RuleIdentity): a fixed hash of its
// content, the non-empty cells by column name, so the id is the same on
// every run and in every download of the row whatever its column order
// (the same row in two files is one record; only an exact repeat is a
// duplicate).
func rowID(h header, row []string) string {
	cells := make([][2]string, 0, len(row))
	for i, v := range row {
		if i < len(h.names) && v != "" {
			cells = append(cells, [2]string{h.names[i], v})
		}
	}
	slices.SortFunc(cells, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	f := fnv.New64a()
	for _, c := range cells {
		f.Write([]byte(c[0]))
		f.Write([]byte{0})
		f.Write([]byte(c[1]))
		f.Write([]byte{0})
	}
	return fmt.Sprintf("row:%016x", f.Sum64())
}

// upn reports whether s looks like a user principal name (a user, not a
// service or system identity).
func upn(s string) bool {
	i := strings.IndexByte(s, '@')
	return i > 0 && i < len(s)-1 && !strings.ContainsAny(s, " \\/")
}
