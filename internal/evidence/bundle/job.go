package bundle

import (
	"io"
	"time"
)

// Job is one `tenantgate evidence` run, as the CLI hands it to the collector
// (internal/evidence, reached through cli's live interface).
type Job struct {
	// Parent is -o DIR: the new bundle is made in a new subdirectory of it.
	Parent string
	// Resume is the bundle to continue (--resume); the request is its own.
	Resume string
	// Users are the UPNs under investigation (--user): the logs are
	// filtered to them unless TenantWideLogs, and their per-user sources
	// (inbox rules, methods, devices, grants) are read.
	Users          []string
	Since, Until   time.Time // Until zero: the service's current time
	TenantWideLogs bool
	// Slice is the length of the time slices the sign-in and directory
	// audit logs are read in (default 24h).
	Slice time.Duration
	// RecordTypes are the unified audit log record types asked for.
	RecordTypes []string
	// QueryTimeout bounds the wait for the audit log query (--timeout).
	QueryTimeout time.Duration
	// PollInterval is the first wait between polls of the audit log query
	// (it grows by half each time, to at most a minute).
	PollInterval time.Duration
	ToolVersion  string
	// Retention computes what the tenant keeps from its organization and
	// subscribedSkus bodies (nil when unavailable), as TG.LOG.1-3 do, and
	// what the window from since has already lost by now.
	Retention func(organization, subscribedSkus []byte, since, now time.Time) *Retention
	// OnPage is called after each page is written, with the run's page
	// count so far (tests interrupt a run here).
	OnPage func(pages int)
	// Log receives warnings and notes; Progress, when set (a terminal),
	// receives a progress bar.
	Log      io.Writer
	Progress io.Writer
	// ProgressLines, when set (stderr is no terminal: a CI log, a file),
	// receives a line of the records and pages collected so far at most
	// every ProgressEvery, so a long run is not silent.
	ProgressLines io.Writer
	ProgressEvery time.Duration
}
