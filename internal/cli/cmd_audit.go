package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/fleet"
	"github.com/tenantgate/tenantgate/internal/gcpause"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/render"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/safefile"
	"github.com/tenantgate/tenantgate/internal/shard"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

func init() { register(newAuditCmd) }

type auditOptions struct {
	snapshots       []string
	demo            bool
	baseline        string
	formats         []string
	outputs         []string
	failOn          string
	allowIncomplete bool
	now             string
	conn            conn.Options
	reportDir       string
	reportFormats   []string
	parallel        int
	outputDir       string
	shard           string
}

func newAuditCmd(app *App) *cobra.Command {
	o := &auditOptions{}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Evaluate the controls on a tenant, snapshot or the demo; report",
		Long: `Evaluate every control of the baseline against a tenant snapshot and report
per control: pass, fail, not_licensed, not_assessed or waived.

Outputs: give --format and --output in pairs, in order; a format without an
output goes to stdout (at most one may). Or a comma list with an output
directory: --format json,html --output-dir reports writes
reports/tenantgate-report.json and .html. Formats: table (default on a
terminal), json (default otherwise), sarif, junit, markdown, html.

--output replaces an existing file but never writes through a symbolic link.

Exit codes: 0 no failure at or above --fail-on; 1 the gate failed; 2 bad input;
3 not_assessed results without --allow-incomplete; 4 runtime failure.

Fleet mode: several --snapshot values, a directory (its *.json files) or a glob
audit many tenants in one process. Policies are compiled once, snapshots are
streamed through --parallel workers, --format/--output render the combined
summary (table, json, markdown, html), --report-dir gets each tenant's full
reports in --report-format, named after its snapshot file (sanitised, with a
hash of the name when it had to change; two snapshots that would share a name
are an error). A snapshot that cannot be read does not stop the
others. The exit code is the worst tenant's, ranked 4 > 2 > 1 > 3 > 0 (a tenant
that could not be audited outranks a failed gate, which outranks an incomplete
audit). --shard K/N audits only the snapshots of shard K (0 <= K < N), chosen
by file name (<name>.json) exactly as collect --tenants --shard K/N chooses
tenants by name; an empty shard is a success with no tenants.`,
		Example: `  tenantgate audit --demo
  tenantgate audit --snapshot tenant.json --format json --output result.json
  tenantgate audit --snapshot tenant.json --fail-on medium \
    --format sarif --output r.sarif --format html --output r.html
  tenantgate audit --snapshot tenant.json --format json,html --output-dir out
  tenantgate audit --tenant contoso.onmicrosoft.com   # collect live, then audit
  tenantgate audit --snapshot 'snapshots/*.json' \
    --report-dir reports --report-format json,html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAudit(cmd.Context(), app, o) },
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.snapshots, "snapshot", nil, "snapshot file to audit")
	f.BoolVar(&o.demo, "demo", false, "audit the embedded demo tenant (Sunnyside Trading, Microsoft 365 E3)")
	f.StringVar(&o.baseline, "baseline", "", "baseline YAML (default: the embedded aitm-defense baseline; the demo's own with --demo)")
	f.StringArrayVarP(&o.formats, "format", "f", nil, "output format: table, json, sarif, junit, markdown, html (repeatable)")
	f.StringArrayVarP(&o.outputs, "output", "o", nil, "output file for the format at the same position (repeatable)")
	f.StringVar(&o.outputDir, "output-dir", "", "write every --format (a comma list works: json,html) to DIR/tenantgate-report.<ext> (fleet: DIR/fleet.<ext>)")
	f.StringVar(&o.failOn, "fail-on", "high", "lowest severity of a failed control that fails the run: high, medium, low, never")
	f.BoolVar(&o.allowIncomplete, "allow-incomplete", false, "do not fail the run (exit 3) on not_assessed results")
	f.StringVar(&o.now, "now", "", "evaluate as of this RFC 3339 time (waiver expiry, report date); for reproducible reports")
	_ = f.MarkHidden("now")
	f.StringVar(&o.reportDir, "report-dir", "", "fleet mode: write each tenant's reports to this directory")
	f.StringSliceVar(&o.reportFormats, "report-format", []string{"json"}, "fleet mode: formats of the per-tenant reports in --report-dir")
	f.IntVar(&o.parallel, "parallel", 0, "fleet mode: snapshots audited at once (default: number of CPUs)")
	f.StringVar(&o.shard, "shard", "", "fleet mode: audit only shard K of N (K from 0) of the snapshots, split by file name as collect --tenants --shard splits tenants")
	addConnFlags(cmd, &o.conn)
	return withTimeout(cmd)
}

// output is one requested rendering.
type output struct {
	format string
	path   string // "" = stdout
}

func (o *auditOptions) plan(app *App) ([]output, error) {
	// --format takes a comma list too (--format json,html).
	var formats []string
	for _, f := range o.formats {
		for _, x := range strings.Split(f, ",") {
			if x = strings.TrimSpace(x); x != "" {
				formats = append(formats, x)
			}
		}
	}
	if o.outputDir == "" {
		if len(formats) > 1 && len(o.outputs) == 0 {
			return nil, usagef("%d formats and no --output: give --output FILE after each --format, or --output-dir DIR for all of them", len(formats))
		}
		return planOutputs(app, formats, o.outputs, render.Has, render.Formats())
	}
	// --output-dir DIR: every format to DIR/tenantgate-report.<ext> (the
	// fleet summary: DIR/fleet.<ext>).
	switch {
	case len(o.outputs) > 0:
		return nil, usagef("--output-dir and --output cannot be combined: --output-dir names every file itself")
	case len(formats) == 0:
		return nil, usagef("--output-dir needs --format, e.g. --format json,html --output-dir reports")
	}
	if st, err := os.Stat(o.outputDir); err == nil && !st.IsDir() {
		return nil, inputerr.New(o.outputDir, "is not a directory (--output-dir)")
	}
	if err := os.MkdirAll(o.outputDir, 0o755); err != nil {
		return nil, inputerr.New(o.outputDir, "cannot create the output directory: %v", err)
	}
	base := "tenantgate-report"
	if isFleet(o.snapshots) {
		base = "fleet"
	}
	var outs []output
	seen := map[string]bool{}
	for _, f := range formats {
		if !render.Has(f) {
			return nil, usagef("unknown --format %q (want one of %v)", f, render.Formats())
		}
		if seen[f] {
			return nil, usagef("--format %s is given twice", f)
		}
		seen[f] = true
		outs = append(outs, output{format: f, path: filepath.Join(o.outputDir, base+"."+render.Extension(f))})
	}
	return outs, nil
}

// planOutputs pairs --format and --output, for audit and hunt alike: a
// format without an output goes to stdout, at most one may; table on a
// terminal, json otherwise by default.
func planOutputs(app *App, formats, outputs []string, has func(string) bool, known []string) ([]output, error) {
	if len(outputs) > len(formats) {
		return nil, usagef("%d --output but %d --format: give --format before each --output", len(outputs), len(formats))
	}
	if len(formats) == 0 {
		def := "json"
		if app.terminal(app.Stdout) {
			def = "table"
		}
		formats = []string{def}
	}
	var outs []output
	stdout := 0
	for i, f := range formats {
		if !has(f) {
			return nil, usagef("unknown --format %q (want one of %v)", f, known)
		}
		out := output{format: f}
		if i < len(outputs) && outputs[i] != "-" {
			out.path = outputs[i]
		} else {
			stdout++
		}
		outs = append(outs, out)
	}
	if stdout > 1 {
		return nil, usagef("only one format can go to stdout; give --output for the others")
	}
	return outs, nil
}

func runAudit(ctx context.Context, app *App, o *auditOptions) error {
	failOn, err := report.ParseFailOn(o.failOn)
	if err != nil {
		return usageError{err}
	}
	outs, err := o.plan(app)
	if err != nil {
		return err
	}
	// A fleet's summary may go next to its report directory (fleet.Run
	// creates it), so the outputs are checked once it exists.
	if o.reportDir != "" && isFleet(o.snapshots) {
		if err := os.MkdirAll(o.reportDir, 0o755); err != nil {
			return inputerr.New(o.reportDir, "cannot create the report directory: %v", err)
		}
	}
	if err := checkOutputs(outs); err != nil {
		return err
	}
	now := time.Now()
	if o.now != "" {
		if now, err = time.Parse(time.RFC3339, o.now); err != nil {
			return usagef("--now: %v", err)
		}
	}
	if isFleet(o.snapshots) {
		return runFleet(ctx, app, o, outs, failOn, now)
	}
	if o.shard != "" {
		return usagef("--shard splits a fleet: give a directory, a glob or several --snapshot values")
	}
	src := subjectOptions{demo: o.demo, conn: o.conn, baseline: o.baseline}
	if len(o.snapshots) == 1 {
		src.snapshot = o.snapshots[0]
	}
	// One audit of the demo or of one snapshot file runs with the collector
	// paused from the policies' parse to the end of the evaluation: a
	// collection started in between marks ~20 MB of the compiler's garbage,
	// ~10% of an `audit --demo` run (docs/performance.md, "Start-up"). The
	// pause is bounded: fixed policies and a snapshot of at most 64 MiB. A
	// live audit collects in between, with the collector on.
	resumeGC := func() {}
	if src.demo || src.snapshot != "" {
		resumeGC = gcpause.Start()
		defer resumeGC()
	}
	sub, err := loadSubject(ctx, app, src)
	if err != nil {
		return err
	}
	rep, err := sub.eng.Evaluate(ctx, sub.snap, sub.baseline, now)
	resumeGC()
	if err != nil {
		return err
	}
	// One warning list: the table on stdout ends with the warnings, so they
	// go to stderr only when no table is printed there (a JSON or SARIF
	// report on stdout, or every report in a file).
	if !tableOnStdout(outs) {
		for _, w := range rep.Warnings {
			app.warn("%s", w)
		}
	}
	if err := writeOutputs(app, outs, rep); err != nil {
		return err
	}
	if code := rep.ExitCode(failOn, o.allowIncomplete); code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}

func tableOnStdout(outs []output) bool {
	for _, o := range outs {
		if o.format == "table" && o.path == "" {
			return true
		}
	}
	return false
}

// subjectOptions say what to audit: the demo tenant, a snapshot file, or a
// live tenant (collected first).
type subjectOptions struct {
	demo     bool
	snapshot string
	baseline string
	conn     conn.Options
}

// subject is an audit's input: snapshot, baseline, and compiled policies.
type subject struct {
	snap     *snapshot.Snapshot
	baseline *baseline.Baseline
	eng      *engine.Engine
}

// loadSubject loads the baseline (checked against the catalog) and the
// snapshot: --demo, --snapshot, or a live collection when a tenant is given.
func loadSubject(ctx context.Context, app *App, o subjectOptions) (*subject, error) {
	if o.demo && o.snapshot != "" {
		return nil, usagef("--demo and --snapshot are exclusive")
	}
	live := !o.demo && o.snapshot == ""
	if live && o.conn.TenantID == "" && o.conn.GraphEndpoint == "" {
		return nil, usagef("nothing to audit: give --snapshot FILE, --demo, or --tenant ID for a live tenant")
	}
	b, eng, err := loadPolicies(ctx, o.baseline, o.demo)
	if err != nil {
		return nil, err
	}
	eng.Warm() // compile while the snapshot is read or collected
	var snap *snapshot.Snapshot
	switch {
	case o.demo:
		snap, err = demo.Snapshot()
	case o.snapshot != "":
		snap, err = snapshot.Load(o.snapshot)
	default:
		// Failed sources are reported once, as the report's warnings.
		snap, err = collectLive(ctx, app, o.conn, b)
	}
	if err != nil {
		return nil, err
	}
	return &subject{snap: snap, baseline: b, eng: eng}, nil
}

// loadPolicies loads the baseline and compiles the policies, checking the
// baseline's control ids against the catalog.
func loadPolicies(ctx context.Context, baselinePath string, forDemo bool) (*baseline.Baseline, *engine.Engine, error) {
	b, err := loadBaseline(baselinePath, forDemo)
	if err != nil {
		return nil, nil, err
	}
	eng, err := engine.New(ctx, Version)
	if err != nil {
		return nil, nil, fmt.Errorf("load policies: %w", err)
	}
	if err := b.CheckControls(eng.Known, eng.JudgesExclusions); err != nil {
		return nil, nil, err
	}
	return b, eng, nil
}

// loadBaseline picks the baseline: the file given, else the demo's (for the
// demo tenant, which names its break-glass accounts), else the default.
func loadBaseline(path string, forDemo bool) (*baseline.Baseline, error) {
	switch {
	case path != "":
		return baseline.Load(path)
	case forDemo:
		return demo.Baseline()
	default:
		return baseline.Default()
	}
}

func writeOutputs(app *App, outs []output, rep *report.Report) error {
	return writeEach(app, outs, safefile.Shared, func(w io.Writer, format string, terminal bool) error {
		opts := render.Options{Width: app.width()}
		opts.Color = terminal && os.Getenv("NO_COLOR") == ""
		return render.Write(w, format, rep, opts)
	})
}

// writeEach writes every output, audit's and hunt's alike: files through
// safefile (perm for a new file, never through a link; a path that cannot
// be written is an input error naming it), the one on stdout last in order
// given, a closed pipe there being no error. terminal says the output is
// a terminal's stdout.
func writeEach(app *App, outs []output, perm fs.FileMode, write func(w io.Writer, format string, terminal bool) error) error {
	for _, out := range outs {
		if out.path != "" {
			err := safefile.WriteOutput(out.path, perm, func(w io.Writer) error { return write(w, out.format, false) })
			if err != nil {
				return outputError(out.path, out.format, err)
			}
			continue
		}
		if err := write(app.Stdout, out.format, app.terminal(app.Stdout)); err != nil {
			if errors.Is(err, io.ErrClosedPipe) {
				return nil
			}
			return fmt.Errorf("write %s report: %w", out.format, err)
		}
	}
	return nil
}

// outputError classifies a failed report write: a path that cannot be
// created or written (no such directory, no permission, a directory) is the
// user's input (exit 2, naming the file); anything else is a runtime error.
func outputError(path, format string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return inputerr.New(path, "cannot write the %s report: %v", format, pe.Err)
	}
	return fmt.Errorf("write %s report to %s: %w", format, path, err)
}

// checkOutputs refuses, before any work, --output paths that cannot be
// written: a missing directory, or a directory given as a file.
func checkOutputs(outs []output) error {
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		if st, err := os.Stat(o.path); err == nil && st.IsDir() {
			return inputerr.New(o.path, "is a directory; --output wants a file")
		}
		dir := filepath.Dir(o.path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			what := o.format + " report"
			if o.format == "baseline" || o.format == "plan" || o.format == "snapshot" {
				what = o.format
			}
			return inputerr.New(o.path, "cannot write the %s: directory %s does not exist", what, dir)
		}
	}
	return nil
}

// isFleet: more than one snapshot, or one argument naming many (a directory
// or a glob).
func isFleet(args []string) bool {
	if len(args) > 1 {
		return true
	}
	if len(args) == 1 {
		if st, err := os.Stat(args[0]); err == nil {
			return st.IsDir()
		}
		return strings.ContainsAny(args[0], "*?[")
	}
	return false
}

func runFleet(ctx context.Context, app *App, o *auditOptions, outs []output, failOn report.FailOn, now time.Time) error {
	if o.demo {
		return usagef("--demo audits one tenant; drop it in fleet mode")
	}
	for _, out := range outs {
		if !render.HasFleet(out.format) {
			return usagef("--format %s cannot render the fleet summary (want %s); use --report-format for per-tenant reports", out.format, strings.Join(render.FleetFormats, ", "))
		}
	}
	for _, f := range o.reportFormats {
		if !render.Has(f) {
			return usagef("unknown --report-format %q (want one of %v)", f, render.Formats())
		}
	}
	files, err := fleet.Expand(o.snapshots)
	if err != nil {
		return err
	}
	var sh shard.Spec
	if o.shard != "" {
		if sh, err = shard.Parse(o.shard); err != nil {
			return usageError{err}
		}
		files = fleet.Shard(files, sh)
	}
	b, eng, err := loadPolicies(ctx, o.baseline, false)
	if err != nil {
		return err
	}
	tuneGC()
	fl, err := fleet.Run(ctx, eng, b, files, fleet.Options{
		Parallel: o.parallel, ReportDir: o.reportDir, ReportFormats: o.reportFormats,
		FailOn: failOn, AllowIncomplete: o.allowIncomplete, Now: now, Version: Version, Shard: sh,
	})
	if err != nil {
		return err
	}
	toStdout := false
	for _, out := range outs {
		opts := render.Options{Width: app.width()}
		if out.path == "" {
			toStdout = true
			if err := render.WriteFleet(app.Stdout, out.format, fl, opts); err != nil {
				return err
			}
			continue
		}
		opts.LinkBase = filepath.Dir(out.path)
		if err := safefile.WriteOutput(out.path, safefile.Shared, func(w io.Writer) error { return render.WriteFleet(w, out.format, fl, opts) }); err != nil {
			return fmt.Errorf("write fleet summary %s: %w", out.path, err)
		}
	}
	if fl.Summary.Exit != 0 {
		// With the summary in files only, a CI log would show a bare exit
		// 2 or 4: say which snapshots could not be audited, and why.
		if !toStdout {
			return &ExitError{Code: fl.Summary.Exit, Err: notAudited(fl)}
		}
		return &ExitError{Code: fl.Summary.Exit}
	}
	return nil
}

// notAudited names the snapshots of a fleet run that could not be audited
// (the first three, with their errors), or is nil when every one was.
func notAudited(fl *report.Fleet) error {
	var bad []string
	n := 0
	for _, r := range fl.Tenants {
		if r.Outcome != report.OutcomeError {
			continue
		}
		if n++; n <= 3 {
			bad = append(bad, r.File+": "+r.Error)
		}
	}
	if n == 0 {
		return nil
	}
	if n > 3 {
		bad = append(bad, fmt.Sprintf("and %d more (see the summary)", n-3))
	}
	return fmt.Errorf("%d of %d snapshots could not be audited: %s", n, len(fl.Tenants), strings.Join(bad, "; "))
}

// tuneGC trades memory for speed in fleet runs: each snapshot is garbage
// after its report, so collecting less often (GOGC=400) saves ~25% CPU,
// while a soft memory limit keeps the peak bounded. A user's GOGC or
// GOMEMLIMIT wins.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		gcpause.SetPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(160 << 20)
	}
}
