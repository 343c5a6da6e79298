package apply

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

// TestTemplatesCloseTheirControls: each embedded template, rendered for the
// demo tenant, stored as Graph stores it and then switched on (what the admin
// does after watching report-only), is by itself enough for its control to
// pass; left report-only it is not, and the finding says so. The demo tenant
// is given Entra ID P2 (for TG.CA.7), only sane trusted locations (its
// 0.0.0.0/1 location would keep TG.CA.5 and 6 failing whatever apply does),
// and no other policy, so nothing else can make the control pass.
func TestTemplatesCloseTheirControls(t *testing.T) {
	tpls, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	bg := []Account{{ID: bg1}, {ID: bg2}}
	for _, tp := range tpls {
		t.Run(tp.Control, func(t *testing.T) {
			for _, state := range []string{"enabled", ReportOnly} {
				s, b := testutil.Demo(t)
				body, err := Render(tp, bg)
				if err != nil {
					t.Fatal(err)
				}
				var p map[string]any
				if err := json.Unmarshal(body, &p); err != nil {
					t.Fatal(err)
				}
				emulate.CompletePolicy(p)
				p["id"], p["state"] = "new-1", state
				setData(t, s, "conditionalAccessPolicies", []any{p})
				setData(t, s, "namedLocations", saneLocations(t, s))
				addP2(t, s)
				rep, err := testutil.Engine(t).Evaluate(context.Background(), s, b, testutil.Now)
				if err != nil {
					t.Fatal(err)
				}
				r := testutil.Result(t, rep, tp.Control)
				switch {
				case state == "enabled" && (r.Status != report.Pass || !strings.Contains(strings.Join(r.Evidence, ","), "new-1")):
					t.Errorf("enabled: %s %q (evidence %v), want pass resting on the new policy", r.Status, r.Finding, r.Evidence)
				case state == ReportOnly && (r.Status != report.Fail || !strings.Contains(r.Finding, "would satisfy this control but is report-only")):
					t.Errorf("report-only: %s %q, want fail naming the report-only policy", r.Status, r.Finding)
				}
			}
		})
	}
}

func setData(t *testing.T, s *snapshot.Snapshot, name string, v any) {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	s.Data[name] = raw
}

// saneLocations drops the trusted locations wider than the sanity rule allows.
func saneLocations(t *testing.T, s *snapshot.Snapshot) []any {
	t.Helper()
	var locs []map[string]any
	if err := json.Unmarshal(s.Data["namedLocations"], &locs); err != nil {
		t.Fatal(err)
	}
	out := []any{}
	for _, l := range locs {
		if raw, _ := json.Marshal(l["ipRanges"]); !strings.Contains(string(raw), "/1\"") {
			out = append(out, l)
		}
	}
	if len(out) == len(locs) {
		t.Fatal("the demo tenant no longer has the over-wide trusted location this test removes")
	}
	return out
}

// addP2 gives the tenant an Entra ID P2 subscription.
func addP2(t *testing.T, s *snapshot.Snapshot) {
	t.Helper()
	var skus []any
	if err := json.Unmarshal(s.Data["subscribedSkus"], &skus); err != nil {
		t.Fatal(err)
	}
	skus = append(skus, map[string]any{
		"skuId": "84a661c4-e949-4bd2-a560-ed7766fcaf2b", "skuPartNumber": "AAD_PREMIUM_P2", "capabilityStatus": "Enabled",
		"appliesTo": "User", "consumedUnits": 5, "prepaidUnits": map[string]any{"enabled": 5, "suspended": 0, "warning": 0},
		"servicePlans": []any{map[string]any{"servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Success", "appliesTo": "User", "servicePlanId": "eec0eb4f-6444-4f95-aba0-50c24d67f998"}},
	})
	setData(t, s, "subscribedSkus", skus)
}

// TestTemplateLicenses: TG.CA.11 is a Free control (security defaults), but
// its template is a Conditional Access policy: offered only with Entra ID P1;
// otherwise the control's remediation (security defaults) is a manual step.
func TestTemplateLicenses(t *testing.T) {
	s, b := testutil.Demo(t)
	tpls, err := LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	failed := report.Result{ID: "TG.CA.11", Title: "Legacy authentication is blocked", Status: report.Fail, Finding: "security defaults are off and no Conditional Access policy blocks legacy authentication", Remediation: "Without Microsoft Entra ID P1: turn on security defaults"}
	tests := []struct {
		name     string
		licenses map[string]bool
		create   bool
		skip     string
	}{
		{"P1", map[string]bool{"AAD_PREMIUM": true}, true, ""},
		{"no P1", map[string]bool{"AAD_PREMIUM": false}, false, "the template needs Microsoft Entra ID P1, which the tenant lacks; see the manual steps"},
		{"licenses unknown", nil, false, "the template needs Microsoft Entra ID P1, and the tenant's licenses could not be read; see the manual steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &report.Report{Licenses: tt.licenses, Results: []report.Result{failed}}
			p, err := Build(rep, s, b, tpls, now)
			if err != nil {
				t.Fatal(err)
			}
			created := len(p.Create) == 1 && p.Create[0].Control == "TG.CA.11" && p.Create[0].DisplayName == "tenantgate TG.CA.11 Block legacy authentication"
			skips := map[string]string{}
			for _, sk := range p.Skipped {
				skips[sk.Control] = sk.Reason
			}
			manual := len(p.Manual) == 1 && p.Manual[0].Control == "TG.CA.11" && p.Manual[0].Steps == failed.Remediation
			if created != tt.create || skips["TG.CA.11"] != tt.skip || manual == tt.create {
				t.Errorf("create %v (want %v), skip %q (want %q), manual %+v", p.Create, tt.create, skips["TG.CA.11"], tt.skip, p.Manual)
			}
		})
	}
}
