// Package fleet audits many snapshots in one process: policies are compiled
// once, snapshots are streamed through a bounded pool of workers (at most
// Parallel snapshots are decoded at a time), each tenant's full reports go
// to a directory, and only a small summary row per tenant is kept.
package fleet

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/render"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/safefile"
	"github.com/tenantgate/tenantgate/internal/shard"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Options tune a fleet run.
type Options struct {
	Parallel        int      // workers; 0 = number of CPUs
	ReportDir       string   // write per-tenant reports here ("" = none)
	ReportFormats   []string // formats of the per-tenant reports (default json)
	FailOn          report.FailOn
	AllowIncomplete bool
	Now             time.Time
	Version         string
	Shard           shard.Spec // recorded in the summary; Shard selects the files
}

// Shard keeps the files of one shard: those whose name (shard.FileKey) falls
// in it, the split collect --tenants --shard makes of tenant names.
func Shard(files []string, sh shard.Spec) []string {
	var out []string
	for _, f := range files {
		if sh.Has(shard.FileKey(f)) {
			out = append(out, f)
		}
	}
	return out
}

// Expand turns --snapshot arguments (files, directories, globs) into a sorted
// list of files. A directory contributes its *.json files; an argument that
// matches nothing is an input error.
func Expand(args []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	// addMatches adds a directory's or pattern's files, sorted; none is an
	// input error.
	addMatches := func(a string, all []string, none string) error {
		m := withoutSummary(all)
		if len(m) == 0 {
			return inputerr.New(a, "%s", none)
		}
		sort.Strings(m)
		for _, p := range m {
			add(p)
		}
		return nil
	}
	for _, a := range args {
		if st, err := os.Stat(a); err == nil {
			if !st.IsDir() {
				add(a)
				continue
			}
			all, _ := filepath.Glob(filepath.Join(a, "*.json"))
			if err := addMatches(a, all, "directory holds no *.json snapshots"); err != nil {
				return nil, err
			}
			continue
		}
		if !strings.ContainsAny(a, "*?[") {
			return nil, inputerr.New(a, "cannot read snapshot: no such file or directory")
		}
		all, err := filepath.Glob(a)
		if err != nil {
			return nil, inputerr.New(a, "bad pattern: %v", err)
		}
		if err := addMatches(a, all, "pattern matches no file"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// withoutSummary drops the summary collect --tenants writes beside the
// snapshots, so a directory or glob of its output audits as is.
func withoutSummary(paths []string) []string {
	var out []string
	for _, p := range paths {
		if filepath.Base(p) != snapshot.CollectSummaryName {
			out = append(out, p)
		}
	}
	return out
}

// Run audits every file and returns the fleet summary. A snapshot that
// cannot be read becomes an error row (exit 2); the others are audited.
func Run(ctx context.Context, eng *engine.Engine, b *baseline.Baseline, files []string, o Options) (*report.Fleet, error) {
	if o.Parallel <= 0 {
		o.Parallel = runtime.NumCPU()
	}
	if len(o.ReportFormats) == 0 {
		o.ReportFormats = []string{"json"}
	}
	for _, f := range o.ReportFormats {
		if !render.Has(f) {
			return nil, fmt.Errorf("unknown report format %q (want one of %v)", f, render.Formats())
		}
	}
	names := make([]string, len(files)) // report names, with a report directory
	if o.ReportDir != "" {
		var err error
		if names, err = reportNames(files); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(o.ReportDir, 0o755); err != nil {
			return nil, fmt.Errorf("report directory: %w", err)
		}
	}
	fl := &report.Fleet{
		SchemaVersion: 1, Kind: report.FleetKind,
		Tool:        report.Tool{Name: "tenantgate", Version: o.Version},
		GeneratedAt: o.Now.UTC(), Baseline: report.BaselineRef{Name: b.Name, Version: b.Version}, Shard: o.Shard.String(),
		Tenants: make([]report.FleetRow, len(files)),
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var done atomic.Int64 // snapshots audited before any interruption
	for w := 0; w < min(o.Parallel, len(files)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				fl.Tenants[i] = auditOne(ctx, eng, b, files[i], names[i], o)
				if ctx.Err() == nil {
					done.Add(1)
				}
			}
		}()
	}
	for i := range files {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fleet audit incomplete, %d of %d snapshots audited: %w", done.Load(), len(files), err)
	}
	for _, c := range eng.Catalog() {
		if b.Enabled(c.ID) {
			fl.Controls = append(fl.Controls, c.ID)
		}
	}
	summarize(fl)
	return fl, nil
}

func auditOne(ctx context.Context, eng *engine.Engine, b *baseline.Baseline, file, name string, o Options) report.FleetRow {
	row := report.FleetRow{File: file}
	raw, err := inputerr.ReadFile(file, "snapshot", snapshot.MaxFileBytes)
	if err != nil {
		row.Exit, row.Outcome, row.Error = report.ExitInput, report.OutcomeError, err.Error()
		return row
	}
	// One parse per file: EvaluateJSON validates and evaluates from it.
	rep, err := eng.EvaluateJSON(ctx, file, raw, b, o.Now)
	if err != nil {
		row.Exit, row.Outcome, row.Error = report.ExitRuntime, report.OutcomeError, err.Error()
		if inputerr.Is(err) {
			row.Exit = report.ExitInput
		}
		return row
	}
	row.Tenant = rep.Tenant
	row.CollectedAt = rep.CollectedAt
	s := rep.Summary
	row.Summary = &s
	for _, sev := range report.Severities {
		for _, r := range rep.Results {
			if r.Status == report.Fail && r.Severity == sev {
				row.Failed = append(row.Failed, r.ID)
			}
		}
	}
	row.Statuses = make(map[string]string, len(rep.Results))
	for _, r := range rep.Results {
		row.Statuses[r.ID] = r.Status
		if r.Status == report.NotAssessed {
			row.NotAssessed = append(row.NotAssessed, r.ID)
		}
	}
	row.Exit = rep.ExitCode(o.FailOn, o.AllowIncomplete)
	row.Outcome = map[int]string{report.ExitOK: report.OutcomePassed, report.ExitGate: report.OutcomeGateFailed, report.ExitIncomplete: report.OutcomeIncomplete}[row.Exit]
	if o.ReportDir != "" {
		for _, f := range o.ReportFormats {
			p := filepath.Join(o.ReportDir, name+"."+render.Extension(f))
			if err := writeReport(p, f, rep); err != nil {
				row.Exit, row.Outcome, row.Error = report.ExitRuntime, report.OutcomeError, err.Error()
				return row
			}
			row.Reports = append(row.Reports, p)
		}
	}
	return row
}

// writeReport writes one tenant's report new (safefile.Write): a link
// planted in the report directory is refused, never followed.
func writeReport(path, format string, rep *report.Report) error {
	err := safefile.Write(path, safefile.Shared, func(w io.Writer) error { return render.Write(w, format, rep, render.Options{}) })
	if err != nil {
		return fmt.Errorf("write %s report %s: %w", format, path, err)
	}
	return nil
}

func summarize(fl *report.Fleet) {
	s := report.FleetSummary{Tenants: len(fl.Tenants)}
	var scores float64
	var scored int
	first := map[string]string{} // tenant id -> file of its first row
	for i := range fl.Tenants {
		r := &fl.Tenants[i]
		if r.Tenant.ID == "" {
			continue
		}
		if f, seen := first[strings.ToLower(r.Tenant.ID)]; seen {
			r.DuplicateOf = f
			s.Duplicates++
			continue
		}
		first[strings.ToLower(r.Tenant.ID)] = r.File
	}
	for _, r := range fl.Tenants {
		s.Exit = report.WorseExit(s.Exit, r.Exit)
		switch r.Outcome {
		case report.OutcomePassed:
			s.Passed++
		case report.OutcomeGateFailed:
			s.GateFailed++
		case report.OutcomeIncomplete:
			s.Incomplete++
		default:
			s.Errors++
		}
		if r.Summary != nil && r.DuplicateOf == "" {
			scores += r.Summary.Score
			scored++
		}
	}
	if scored > 0 {
		s.MeanScore = float64(int(scores*10/float64(scored)+0.5)) / 10
	}
	fl.Summary = s
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// reportName is the base name of a snapshot's reports: its file name
// without the extension when that is made of letters, digits, '.', '_' and
// '-' only; otherwise the other characters become '_' and an 8-digit hash of
// the file name is appended, so that "x y.json" and "x_y.json" never share
// a report. It depends on the file name alone: the same snapshot gets the
// same report name whatever else is audited with it, run after run.
func reportName(file string) string {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	name := unsafeName.ReplaceAllString(base, "_")
	if name == base && name != "" {
		return name
	}
	sum := sha256.Sum256([]byte(base))
	return name + "-" + hex.EncodeToString(sum[:4])
}

// reportNames gives each snapshot its report name. Two snapshots whose
// names are equal, or differ only in case (one file on macOS and Windows),
// would overwrite each other's reports and the summary would link one
// tenant to the other's report: that is an input error naming both.
func reportNames(files []string) ([]string, error) {
	out := make([]string, len(files))
	used := map[string]string{}
	for i, f := range files {
		out[i] = reportName(f)
		key := strings.ToLower(out[i])
		if prev, dup := used[key]; dup {
			return nil, inputerr.New(f, "its reports would be named %q like those of %s; rename one of the two snapshots (or audit them in separate runs)", out[i], prev)
		}
		used[key] = f
	}
	return out, nil
}
