package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { register(newEvidenceCmd) }

// EvidenceLive collects an evidence bundle. cmd/tenantgate's live
// implementation provides it (internal/evidence); a Live without it has no
// evidence support.
type EvidenceLive interface {
	Evidence(ctx context.Context, opts conn.Options, job bundle.Job) (*bundle.Manifest, error)
}

type evidenceOptions struct {
	conn           conn.Options
	recordTypes    []string
	addRecordTypes []string
	users          []string
	since, until   string
	output         string
	resume         string
	timeout        time.Duration
	pollInterval   time.Duration
	slice          time.Duration
	tenantWideLogs bool
	baseline       string
}

func newEvidenceCmd(app *App) *cobra.Command {
	o := &evidenceOptions{}
	cmd := &cobra.Command{
		Use:   "evidence",
		Short: "Collect an incident's logs into a hashed, resumable bundle",
		Long: `Collect the logs of an incident window from the tenant into an evidence bundle:
sign-ins (interactive and non-interactive, Graph beta), directory audits, the
unified audit log (through the Graph audit log query API), and, for each
--user, their inbox rules, authentication methods, registered and owned
devices, delegated permission grants and app role assignments; plus the service
principals and the applications created in the window, the delegated grants for
all users (AllPrincipals consents, which no user's list shows), and for each
service principal created in the window every grant to it, the app role
assignments granted to it and who is assigned to it; and the tenant's named
locations (hunt takes the trusted ones as its trusted networks when neither its
baseline nor --trusted gives any).

Every response is stored exactly as Graph returned it, one file per page,
in a new directory DIR/<tenant>-<time>/ (0700; files 0600, created new,
never through a link), with manifest.json: tool version, tenant, who ran
it (from the token's claims or /me; never the token), the request of every
file, when it was collected, its record count and SHA-256, and the sources
that failed with Graph's error. A bundle is never overwritten: each run
makes a new one. hunt reads it: tenantgate hunt DIR/<tenant>-<time>.

Logs are read in time slices (--slice, default a day) in parallel
(--concurrency), each following @odata.nextLink with Retry-After honoured.
An interrupted run (Ctrl-C, a lost connection, an audit log query still
running after --timeout) continues with --resume BUNDLE: pages already on
disk and verified against the journal are not fetched again, and links read
back from it are held to the endpoint like live ones.

--since older than what the tenant keeps (its licences, as TG.LOG.1-3 count
them: 7 or 30 days of Entra sign-ins and audits, 180 days or more of the
unified audit log) is warned about, naming what is already gone.

The unified audit log is asked for these record types (auditLogRecordType),
the ones hunt reads:
` + recordTypeHelp() + `
--record-types replaces them and --add-record-types adds to them (Graph's
documented auditLogRecordType values, in any case; anything else is a usage
error): leaving one of these out blinds hunt to what it shows.

Exit codes: 0 every source collected; 3 partial (a source denied, failed or
unfinished: see the manifest and the warnings); 4 nothing could be read, or
the credential reaches another tenant (nothing written); 2 bad flags, or a
--resume bundle that was changed since it was written.`,
		Example: `  tenantgate evidence --tenant contoso.onmicrosoft.com \
    --user johanna@contoso.com --since 2023-12-04 -o evidence
  # all users, through the end of 12-13:
  tenantgate evidence --tenant contoso.onmicrosoft.com \
    --since 2023-12-04T00:00:00Z --until 2023-12-13 -o evidence
  tenantgate evidence --resume evidence/contoso.onmicrosoft.com-20231214T090000Z
  tenantgate hunt evidence/contoso.onmicrosoft.com-20231214T090000Z`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runEvidence(cmd, app, o) },
	}
	f := cmd.Flags()
	f.StringSliceVar(&o.users, "user", nil, "UPN under investigation (repeatable, comma-separated): filters the logs (unless --tenant-wide-logs) and adds the user's rules, methods, devices and grants")
	f.StringVar(&o.since, "since", "", "start of the window: RFC 3339 or a date (its start in UTC); required")
	f.StringVar(&o.until, "until", "", "end of the window, excluded: RFC 3339 or a date (through its end in UTC, as hunt reads it); default: now, by the service's clock")
	f.StringVarP(&o.output, "output", "o", "", "directory in which the new bundle directory is made; required")
	f.StringVar(&o.resume, "resume", "", "continue the bundle at this directory (its own window and users)")
	f.DurationVar(&o.timeout, "timeout", 30*time.Minute, "how long to wait for the audit log query to finish before leaving it for --resume")
	f.DurationVar(&o.slice, "slice", 24*time.Hour, "length of the time slices sign-ins and directory audits are read in")
	f.BoolVar(&o.tenantWideLogs, "tenant-wide-logs", false, "with --user: read the logs of every user (to find other victims), the per-user sources for --user only")
	f.StringSliceVar(&o.recordTypes, "record-types", nil, "unified audit log record types to ask for instead of the ones hunt reads (listed above; comma-separated)")
	f.StringSliceVar(&o.addRecordTypes, "add-record-types", nil, "unified audit log record types to ask for besides the ones hunt reads (e.g. microsoftTeams; comma-separated)")
	f.StringVar(&o.baseline, "baseline", "", "baseline whose licence map gives the retention (default: the embedded baseline)")
	f.DurationVar(&o.pollInterval, "poll-interval", 5*time.Second, "first wait between polls of the audit log query")
	_ = f.MarkHidden("poll-interval")
	addConnFlags(cmd, &o.conn)
	return cmd
}

// recordTypeHelp lists the default record types and what hunt reads in
// each, for --help.
func recordTypeHelp() string {
	var b strings.Builder
	for _, n := range bundle.RecordTypeNeeds {
		fmt.Fprintf(&b, "  %s\n      %s\n", n.Type, textcol.Indent(n.Why, 80, 6))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// recordTypes is the audit log query's record types: the defaults, or
// --record-types, plus --add-record-types, each a documented
// auditLogRecordType (its wire form), once.
func recordTypes(o *evidenceOptions) ([]string, error) {
	if o.recordTypes == nil && o.addRecordTypes == nil {
		return nil, nil // the collector's default
	}
	base := bundle.DefaultRecordTypes()
	if o.recordTypes != nil {
		base = o.recordTypes
	}
	var out []string
	add := func(flag string, list []string) error {
		for _, v := range list {
			if strings.TrimSpace(v) == "" {
				continue
			}
			t, err := bundle.RecordType(v)
			if err != nil {
				return usagef("%s: %v", flag, err)
			}
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
		return nil
	}
	if err := add("--record-types", base); err != nil {
		return nil, err
	}
	if err := add("--add-record-types", o.addRecordTypes); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, usagef("--record-types: no record type left to ask for")
	}
	return out, nil
}

// parseWhen reads RFC 3339 or a date: its start, or with end its end (the
// next midnight, the window's end being excluded), as hunt reads dates.
func parseWhen(flag, v string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	return time.Time{}, usagef("--%s %q: want RFC 3339 (2023-12-04T00:00:00Z) or a date (2023-12-04)", flag, v)
}

func runEvidence(cmd *cobra.Command, app *App, o *evidenceOptions) error {
	ctx := cmd.Context()
	job := bundle.Job{Resume: o.resume, Parent: o.output, TenantWideLogs: o.tenantWideLogs, Slice: o.slice,
		QueryTimeout: o.timeout, PollInterval: o.pollInterval, ToolVersion: Version, Log: app.Stderr}
	if o.resume != "" {
		for _, name := range []string{"since", "until", "user", "output", "tenant-wide-logs", "slice", "record-types", "add-record-types"} {
			if cmd.Flags().Changed(name) {
				return usagef("--%s cannot be given with --resume: a resumed bundle keeps its own request", name)
			}
		}
	} else {
		if o.since == "" || o.output == "" {
			return usagef("evidence needs --since and --output DIR (or --resume BUNDLE)")
		}
		var err error
		if job.Since, err = parseWhen("since", o.since, false); err != nil {
			return err
		}
		if o.until != "" {
			if job.Until, err = parseWhen("until", o.until, true); err != nil {
				return err
			}
			if !job.Since.Before(job.Until) {
				return usagef("--since %s is not before the end of --until %s", o.since, o.until)
			}
		}
		for _, u := range o.users {
			if u = strings.TrimSpace(u); u != "" {
				if !strings.Contains(u, "@") {
					return usagef("--user %q: want a user principal name (user@domain)", u)
				}
				job.Users = append(job.Users, u)
			}
		}
		if o.tenantWideLogs && len(job.Users) == 0 {
			return usagef("--tenant-wide-logs goes with --user (without --user every log is tenant-wide)")
		}
		if o.slice < time.Hour {
			return usagef("--slice must be at least 1h")
		}
		if job.RecordTypes, err = recordTypes(o); err != nil {
			return err
		}
	}
	if o.timeout <= 0 || o.pollInterval <= 0 {
		return usagef("--timeout and --poll-interval must be positive")
	}
	if _, _, err := o.conn.Resolve(); err != nil {
		return usageError{err}
	}
	if o.conn.Concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	b, err := loadBaseline(o.baseline, false)
	if err != nil {
		return err
	}
	live, ok := app.Live.(EvidenceLive)
	if !ok {
		return &ExitError{Code: report.ExitRuntime, Err: errors.New("this build of tenantgate has no live Graph support for evidence")}
	}
	eng, err := engine.New(ctx, Version)
	if err != nil {
		return err
	}
	job.Retention = retentionFor(ctx, eng, b)
	if app.terminal(app.Stderr) {
		job.Progress = app.rawStderr()
	} else {
		// a CI log or a file: a line now and then, so a long (throttled)
		// run is not silent
		job.ProgressLines, job.ProgressEvery = app.Stderr, evidenceProgressEvery
	}
	o.conn.Log = app.Stderr
	m, err := live.Evidence(ctx, o.conn, job)
	if err != nil {
		if inputerr.Is(err) {
			return err
		}
		return &ExitError{Code: report.ExitRuntime, Err: err}
	}
	return reportEvidence(app, m, job)
}

// evidenceProgressEvery is how often evidence writes a progress line when
// stderr is no terminal.
const evidenceProgressEvery = 30 * time.Second

// reportEvidence prints the bundle's path (stdout, for scripts) and a summary
// (stderr), and maps its status to the exit code.
func reportEvidence(app *App, m *bundle.Manifest, job bundle.Job) error {
	dir := job.Resume
	if dir == "" {
		dir = m.Dir
	}
	fmt.Fprintln(app.Stdout, dir)
	records, failed, read := 0, 0, 0
	var interrupted []string
	for _, s := range m.Sources {
		records += s.Records
		if s.Failed() {
			failed++
		}
		if s.Status == bundle.SourceOK {
			read++
		}
		// A source the run left unfinished without an error of its own was
		// interrupted (Ctrl-C, --timeout of the whole command): no warning
		// named it yet.
		if s.Status == bundle.StatusIncomplete && s.Error == "" {
			interrupted = append(interrupted, strings.TrimSuffix(s.Describe(), "; continue with tenantgate evidence --resume"))
		}
	}
	const listed = 10
	for i, d := range interrupted {
		if i == listed {
			app.warn("interrupted: %d more sources not finished (manifest.json lists them)", len(interrupted)-listed)
			break
		}
		app.warn("interrupted: %s", d)
	}
	summary := fmt.Sprintf("evidence: %s: %s, %d records in %d files from %d sources", textsafe.Line(dir), m.Status, records, len(m.Files), len(m.Sources))
	if failed > 0 {
		summary += fmt.Sprintf(", %d not collected (see the warnings above and manifest.json)", failed)
	}
	fmt.Fprintln(app.Stderr, textcol.Indent(summary, app.width(), 2))
	if m.Status == bundle.StatusIncomplete {
		fmt.Fprintf(app.Stderr, "continue later with: tenantgate evidence --resume %s\n", textsafe.Line(dir))
	}
	switch {
	case m.Status == bundle.StatusComplete:
		fmt.Fprintf(app.Stderr, "next: tenantgate hunt %s\n", textsafe.Line(dir))
		return nil
	case read == 0:
		// Not one source answered (all denied, throttled past what
		// tenantgate waits, unreachable, or interrupted before any): the
		// bundle holds no evidence, whatever is left to resume.
		return &ExitError{Code: report.ExitRuntime, Err: fmt.Errorf("nothing could be read from the tenant (see the warnings above; tenantgate permissions lists what evidence needs)")}
	default:
		return &ExitError{Code: report.ExitIncomplete}
	}
}

// retentionFor computes what the tenant keeps with the policies' own rules
// (lib/logs.rego, as TG.LOG.1 and TG.LOG.3) and warns when the window starts
// before that.
func retentionFor(ctx context.Context, eng *engine.Engine, b *baseline.Baseline) func(org, skus []byte, since, now time.Time) *bundle.Retention {
	return func(org, skus []byte, since, now time.Time) *bundle.Retention {
		snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion, Sources: map[string]snapshot.Source{}, Data: map[string]json.RawMessage{}}
		var page struct {
			Value []json.RawMessage `json:"value"`
		}
		if skus != nil && json.Unmarshal(skus, &page) == nil && page.Value != nil {
			raw, _ := json.Marshal(page.Value)
			snap.Data["subscribedSkus"] = raw
			snap.Sources["subscribedSkus"] = snapshot.Source{Status: snapshot.StatusOK}
		} else {
			snap.Sources["subscribedSkus"] = snapshot.Source{Status: snapshot.StatusError, Error: "not read"}
		}
		r, err := eng.Retention(ctx, snap, b)
		out := &bundle.Retention{SignInDays: r.SignInDays, SignInSource: r.SignInLicense, UALDays: r.UALDays, UALSource: r.UALLicense, Known: r.Known && err == nil}
		if !out.Known {
			out.Warnings = append(out.Warnings, "retention is unknown without the tenant's licences: whether Entra still keeps the window (7 days on Free, 30 with P1/P2) and the unified audit log (180 days with Audit Standard) is unknown")
			return out
		}
		day := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
		if kept := now.AddDate(0, 0, -r.SignInDays); since.Before(kept) {
			out.Warnings = append(out.Warnings, fmt.Sprintf("--since %s is older than the %d days Entra keeps sign-in and audit logs (%s): everything before %s is already gone from Graph; only an earlier export (SIEM, Log Analytics) still holds it",
				day(since), r.SignInDays, r.SignInLicense, day(kept)))
		}
		switch kept := now.AddDate(0, 0, -r.UALDays); {
		case r.UALDays == 0:
			out.Warnings = append(out.Warnings, "the tenant has no Purview Audit license: the unified audit log may hold nothing")
		case since.Before(kept):
			out.Warnings = append(out.Warnings, fmt.Sprintf("--since %s is older than the %d days the unified audit log is kept (%s): everything before %s is already gone",
				day(since), r.UALDays, r.UALLicense, day(kept)))
		}
		return out
	}
}
