package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

const (
	demoBaseline = "../../internal/demo/baseline.yaml"
	now          = "2026-11-25T09:00:00Z"
	bg1          = "4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01"
	bg2          = "9c1d7e3b-2f4a-4e6b-8a5c-3d2e1f0a7b02"
)

// tool runs the real CLI wiring (with the Graph-backed Live) in-process.
func tool(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Live: live(), IsTerminal: func(any) bool { return false }}
	code := cli.Main(context.Background(), app, args)
	// Text output wraps to 80 columns: a token cut across lines is printed too.
	if all := stdout.String() + stderr.String(); strings.Contains(all, token) || strings.Contains(strings.Join(strings.Fields(all), ""), token) {
		t.Fatal("the token was printed")
	}
	return code, stdout.String(), stderr.String()
}

// flat joins wrapped text into one line, so a sentence can be looked for
// wherever the terminal width cut it.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func emulator(t *testing.T, opts emulate.Options) (*emulate.Server, []string) {
	t.Helper()
	t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
	t.Setenv("AZURE_TENANT_ID", "")
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	opts.Token = token
	srv := emulate.New(snap, opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, []string{"--graph-endpoint", ts.URL, "--arm-endpoint", ts.URL}
}

type verdict struct{ ID, Status, Finding, Evidence string }

func verdicts(t *testing.T, out string) []verdict {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out)
	}
	var vs []verdict
	for _, res := range r.Results {
		vs = append(vs, verdict{res.ID, res.Status, res.Finding, strings.Join(res.Evidence, ",")})
	}
	return vs
}

// The acceptance test: emulate + live audit gives the verdicts of
// audit --demo, here with paging and throttling on every first request.
func TestLiveAuditMatchesDemo(t *testing.T) {
	_, conn := emulator(t, emulate.Options{PageSize: 2, Throttle: 1, RetryAfter: 0})
	code, want, _ := tool(t, "audit", "--demo", "--format", "json", "--now", now)
	if code != 1 {
		t.Fatalf("demo audit exit %d", code)
	}
	args := append([]string{"audit", "--baseline", demoBaseline, "--format", "json", "--now", now}, conn...)
	code, got, stderr := tool(t, args...)
	if code != 1 {
		t.Fatalf("live audit exit %d\n%s", code, stderr)
	}
	w, g := verdicts(t, want), verdicts(t, got)
	if len(w) != len(g) {
		t.Fatalf("%d vs %d results", len(w), len(g))
	}
	for i := range w {
		if w[i] != g[i] {
			t.Errorf("live differs from demo:\n live %+v\n demo %+v", g[i], w[i])
		}
	}
}

func TestLiveAuditDeniedSourceIsIncomplete(t *testing.T) {
	_, conn := emulator(t, emulate.Options{Deny: []string{"authorizationPolicy"}})
	args := append([]string{"audit", "--baseline", demoBaseline, "--format", "json", "--fail-on", "never"}, conn...)
	code, out, _ := tool(t, args...)
	if code != report.ExitIncomplete {
		t.Fatalf("exit %d, want 3", code)
	}
	for _, v := range verdicts(t, out) {
		if strings.HasPrefix(v.ID, "TG.APP.") && v.ID != "TG.APP.3" && (v.Status != report.NotAssessed || !strings.Contains(v.Finding, "403")) {
			t.Errorf("%+v", v)
		}
	}
}

func writes(srv *emulate.Server) (posts, others int) {
	for _, r := range srv.Requests() {
		switch r.Method {
		case http.MethodPost:
			if strings.HasSuffix(r.Path, "/identity/conditionalAccess/policies") {
				posts++
			}
		case http.MethodPatch, http.MethodPut, http.MethodDelete:
			others++
		}
	}
	return
}

// TestPlanApplyFlow: plan → apply creates exactly the failed, licensed CA
// controls' policies, all report-only and excluding the break-glass accounts;
// a second apply creates nothing; the saved plan is then stale; the next
// audit still fails those controls and names the new report-only policies.
func TestPlanApplyFlow(t *testing.T) {
	srv, conn := emulator(t, emulate.Options{PageSize: 3})
	planFile := filepath.Join(t.TempDir(), "plan.json")
	code, out, stderr := tool(t, append([]string{"plan", "--baseline", demoBaseline, "--output", planFile}, conn...)...)
	if code != 0 || !strings.Contains(out, "Will create 7 Conditional Access policies") {
		t.Fatalf("plan exit %d\n%s\n%s", code, out, stderr)
	}
	// The demo trusts 0.0.0.0/1 + 128.0.0.0/1: the plan does not promise
	// that the TG.CA.5/6 policies close their controls.
	for _, want := range []string{"does not close it yet: cannot close TG.CA.5 until trusted location 'Remote work (temporary)' is fixed",
		"cannot close TG.CA.6 until", "Fix trusted location 'Remote work (temporary)'"} {
		if !strings.Contains(flat(out), want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	// No --yes off a terminal: nothing is created.
	code, _, stderr = tool(t, append([]string{"apply", "--plan", planFile, "--baseline", demoBaseline}, conn...)...)
	if p, _ := writes(srv); code != report.ExitInput || p != 0 || !strings.Contains(stderr, "--yes") {
		t.Fatalf("apply without --yes: exit %d, %d POSTs\n%s", code, p, stderr)
	}
	code, out, stderr = tool(t, append([]string{"apply", "--plan", planFile, "--baseline", demoBaseline, "--yes"}, conn...)...)
	if code != 0 {
		t.Fatalf("apply exit %d\n%s\n%s", code, out, stderr)
	}
	posts, others := writes(srv)
	if posts != 7 || others != 0 {
		t.Fatalf("%d POSTs and %d PATCH/PUT/DELETE, want 7 and 0", posts, others)
	}
	var names []string
	for _, raw := range srv.ConditionalAccessPolicies() {
		p, err := apply.ParseHead(raw)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.DisplayName, apply.DisplayPrefix) {
			continue
		}
		names = append(names, strings.Join(strings.Fields(p.DisplayName)[:2], " "))
		if p.State != apply.ReportOnly {
			t.Errorf("%s created as %s", p.DisplayName, p.State)
		}
		ex := strings.Join(p.Conditions.Users.ExcludeUsers, ",")
		if !strings.Contains(ex, bg1) || !strings.Contains(ex, bg2) {
			t.Errorf("%s excludes %v, not both break-glass accounts", p.DisplayName, ex)
		}
	}
	sort.Strings(names)
	if strings.Join(names, ";") != "tenantgate TG.CA.1;tenantgate TG.CA.10;tenantgate TG.CA.2;tenantgate TG.CA.3;tenantgate TG.CA.4;tenantgate TG.CA.5;tenantgate TG.CA.6" {
		t.Errorf("created %v", names)
	}
	for _, want := range []string{"created  TG.CA.1", "report-only", "watch the report-only results"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}

	// A second apply (fresh live plan) creates nothing.
	code, _, stderr = tool(t, append([]string{"apply", "--baseline", demoBaseline, "--yes"}, conn...)...)
	if p, _ := writes(srv); code != 0 || p != 7 || !strings.Contains(stderr, "Nothing to create") {
		t.Fatalf("second apply: exit %d, %d POSTs\n%s", code, p, stderr)
	}
	// The saved plan again: its own policies are no change, so it is
	// already applied (exit 0, nothing sent).
	code, _, stderr = tool(t, append([]string{"apply", "--plan", planFile, "--baseline", demoBaseline, "--yes"}, conn...)...)
	if p, _ := writes(srv); code != 0 || p != 7 || !strings.Contains(stderr, "Already applied: the 7 policies of the plan exist") {
		t.Fatalf("apply of an applied plan: exit %d, %d POSTs\n%s", code, p, stderr)
	}
	if strings.Contains(stderr, "Will create 0") {
		t.Errorf("says it will create 0 policies:\n%s", stderr)
	}
	// The controls still fail, now naming the report-only policies.
	code, out, _ = tool(t, append([]string{"audit", "--baseline", demoBaseline, "--format", "json"}, conn...)...)
	if code != 1 {
		t.Fatalf("audit after apply: exit %d", code)
	}
	vs := verdicts(t, out)
	for _, v := range append(vs[:6:6], vs[18]) { // TG.CA.1-6 and TG.CA.10
		if v.Status != report.Fail || !strings.Contains(v.Finding, "'tenantgate "+v.ID) {
			t.Errorf("after apply %s: %s %q", v.ID, v.Status, v.Finding)
		}
	}
	for _, v := range append(vs[:4:4], vs[18]) {
		if !strings.Contains(v.Finding, "would satisfy this control but is report-only") {
			t.Errorf("after apply %s does not say report-only: %q", v.ID, v.Finding)
		}
	}
}

// TestApplyRefusesATruncatedList: the policies a first apply created sit on
// later pages of the list apply re-reads; when such a page comes back without
// a value array, apply must fail (exit 4), not read it as empty and create
// them a second time.
func TestApplyRefusesATruncatedList(t *testing.T) {
	srv, _ := emulator(t, emulate.Options{PageSize: 3})
	var truncate atomic.Bool
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if truncate.Load() && r.Method == http.MethodGet && r.URL.Path == "/v1.0/identity/conditionalAccess/policies" && r.URL.Query().Has("$skiptoken") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"@odata.context": "`+"http://"+r.Host+`/v1.0/$metadata#identity/conditionalAccess/policies"}`)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	// The audit comes from the untouched demo snapshot, so every run plans
	// the same seven policies and only the live list tells what exists.
	snapFile := filepath.Join(t.TempDir(), "demo.json")
	if err := os.WriteFile(snapFile, demo.SnapshotJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"apply", "--snapshot", snapFile, "--baseline", demoBaseline, "--yes", "--graph-endpoint", ts.URL, "--arm-endpoint", ts.URL}
	steps := []struct {
		name     string
		truncate bool
		code     int
		posts    int // in total so far
		output   string
	}{
		{"first apply creates the policies", false, 0, 7, "created  TG.CA.1"},
		{"a later page without value fails the run", true, report.ExitRuntime, 7, "no value array"},
		{"the whole list: nothing is created twice", false, 0, 7, "Already applied: the 7 policies of the plan exist"},
	}
	for _, st := range steps {
		truncate.Store(st.truncate)
		code, out, stderr := tool(t, args...)
		posts, others := writes(srv)
		if code != st.code || posts != st.posts || others != 0 || !strings.Contains(out+stderr, st.output) {
			t.Fatalf("%s: exit %d, %d POSTs, %d PATCH/PUT/DELETE; want exit %d, %d POSTs and %q\n%s\n%s", st.name, code, posts, others, st.code, st.posts, st.output, out, stderr)
		}
	}
}

func TestApplyDeniedWrite(t *testing.T) {
	srv, conn := emulator(t, emulate.Options{DenyWrites: true})
	code, out, stderr := tool(t, append([]string{"apply", "--baseline", demoBaseline, "--yes"}, conn...)...)
	if code != report.ExitRuntime {
		t.Fatalf("exit %d, want 4\n%s\n%s", code, out, stderr)
	}
	// The first 403 stops the run: it names the missing permission, and the
	// other policies are not sent.
	for _, want := range []string{"FAILED TG.CA.1", "HTTP 403 AccessDenied", "Policy.ReadWrite.ConditionalAccess", "SKIPPED TG.CA.2", "not attempted"} {
		if !strings.Contains(flat(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "7 of 7 policies were not created") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if posts, others := writes(srv); posts != 1 || others != 0 {
		t.Errorf("%d POSTs and %d PATCH/PUT/DELETE, want 1 and 0", posts, others)
	}
}

// A P2 feature without P2: Graph's 1039 is reported per policy.
func TestApplyReportsGraph1039(t *testing.T) {
	_, conn := emulator(t, emulate.Options{})
	planFile := filepath.Join(t.TempDir(), "plan.json")
	if code, _, stderr := tool(t, append([]string{"plan", "--baseline", demoBaseline, "--output", planFile}, conn...)...); code != 0 {
		t.Fatal(stderr)
	}
	// Add a risk policy to the saved plan, as if the tenant were believed to have P2.
	raw, _ := os.ReadFile(planFile)
	var p apply.Plan
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	tpls, _ := apply.LoadTemplates("")
	body, err := apply.Render(tpls[6], p.BreakGlass)
	if err != nil || tpls[6].Control != "TG.CA.7" {
		t.Fatal(err, tpls[6].Control)
	}
	p.Create = []apply.Item{{Control: "TG.CA.7", DisplayName: tpls[6].DisplayName(), Body: body}}
	f, _ := os.Create(planFile)
	_ = apply.WritePlan(f, &p)
	f.Close()
	code, out, _ := tool(t, append([]string{"apply", "--plan", planFile, "--baseline", demoBaseline, "--yes"}, conn...)...)
	if code != report.ExitRuntime || !strings.Contains(flat(out), "1039: Cannot create or update policies with premium P2 features") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestApplyRefusesWithoutBreakGlass(t *testing.T) {
	srv, conn := emulator(t, emulate.Options{})
	none := filepath.Join(t.TempDir(), "b.yaml")
	_ = os.WriteFile(none, []byte("name: nobg\n"), 0o644)
	code, _, stderr := tool(t, append([]string{"apply", "--baseline", none, "--yes"}, conn...)...)
	if p, _ := writes(srv); code != report.ExitInput || p != 0 || !strings.Contains(stderr, "names no break-glass accounts") {
		t.Fatalf("exit %d, %d POSTs\n%s", code, p, stderr)
	}
	// The reason comes first, then the plan it concerns.
	if r, plan := strings.Index(stderr, "refusing to create policies"), strings.Index(stderr, "Plan for"); r < 0 || plan < 0 || r > plan {
		t.Errorf("the refusal is not printed before the plan:\n%s", stderr)
	}
}

// otherTenant is the demo tenant under another organization (same users and
// policies): what a credential for tenant B reaches when the plan is A's.
func otherTenant(t *testing.T, opts emulate.Options) (*emulate.Server, []string) {
	t.Helper()
	snap := variantSnapshot(t, "b0b0b0b0-0000-4000-8000-00000000000b", "othercorp.onmicrosoft.com")
	opts.Token = token
	srv := emulate.New(snap, opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, []string{"--graph-endpoint", ts.URL, "--arm-endpoint", ts.URL}
}

// TestApplyWritesOnlyIntoItsTenant: a snapshot or plan of tenant A applied
// with a credential that reaches tenant B creates nothing in B (exit 2); an
// organization apply cannot read is no permission to write either (exit 4).
// Before the fix, six policies excluding A's break-glass ids were created in B.
func TestApplyWritesOnlyIntoItsTenant(t *testing.T) {
	_, connA := emulator(t, emulate.Options{})
	dir := t.TempDir()
	planFile := filepath.Join(dir, "plan.json")
	if code, _, stderr := tool(t, append([]string{"plan", "--baseline", demoBaseline, "--output", planFile}, connA...)...); code != 0 {
		t.Fatal(stderr)
	}
	snapFile := filepath.Join(dir, "a.json")
	if err := os.WriteFile(snapFile, demo.SnapshotJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		deny []string
		code int
		want string
	}{
		{"snapshot of A into B", []string{"--snapshot", snapFile}, nil, report.ExitInput, "not 35a4937b-c200-40f5-8db0-1813c0f63ffe"},
		{"plan of A into B", []string{"--plan", planFile}, nil, report.ExitInput, "the credential reached tenant b0b0b0b0-0000-4000-8000-00000000000b (Tenant othercorp.onmicrosoft.com)"},
		{"organization unreadable", []string{"--plan", planFile}, []string{"organization"}, report.ExitRuntime, "read the organization, to check the credential reaches tenant 35a4937b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srvB, connB := otherTenant(t, emulate.Options{Deny: tt.deny})
			args := append(append([]string{"apply", "--baseline", demoBaseline, "--yes"}, tt.args...), connB...)
			code, out, stderr := tool(t, args...)
			if p, _ := writes(srvB); code != tt.code || p != 0 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, %d POSTs in B; want exit %d, none, and %q\n%s\n%s", code, p, tt.code, tt.want, out, stderr)
			}
		})
	}
}

// TestEchoedTokenNeverPrinted: a service echoing the bearer token in its
// errors (a denied GET inside $batch, a refused POST) gets it into no
// finding, no report and no apply output: tool fails the test on any
// occurrence, and the redacted echo is still shown.
func TestEchoedTokenNeverPrinted(t *testing.T) {
	echo := emulate.Faults{EchoToken: true}
	_, conn := emulator(t, emulate.Options{Deny: []string{"authorizationPolicy"}, Faults: echo})
	code, out, _ := tool(t, append([]string{"audit", "--baseline", demoBaseline, "--format", "json", "--fail-on", "never"}, conn...)...)
	if code != report.ExitIncomplete || !strings.Contains(out, "Authorization: [redacted]") {
		t.Errorf("audit: exit %d, findings without the redacted echo:\n%s", code, out)
	}
	_, conn = emulator(t, emulate.Options{DenyWrites: true, Faults: echo})
	code, out, stderr := tool(t, append([]string{"apply", "--baseline", demoBaseline, "--yes"}, conn...)...)
	if code != report.ExitRuntime || !strings.Contains(out, "Authorization: [redacted]") {
		t.Errorf("apply: exit %d\n%s\n%s", code, out, stderr)
	}
}

// init against a tenant through the Live interface proposes what it
// proposes from the demo snapshot (the emulator serves the demo tenant);
// without the sign-in activity it says the last sign-in is unknown.
func TestLiveInitMatchesDemo(t *testing.T) {
	dir := t.TempDir()
	_, conn := emulator(t, emulate.Options{PageSize: 2})
	demoPath, livePath := filepath.Join(dir, "demo.yaml"), filepath.Join(dir, "live.yaml")
	if code, _, stderr := tool(t, "init", "--demo", "-o", demoPath); code != 0 {
		t.Fatalf("demo init exit %d %s", code, stderr)
	}
	if code, _, stderr := tool(t, append([]string{"init", "-o", livePath}, conn...)...); code != 0 {
		t.Fatalf("live init exit %d %s", code, stderr)
	}
	body := func(p string) string {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(raw)
		return s[strings.Index(s, "\nname: "):] // after the header (source and date differ)
	}
	if d, l := body(demoPath), body(livePath); d != l {
		t.Errorf("live init differs from demo init:\n%s", testutil.FirstDiff(d, l))
	}
	_, conn = emulator(t, emulate.Options{Deny: []string{"signInActivity"}})
	noSignIn := filepath.Join(dir, "nosignin.yaml")
	if code, _, stderr := tool(t, append([]string{"init", "-o", noSignIn}, conn...)...); code != 0 {
		t.Fatalf("init exit %d %s", code, stderr)
	}
	raw, _ := os.ReadFile(noSignIn)
	for _, want := range []string{"last sign-in unknown or never", "last sign-ins are unknown: the sign-in activity needs AuditLog.Read.All and Microsoft Entra ID P1 or P2"} {
		if !strings.Contains(strings.Join(strings.Fields(strings.ReplaceAll(string(raw), "#", "")), " "), want) {
			t.Errorf("without sign-in activity the file lacks %q:\n%s", want, raw)
		}
	}
}
