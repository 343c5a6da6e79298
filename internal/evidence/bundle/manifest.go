// Package bundle is the evidence bundle format: the directory `tenantgate
// evidence` writes and `tenantgate hunt` reads. It holds Microsoft Graph
// responses exactly as received (one file per page), a journal of the run, and
// manifest.json describing who collected what, when, with which request, and
// the SHA-256 of every file.
//
// It does not link the Graph SDK: hunt reads bundles without it. The collector
// (internal/evidence) writes through Writer; hunt opens bundles with Open.
//
// Layout of a bundle directory (0700, files 0600, every file created new):
//
//	manifest.json                          what the bundle holds (rewritten at the end of each run)
//	journal.jsonl                          append-only record of the run(s), for --resume
//	tenant/organization.json               context: the tenant, its licences
//	signIns/interactive-20231204-0001.json Graph pages, one file per page
//	directoryAudits/...  unifiedAuditLog/...  users/<upn>/...  directory/...
package bundle

import (
	"time"
)

// Format names the manifest's format; FormatVersion is bumped on an
// incompatible change.
const (
	Format        = "tenantgate-evidence"
	FormatVersion = 1
	ManifestName  = "manifest.json"
	JournalName   = "journal.jsonl"
)

// Bundle and source statuses.
const (
	StatusComplete   = "complete"   // bundle: every source read
	StatusPartial    = "partial"    // bundle: some source failed or is incomplete
	StatusFailed     = "failed"     // bundle: nothing readable
	StatusIncomplete = "incomplete" // bundle: interrupted; source: not finished (resume continues it)

	SourceOK      = "ok"
	SourceDenied  = "denied"  // 403: the credential may not read it
	SourceError   = "error"   // any other failure
	SourceSkipped = "skipped" // not asked for (e.g. per-user sources without --user)
)

// Roles of the files of a bundle.
const (
	RolePage    = "page"    // a page of a log or a list, as Graph returned it
	RoleQuery   = "query"   // the audit log query object (its filters and final status)
	RoleContext = "context" // tenant facts read to check the tenant and its retention
)

// Hunt kinds (hunt.md inputs[].kind) of log files; other files have none.
const (
	KindSignIns         = "signIns"
	KindDirectoryAudits = "directoryAudits"
	KindUnifiedAuditLog = "unifiedAuditLog"
	KindInboxRules      = "inboxRules"
)

// Manifest is manifest.json.
type Manifest struct {
	Format        string     `json:"format"`
	FormatVersion int        `json:"formatVersion"`
	BundleID      string     `json:"bundleId"`
	Tool          Tool       `json:"tool"`
	Tenant        Tenant     `json:"tenant"`
	RunBy         Principal  `json:"runBy"`
	Request       Request    `json:"request"`
	Status        string     `json:"status"`
	Runs          []Run      `json:"runs"`
	Retention     *Retention `json:"retention,omitempty"`
	Sources       []Source   `json:"sources"`
	Files         []File     `json:"files"`
	Notes         []string   `json:"notes,omitempty"`
	// Dir is where the bundle is (not written: a bundle may be moved).
	Dir string `json:"-"`
}

// Tool is the program that wrote the bundle.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Tenant is the organization the credential reached (read from Graph), and
// the --tenant the run asked for.
type Tenant struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Requested   string `json:"requested,omitempty"`
	Cloud       string `json:"cloud"`
	GraphHost   string `json:"graphHost"`
}

// Principal is who ran the collection: from the access token's claims, or
// from GET /me. Never the token itself.
type Principal struct {
	Type              string `json:"type"` // user | application | unknown
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	DisplayName       string `json:"displayName,omitempty"`
	ObjectID          string `json:"objectId,omitempty"`
	AppID             string `json:"appId,omitempty"`
	AppDisplayName    string `json:"appDisplayName,omitempty"`
	From              string `json:"from"` // "access token claims", "GET /v1.0/me", or why unknown
}

// Request is what the responder asked for. Since and Until bound the window
// every log source was asked for: hunt takes it as the coverage window.
type Request struct {
	Users          []string  `json:"users"`
	Since          time.Time `json:"since"`
	Until          time.Time `json:"until"`
	TenantWideLogs bool      `json:"tenantWideLogs"`
	// Slice is the length of the time slices the sign-in and directory audit
	// logs are read in (parallel, resumable streams).
	Slice       string   `json:"slice"`
	RecordTypes []string `json:"recordTypes"`
}

// Run is one invocation that wrote into the bundle (the first, then each
// --resume).
type Run struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Resumed  bool      `json:"resumed"`
	Requests int64     `json:"httpRequests"`
	// Outcome is the bundle's status after this run.
	Outcome string `json:"outcome"`
}

// Retention is what the tenant keeps, from its licences (the rules of
// TG.LOG.1 and TG.LOG.3), and what the window asked for has already lost.
type Retention struct {
	SignInDays   int      `json:"signInAndAuditDays"`
	SignInSource string   `json:"signInAndAuditLicense"`
	UALDays      int      `json:"unifiedAuditLogDays"`
	UALSource    string   `json:"unifiedAuditLogLicense"`
	Known        bool     `json:"known"` // false when the licences could not be read
	Warnings     []string `json:"warnings,omitempty"`
}

// Source is one stream of requests: one log for one time slice, one list, or
// one user's list. Its pages follow each other by @odata.nextLink.
type Source struct {
	ID      string     `json:"id"`     // e.g. signIns/interactive/20231204
	Source  string     `json:"source"` // e.g. signIns.interactive
	Kind    string     `json:"kind,omitempty"`
	Title   string     `json:"title"`
	User    string     `json:"user,omitempty"`
	From    *time.Time `json:"from,omitempty"` // the time slice asked for
	To      *time.Time `json:"to,omitempty"`
	Request string     `json:"request"` // the first request
	// Files is the path prefix of the source's pages: <Files>-0001.json, ...
	Files      string      `json:"files,omitempty"`
	Status     string      `json:"status"`
	HTTPStatus int         `json:"httpStatus,omitempty"`
	Code       string      `json:"code,omitempty"`
	Error      string      `json:"error,omitempty"` // Graph's message, redacted
	Pages      int         `json:"pages"`
	Records    int         `json:"records"`
	Query      *AuditQuery `json:"auditLogQuery,omitempty"`
	Note       string      `json:"note,omitempty"`
	Permission []string    `json:"permission,omitempty"`
	Licenses   []string    `json:"licenses,omitempty"`
}

// AuditQuery is the state of a Graph audit log query (the unified audit log).
type AuditQuery struct {
	ID          string `json:"id,omitempty"`
	DisplayName string `json:"displayName"`
	Status      string `json:"status,omitempty"` // notStarted | running | succeeded | failed | cancelled
	Version     string `json:"version"`          // Graph version the query lives in
}

// File is one file of the bundle.
type File struct {
	Path        string    `json:"path"` // slash-separated, relative to the bundle
	Source      string    `json:"source"`
	Kind        string    `json:"kind,omitempty"`
	Role        string    `json:"role"`
	Request     string    `json:"request"` // the GET that returned it
	Page        int       `json:"page,omitempty"`
	Records     int       `json:"records"`
	Bytes       int64     `json:"bytes"`
	SHA256      string    `json:"sha256"`
	CollectedAt time.Time `json:"collectedAt"`
}

// Failed reports whether the source ended without all its data.
func (s Source) Failed() bool {
	return s.Status != SourceOK && s.Status != SourceSkipped
}
