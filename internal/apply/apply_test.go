package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

const (
	bg1 = "4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01"
	bg2 = "9c1d7e3b-2f4a-4e6b-8a5c-3d2e1f0a7b02"
)

var now = testutil.Now

func demoPlan(t *testing.T, b *baseline.Baseline) (*Plan, *snapshot.Snapshot) {
	t.Helper()
	s, demoBaseline := testutil.Demo(t)
	if b == nil {
		b = demoBaseline
	}
	rep := testutil.DemoReport(t, b)
	tpls, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(rep, s, b, tpls, now)
	if err != nil {
		t.Fatal(err)
	}
	return p, s
}

// fake is an in-memory CA endpoint that records every call.
type fake struct {
	policies []json.RawMessage
	posts    [][]byte
	failOn   map[string]error // display name -> error
	listErr  error
	org      json.RawMessage            // the organization the credential reaches
	users    map[string]json.RawMessage // lower-case id or UPN -> user
}

func (f *fake) Organization(context.Context) (json.RawMessage, error) {
	if f.org == nil {
		return nil, errors.New("HTTP 403 Authorization_RequestDenied")
	}
	return f.org, nil
}

func (f *fake) User(_ context.Context, key string) (json.RawMessage, error) {
	return f.users[strings.ToLower(key)], nil
}

func (f *fake) ListPolicies(context.Context) ([]json.RawMessage, error) {
	return f.policies, f.listErr
}

func (f *fake) CreatePolicy(_ context.Context, body []byte) (json.RawMessage, error) {
	f.posts = append(f.posts, body)
	var p map[string]any
	_ = json.Unmarshal(body, &p)
	if err := f.failOn[p["displayName"].(string)]; err != nil {
		return nil, err
	}
	emulate.CompletePolicy(p) // Graph stores and returns the full shape
	p["id"] = fmt.Sprintf("new-%d", len(f.posts))
	p["modifiedDateTime"] = "2026-11-25T00:00:00Z"
	raw, _ := json.Marshal(p)
	f.policies = append(f.policies, raw)
	return raw, nil
}

// demoLive is the demo tenant, live: its policies, organization and
// break-glass users.
func demoLive(t *testing.T, s *snapshot.Snapshot) *fake {
	var ps []json.RawMessage
	if err := json.Unmarshal(s.Data["conditionalAccessPolicies"], &ps); err != nil {
		t.Fatal(err)
	}
	var accts []snapshot.BreakGlassAccount
	if err := json.Unmarshal(s.Data["breakGlassAccounts"], &accts); err != nil {
		t.Fatal(err)
	}
	f := &fake{policies: ps, failOn: map[string]error{}, org: s.Data["organization"], users: map[string]json.RawMessage{}}
	for _, a := range accts {
		var u struct{ ID, UserPrincipalName string }
		if json.Unmarshal(a.User, &u) == nil && u.ID != "" {
			f.users[strings.ToLower(u.ID)], f.users[strings.ToLower(u.UserPrincipalName)] = a.User, a.User
		}
	}
	return f
}

// demoOpts are apply's options for the demo baseline.
func demoOpts(t *testing.T, checkState bool) Options {
	b, err := demo.Baseline()
	if err != nil {
		t.Fatal(err)
	}
	return Options{CheckState: checkState, BreakGlass: b.BreakGlass}
}

func TestBuildDemo(t *testing.T) {
	p, _ := demoPlan(t, nil)
	if p.Blocked != "" {
		t.Fatalf("blocked: %s", p.Blocked)
	}
	var got []string
	for _, it := range p.Create {
		got = append(got, it.Control)
	}
	// Every failed CA control with a template the tenant is licensed for; not TG.CA.7 (no P2).
	if want := []string{"TG.CA.1", "TG.CA.2", "TG.CA.3", "TG.CA.4", "TG.CA.5", "TG.CA.6", "TG.CA.10"}; !reflect.DeepEqual(got, want) {
		t.Errorf("create %v, want %v", got, want)
	}
	skipped := map[string]string{}
	for _, s := range p.Skipped {
		skipped[s.Control] = s.Reason
	}
	if !strings.HasPrefix(skipped["TG.CA.7"], "not licensed") {
		t.Errorf("TG.CA.7 skip reason %q", skipped["TG.CA.7"])
	}
	manual := map[string]bool{}
	for _, m := range p.Manual {
		manual[m.Control] = true
		if m.Steps == "" {
			t.Errorf("%s has no manual steps", m.Control)
		}
	}
	for _, id := range []string{"TG.CA.8", "TG.APP.1", "TG.APP.2", "TG.APP.3", "TG.AUTH.1", "TG.LOG.1", "TG.LOG.2", "TG.DEV.1"} {
		if !manual[id] {
			t.Errorf("%s missing from manual steps", id)
		}
	}
	if manual["TG.CA.9"] || manual["TG.ID.1"] {
		t.Error("passing controls listed as manual steps")
	}
}

// TestBodiesMatchTemplates checks every emitted body field by field: the
// template's fields unchanged, state report-only, and the break-glass
// accounts added to excludeUsers (and nothing else added).
func TestBodiesMatchTemplates(t *testing.T) {
	p, _ := demoPlan(t, nil)
	tpls, _ := LoadTemplates("")
	byControl := map[string]Template{}
	for _, tp := range tpls {
		byControl[tp.Control] = tp
	}
	for _, it := range p.Create {
		t.Run(it.Control, func(t *testing.T) {
			var got, want map[string]any
			if err := json.Unmarshal(it.Body, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(byControl[it.Control].Body, &want); err != nil {
				t.Fatal(err)
			}
			if got["state"] != ReportOnly {
				t.Errorf("state %v", got["state"])
			}
			users := got["conditions"].(map[string]any)["users"].(map[string]any)
			ex := users["excludeUsers"].([]any)
			if !reflect.DeepEqual(ex, []any{bg1, bg2}) {
				t.Errorf("excludeUsers %v, want the two break-glass ids", ex)
			}
			// Put the template's own excludeUsers back: the rest must be identical.
			users["excludeUsers"] = want["conditions"].(map[string]any)["users"].(map[string]any)["excludeUsers"]
			if !reflect.DeepEqual(got, want) {
				a, _ := json.MarshalIndent(got, "", " ")
				b, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("body differs from template:\n%s\nwant\n%s", a, b)
			}
		})
	}
}

func TestApplyCreatesOnceAndIsIdempotent(t *testing.T) {
	p, s := demoPlan(t, nil)
	live := demoLive(t, s)
	out, err := Apply(context.Background(), live, p, demoOpts(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if len(live.posts) != 7 {
		t.Fatalf("%d POSTs, want 7", len(live.posts))
	}
	for _, o := range out {
		if o.Status != Created || o.ID == "" {
			t.Errorf("%+v", o)
		}
	}
	// Second run from the same (now stale) plan without the state check:
	// every policy exists already, nothing is sent.
	out, err = Apply(context.Background(), live, p, demoOpts(t, false))
	if err != nil {
		t.Fatal(err)
	}
	if len(live.posts) != 7 {
		t.Fatalf("second apply sent %d more POSTs", len(live.posts)-7)
	}
	for _, o := range out {
		if o.Status != Exists {
			t.Errorf("second apply: %+v", o)
		}
	}
	// A fresh plan from the new state creates nothing.
	s2 := *s
	s2.Data = map[string]json.RawMessage{}
	for k, v := range s.Data {
		s2.Data[k] = v
	}
	s2.Data["conditionalAccessPolicies"], _ = json.Marshal(live.policies)
	b, _ := demo.Baseline()
	rep, _ := testutil.Engine(t).Evaluate(context.Background(), &s2, b, now)
	tpls, _ := LoadTemplates("")
	p2, err := Build(rep, &s2, b, tpls, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Create) != 0 {
		t.Errorf("plan after apply still creates %d", len(p2.Create))
	}
	// The audit after apply: those controls still fail, naming the new report-only policies.
	for _, r := range rep.Results {
		if r.ID == "TG.CA.3" && (r.Status != report.Fail || !strings.Contains(r.Finding, "tenantgate TG.CA.3") || !strings.Contains(r.Finding, "report-only")) {
			t.Errorf("TG.CA.3 after apply: %s %s", r.Status, r.Finding)
		}
	}
}

func TestApplyRefusesStalePlan(t *testing.T) {
	p, s := demoPlan(t, nil)
	live := demoLive(t, s)
	var changed map[string]any
	_ = json.Unmarshal(live.policies[0], &changed)
	changed["state"] = "disabled"
	live.policies[0], _ = json.Marshal(changed)
	_, err := Apply(context.Background(), live, p, demoOpts(t, true))
	var stale *StaleError
	if !errors.As(err, &stale) || len(live.posts) != 0 {
		t.Fatalf("want StaleError and no POST, got %v, %d posts", err, len(live.posts))
	}
}

func TestApplyReportsFailuresAndContinues(t *testing.T) {
	p, s := demoPlan(t, nil)
	live := demoLive(t, s)
	live.failOn[p.Create[0].DisplayName] = errors.New("403 Authorization_RequestDenied: Insufficient privileges to complete the operation.")
	out, err := Apply(context.Background(), live, p, demoOpts(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Status != Failed || !strings.Contains(out[0].Error, "Authorization_RequestDenied") {
		t.Errorf("first outcome %+v", out[0])
	}
	if out[1].Status != Created {
		t.Errorf("later items not created: %+v", out[1])
	}
}

func TestApplyBlocked(t *testing.T) {
	tests := []struct {
		name, baseline, want string
	}{
		{"no break-glass", "name: x\n", "names no break-glass accounts"},
		{"unknown account", "name: x\nbreak_glass: [breakglass01@sunnyside08.onmicrosoft.com, ghost@sunnyside08.onmicrosoft.com]\n", "ghost@sunnyside08.onmicrosoft.com was not resolved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := baseline.Parse("b.yaml", []byte(tt.baseline))
			if err != nil {
				t.Fatal(err)
			}
			p, s := demoPlan(t, b)
			if !strings.Contains(p.Blocked, tt.want) {
				t.Errorf("blocked %q, want %q", p.Blocked, tt.want)
			}
			live := demoLive(t, s)
			_, err = Apply(context.Background(), live, p, demoOpts(t, true))
			var be *BlockedError
			if !errors.As(err, &be) || len(live.posts) != 0 {
				t.Errorf("want BlockedError and no POST, got %v", err)
			}
		})
	}
}

func TestApplyBlockedWhenAccountMissingInTenant(t *testing.T) {
	p, s := demoPlan(t, nil)
	var accts []map[string]any
	_ = json.Unmarshal(s.Data["breakGlassAccounts"], &accts)
	accts[1]["user"] = nil
	s.Data["breakGlassAccounts"], _ = json.Marshal(accts)
	b, _ := demo.Baseline()
	_, reason := resolveBreakGlass(s, b)
	if !strings.Contains(reason, "breakglass02@sunnyside08.onmicrosoft.com does not exist in the tenant") {
		t.Errorf("reason %q", reason)
	}
	_ = p
}

// TestTamperedPlans: whatever a plan file says, apply sends only report-only
// bodies that exclude every break-glass account of the baseline as resolved
// in the live tenant, named by their own displayName; a plan with one body
// that fails this is refused whole, and nothing is sent.
func TestTamperedPlans(t *testing.T) {
	const attacker = "0badc0de-0000-4000-8000-000000000666"
	body := func(p *Plan) map[string]any {
		var m map[string]any
		_ = json.Unmarshal(p.Create[0].Body, &m)
		return m
	}
	set := func(p *Plan, m map[string]any) { p.Create[0].Body, _ = json.Marshal(m) }
	excl := func(m map[string]any) map[string]any {
		return m["conditions"].(map[string]any)["users"].(map[string]any)
	}
	tests := []struct {
		name   string
		tamper func(p *Plan, live *fake)
		want   string
	}{
		{"state enabled", func(p *Plan, _ *fake) { m := body(p); m["state"] = "enabled"; set(p, m) }, `state "enabled"`},
		{"state given twice, report-only last", func(p *Plan, _ *fake) {
			p.Create[0].Body = json.RawMessage(strings.Replace(string(p.Create[0].Body), `"state":`, `"state":"enabled","state":`, 1))
		}, `key "state" appears twice`},
		{"State beside state", func(p *Plan, _ *fake) {
			p.Create[0].Body = json.RawMessage(strings.Replace(string(p.Create[0].Body), `"state":`, `"State":"enabled","state":`, 1))
		}, `key "state" appears twice`},
		{"plan's own break-glass list swapped for another account", func(p *Plan, _ *fake) {
			p.BreakGlass = []Account{{Requested: "x", ID: attacker}}
			for i := range p.Create {
				var m map[string]any
				_ = json.Unmarshal(p.Create[i].Body, &m)
				excl(m)["excludeUsers"] = []any{attacker}
				p.Create[i].Body, _ = json.Marshal(m)
			}
		}, "break-glass account breakglass01@sunnyside08.onmicrosoft.com (" + bg1 + ") is not excluded"},
		{"one body lacks a break-glass account", func(p *Plan, _ *fake) { m := body(p); excl(m)["excludeUsers"] = []any{bg1}; set(p, m) }, "(" + bg2 + ") is not excluded"},
		{"break-glass account has another id live", func(_ *Plan, live *fake) {
			u := json.RawMessage(`{"id": "` + attacker + `", "userPrincipalName": "breakglass02@sunnyside08.onmicrosoft.com"}`)
			live.users["breakglass02@sunnyside08.onmicrosoft.com"] = u
		}, "(" + attacker + ") is not excluded"},
		{"break-glass account missing live", func(_ *Plan, live *fake) { delete(live.users, "breakglass02@sunnyside08.onmicrosoft.com") }, "breakglass02@sunnyside08.onmicrosoft.com does not exist in the tenant"},
		{"item renamed to hide an existing policy", func(p *Plan, _ *fake) { p.Create[0].DisplayName = "tenantgate TG.CA.1 not there" }, "the plan was edited"},
		{"foreign display name", func(p *Plan, _ *fake) {
			m := body(p)
			m["displayName"] = "My policy"
			set(p, m)
			p.Create[0].DisplayName = "My policy"
		}, "lacks the \"tenantgate \" prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s := demoPlan(t, nil)
			live := demoLive(t, s)
			tt.tamper(p, live)
			_, cerr := Check(context.Background(), live, p, demoOpts(t, true))
			_, err := Apply(context.Background(), live, p, demoOpts(t, true))
			var be *BlockedError
			if !errors.As(err, &be) || !strings.Contains(err.Error(), tt.want) || cerr == nil || cerr.Error() != err.Error() {
				t.Errorf("Apply: %v\nCheck: %v\nwant a refusal saying %q", err, cerr, tt.want)
			}
			if len(live.posts) != 0 {
				t.Errorf("%d POSTs", len(live.posts))
			}
		})
	}
}

// Duplicate keys anywhere in a plan or template file are an input error
// naming the file and line.
func TestDuplicateKeysInFiles(t *testing.T) {
	p, _ := demoPlan(t, nil)
	var buf bytes.Buffer
	if err := WritePlan(&buf, p); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "plan.json")
	doc := strings.Replace(buf.String(), `"liveState":`, `"LiveState": "sha256:0",`+"\n  "+`"liveState":`, 1)
	_ = os.WriteFile(f, []byte(doc), 0o644)
	_, err := LoadPlan(f)
	if !inputerr.Is(err) || !strings.Contains(err.Error(), "plan.json:") || !strings.Contains(err.Error(), `"liveState" appears twice`) {
		t.Errorf("plan: %v", err)
	}
	tdir := t.TempDir()
	_ = os.WriteFile(filepath.Join(tdir, "t.json"), []byte("{\"control\": \"TG.CA.1\",\n \"body\": {\"displayName\": \"tenantgate TG.CA.1 x\",\n  \"state\": \"enabledForReportingButNotEnforced\", \"state\": \"enabled\"}}"), 0o644)
	if _, err := LoadTemplates(tdir); !inputerr.Is(err) || !strings.Contains(err.Error(), "t.json:3:") {
		t.Errorf("template: %v", err)
	}
}

func TestTemplates(t *testing.T) {
	tpls, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	if len(tpls) != 9 {
		t.Fatalf("%d templates", len(tpls))
	}
	dir := t.TempDir()
	custom := `{"control": "TG.CA.2", "warnings": [], "body": {"displayName": "tenantgate TG.CA.2 OWA every time", "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["00000002-0000-0ff1-ce00-000000000000"]}, "clientAppTypes": ["browser"]}, "sessionControls": {"signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime"}}}}`
	if err := os.WriteFile(filepath.Join(dir, "owa.json"), []byte(custom), 0o644); err != nil {
		t.Fatal(err)
	}
	tpls, err = LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tp := range tpls {
		if tp.Control == "TG.CA.2" {
			n++
			if tp.DisplayName() != "tenantgate TG.CA.2 OWA every time" {
				t.Errorf("override not used: %s", tp.DisplayName())
			}
		}
	}
	if n != 1 {
		t.Errorf("%d TG.CA.2 templates", n)
	}
	bad := []struct{ name, doc, want string }{
		{"enabled state", `{"control":"TG.CA.1","body":{"displayName":"tenantgate TG.CA.1 x","state":"enabled"}}`, "only creates report-only"},
		{"no prefix", `{"control":"TG.CA.1","body":{"displayName":"x"}}`, "must start with"},
		{"not a CA control", `{"control":"TG.APP.1","body":{"displayName":"tenantgate TG.APP.1 x"}}`, "only for TG.CA.1 to TG.CA.7, TG.CA.10 and TG.CA.11"},
		{"CA control without templates", `{"control":"TG.CA.8","body":{"displayName":"tenantgate TG.CA.8 x"}}`, "only for TG.CA.1 to TG.CA.7, TG.CA.10 and TG.CA.11"},
		{"unknown key", `{"control":"TG.CA.1","bdy":{}}`, "unknown field"},
		{"syntax", "{\n\"control\": }", "invalid JSON"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			_ = os.WriteFile(filepath.Join(d, "t.json"), []byte(tt.doc), 0o644)
			_, err := LoadTemplates(d)
			if !inputerr.Is(err) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "t.json") {
				t.Errorf("got %v, want input error naming t.json with %q", err, tt.want)
			}
		})
	}
}

func TestPlanFileRoundTrip(t *testing.T) {
	p, _ := demoPlan(t, nil)
	var buf bytes.Buffer
	if err := WritePlan(&buf, p); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "plan.json")
	_ = os.WriteFile(f, buf.Bytes(), 0o644)
	p2, err := LoadPlan(f)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	_ = json.Compact(&a, p2.Create[0].Body)
	_ = json.Compact(&b, p.Create[0].Body)
	if p2.LiveState != p.LiveState || len(p2.Create) != len(p.Create) || a.String() != b.String() {
		t.Error("plan changed in the round trip")
	}
	_ = os.WriteFile(f, []byte(`{"schemaVersion": 1, "kind": "other"}`), 0o644)
	if _, err := LoadPlan(f); !inputerr.Is(err) {
		t.Errorf("want input error for a foreign file, got %v", err)
	}
}

// A plan with nothing to create says so, never "Will create 0 policies".
func TestWriteTextNothingToCreate(t *testing.T) {
	p, _ := demoPlan(t, nil)
	p.Create = nil
	var buf bytes.Buffer
	WriteText(&buf, p, true, 80)
	if out := buf.String(); strings.Contains(out, "Will create 0") || !strings.Contains(out, "Nothing to create") {
		t.Errorf("plan text:\n%s", out)
	}
}

func TestWriteText(t *testing.T) {
	p, _ := demoPlan(t, nil)
	var buf bytes.Buffer
	WriteText(&buf, p, true, 80)
	out := buf.String()
	for _, want := range []string{
		"Will create 7 Conditional Access policies, all in report-only mode",
		"+ TG.CA.5  tenantgate TG.CA.5",
		"who have not registered MFA yet",
		"- TG.CA.7: not licensed",
		"POST /v1.0/identity/conditionalAccess/policies",
		"* TG.APP.1 [fail]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan text lacks %q", want)
		}
	}
}

// faulty wraps fake: the first create is answered with err (after storing
// the policy when store), and every list after the first fails with listErr.
type faulty struct {
	*fake
	store   bool
	err     error
	noID    bool // the create answers 201 without the created policy
	listErr error
	lists   int
}

func (f *faulty) ListPolicies(ctx context.Context) ([]json.RawMessage, error) {
	f.lists++
	if f.lists > 1 && f.listErr != nil {
		return nil, f.listErr
	}
	return f.fake.ListPolicies(ctx)
}

func (f *faulty) CreatePolicy(ctx context.Context, body []byte) (json.RawMessage, error) {
	if len(f.posts) > 0 || f.err == nil && !f.noID {
		return f.fake.CreatePolicy(ctx, body)
	}
	if !f.store {
		f.posts = append(f.posts, body)
		return nil, f.err
	}
	if _, err := f.fake.CreatePolicy(ctx, body); err != nil {
		return nil, err
	}
	if f.noID {
		return json.RawMessage(`{}`), nil
	}
	return nil, f.err
}

// TestApplyAmbiguousOutcomes: one POST per policy whatever the answer, and
// an outcome that says what happened.
func TestApplyAmbiguousOutcomes(t *testing.T) {
	gw := &WriteError{Status: 504, Text: "POST /v1.0/identity/conditionalAccess/policies: HTTP 504 GatewayTimeout"}
	tests := []struct {
		name    string
		f       faulty
		first   string // status of the first item
		text    string
		others  string // status of the other six
		lists   int    // ListPolicies calls
		posts   int
		created int // policies in the tenant afterwards (of seven)
	}{
		{"504 after the create", faulty{store: true, err: gw}, Created, "confirmed after HTTP 504 by re-reading the policies", Created, 2, 7, 7},
		{"504 and nothing created", faulty{err: gw}, Failed, "it was not sent again", Created, 2, 7, 6},
		{"no answer at all", faulty{store: true, err: errors.New("connection reset by peer")}, Created, "confirmed after no answer (connection reset by peer)", Created, 2, 7, 7},
		{"201 without the policy", faulty{store: true, noID: true}, Created, "confirmed after HTTP 201", Created, 2, 7, 7},
		{"504 and the list fails", faulty{store: true, err: gw, listErr: errors.New("HTTP 503")}, Unknown, "outcome unknown: the create got HTTP 504 and the policies could not be re-read (HTTP 503); check the portal for 'tenantgate TG.CA.1", Created, 2, 7, 7},
		{"400 is a refusal", faulty{err: &WriteError{Status: 400, Text: "HTTP 400 BadRequest: 1007"}}, Failed, "HTTP 400 BadRequest: 1007", Created, 1, 7, 6},
		{"403 stops the run", faulty{err: &WriteError{Status: 403, Text: "HTTP 403 AccessDenied"}}, Failed, "it lacks the Graph permission Policy.ReadWrite.ConditionalAccess", NotAttempted, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s := demoPlan(t, nil)
			f := tt.f
			f.fake = demoLive(t, s)
			before := len(f.policies)
			out, err := Apply(context.Background(), &f, p, demoOpts(t, true))
			if err != nil {
				t.Fatal(err)
			}
			if out[0].Status != tt.first || !strings.Contains(out[0].Note+out[0].Error, tt.text) {
				t.Errorf("first outcome %+v, want %s with %q", out[0], tt.first, tt.text)
			}
			for _, o := range out[1:] {
				if o.Status != tt.others {
					t.Errorf("%+v, want %s", o, tt.others)
				}
			}
			if len(f.posts) != tt.posts || f.lists != tt.lists || len(f.policies)-before != tt.created {
				t.Errorf("%d POSTs, %d lists, %d created; want %d, %d, %d", len(f.posts), f.lists, len(f.policies)-before, tt.posts, tt.lists, tt.created)
			}
		})
	}
}

// stopping wraps fake: its first create is carried out, then the run's
// context ends (--timeout, Ctrl-C) before the answer comes.
type stopping struct {
	*fake
	cancel context.CancelFunc
}

func (s *stopping) CreatePolicy(ctx context.Context, body []byte) (json.RawMessage, error) {
	if _, err := s.fake.CreatePolicy(ctx, body); err != nil {
		return nil, err
	}
	s.cancel()
	return nil, &WriteError{Text: "POST /v1.0/identity/conditionalAccess/policies: " + context.Canceled.Error()}
}

func (s *stopping) ListPolicies(ctx context.Context) ([]json.RawMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.fake.ListPolicies(ctx)
}

// TestApplyStoppedMidRun: the run stops while its first create is in
// flight. That create is unknown (it may have been carried out and cannot
// be re-read), and the others are never sent and say so, rather than each
// being sent into a dead context and reported unknown ("check the portal")
// for a policy that cannot exist.
func TestApplyStoppedMidRun(t *testing.T) {
	p, s := demoPlan(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := &stopping{fake: demoLive(t, s), cancel: cancel}
	out, err := Apply(ctx, c, p, demoOpts(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.posts) != 1 {
		t.Errorf("%d POSTs after the run was stopped, want the one in flight", len(c.posts))
	}
	if out[0].Status != Unknown || !strings.Contains(out[0].Error, "check the portal for '"+out[0].DisplayName+"'") {
		t.Errorf("create in flight: %+v, want unknown", out[0])
	}
	for _, o := range out[1:] {
		if o.Status != NotAttempted || o.OK() || !strings.Contains(o.Error, "not sent: the run was stopped (context canceled) before this create") {
			t.Errorf("%+v, want not_attempted: the run was stopped", o)
		}
	}
}

// Two items whose bodies carry the same displayName (an edited plan): the
// body's name decides, so the second is not created again.
func TestApplyDuplicatesByBodyName(t *testing.T) {
	p, s := demoPlan(t, nil)
	live := demoLive(t, s)
	p.Create = append(p.Create, p.Create[0])
	out, err := Apply(context.Background(), live, p, demoOpts(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if len(live.posts) != 7 || out[7].Status != Exists {
		t.Errorf("%d POSTs, last outcome %+v", len(live.posts), out[7])
	}
}

// TestReapplyAppliedPlan: the stale-plan check ignores the live policies
// identical to the plan's own items (by displayName and body, whatever Graph
// added), so re-applying a plan that succeeded is "already applied"; any
// other change, one of those policies edited included, is still refused.
func TestReapplyAppliedPlan(t *testing.T) {
	p, s := demoPlan(t, nil)
	live := demoLive(t, s)
	if _, err := Apply(context.Background(), live, p, demoOpts(t, true)); err != nil || len(live.posts) != len(p.Create) {
		t.Fatalf("first apply: %v, %d POSTs", err, len(live.posts))
	}
	pending, err := Check(context.Background(), live, p, demoOpts(t, true))
	if err != nil || len(pending) != 0 {
		t.Fatalf("applied plan: %v, %d pending", err, len(pending))
	}
	out, err := Apply(context.Background(), live, p, demoOpts(t, true))
	if err != nil || len(live.posts) != len(p.Create) || out[0].Status != Exists {
		t.Fatalf("re-apply: %v, %d POSTs, %+v", err, len(live.posts), out)
	}
	edit := func(i int, f func(m map[string]any)) func() {
		old := live.policies[i]
		var m map[string]any
		_ = json.Unmarshal(old, &m)
		f(m)
		live.policies[i], _ = json.Marshal(m)
		return func() { live.policies[i] = old }
	}
	last := len(live.policies) - 1
	changes := []struct {
		name string
		do   func() func()
	}{
		{"a created policy switched on", func() func() { return edit(last, func(m map[string]any) { m["state"] = "enabled" }) }},
		{"a created policy lost an exclusion", func() func() {
			return edit(last, func(m map[string]any) {
				m["conditions"].(map[string]any)["users"].(map[string]any)["excludeUsers"] = []any{bg1}
			})
		}},
		{"another policy disabled", func() func() { return edit(0, func(m map[string]any) { m["state"] = "disabled" }) }},
		{"a new policy", func() func() {
			live.policies = append(live.policies, json.RawMessage(`{"id": "x", "displayName": "new", "state": "enabled"}`))
			return func() { live.policies = live.policies[:len(live.policies)-1] }
		}},
	}
	for _, c := range changes {
		undo := c.do()
		_, err := Apply(context.Background(), live, p, demoOpts(t, true))
		var stale *StaleError
		if !errors.As(err, &stale) || len(live.posts) != len(p.Create) {
			t.Errorf("%s: %v, %d POSTs; want a stale plan", c.name, err, len(live.posts))
		}
		undo()
	}
}

// TestPlanTellsTheTruthAboutTrustedLocations: the demo tenant trusts
// 'Remote work (temporary)' = 0.0.0.0/1 + 128.0.0.0/1. The TG.CA.5 and
// TG.CA.6 policies exclude AllTrusted, so created they still fail: the plan
// says they cannot close the control until that location is fixed (the
// policies' own sanity verdict), and lists the fix by hand; the others are
// untouched.
func TestPlanTellsTheTruthAboutTrustedLocations(t *testing.T) {
	p, s := demoPlan(t, nil)
	b, _ := demo.Baseline()
	locs, err := testutil.Engine(t).InsaneTrustedLocations(context.Background(), s, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(locs) != 1 || locs[0].DisplayName != "Remote work (temporary)" || strings.Join(locs[0].Ranges, " ") != "0.0.0.0/1 128.0.0.0/1" {
		t.Fatalf("verdict %+v", locs)
	}
	p.MarkInsaneLocations(locs)
	for _, it := range p.Create {
		want := ""
		if it.Control == "TG.CA.5" || it.Control == "TG.CA.6" {
			want = "cannot close " + it.Control + " until trusted location 'Remote work (temporary)' is fixed"
		}
		if it.Blocker != want {
			t.Errorf("%s blocker %q, want %q", it.Control, it.Blocker, want)
		}
	}
	manual := 0
	for _, m := range p.Manual {
		if strings.HasPrefix(m.Title, "Fix trusted location 'Remote work (temporary)'") && strings.Contains(m.Steps, "namedLocations/"+locs[0].ID) &&
			strings.HasPrefix(m.Finding, "trusted location 'Remote work (temporary)', whose ranges cover 4,294,967,296 IPv4 addresses (more than a /8's 16,777,216), so \"outside trusted locations\" means nothing: "+m.Control) {
			manual++
		}
	}
	if manual != 2 {
		t.Errorf("%d manual fixes, want one per blocked control", manual)
	}
	var buf bytes.Buffer
	WriteText(&buf, p, false, 1000) // one line per sentence, to match it whole
	out := buf.String()
	if !strings.Contains(out, "does not close it yet: cannot close TG.CA.5 until trusted location 'Remote work (temporary)' is fixed") ||
		strings.Contains(out, "closes: "+p.Create[4].Title) {
		t.Errorf("plan text:\n%s", out)
	}
	// A sane tenant: nothing marked.
	q, _ := demoPlan(t, nil)
	q.MarkInsaneLocations(nil)
	for _, it := range q.Create {
		if it.Blocker != "" {
			t.Errorf("%s marked without a verdict", it.Control)
		}
	}
}
