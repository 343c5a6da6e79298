package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

var now = testutil.Now

func testEngine(t testing.TB) *engine.Engine { return testutil.Engine(t) }

func demoReport(t testing.TB, b *baseline.Baseline) *report.Report { return testutil.DemoReport(t, b) }

// TestCatalogMatchesSpec checks the METADATA catalog against the control
// table of controls.md: same ids, order, severities and licenses.
func TestCatalogMatchesSpec(t *testing.T) {
	raw, err := os.ReadFile("../../../shared/spec/controls.md")
	if err != nil {
		t.Skipf("spec not available: %v", err)
	}
	row := regexp.MustCompile(`(?m)^\| (TG\.[A-Z]+\.\d+) \| (high|medium|low) \| ([^|]+) \|`)
	rows := row.FindAllStringSubmatch(string(raw), -1)
	cat := testEngine(t).Catalog()
	if len(rows) != len(cat) {
		t.Fatalf("spec has %d controls, catalog %d", len(rows), len(cat))
	}
	licName := map[string]string{"AAD_PREMIUM": "Entra ID P1", "AAD_PREMIUM_P2": "Entra ID P2", "INTUNE_A": "Intune", "AUDIT_STANDARD": "Audit (Standard)"}
	for i, m := range rows {
		c := cat[i]
		if c.ID != m[1] || c.Severity != m[2] {
			t.Errorf("catalog[%d] = %s/%s, spec %s/%s", i, c.ID, c.Severity, m[1], m[2])
		}
		spec := strings.TrimSpace(m[3])
		for _, req := range c.Requires {
			if !strings.Contains(spec, licName[req]) {
				t.Errorf("%s requires %s, spec license is %q", c.ID, req, spec)
			}
		}
		if len(c.Requires) == 0 && !strings.HasPrefix(spec, "Free") {
			t.Errorf("%s requires nothing, spec license is %q", c.ID, spec)
		}
		if !strings.HasPrefix(c.File, "policies/") || c.Line < 1 {
			t.Errorf("%s has no Rego location: %s:%d", c.ID, c.File, c.Line)
		}
	}
}

// TestDemoVerdicts pins the demo tenant's verdicts: the realistic mix the
// README shows, and each failure for the reason the demo was built with.
func TestDemoVerdicts(t *testing.T) {
	r := demoReport(t, nil)
	want := []struct{ id, status, finding string }{
		{"TG.CA.1", "fail", "'CA006: Token protection pilot (IT team)' does not target all users"},
		{"TG.CA.2", "fail", "re-authenticates every 4 hours; the baseline allows at most 1"},
		{"TG.CA.3", "fail", "'CA005: Require compliant device (pilot)' would satisfy this control but is report-only"},
		{"TG.CA.4", "fail", "no Conditional Access policy requires a phishing-resistant authentication strength"},
		{"TG.CA.5", "fail", "trusted location 'Remote work (temporary)', whose ranges cover 4,294,967,296 IPv4 addresses"},
		{"TG.CA.6", "fail", "tenant setting is notRequired"},
		{"TG.CA.7", "not_licensed", "Microsoft Entra ID P2"},
		{"TG.CA.8", "fail", "does not exclude breakglass02@sunnyside08.onmicrosoft.com"},
		{"TG.CA.9", "pass", "none of the 5 enforced policies"},
		{"TG.APP.1", "fail", "allowedToCreateApps = true"},
		{"TG.APP.2", "fail", "'microsoft-user-default-legacy'"},
		{"TG.APP.3", "fail", "turned off"},
		{"TG.AUTH.1", "fail", "disabled"},
		{"TG.ID.1", "pass", "'CA001: Require MFA for all users'"},
		{"TG.LOG.1", "fail", "kept only 30 days (built-in retention with Microsoft Entra ID P1)"},
		{"TG.LOG.2", "fail", "no diagnostic setting"},
		{"TG.LOG.3", "pass", "kept 180 days"},
		{"TG.DEV.1", "fail", "no enrollment notification"},
		{"TG.CA.10", "fail", "no Conditional Access policy blocks the device code flow"},
		{"TG.CA.11", "pass", "'CA002: Block legacy authentication' blocks legacy authentication"},
	}
	if len(r.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(r.Results), len(want))
	}
	for i, w := range want {
		got := r.Results[i]
		if got.ID != w.id || got.Status != w.status || !strings.Contains(got.Finding, w.finding) {
			t.Errorf("result %d = %s %s %q\nwant %s %s containing %q", i, got.ID, got.Status, got.Finding, w.id, w.status, w.finding)
		}
	}
	s := r.Summary
	if s.Pass != 4 || s.Fail != 15 || s.NotLicensed != 1 || s.NotAssessed != 0 || s.Waived != 0 {
		t.Errorf("summary %+v", s)
	}
	// score = passing weight / assessed weight = (2+3+3+3) / (11 + 15 fails' weights 38)
	if s.Score != 22.4 {
		t.Errorf("score %v, want 22.4", s.Score)
	}
	if !r.Licenses["AAD_PREMIUM"] || r.Licenses["AAD_PREMIUM_P2"] || !r.Licenses["INTUNE_A"] || r.Licenses["M365_ADVANCED_AUDITING"] {
		t.Errorf("licenses %v", r.Licenses)
	}
	if got := r.ExitCode("high", false); got != report.ExitGate {
		t.Errorf("exit code %d, want 1", got)
	}
}

// TestReportJSONShape checks the JSON keys of cli.md's audit result.
func TestReportJSONShape(t *testing.T) {
	raw, err := json.Marshal(demoReport(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schemaVersion", "tool", "generatedAt", "tenant", "baseline", "licenses", "summary", "results"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing top-level key %s", k)
		}
	}
	for _, k := range []string{"pass", "fail", "not_licensed", "not_assessed", "waived", "score"} {
		if _, ok := doc["summary"].(map[string]any)[k]; !ok {
			t.Errorf("missing summary.%s", k)
		}
	}
	seen := map[string]bool{}
	for _, x := range doc["results"].([]any) {
		res := x.(map[string]any)
		for _, k := range []string{"id", "title", "severity", "status", "finding", "evidence", "remediation", "requires"} {
			if _, ok := res[k]; !ok {
				t.Errorf("%v: missing key %s", res["id"], k)
			}
		}
		if _, ok := res["evidence"].([]any); !ok {
			t.Errorf("%v: evidence must be an array, got %v", res["id"], res["evidence"])
		}
		id := res["id"].(string)
		if seen[id] {
			t.Errorf("%s appears twice", id)
		}
		seen[id] = true
	}
}

func TestWaivers(t *testing.T) {
	doc := `name: w
break_glass: [breakglass01@sunnyside08.onmicrosoft.com, breakglass02@sunnyside08.onmicrosoft.com]
waivers:
  - {control: TG.CA.3, reason: Intune rollout finishes in Q2, approved_by: CISO, expires: 2027-03-31}
  - {control: TG.APP.3, reason: old, approved_by: CISO, expires: 2026-01-31}
  - {control: TG.ID.1, reason: stale, approved_by: CISO, expires: 2027-01-01}
`
	b, err := baseline.Parse("w.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	r := demoReport(t, b)
	by := map[string]report.Result{}
	for _, res := range r.Results {
		by[res.ID] = res
	}
	if w := by["TG.CA.3"]; w.Status != report.Waived || w.Waiver == nil || w.Waiver.ApprovedBy != "CISO" || w.Waiver.Expires != "2027-03-31" {
		t.Errorf("TG.CA.3 not waived: %+v", w)
	}
	if by["TG.APP.3"].Status != report.Fail {
		t.Errorf("expired waiver applied: %+v", by["TG.APP.3"])
	}
	joined := strings.Join(r.Warnings, "\n")
	for _, want := range []string{"waiver for TG.APP.3 expired on 2026-01-31", "stale waiver for TG.ID.1"} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings %q lack %q", joined, want)
		}
	}
	if r.Summary.Waived != 1 || r.Summary.Fail != 14 {
		t.Errorf("summary %+v", r.Summary)
	}
}

func TestDisableAndRegrade(t *testing.T) {
	b, err := baseline.Parse("b.yaml", []byte("name: b\nbreak_glass: [breakglass01@sunnyside08.onmicrosoft.com, breakglass02@sunnyside08.onmicrosoft.com]\ncontrols:\n  TG.DEV.1: {enabled: false}\n  TG.APP.3: {severity: high}\n"))
	if err != nil {
		t.Fatal(err)
	}
	r := demoReport(t, b)
	for _, res := range r.Results {
		if res.ID == "TG.DEV.1" {
			t.Error("disabled control reported")
		}
	}
	if res := testutil.Result(t, r, "TG.APP.3"); res.Severity != "high" {
		t.Errorf("TG.APP.3 severity %s", res.Severity)
	}
	if len(r.Results) != 19 {
		t.Errorf("%d results", len(r.Results))
	}
}

// TestDeniedSourcesNeverPass: with any single source denied, no control that
// reads it may pass.
func TestDeniedSourcesNeverPass(t *testing.T) {
	base, b := testutil.Demo(t)
	cat := testEngine(t).Catalog()
	for _, src := range snapshot.SourceNames() {
		t.Run(src, func(t *testing.T) {
			s := *base
			s.Sources = map[string]snapshot.Source{}
			s.Data = map[string]json.RawMessage{}
			for k, v := range base.Sources {
				s.Sources[k] = v
			}
			for k, v := range base.Data {
				if k != src {
					s.Data[k] = v
				}
			}
			s.Sources[src] = snapshot.Source{Status: snapshot.StatusDenied, HTTPStatus: 403, Code: "Authorization_RequestDenied", Error: "Insufficient privileges"}
			r, err := testEngine(t).Evaluate(context.Background(), &s, b, now)
			if err != nil {
				t.Fatal(err)
			}
			for i, res := range r.Results {
				needs := false
				for _, n := range cat[i].Sources {
					needs = needs || n == src
				}
				if src == "subscribedSkus" && len(cat[i].Requires) > 0 {
					needs = true
				}
				// License comes first (controls.md), so not_licensed stays
				// right unless the licenses themselves are unknown.
				licenseFirst := res.Status == report.NotLicensed && src != "subscribedSkus"
				if needs && !licenseFirst && res.Status != report.NotAssessed {
					t.Errorf("%s is %s with %s denied: %s", res.ID, res.Status, src, res.Finding)
				}
				// A not_assessed result names what to grant, from the
				// permissions catalog.
				if needs && res.Status == report.NotAssessed {
					e, _ := permissions.Lookup(src)
					want := strings.Join(e.Application, " + ")
					if e.API == permissions.ARM {
						want = e.AzureRole
					}
					if !strings.Contains(res.MissingText(), want) || !strings.Contains(res.MissingText(), "`tenantgate permissions`: "+src) {
						t.Errorf("%s: not_assessed without what to grant for %s (%s): %q", res.ID, src, want, res.MissingText())
					}
				}
			}
			// Exactly one run warning: the denied source, with the same advice.
			if len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], src+" could not be read (denied, HTTP 403 Authorization_RequestDenied)") ||
				!strings.Contains(r.Warnings[0], "`tenantgate permissions`: "+src) {
				t.Errorf("evaluation warnings: %v", r.Warnings)
			}
		})
	}
}

// TestRedirectedSourceAdvice: a source the collector refused because the
// service redirected it elsewhere is not_assessed with advice about the
// endpoint, not a permission to grant (the token was never the problem).
func TestRedirectedSourceAdvice(t *testing.T) {
	base, b := testutil.Demo(t)
	s := *base
	s.Sources, s.Data = maps.Clone(base.Sources), maps.Clone(base.Data)
	delete(s.Data, "conditionalAccessPolicies")
	s.Sources["conditionalAccessPolicies"] = snapshot.Source{Status: snapshot.StatusError, HTTPStatus: 302, Code: "redirectRefused",
		Error: "the service answered this $batch item with a redirect to http://elsewhere.example/; tenantgate never follows a redirect inside $batch"}
	r, err := testEngine(t).Evaluate(context.Background(), &s, b, now)
	if err != nil {
		t.Fatal(err)
	}
	if res := testutil.Result(t, r, "TG.ID.1"); res.Status != report.NotAssessed || !strings.Contains(res.MissingText(), "was redirected") || strings.Contains(res.MissingText(), "is granted") {
		t.Errorf("TG.ID.1 %s, missing: %q", res.Status, res.MissingText())
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "check the endpoint and any proxy") {
		t.Errorf("warnings: %v", r.Warnings)
	}
}

// TestThrottledSourceAdvice: a source still throttled (or unavailable)
// after tenantgate's retries is not_assessed with advice to collect again
// later, not a permission to grant.
func TestThrottledSourceAdvice(t *testing.T) {
	base, b := testutil.Demo(t)
	for _, src := range []snapshot.Source{
		{Status: snapshot.StatusError, HTTPStatus: 429, Code: "throttled", Error: "throttled: the service's Retry-After (600) asks for a longer wait than the 1m0s tenantgate allows; collect again later."},
		{Status: snapshot.StatusError, HTTPStatus: 503, Code: "serviceNotAvailable", Error: "The service is temporarily unavailable."},
	} {
		s := *base
		s.Sources, s.Data = maps.Clone(base.Sources), maps.Clone(base.Data)
		delete(s.Data, "conditionalAccessPolicies")
		s.Sources["conditionalAccessPolicies"] = src
		r, err := testEngine(t).Evaluate(context.Background(), &s, b, now)
		if err != nil {
			t.Fatal(err)
		}
		if res := testutil.Result(t, r, "TG.ID.1"); res.Status != report.NotAssessed || !strings.Contains(res.MissingText(), "collect again later") || strings.Contains(res.MissingText(), "is granted") {
			t.Errorf("HTTP %d: TG.ID.1 %s, missing: %q", src.HTTPStatus, res.Status, res.MissingText())
		}
	}
}

func BenchmarkEvaluateDemo(b *testing.B) {
	e := testEngine(b)
	s, bl := testutil.Demo(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, s, bl, now); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEvaluateInterrupted: an evaluation whose context ends (--timeout,
// ^C) is an error, never a report of not_assessed controls.
func TestEvaluateInterrupted(t *testing.T) {
	e := testutil.Engine(t)
	s, bl := testutil.Demo(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := e.Evaluate(ctx, s, bl, testutil.Now)
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Evaluate = %v, %v; want the context's error", r, err)
	}
}

// Results name the ids they rest on (objects beside evidence) and list the
// policies they considered; the demo's TG.CA.8 passes once CA003 excludes
// the second break-glass account, with both accounts named.
func TestResultsNameTheirEvidence(t *testing.T) {
	s, b := testutil.Demo(t)
	var policies []map[string]any
	if err := json.Unmarshal(s.Data["conditionalAccessPolicies"], &policies); err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		if p["displayName"] == "CA003: Outlook on the web - sign-in every 4 hours" {
			u := p["conditions"].(map[string]any)["users"].(map[string]any)
			u["excludeUsers"] = append(u["excludeUsers"].([]any), "9c1d7e3b-2f4a-4e6b-8a5c-3d2e1f0a7b02")
		}
	}
	raw, _ := json.Marshal(policies)
	s.Data["conditionalAccessPolicies"] = raw
	r, err := testEngine(t).Evaluate(context.Background(), s, b, now)
	if err != nil {
		t.Fatal(err)
	}
	res := testutil.Result(t, r, "TG.CA.8")
	if res.Status != report.Pass || len(res.Evidence) != 2 {
		t.Fatalf("TG.CA.8 %s: %s %v", res.Status, res.Finding, res.Evidence)
	}
	for _, id := range res.Evidence {
		o := res.Objects[id]
		if o.Type != "user" || !strings.HasPrefix(o.UserPrincipalName, "breakglass0") || !strings.HasPrefix(o.DisplayName, "Break Glass 0") {
			t.Errorf("evidence %s named %+v", id, o)
		}
	}
	if len(res.Considered) != 5 {
		t.Errorf("considered %d policies, want the 5 that are not disabled and target the accounts", len(res.Considered))
	}
	for _, c := range res.Considered {
		if !c.Counts() || res.Objects[c.ID].Type != "conditionalAccessPolicy" {
			t.Errorf("considered %+v, object %+v", c, res.Objects[c.ID])
		}
	}
}
