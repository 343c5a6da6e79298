package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/shard"
)

// variant writes the demo snapshot with a new tenant id and edits applied.
func variant(t *testing.T, dir, name, id string, edit func(doc map[string]any)) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(demo.SnapshotJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	doc["tenant"].(map[string]any)["id"] = id
	if edit != nil {
		edit(doc)
	}
	raw, _ := json.Marshal(doc)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func fail(src, status, code, msg string, http int) func(map[string]any) {
	return func(doc map[string]any) {
		delete(doc["data"].(map[string]any), src)
		doc["sources"].(map[string]any)[src] = map[string]any{"status": status, "httpStatus": http, "code": code, "error": msg}
	}
}

// TestMixedFleet: one tenant denied a source, one throttled past its
// retries, one malformed snapshot, one fully compliant on what it was
// graded: every readable tenant is audited and the summary says which
// failed and why.
func TestMixedFleet(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		variant(t, dir, "a-demo.json", "t-demo", nil),
		variant(t, dir, "b-denied.json", "t-denied", fail("authorizationPolicy", "denied", "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", 403)),
		variant(t, dir, "c-throttled.json", "t-throttled", fail("conditionalAccessPolicies", "error", "TooManyRequests", "Please retry again later.", 429)),
		filepath.Join(dir, "d-broken.json"),
	}
	if err := os.WriteFile(files[3], []byte("{\n  \"schemaVersion\": 1,\n  \"tenant\": \n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	// "sources" again, denying a source that has data: single audit rejects
	// it (encoding/json merges the two), so the fleet must too.
	demoJSON := string(demo.SnapshotJSON())
	end := strings.LastIndex(demoJSON, "}")
	repeated := demoJSON[:end] + `, "sources": {"conditionalAccessPolicies": {"status": "denied", "httpStatus": 403}}` + demoJSON[end:]
	if err := os.WriteFile(filepath.Join(dir, "e-repeated.json"), []byte(repeated), 0o644); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Baseline()
	reports := filepath.Join(dir, "reports")
	got, err := Expand([]string{dir})
	if err != nil || len(got) != 5 {
		t.Fatalf("expand: %v %v", got, err)
	}
	fl, err := Run(context.Background(), eng, b, got, Options{Parallel: 2, ReportDir: reports, ReportFormats: []string{"json", "sarif"}, FailOn: "never", Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		tenant, outcome string
		exit            int
		notAssessed     string
		err             string
	}{
		{"t-demo", report.OutcomePassed, 0, "", ""},
		{"t-denied", report.OutcomeIncomplete, 3, "TG.APP.1", ""},
		{"t-throttled", report.OutcomeIncomplete, 3, "TG.CA.1", ""},
		{"", report.OutcomeError, 2, "", "d-broken.json:4:1: invalid JSON"},
		{"", report.OutcomeError, 2, "", "e-repeated.json: invalid snapshot: sources.conditionalAccessPolicies: status denied but data.conditionalAccessPolicies is present"},
	}
	for i, w := range want {
		r := fl.Tenants[i]
		if r.Tenant.ID != w.tenant || r.Outcome != w.outcome || r.Exit != w.exit ||
			(w.notAssessed != "" && !strings.Contains(strings.Join(r.NotAssessed, " "), w.notAssessed)) ||
			(w.err != "" && !strings.Contains(r.Error, w.err)) {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
		if w.err == "" && len(r.Reports) != 2 {
			t.Errorf("row %d reports %v", i, r.Reports)
		}
	}
	if fl.Summary.Exit != report.ExitInput || fl.Summary.Passed != 1 || fl.Summary.Incomplete != 2 || fl.Summary.Errors != 2 {
		t.Errorf("summary %+v", fl.Summary)
	}
	// Per-tenant reports are the normal reports.
	raw, err := os.ReadFile(filepath.Join(reports, "b-denied.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	if err := json.Unmarshal(raw, &rep); err != nil || rep.Tenant.ID != "t-denied" || len(rep.Results) != 20 {
		t.Errorf("per-tenant report: %v", err)
	}
}

func TestExitRanking(t *testing.T) {
	tests := []struct{ a, b, want int }{
		{0, 3, 3}, {3, 1, 1}, {1, 2, 2}, {2, 4, 4}, {4, 0, 4}, {1, 3, 1},
	}
	for _, tt := range tests {
		if got := report.WorseExit(tt.a, tt.b); got != tt.want {
			t.Errorf("WorseExit(%d,%d)=%d want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	a := variant(t, dir, "a.json", "a", nil)
	variant(t, dir, "b.json", "b", nil)
	_ = os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, "collect-summary.json"), []byte(`{"kind": "tenantgate-collect-summary"}`), 0o644)
	tests := []struct {
		name string
		args []string
		n    int
		err  string
	}{
		{"dir", []string{dir}, 2, ""},
		{"glob", []string{filepath.Join(dir, "*.json")}, 2, ""},
		{"duplicates collapse", []string{a, dir}, 2, ""},
		{"missing file", []string{filepath.Join(dir, "nope.json")}, 0, "no such file"},
		{"empty glob", []string{filepath.Join(dir, "*.yaml")}, 0, "matches no file"},
		{"empty dir", []string{t.TempDir()}, 0, "no *.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Expand(tt.args)
			if tt.err != "" {
				if !inputerr.Is(err) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want input error %q", err, tt.err)
				}
				return
			}
			if err != nil || len(got) != tt.n {
				t.Fatalf("got %v %v", got, err)
			}
		})
	}
}

// TestReportNames: names that today's sanitising would map onto each other
// ("x y" and "x_y", or "x_y-2" and the second "x_y") get distinct names; a
// name depends on its file alone (same name whatever else is audited, in
// any order); two files that would share a name are an input error naming
// both.
func TestReportNames(t *testing.T) {
	files := []string{"d/x y.json", "d/x_y.json", "d/x_y-2.json", "d/x?y.json", "d/会社.json", "d/.json"}
	got, err := reportNames(files)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for i, n := range got {
		if prev, dup := seen[strings.ToLower(n)]; dup {
			t.Errorf("%s and %s share report name %q", prev, files[i], n)
		}
		seen[strings.ToLower(n)] = files[i]
		if n == "" || unsafeName.MatchString(n) {
			t.Errorf("%s: report name %q is not a plain file name", files[i], n)
		}
	}
	if got[1] != "x_y" || got[2] != "x_y-2" {
		t.Errorf("plain names are not kept: %v", got)
	}
	// Stable: alone, or in another order, each file keeps its name.
	for i, f := range files {
		alone, err := reportNames([]string{f})
		if err != nil || alone[0] != got[i] {
			t.Errorf("%s alone is %v (%v), with the others %q", f, alone, err, got[i])
		}
	}
	for _, pair := range [][]string{{"a/t.json", "b/t.json"}, {"a/T.json", "a/t.json"}, {"a/t.json", "a/t.xml"}} {
		_, err := reportNames(pair)
		if !inputerr.Is(err) || !strings.Contains(err.Error(), pair[1]) || !strings.Contains(err.Error(), pair[0]) {
			t.Errorf("%v: %v, want an input error naming both", pair, err)
		}
	}
}

// TestReportDirNeverFollowsASymlink: a link planted in the report directory
// under a tenant's report name is refused (that tenant's row is an error
// saying so), its target untouched; the other tenants' reports are written.
func TestReportDirNeverFollowsASymlink(t *testing.T) {
	dir := t.TempDir()
	files := []string{variant(t, dir, "a.json", "t-a", nil), variant(t, dir, "b.json", "t-b", nil)}
	reports := filepath.Join(t.TempDir(), "reports")
	if err := os.Mkdir(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "authorized_keys")
	if err := os.WriteFile(victim, []byte("ssh-ed25519 AAAA"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(reports, "a.json")); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Baseline()
	fl, err := Run(context.Background(), eng, b, files, Options{ReportDir: reports, FailOn: "never", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(victim); string(raw) != "ssh-ed25519 AAAA" {
		t.Fatalf("the link's target was overwritten: %q", raw)
	}
	if r := fl.Tenants[0]; r.Outcome != report.OutcomeError || r.Exit != report.ExitRuntime || !strings.Contains(r.Error, "symbolic link") {
		t.Errorf("row a = %+v, want an error about the link", r)
	}
	if r := fl.Tenants[1]; r.Outcome == report.OutcomeError || len(r.Reports) != 1 {
		t.Errorf("row b = %+v", r)
	}
}

func BenchmarkFleet100(b *testing.B) {
	dir := b.TempDir()
	t := &testing.T{}
	var files []string
	for i := 0; i < 100; i++ {
		files = append(files, variant(t, dir, "t"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+".json", "tenant", nil))
	}
	eng, _ := engine.New(context.Background(), "bench")
	bl, _ := demo.Baseline()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(context.Background(), eng, bl, files, Options{FailOn: "never", Now: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestShardsPartitionTheFleet: shards 0..N-1 of a snapshot set audit every
// file exactly once, and their rows are exactly the unsharded run's.
func TestShardsPartitionTheFleet(t *testing.T) {
	dir := t.TempDir()
	for i := range 23 {
		var edit func(map[string]any)
		if i%4 == 1 {
			edit = fail("authorizationPolicy", "denied", "Authorization_RequestDenied", "Insufficient privileges to complete the operation.", 403)
		}
		variant(t, dir, fmt.Sprintf("tenant-%02d.json", i), fmt.Sprintf("t-%02d", i), edit)
	}
	eng, err := engine.New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Baseline()
	files, err := Expand([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Parallel: 2, FailOn: "high", Now: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}
	all, err := Run(context.Background(), eng, b, files, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]report.FleetRow{}
	for _, r := range all.Tenants {
		want[r.File] = r
	}
	for _, n := range []int{1, 2, 3, 5, 40} {
		got := map[string]report.FleetRow{}
		for k := range n {
			sh := shard.Spec{K: k, N: n}
			o := opts
			o.Shard = sh
			part, err := Run(context.Background(), eng, b, Shard(files, sh), o)
			if err != nil {
				t.Fatal(err)
			}
			if part.Shard != sh.String() || part.Summary.Tenants != len(part.Tenants) {
				t.Errorf("shard %s: summary says shard %q, %d tenants of %d rows", sh, part.Shard, part.Summary.Tenants, len(part.Tenants))
			}
			for _, r := range part.Tenants {
				if _, dup := got[r.File]; dup {
					t.Errorf("N=%d: %s audited by two shards", n, r.File)
				}
				got[r.File] = r
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("N=%d: the shards' rows differ from the unsharded run (%d vs %d files)", n, len(got), len(want))
		}
	}
}

// TestRunInterrupted: a fleet run whose context ends says how far it got
// instead of summarising tenants it never audited.
func TestRunInterrupted(t *testing.T) {
	dir := t.TempDir()
	files := []string{variant(t, dir, "a.json", "t-a", nil), variant(t, dir, "b.json", "t-b", nil)}
	eng, err := engine.New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Baseline()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fl, err := Run(ctx, eng, b, files, Options{FailOn: "never", Now: time.Now()})
	if fl != nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "0 of 2 snapshots audited") {
		t.Errorf("Run = %v, %v", fl, err)
	}
}

// The same tenant's snapshot twice is flagged on the later row and counted
// once in the mean score; every audited row carries its matrix statuses.
func TestSameTenantTwiceIsFlagged(t *testing.T) {
	dir := t.TempDir()
	files := []string{
		variant(t, dir, "a.json", "t-same", nil),
		variant(t, dir, "b.json", "T-SAME", nil),
		variant(t, dir, "c.json", "t-other", fail("authorizationPolicy", "denied", "Authorization_RequestDenied", "x", 403)),
	}
	eng, err := engine.New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Baseline()
	fl, err := Run(context.Background(), eng, b, files, Options{FailOn: "never", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if fl.Tenants[0].DuplicateOf != "" || fl.Tenants[1].DuplicateOf != files[0] || fl.Tenants[2].DuplicateOf != "" || fl.Summary.Duplicates != 1 {
		t.Errorf("duplicates: %q %q %q, count %d", fl.Tenants[0].DuplicateOf, fl.Tenants[1].DuplicateOf, fl.Tenants[2].DuplicateOf, fl.Summary.Duplicates)
	}
	want := float64(int((fl.Tenants[0].Summary.Score+fl.Tenants[2].Summary.Score)*10/2+0.5)) / 10
	if fl.Summary.MeanScore != want {
		t.Errorf("mean score %.1f, want %.1f (the duplicate counted once)", fl.Summary.MeanScore, want)
	}
	if len(fl.Controls) != len(eng.Catalog()) || fl.Tenants[2].Statuses["TG.APP.1"] != report.NotAssessed || fl.Tenants[0].Statuses["TG.CA.9"] != report.Pass {
		t.Errorf("matrix: controls %d, statuses %v", len(fl.Controls), fl.Tenants[2].Statuses)
	}
}
