// Package hunt investigates exported Microsoft 365 / Entra ID logs for an
// AiTM / BEC compromise (shared/spec/hunt.md): read (internal/hunt/read) ->
// one event model (internal/hunt/event) -> Rego detections
// (internal/hunt/detect, policies/hunt) -> correlation and verdicts
// (internal/hunt/correlate) -> one result model (internal/hunt/result) ->
// renderers. This package wires the steps; the CLI wires this package.
package hunt

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
	"github.com/tenantgate/tenantgate/internal/gcpause"
	"github.com/tenantgate/tenantgate/internal/hunt/correlate"
	"github.com/tenantgate/tenantgate/internal/hunt/detect"
	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/hunt/read"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// Options of an investigation.
type Options struct {
	// Paths are the command line's files, directories and globs; with FS,
	// paths inside it (the embedded demo set).
	Paths        []string
	FS           fs.FS
	SkipUnknown  bool
	AllowBadRows bool
	Correlate    correlate.Options
	// Progress receives bytes read (for a progress bar); may be nil.
	Progress func(n int64)
	// ProgressTotal, when set, receives the size of all the files before
	// reading starts (the progress bar's total).
	ProgressTotal func(total int64)
	// InsaneLocations, when set, lets hunt take an evidence bundle's
	// trusted named locations as the trusted networks when
	// Correlate.Trusted is empty (the responder gave none): those failing
	// the sanity rule it judges are left out (trusted.go).
	InsaneLocations InsaneLocations
}

// Run reads the logs and investigates them.
func Run(ctx context.Context, eng *detect.Engine, o Options) (*result.Result, error) {
	files := o.Paths
	co := o.Correlate
	var trusted *result.TrustedNetworks
	var filtered []string
	if o.FS == nil {
		// Evidence bundles (tenantgate evidence) are recognised by their
		// manifest, verified, and read as their Graph pages; their failed
		// sources are blind spots and the window they asked for is the
		// coverage window.
		found, err := bundle.Expand(o.Paths)
		if err != nil {
			return nil, err
		}
		for _, g := range found.BlindSpots() {
			co.Gaps = append(co.Gaps, correlate.Gap{Kind: g.Kind, Message: g.Message, From: g.From, To: g.To})
		}
		for _, c := range found.Collected() {
			co.Collected = append(co.Collected, correlate.Gap{Kind: c.Kind, From: c.From, To: c.To})
		}
		// Bundles whose logs were filtered to the users under
		// investigation hold nobody else's activity: without --user, hunt
		// judges those users; with --user, another user it names is seen
		// only in their records: unknown at best, never clean.
		if found.Others == 0 {
			if filtered = found.FilteredUsers(); filtered != nil {
				co.LogsOf = filtered
				if len(co.Users) == 0 {
					co.Users = filtered
				}
			}
		}
		// Each bound the command line does not give is the bundles'.
		if from, to, ok := found.Window(); ok {
			if co.Since == nil && (co.Until == nil || !from.After(*co.Until)) {
				co.Since = &from
			}
			if co.Until == nil && !to.Before(*co.Since) {
				co.Until = &to
			}
		}
		if len(found.Bundles) > 0 && len(co.Trusted) == 0 && o.InsaneLocations != nil {
			if trusted, co.Trusted, err = trustedFromBundles(ctx, found, o.InsaneLocations, co.Since, co.Until); err != nil {
				return nil, err
			}
		}
		if files, err = read.Expand(found.Paths); err != nil {
			return nil, err
		}
	} else if len(files) == 0 {
		entries, err := fs.ReadDir(o.FS, ".")
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, e.Name())
			}
		}
	}
	if o.ProgressTotal != nil {
		o.ProgressTotal(totalSize(o.FS, files))
	}
	logs, err := read.Read(ctx, files, event.NewStrings(), read.Options{
		SkipUnknown: o.SkipUnknown, AllowBadRows: o.AllowBadRows, Keep: eng.Keep(), FS: o.FS, Progress: o.Progress,
	})
	if err != nil {
		return nil, err
	}
	co.FS = o.FS
	if co.Now.IsZero() {
		co.Now = time.Now()
	}
	res, err := correlate.Run(ctx, eng, logs, co)
	if err != nil {
		return nil, err
	}
	res.Coverage.TrustedNetworks = trusted
	if filtered != nil {
		res.Coverage.BlindSpots = append(res.Coverage.BlindSpots, result.BlindSpot{Kind: "signIns",
			Message: fmt.Sprintf("the evidence bundle's logs hold the activity of %s only (evidence --user without --tenant-wide-logs): the report judges them alone (any other user is unknown at best); other users, and other victims of the same attacker, cannot be seen", strings.Join(filtered, ", "))})
	}
	return res, nil
}

// TuneGC prepares the collector for an investigation and its reports and
// returns the function that restores it. A million events are a few
// hundred MB live, and reading makes a record's worth of garbage per
// record: collecting less often (GOGC 200) saves much CPU, and a soft
// limit keeps the peak under the 1 GB the spec allows. A user's GOGC or
// GOMEMLIMIT wins.
func TuneGC() func() {
	var restore []func()
	if os.Getenv("GOGC") == "" {
		prev := gcpause.SetPercent(200)
		restore = append(restore, func() { gcpause.SetPercent(prev) })
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(800 << 20)
		restore = append(restore, func() { debug.SetMemoryLimit(prev) })
	}
	return func() {
		for _, f := range restore {
			f()
		}
	}
}

// totalSize adds up the files' sizes (those that cannot be read count 0:
// reading reports them).
func totalSize(fsys fs.FS, files []string) int64 {
	var n int64
	for _, f := range files {
		var st fs.FileInfo
		var err error
		if fsys != nil {
			st, err = fs.Stat(fsys, f)
		} else {
			st, err = os.Stat(f)
		}
		if err == nil && st.Mode().IsRegular() {
			n += st.Size()
		}
	}
	return n
}
