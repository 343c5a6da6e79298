package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/hunt"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// progressMinBytes: inputs smaller than this read in about a second and get
// no progress bar (a variable so tests can lower it).
var progressMinBytes int64 = 32 << 20

// readProgress is hunt's progress bar on a terminal's stderr: bytes read
// across all the files against their total size (the same library as
// evidence's).
type readProgress struct {
	w   io.Writer
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func newReadProgress(w io.Writer) *readProgress { return &readProgress{w: w} }

func (p *readProgress) start(total int64) {
	if total < progressMinBytes {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription("hunt: reading logs"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

func (p *readProgress) add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Add64(n)
	}
}

func (p *readProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

// retentionControls are the audit controls that say how long the tenant's
// logs are kept and where they go.
var retentionControls = []string{"TG.LOG.1", "TG.LOG.2", "TG.LOG.3"}

// addRetention evaluates the snapshot with the audit's own policies: the
// days kept come from lib/logs.rego (engine.Retention, as TG.LOG.1 and
// TG.LOG.3 compute them; evidence uses the same), the verdicts of
// TG.LOG.1-3 from the audit itself. The window is compared with the time
// of the report: logs older than now less the days are gone from the
// tenant, so a window starting earlier can only be covered by exports made
// before.
func addRetention(ctx context.Context, app *App, res *result.Result, snap *snapshot.Snapshot, path string, b *baseline.Baseline) error {
	eng, err := engine.New(ctx, Version)
	if err != nil {
		return fmt.Errorf("load policies: %w", err)
	}
	now := res.GeneratedAt
	rep, err := eng.Evaluate(ctx, snap, b, now)
	if err != nil {
		return fmt.Errorf("evaluate %s: %w", path, err)
	}
	rt, err := eng.Retention(ctx, snap, b)
	if err != nil {
		return fmt.Errorf("retention of %s: %w", path, err)
	}
	out := &result.Retention{Snapshot: path, Tenant: rep.TenantLabel(), Known: rt.Known,
		SignInDays: rt.SignInDays, SignInLicense: rt.SignInLicense, UALDays: rt.UALDays, UALLicense: rt.UALLicense,
		Controls: []result.RetentionControl{}, WindowOlder: []string{}}
	if !snap.CollectedAt.IsZero() {
		t := snap.CollectedAt.UTC()
		out.CollectedAt = &t
	}
	for _, r := range rep.Results {
		if slices.Contains(retentionControls, r.ID) {
			out.Controls = append(out.Controls, result.RetentionControl{ID: r.ID, Title: r.Title, Status: r.Status, Finding: r.Finding})
		}
	}
	if rt.Known {
		kept := now.AddDate(0, 0, -rt.SignInDays).UTC()
		out.SignInsKeptFrom = &kept
		if rt.UALDays > 0 {
			ual := now.AddDate(0, 0, -rt.UALDays).UTC()
			out.UALKeptFrom = &ual
		}
		if from := res.Window.From; from != nil {
			if from.Before(kept) {
				out.WindowOlder = append(out.WindowOlder, "signIns", "directoryAudits")
			}
			if out.UALKeptFrom != nil && from.Before(*out.UALKeptFrom) {
				out.WindowOlder = append(out.WindowOlder, "unifiedAuditLog")
			}
		}
	}
	res.Coverage.Retention = out
	if other := otherTenant(snap, res); other != "" {
		app.warn("%s", other)
	}
	return nil
}

// otherTenant warns when none of the users investigated has a UPN in one
// of the snapshot's verified domains: its retention is then probably
// another tenant's.
func otherTenant(snap *snapshot.Snapshot, res *result.Result) string {
	var orgs []struct {
		VerifiedDomains []struct {
			Name string `json:"name"`
		} `json:"verifiedDomains"`
	}
	raw, ok := snap.Data["organization"]
	if !ok || json.Unmarshal(raw, &orgs) != nil {
		return ""
	}
	domains := map[string]bool{}
	for _, o := range orgs {
		for _, d := range o.VerifiedDomains {
			domains[strings.ToLower(d.Name)] = true
		}
	}
	if len(domains) == 0 || len(res.Users) == 0 {
		return ""
	}
	var seen []string
	for _, u := range res.Users {
		_, d, ok := strings.Cut(u.UPN, "@")
		if !ok {
			continue
		}
		if domains[strings.ToLower(d)] {
			return ""
		}
		if !slices.Contains(seen, d) {
			seen = append(seen, d)
		}
	}
	if len(seen) == 0 {
		return ""
	}
	return fmt.Sprintf("--snapshot: none of the users investigated (domains %s) is in the snapshot tenant's verified domains; its retention may be another tenant's", strings.Join(seen, ", "))
}

// insaneLocations judges an evidence bundle's named locations with the
// policies' own trusted-location rules (lib/ca.rego, as TG.CA.5 and plan
// do): the trusted locations failing the sanity rule; and when the rules
// cannot judge the set (a location lacking what they read), an error, so
// that none is trusted.
func insaneLocations(b *baseline.Baseline) hunt.InsaneLocations {
	return func(ctx context.Context, locs []json.RawMessage) (map[string]string, error) {
		eng, err := engine.New(ctx, Version)
		if err != nil {
			return nil, fmt.Errorf("load policies: %w", err)
		}
		raw, err := json.Marshal(locs)
		if err != nil {
			return nil, err
		}
		snap := &snapshot.Snapshot{SchemaVersion: snapshot.SchemaVersion,
			Sources: map[string]snapshot.Source{"namedLocations": {Status: snapshot.StatusOK}},
			Data:    map[string]json.RawMessage{"namedLocations": raw}}
		var incomplete []string
		if _, err := eng.EvalQuery(ctx, "data.tenantgate.lib.ca.locations_incomplete", snap, b, &incomplete); err != nil {
			return nil, err
		}
		if len(incomplete) > 0 {
			return nil, fmt.Errorf("%s", strings.Join(incomplete, "; "))
		}
		bad, err := eng.InsaneTrustedLocations(ctx, snap, b)
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		for _, l := range bad {
			out[l.ID] = l.Reason
		}
		return out, nil
	}
}
