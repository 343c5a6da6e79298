// Package event is hunt's one model of the logs: every sign-in, directory
// audit record, unified audit log record and inbox rule, whatever file shape
// it came from, becomes an Event on one UTC timeline.
//
// Events are compact because a run holds millions of them: strings that
// repeat (users, operations, addresses, user agents, sessions) are interned
// as Syms; an event keeps its file, line and record id for evidence instead
// of its raw text; and the source-specific fields the detections read
// (cmdlet parameters, modified properties, affected items, ...) are kept, as
// a small normalised JSON object, only on events a detection can look at
// (Detail, decided by the detections' prefilters).
package event

import (
	"strings"
	"time"
	"unicode"
)

// Kind is a log kind: the unit of coverage (hunt.md "coverage").
type Kind uint8

// The log kinds, in the order reports list them.
const (
	SignIns Kind = 1 + iota
	DirectoryAudits
	UnifiedAuditLog
	InboxRules
)

// Kinds lists every kind in report order.
var Kinds = []Kind{SignIns, DirectoryAudits, UnifiedAuditLog, InboxRules}

// String is the kind's name in the JSON contract.
func (k Kind) String() string {
	switch k {
	case SignIns:
		return "signIns"
	case DirectoryAudits:
		return "directoryAudits"
	case UnifiedAuditLog:
		return "unifiedAuditLog"
	case InboxRules:
		return "inboxRules"
	}
	return "unknown"
}

// ParseKind is String's inverse.
func ParseKind(s string) (Kind, bool) {
	for _, k := range Kinds {
		if k.String() == s {
			return k, true
		}
	}
	return 0, false
}

// Sym is an interned string; 0 is the empty string.
type Sym uint32

// Flags are boolean facts about an event.
type Flags uint8

const (
	// Success: a sign-in that succeeded (error code 0; UAL UserLoggedIn with ErrorNumber 0 or none).
	Success Flags = 1 << iota
	// SignIn: the event is a sign-in (Entra sign-in log, or UAL RecordType 15).
	SignIn
	// Interactive: an interactive sign-in.
	Interactive
	// ByUser: initiated by a user (audit initiatedBy.user, ActorType User, UAL UserType 0 or 2).
	ByUser
	// ByApp: initiated by an application or the system.
	ByApp
)

// Event is one log record.
type Event struct {
	// Time is the event's UTC time in Unix nanoseconds; 0 for records that
	// have none (an inbox rule export is a state, not an event).
	Time int64
	// ID is the record id (AuditData.Id, RecordId, Graph id, Request ID);
	// "" when the source has none.
	ID string
	// Detail is a normalised JSON object of the fields detections read, kept
	// only for candidate events; nil otherwise (read.Details reads it again
	// for the few events that turn out to need it). Its keys are documented
	// in detail.go.
	Detail []byte

	File uint32 // index into the run's file list
	Line uint32 // physical line where the record starts (1-based)
	Rec  uint32 // ordinal of the record in its file (to read it again)
	// Off is the byte offset of the record in its file, when the file can
	// be read from there (UTF-8); -1 otherwise.
	Off int64

	User       Sym // lower-cased UPN of who did it (or whom it concerns when no one did)
	Target     Sym // lower-cased UPN of the user an audit record targets
	UserID     Sym // lower-cased object id of User, when the record gives it (sign-ins)
	Op         Sym // operation as written ("New-InboxRule", "Add application.", "SignIn")
	OpKey      Sym // NormOp(Op): the key detections compare
	IP         Sym // canonical address (port stripped, IPv6 compressed lower case)
	UA         Sym // user agent
	Session    Sym // session key (sign-in sessionId, AADSessionId, SessionId)
	Session2   Sym // a second session key the record carries, when different
	Token      Sym // unique token identifier
	Corr       Sym // correlation id
	App        Sym // application id (lower case)
	AppName    Sym
	Resource   Sym // resource id (sign-ins) / ObjectId (UAL RecordType 15)
	ClientApp  Sym // sign-in client app ("Browser", ...)
	ClientInfo Sym // Exchange ClientInfoString
	Country    Sym
	DeviceID   Sym
	ErrorCode  int32
	ASN        uint32
	RecordType int16 // UAL RecordType; 0 elsewhere
	UserType   int8  // UAL UserType; -1 unknown
	Kind       Kind
	Flags      Flags
}

// Has reports whether all of f are set.
func (e *Event) Has(f Flags) bool { return e.Flags&f == f }

// T is the event's time.
func (e *Event) T() time.Time { return time.Unix(0, e.Time).UTC() }

// NormOp is the form in which operations are compared: lower case, dashes
// unified, whitespace collapsed, and a trailing period removed (the UAL
// writes "Add application." where the directory audit log writes "Add
// application"; "Update application – Certificates and secrets management"
// comes with an en dash or a hyphen).
func NormOp(op string) string {
	var b strings.Builder
	b.Grow(len(op))
	space := false
	for _, r := range strings.TrimSpace(op) {
		switch {
		case r == '–' || r == '—' || r == '‐' || r == '‑' || r == '−':
			r = '-'
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimRight(b.String(), ".")
}

// Strings interns strings. It is not safe for concurrent writes: each
// reader goroutine fills a table of its own, and Merge moves them into the
// run's table afterwards (locking every lookup made parsing wait on a
// mutex). Concurrent reads of a table nobody writes are safe.
type Strings struct {
	ids  map[string]Sym
	strs []string
}

// NewStrings returns an empty table.
func NewStrings() *Strings {
	return &Strings{ids: map[string]Sym{"": 0}, strs: []string{""}}
}

// Intern returns s's Sym, adding it when new.
func (t *Strings) Intern(s string) Sym {
	if id, ok := t.ids[s]; ok {
		return id
	}
	// A copy: s is often a slice of a whole CSV row or JSON record, which
	// keeping would keep alive.
	s = strings.Clone(s)
	id := Sym(len(t.strs))
	t.strs = append(t.strs, s)
	t.ids[s] = id
	return id
}

// InternBytes interns b; a string seen before costs no allocation.
func (t *Strings) InternBytes(b []byte) Sym {
	if id, ok := t.ids[string(b)]; ok {
		return id
	}
	return t.Intern(string(b))
}

// Lookup returns s's Sym without adding it.
func (t *Strings) Lookup(s string) (Sym, bool) {
	id, ok := t.ids[s]
	return id, ok
}

// Str returns the string of a Sym.
func (t *Strings) Str(id Sym) string { return t.strs[id] }

// Len is the number of distinct strings (with "").
func (t *Strings) Len() int { return len(t.strs) }

// Merge interns every string of o and returns the translation from o's
// Syms to t's (o's strings are already copies: they are shared, not
// copied again).
func (t *Strings) Merge(o *Strings) []Sym {
	m := make([]Sym, len(o.strs))
	for i, s := range o.strs {
		if id, ok := t.ids[s]; ok {
			m[i] = id
			continue
		}
		id := Sym(len(t.strs))
		t.strs = append(t.strs, s)
		t.ids[s] = id
		m[i] = id
	}
	return m
}

// Remap translates every Sym of the event through m (from Merge).
func (e *Event) Remap(m []Sym) {
	e.User, e.Target, e.Op, e.OpKey = m[e.User], m[e.Target], m[e.Op], m[e.OpKey]
	e.IP, e.UA, e.Session, e.Session2 = m[e.IP], m[e.UA], m[e.Session], m[e.Session2]
	e.Token, e.Corr, e.App, e.AppName = m[e.Token], m[e.Corr], m[e.App], m[e.AppName]
	e.Resource, e.ClientApp, e.ClientInfo = m[e.Resource], m[e.ClientApp], m[e.ClientInfo]
	e.Country, e.DeviceID, e.UserID = m[e.Country], m[e.DeviceID], m[e.UserID]
}

// Lower interns s lower-cased and trimmed (UPNs, application ids).
func (t *Strings) Lower(s string) Sym {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 || c == ' ' {
			return t.Intern(strings.ToLower(strings.TrimSpace(s)))
		}
	}
	return t.Intern(s)
}
