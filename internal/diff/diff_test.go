package diff

import (
	"github.com/tenantgate/tenantgate/internal/testutil"

	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

var update = flag.Bool("update", false, "rewrite golden files")

func load(t *testing.T, name string) *Input {
	t.Helper()
	in, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestClassify(t *testing.T) {
	const P, F, NL, NA, W = report.Pass, report.Fail, report.NotLicensed, report.NotAssessed, report.Waived
	for _, tc := range []struct{ old, new, want string }{
		{P, P, ""},
		{P, F, Regressed},
		{P, NA, Regressed},
		{P, NL, Regressed},
		{P, W, Regressed},
		{F, P, Improved},
		{NA, P, Improved},
		{NL, P, Improved},
		{W, P, Improved},
		{W, F, Regressed}, // the waiver expired
		{NA, F, Regressed},
		{F, NA, Regressed}, // losing sight of a failure is not an improvement
		{F, W, Changed},
		{F, NL, Changed},
		{NL, W, Changed},
		{NA, NL, Changed},
	} {
		if got := Classify(tc.old, tc.new); got != tc.want {
			t.Errorf("Classify(%s, %s) = %q, want %q", tc.old, tc.new, got, tc.want)
		}
	}
}

func findChange(r *Result, source, id string) *ObjectChange {
	for i := range r.Changes {
		if r.Changes[i].Source == source && r.Changes[i].ID == id {
			return &r.Changes[i]
		}
	}
	return nil
}

func fieldPaths(c *ObjectChange) []string {
	var out []string
	for _, f := range c.Fields {
		out = append(out, f.Path)
	}
	return out
}

func TestSnapshotDiff(t *testing.T) {
	res, err := Compare(load(t, "old.snapshot.json"), load(t, "new.snapshot.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != KindSnapshot || res.ControlsCompared || res.Regressed() {
		t.Errorf("kind %s, controlsCompared %v, regressions %d", res.Kind, res.ControlsCompared, res.Regressions)
	}

	const ca = "conditionalAccessPolicies"
	added := findChange(res, ca, "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d")
	if added == nil || added.Change != "added" || added.Name != "CA09 - Legacy app compatibility" || added.State.New != "enabled" {
		t.Errorf("added CA policy: %+v", added)
	}
	removed := findChange(res, ca, "77665544-3322-4110-8ffe-ddccbbaa9988")
	if removed == nil || removed.Change != "removed" || removed.State.Old != "enabled" {
		t.Errorf("removed CA policy: %+v", removed)
	}
	mod := findChange(res, ca, "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f")
	if mod == nil || mod.Change != "modified" {
		t.Fatalf("modified CA policy: %+v", mod)
	}
	if mod.State == nil || mod.State.Old != "enabled" || mod.State.New != "enabledForReportingButNotEnforced" {
		t.Errorf("state change %+v", mod.State)
	}
	wantPaths := "conditions.users.excludeUsers modifiedDateTime sessionControls.signInFrequency.value"
	if got := strings.Join(fieldPaths(mod), " "); got != wantPaths {
		t.Errorf("modified fields %q, want %q", got, wantPaths)
	}
	for _, f := range mod.Fields {
		if f.Path == "sessionControls.signInFrequency.value" && (valueText(f.Old) != "1" || valueText(f.New) != "8") {
			t.Errorf("signInFrequency %v -> %v", f.Old, f.New)
		}
	}
	if c := findChange(res, ca, "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"); c != nil {
		t.Errorf("unchanged policy reported: %+v", c)
	}

	loc := findChange(res, "namedLocations", "5a6b7c8d-1111-4222-8333-444455556666")
	if loc == nil || strings.Join(fieldPaths(loc), " ") != "ipRanges modifiedDateTime" {
		t.Errorf("named location change %+v", loc)
	}
	authz := findChange(res, "authorizationPolicy", "")
	want := "defaultUserRolePermissions.allowedToCreateApps defaultUserRolePermissions.permissionGrantPoliciesAssigned"
	if authz == nil || strings.Join(fieldPaths(authz), " ") != want {
		t.Errorf("authorizationPolicy change %+v (no @odata metadata expected)", authz)
	}
	methods := findChange(res, "authenticationMethodsPolicy", "")
	if methods == nil || strings.Join(fieldPaths(methods), " ") != "authenticationMethodConfigurations[id=Fido2].state" {
		t.Errorf("authenticationMethodsPolicy change %+v", methods)
	}
	for _, quiet := range []string{"subscribedSkus", "organization", "diagnosticSettings", "adminConsentRequestPolicy", "securityDefaults"} {
		for _, c := range res.Changes {
			if c.Source == quiet {
				t.Errorf("%s: unexpected change %+v", quiet, c)
			}
		}
	}
	if len(res.Sources) != 1 || res.Sources[0] != (SourceChange{Source: "diagnosticSettings", Old: "ok", New: "denied", Error: "403 AuthorizationFailed: the client lacks microsoft.aadiam/diagnosticSettings/read"}) {
		t.Errorf("source changes %+v", res.Sources)
	}
	// Conditional Access comes first.
	if res.Changes[0].Source != ca {
		t.Errorf("first change is %s", res.Changes[0].Source)
	}
}

// fakeAudit stands in for the rule engine: TG.CA.2 passes while CA02 is enforced.
func fakeAudit(s *snapshot.Snapshot) (*report.Report, error) {
	var pols []struct{ ID, State string }
	if err := json.Unmarshal(s.Data["conditionalAccessPolicies"], &pols); err != nil {
		return nil, err
	}
	status := report.Fail
	for _, p := range pols {
		if p.ID == "0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f" && p.State == "enabled" {
			status = report.Pass
		}
	}
	r := &report.Report{SchemaVersion: 1, Tenant: report.Tenant{ID: s.Tenant.ID}, Results: []report.Result{
		{ID: "TG.CA.2", Title: "Browser sessions re-authenticate hourly", Severity: "high", Status: status, Finding: "CA02 is " + status},
		{ID: "TG.APP.3", Title: "Admin consent workflow", Severity: "low", Status: report.Pass},
	}}
	r.Summarize()
	return r, nil
}

func TestSnapshotDiffWithAudit(t *testing.T) {
	res, err := Compare(load(t, "old.snapshot.json"), load(t, "new.snapshot.json"), Options{Audit: fakeAudit})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ControlsCompared || res.Regressions != 1 || !res.Regressed() {
		t.Fatalf("controls compared %v, regressions %d", res.ControlsCompared, res.Regressions)
	}
	c := res.Controls[0]
	if c.ID != "TG.CA.2" || c.Old != report.Pass || c.New != report.Fail || c.Direction != Regressed {
		t.Errorf("control change %+v", c)
	}
	if len(res.Changes) == 0 {
		t.Error("settings changes lost when auditing")
	}

	// An auditor error names the file.
	boom := func(*snapshot.Snapshot) (*report.Report, error) { return nil, errors.New("boom") }
	if _, err := Compare(load(t, "old.snapshot.json"), load(t, "new.snapshot.json"), Options{Audit: boom}); err == nil || !strings.Contains(err.Error(), "old.snapshot.json") {
		t.Errorf("auditor error: %v", err)
	}
}

func TestReportDiff(t *testing.T) {
	res, err := Compare(load(t, "old.report.json"), load(t, "new.report.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range res.Controls {
		got[c.ID] = c.Old + ">" + c.New + " " + c.Direction
	}
	want := map[string]string{
		"TG.CA.2":  "pass>fail regressed",
		"TG.CA.9":  "pass>fail regressed",
		"TG.APP.1": "pass>fail regressed",
		"TG.DEV.1": "pass>not_assessed regressed",
		"TG.CA.8":  "fail>not_assessed regressed",
		"TG.ID.1":  "fail>pass improved",
		"TG.CA.3":  "fail>waived changed",
		"TG.LOG.3": ">pass added",
	}
	if len(got) != len(want) {
		t.Errorf("changes %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: %q, want %q", id, got[id], w)
		}
	}
	if res.Regressions != 5 || res.Improvements != 1 || !res.Regressed() {
		t.Errorf("regressions %d, improvements %d", res.Regressions, res.Improvements)
	}
	if res.Score == nil || res.Score.Old != 47.5 || res.Score.New != 41 {
		t.Errorf("score %+v", res.Score)
	}
	if len(res.Changes) != 0 || len(res.Sources) != 0 {
		t.Error("reports have no settings to compare")
	}

	// The same report twice: nothing regressed.
	same, err := Compare(load(t, "new.report.json"), load(t, "new.report.json"), Options{})
	if err != nil || len(same.Controls) != 0 || same.Regressed() {
		t.Errorf("identical reports: %+v, %v", same, err)
	}
}

func TestIdenticalSnapshots(t *testing.T) {
	res, err := Compare(load(t, "new.snapshot.json"), load(t, "new.snapshot.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changes)+len(res.Sources)+len(res.Controls) != 0 {
		t.Errorf("changes between identical snapshots: %+v", res)
	}
	var buf bytes.Buffer
	res.WriteText(&buf)
	if !strings.Contains(buf.String(), "Result: no changes.") {
		t.Errorf("text:\n%s", buf.String())
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, body, want string
	}{
		{"syntax.json", "{\n  \"results\": [\n    {\"id\": \"TG.CA.1\",,}\n  ]\n}\n", "syntax.json:3:"},
		{"empty.json", "", "empty file"},
		{"other.json", `{"hello": "world"}`, "neither a tenantgate snapshot"},
		{"array.json", `[1, 2]`, "the file holds a JSON array"},
		{"snap.json", `{"schemaVersion": 1, "collectedAt": "2026-05-04T06:00:00Z", "sources": {}, "data": {}}`, "missing tenant.id"},
		{"status.json", `{"schemaVersion": 1, "tenant": {"id": "t"}, "results": [{"id": "TG.CA.1", "status": "broken"}]}`, `unknown status "broken"`},
		{"version.json", `{"schemaVersion": 7, "tenant": {"id": "t"}, "results": []}`, "schemaVersion 7 is not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(tc.name, tc.body))
			if err == nil {
				t.Fatal("no error")
			}
			if !inputerr.Is(err) || !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q: want an input error naming %s and saying %q", err, tc.name, tc.want)
			}
		})
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !inputerr.Is(err) || !strings.Contains(err.Error(), "missing.json: cannot read") {
		t.Errorf("missing file: %v", err)
	}
	// A snapshot against a report.
	_, err := Compare(load(t, "old.snapshot.json"), load(t, "new.report.json"), Options{})
	if err == nil || !inputerr.Is(err) || !strings.Contains(err.Error(), "new.report.json: is an audit result, but testdata/old.snapshot.json is a snapshot") {
		t.Errorf("mixed kinds: %v", err)
	}
}

func TestTextGolden(t *testing.T) {
	for _, tc := range []struct{ golden, old, new string }{
		{"snapshots", "old.snapshot.json", "new.snapshot.json"},
		{"reports", "old.report.json", "new.report.json"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			res, err := Compare(load(t, tc.old), load(t, tc.new), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var txt, js bytes.Buffer
			if err := res.WriteText(&txt); err != nil {
				t.Fatal(err)
			}
			if err := res.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tc.golden+".txt.golden"), txt.Bytes())
			golden(t, filepath.Join("testdata", tc.golden+".json.golden"), js.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	testutil.Golden(t, path, got, *update, "./internal/diff")
}

// A permission denied between two runs: the failing control becomes
// not_assessed, the score rises, coverage falls; the text says both.
func TestCoverageFallsWhileScoreRises(t *testing.T) {
	mk := func(statuses ...string) *report.Report {
		r := &report.Report{SchemaVersion: 1, Tenant: report.Tenant{ID: "t"}}
		for i, st := range statuses {
			r.Results = append(r.Results, report.Result{ID: fmt.Sprintf("TG.X.%d", i+1), Severity: "high", Status: st})
		}
		r.Summarize()
		return r
	}
	oldR, newR := mk(report.Pass, report.Fail), mk(report.Pass, report.NotAssessed)
	res, err := Compare(&Input{Path: "old", Kind: KindReport, Report: oldR}, &Input{Path: "new", Kind: KindReport, Report: newR}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Regressions != 1 || res.Controls[0].Direction != Regressed {
		t.Fatalf("fail -> not_assessed: %+v", res.Controls)
	}
	if res.Score.New <= res.Score.Old || *res.Score.OldCoverage != (Coverage{2, 2}) || *res.Score.NewCoverage != (Coverage{1, 2}) {
		t.Fatalf("score %+v old coverage %+v new coverage %+v", res.Score, res.Score.OldCoverage, res.Score.NewCoverage)
	}
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"now not assessed: tenantgate lost sight of this control, which counts as a regression",
		"Score: 50.0 → 100.0 (+50.0) · assessed 2/2 → 1/2 applicable controls",
		"The score did not fall only because fewer controls were assessed",
		"Result: 1 regression.",
	} {
		if !strings.Contains(strings.Join(strings.Fields(b.String()), " "), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
