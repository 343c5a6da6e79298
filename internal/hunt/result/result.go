// Package result is hunt's one result model: the JSON contract of hunt.md
// "Outputs", plus what renderers need beyond it (the whole timeline, the
// detection catalog, structured remaining actions for translated reports).
// Every renderer reads this model and nothing else, so a conclusion can
// never differ between formats.
//
// The Go API is stable for renderers: Result and the types it holds keep
// their fields; new information is added, never renamed.
package result

import (
	"bytes"
	"encoding/json"
	"time"
)

// SchemaVersion of the hunt JSON.
const SchemaVersion = 1

// Verdicts, most serious first.
const (
	Compromised = "compromised"
	Suspicious  = "suspicious"
	Unknown     = "unknown"
	Clean       = "clean"
)

// Verdicts lists the verdicts in the order reports use.
var Verdicts = []string{Compromised, Suspicious, Unknown, Clean}

// Exit codes (hunt.md "Exit codes").
const (
	ExitClean      = 0 // nobody compromised, suspicious or unknown
	ExitFound      = 1 // a user is compromised or suspicious (compromised only with --fail-on compromised)
	ExitInput      = 2 // usage or input error
	ExitIncomplete = 3 // nobody counts for 1, but a user is unknown because logs are missing
	ExitRuntime    = 4
)

// Result is one investigation.
type Result struct {
	SchemaVersion int       `json:"schemaVersion"`
	Tool          Tool      `json:"tool"`
	GeneratedAt   time.Time `json:"generatedAt"`
	Window        Window    `json:"window"`
	Inputs        []Input   `json:"inputs"`
	Coverage      Coverage  `json:"coverage"`
	Users         []User    `json:"users"`
	Summary       Summary   `json:"summary"`

	// Detections is the catalog (titles, techniques, response steps) in
	// order, for reports.
	Detections []Detection `json:"-"`
	// Scope is the --user list ([] = every user); the victims found from
	// their attackers are in Users too.
	Scope []string `json:"-"`
	// Complete: the sign-in logs and the unified audit log both cover the
	// window. Without them no user can be clean, and a run that found no
	// user at all is no all-clear either (exit 3).
	Complete bool `json:"-"`
	// Unseen are the --user UPNs no record of the logs names: a misspelt
	// UPN or another domain, or an account without activity in the window.
	// Nothing can be said about them, so they keep the run from exit 0.
	Unseen []string `json:"-"`
	// Timeline walks every event read inside the window, in time order
	// (the CSV timeline); it is not part of the JSON. nil when unavailable.
	Timeline Events `json:"-"`
}

// Tool names the program.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Window is the investigated time range (null bounds when no record has a
// time).
type Window struct {
	From *time.Time `json:"from"`
	To   *time.Time `json:"to"`
}

// Input is one file read.
type Input struct {
	File string `json:"file"`
	// Kind is signIns, directoryAudits, unifiedAuditLog or inboxRules.
	Kind string `json:"kind"`
	// Records read, duplicates included, bad rows excluded.
	Records    int `json:"records"`
	Duplicates int `json:"duplicates"`
	BadRows    int `json:"badRows"`
}

// Coverage says what the inputs cover and what they cannot show.
type Coverage struct {
	SignIns         KindCoverage `json:"signIns"`
	DirectoryAudits KindCoverage `json:"directoryAudits"`
	UnifiedAuditLog KindCoverage `json:"unifiedAuditLog"`
	InboxRules      KindCoverage `json:"inboxRules"`
	BadRows         []BadRow     `json:"badRows"`
	Skipped         []Skipped    `json:"skipped"`
	BlindSpots      []BlindSpot  `json:"blindSpots"`
	// Retention is what the tenant keeps, from a snapshot of it (hunt
	// --snapshot); absent without one.
	Retention *Retention `json:"retention,omitempty"`
	// TrustedNetworks says where the trusted networks came from when
	// neither the baseline nor --trusted gave any: the evidence bundle's
	// trusted named locations. Absent when the responder gave them.
	TrustedNetworks *TrustedNetworks `json:"trustedNetworks,omitempty"`
}

// TrustedNetworks are the trusted networks hunt took from the tenant's
// trusted named locations, as an evidence bundle holds them: those used and
// those left out, and why.
type TrustedNetworks struct {
	Source string `json:"source"` // the bundle(s) the locations come from
	// Unavailable says why no location could be read (the source failed
	// or the bundle has none): there are then no trusted networks.
	Unavailable string            `json:"unavailable,omitempty"`
	Used        []TrustedLocation `json:"used"`
	Excluded    []TrustedLocation `json:"excluded"`
}

// TrustedLocation is one trusted IP named location.
type TrustedLocation struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Ranges []string `json:"ranges"`
	// Reason: why it was left out, or a caveat on its use.
	Reason string `json:"reason,omitempty"`
	// Code and Time let a translated report say Reason: insane (the
	// trusted-location sanity rule; Reason is the policies' text),
	// changed-in-window, changed-after-window (Time the change), range (a
	// range that cannot be read).
	Code string    `json:"-"`
	Time time.Time `json:"-"`
}

// Retention is the tenant's log retention as the audit judges it
// (TG.LOG.1-3 evaluated on a snapshot of the same tenant), and whether the
// window starts before what is kept.
type Retention struct {
	// Snapshot is the file read; Tenant its tenant's name or id.
	Snapshot string `json:"snapshot"`
	Tenant   string `json:"tenant"`
	// CollectedAt is when the snapshot was taken.
	CollectedAt *time.Time `json:"collectedAt"`
	// Known is false when the tenant's licences could not be read: the
	// days below are then the Free tier's and the UAL's unknown.
	Known bool `json:"known"`
	// SignInDays is how long Entra ID keeps sign-in and audit logs
	// (built in, from the licences), UALDays the unified audit log (0
	// without a Purview Audit licence); the licences that give them.
	SignInDays    int    `json:"signInDays"`
	SignInLicense string `json:"signInLicense"`
	UALDays       int    `json:"ualDays"`
	UALLicense    string `json:"ualLicense"`
	// Controls are TG.LOG.1-3 as the audit judged them.
	Controls []RetentionControl `json:"controls"`
	// SignInsKeptFrom / UALKeptFrom: the oldest time each is still kept
	// (the report's time less the days); WindowOlder lists the log kinds
	// (signIns, directoryAudits, unifiedAuditLog) whose retention the
	// window's start is older than.
	SignInsKeptFrom *time.Time `json:"signInsKeptFrom"`
	UALKeptFrom     *time.Time `json:"ualKeptFrom"`
	WindowOlder     []string   `json:"windowOlder"`
}

// RetentionControl is one audit control's verdict.
type RetentionControl struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	Finding string `json:"finding"`
}

// Kind returns the coverage of a log kind by its JSON name.
func (c *Coverage) Kind(name string) *KindCoverage {
	switch name {
	case "signIns":
		return &c.SignIns
	case "directoryAudits":
		return &c.DirectoryAudits
	case "unifiedAuditLog":
		return &c.UnifiedAuditLog
	case "inboxRules":
		return &c.InboxRules
	}
	return nil
}

// KindNames are the log kinds in report order.
var KindNames = []string{"signIns", "directoryAudits", "unifiedAuditLog", "inboxRules"}

// KindCoverage is one log kind's files and time range.
type KindCoverage struct {
	Files      []string   `json:"files"`
	Records    int        `json:"records"`
	Duplicates int        `json:"duplicates"`
	BadRows    int        `json:"badRows"`
	From       *time.Time `json:"from"`
	To         *time.Time `json:"to"`
}

// BadRow is a record that could not be read.
type BadRow struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Skipped is a file not read.
type Skipped struct {
	File   string `json:"file"`
	Reason string `json:"reason"`
}

// BlindSpot is something the inputs cannot show.
type BlindSpot struct {
	// Kind is the log kind concerned (signIns, ...).
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Code and Times let a translated report say Message in another
	// language: missing (no file of the kind), empty (files without a
	// record), starts-late / ends-early (the kind's range against the
	// window's: Times "from"/"to" and "window"), attacker-before /
	// attacker-after (Times "from"/"to" and "attacker").
	Code  string               `json:"-"`
	Times map[string]time.Time `json:"-"`
}

// User is one user's verdict and everything behind it.
type User struct {
	UPN              string      `json:"upn"`
	Verdict          string      `json:"verdict"`
	InitialIntrusion *time.Time  `json:"initialIntrusion"`
	Indicators       []Indicator `json:"indicators"`
	Findings         []Finding   `json:"findings"`
	// Timeline is the user's events in time order, made on demand (see
	// Events).
	Timeline         Events     `json:"timeline"`
	Artifacts        Artifacts  `json:"artifacts"`
	ResponseSeen     []Response `json:"responseSeen"`
	RemainingActions []Action   `json:"remainingActions"`
	// SeenFrom lists the attacker addresses this user signed in from,
	// when the user was found as another victim (not in the JSON: its
	// findings and indicators say it).
	SeenFrom []string `json:"-"`
}

// Indicator is an attacker indicator concerning a user.
type Indicator struct {
	// Kind is ip, userAgent, session or token.
	Kind      string     `json:"kind"`
	Value     string     `json:"value"`
	Country   *string    `json:"country"`
	ASN       *int       `json:"asn"`
	FirstSeen *time.Time `json:"firstSeen"`
	LastSeen  *time.Time `json:"lastSeen"`
}

// Finding is one detection's result for a user.
type Finding struct {
	ID         string     `json:"id"`
	Severity   string     `json:"severity"`
	Title      string     `json:"title"`
	Time       *time.Time `json:"time"`
	Summary    string     `json:"summary"`
	Attributed bool       `json:"attributed"`
	Evidence   []Evidence `json:"evidence"`
}

// Evidence points at a record.
type Evidence struct {
	File string `json:"file"`
	Line int    `json:"line"`
	// RecordID is "" for a record without an id (null in the JSON:
	// unknown values are null).
	RecordID string `json:"recordId"`
}

// MarshalJSON writes an unknown record id as null.
func (e Evidence) MarshalJSON() ([]byte, error) {
	var id *string
	if e.RecordID != "" {
		id = &e.RecordID
	}
	// Unescaped: the encoder writing the document decides on HTML escapes.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		File     string  `json:"file"`
		Line     int     `json:"line"`
		RecordID *string `json:"recordId"`
	}{e.File, e.Line, id})
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), err
}

// Event is one timeline entry. User, Country, File and Line are not in the
// per-user JSON timeline (the user is the entry's; the evidence of the
// findings names the records) but the merged CSV timeline needs them.
// Events is a sequence of timeline events in time order, made one at a
// time from the run's compact events when walked (for e := range
// u.Timeline): the timelines of a million-record investigation would
// otherwise be hundreds of megabytes of Go values held at once. A nil
// Events is empty.
type Events func(yield func(Event) bool)

// EventList is the Events of a slice (tests, small results).
func EventList(evs []Event) Events {
	return func(yield func(Event) bool) {
		for _, e := range evs {
			if !yield(e) {
				return
			}
		}
	}
}

// Len walks the events and counts them.
func (s Events) Len() int {
	n := 0
	if s != nil {
		for range s {
			n++
		}
	}
	return n
}

// MarshalJSON writes the events as a JSON array ([] when empty), text
// as is (user agents and subjects keep their < > &).
func (s Events) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	b.WriteByte('[')
	n := 0
	if s != nil {
		for e := range s {
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			if err := enc.Encode(e); err != nil {
				return nil, err
			}
		}
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON array of events (a result read back).
func (s *Events) UnmarshalJSON(b []byte) error {
	var evs []Event
	if err := json.Unmarshal(b, &evs); err != nil {
		return err
	}
	*s = EventList(evs)
	return nil
}

type Event struct {
	Time       *time.Time `json:"time"`
	Source     string     `json:"source"`
	Operation  string     `json:"operation"`
	IP         *string    `json:"ip"`
	UserAgent  *string    `json:"userAgent"`
	Session    *string    `json:"session"`
	Attacker   bool       `json:"attacker"`
	Detections []string   `json:"detections"`

	User     string `json:"-"`
	Country  string `json:"-"`
	File     string `json:"-"`
	Line     int    `json:"-"`
	RecordID string `json:"-"`
}

// Artifacts are what the attacker created, consented, sent, deleted, read
// and downloaded.
type Artifacts struct {
	RulesCreated      []Rule     `json:"rulesCreated"`
	AppsConsented     []App      `json:"appsConsented"`
	MethodsRegistered []Method   `json:"methodsRegistered"`
	DevicesRegistered []Device   `json:"devicesRegistered"`
	MailSent          []Sent     `json:"mailSent"`
	MailDeleted       []Deleted  `json:"mailDeleted"`
	MailRead          []ReadMail `json:"mailRead"`
	FilesAccessed     []File     `json:"filesAccessed"`
}

type (
	// Rule is an inbox rule created (one entry per rule-creation event).
	Rule struct {
		Name       string            `json:"name"`
		Parameters map[string]string `json:"parameters"`
	}
	// App is an application consented to.
	App struct {
		AppID       string   `json:"appId"`
		Name        string   `json:"name"`
		Scopes      []string `json:"scopes"`
		ConsentType string   `json:"consentType"`
	}
	// Method is security info registered.
	Method struct {
		Method string     `json:"method"`
		Time   *time.Time `json:"time"`
	}
	// Device is a device registered.
	Device struct {
		Name string     `json:"name"`
		Time *time.Time `json:"time"`
	}
	// Sent is mail sent, one entry per subject.
	Sent struct {
		Subject string `json:"subject"`
		Count   int    `json:"count"`
	}
	// Deleted is a message deleted.
	Deleted struct {
		Subject           string `json:"subject"`
		InternetMessageID string `json:"internetMessageId"`
	}
	// ReadMail is a message read.
	ReadMail struct {
		InternetMessageID string `json:"internetMessageId"`
		Folder            string `json:"folder"`
	}
	// File is a file accessed.
	File struct {
		Name string `json:"name"`
		Site string `json:"site"`
	}
)

// Response is containment already done.
type Response struct {
	Action string     `json:"action"`
	By     string     `json:"by"`
	Time   *time.Time `json:"time"`
	// Kind is what the action did, as policies/hunt/response names it
	// ("password reset", "service principal disabled", ...; Action is the
	// log's operation name), for translated reports.
	Kind string `json:"-"`
}

// Action is a remaining action: a sentence naming the object concerned
// (Text, in English, is what the JSON holds); Kind and Object let a
// translated report say the same in another language.
type Action struct {
	// Kind: revoke-sessions, check-account, delete-app, remove-method,
	// remove-device, remove-rule, remove-forwarding, enable-audit,
	// warn-recipients, restore-mail, review-mail-read, review-files.
	// Object["state"] tells the variants of one kind apart: revoke-sessions
	// "" (neither done), "reset" (password reset, sessions not revoked) or
	// "revoked" (the reverse); delete-app "disabled" or ""; remove-rule
	// "present" (still in the mailbox export) or "".
	Kind   string            `json:"-"`
	Object map[string]string `json:"-"`
	Text   string            `json:"-"`
}

// MarshalJSON writes the sentence.
func (a Action) MarshalJSON() ([]byte, error) { return json.Marshal(a.Text) }

// UnmarshalJSON reads the sentence (Kind and Object are lost).
func (a *Action) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &a.Text) }

// Summary counts users per verdict.
type Summary struct {
	Compromised int `json:"compromised"`
	Suspicious  int `json:"suspicious"`
	Unknown     int `json:"unknown"`
	Clean       int `json:"clean"`
}

// Detection is a catalog entry, for reports.
type Detection struct {
	ID, Title, Severity, BaseSeverity, Technique, Seed, Response string
}

// ExitCode is hunt.md's exit code: 1 when a user counts (compromised or
// suspicious; only compromised when failOnCompromised), else 3 when a user
// is unknown or the sign-in logs or the unified audit log do not cover the
// window, else 0. 1 wins over 3.
func (r *Result) ExitCode(failOnCompromised bool) int {
	found := r.Summary.Compromised > 0 || (!failOnCompromised && r.Summary.Suspicious > 0)
	switch {
	case found:
		return ExitFound
	case r.Summary.Unknown > 0 || !r.Complete || len(r.Unseen) > 0:
		return ExitIncomplete
	}
	return ExitClean
}
