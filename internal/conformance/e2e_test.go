package conformance

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

const ws = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/law-sec"

// demoWith serves the demo tenant changed by edit, and audits it live.
func demoWith(t *testing.T, edit func(s *snapshot.Snapshot), emu emulate.Options) map[string]string {
	t.Helper()
	t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
	t.Setenv("AZURE_TENANT_ID", "")
	s, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	edit(s)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	emu.Token = token
	ts := httptest.NewServer(emulate.New(s, emu))
	defer ts.Close()
	code, out, stderr := run(t, "audit", "--graph-endpoint", ts.URL, "--arm-endpoint", ts.URL, "--baseline", "../demo/baseline.yaml", "--format", "json", "--fail-on", "never", "--allow-incomplete")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, findings := statuses(t, out)
	for id, f := range findings {
		got[id] += ": " + f
	}
	return got
}

// TestLogRetentionPerTable: TG.LOG.1 reads each table's retention through
// collect (ARM tables API on the emulator): a table kept shorter than the
// workspace default fails the control, and the finding states both tables.
func TestLogRetentionPerTable(t *testing.T) {
	diag := `[{"id": "providers/Microsoft.Aadiam/diagnosticSettings/sentinel", "name": "sentinel", "type": "", "location": "",
	  "properties": {"workspaceId": "` + ws + `", "storageAccountId": null, "eventHubAuthorizationRuleId": null, "eventHubName": null,
	   "logs": [{"category": "SignInLogs", "enabled": true, "retentionPolicy": {"enabled": false, "days": 0}},
	            {"category": "AuditLogs", "enabled": true, "retentionPolicy": {"enabled": false, "days": 0}}], "metrics": []}}]`
	table := func(name string, interactive, total int) string {
		b, _ := json.Marshal(map[string]any{"properties": map[string]any{"retentionInDays": interactive, "totalRetentionInDays": total,
			"archiveRetentionInDays": total - interactive, "plan": "Analytics", "provisioningState": "Succeeded"},
			"id": ws + "/tables/" + name, "name": name})
		return string(b)
	}
	tests := []struct {
		name, tables, want string
	}{
		{"archive counts", "[" + table("SigninLogs", 90, 730) + "," + table("AuditLogs", 90, 180) + "]",
			"pass: diagnostic setting 'sentinel' sends sign-in and audit logs to a Log Analytics workspace that keeps them 180 days (target 90): SigninLogs 90 days interactive, 730 total; AuditLogs 90 days interactive, 180 total"},
		{"one table short", "[" + table("SigninLogs", 30, 30) + "," + table("AuditLogs", 730, 730) + "]",
			"fail: sign-in and audit logs are kept only 30 days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := demoWith(t, func(s *snapshot.Snapshot) {
				s.Data["diagnosticSettings"] = json.RawMessage(diag)
				s.Data["logAnalyticsWorkspaces"] = json.RawMessage(`[{"id": "` + ws + `", "name": "law-sec", "properties": {"retentionInDays": 730}}]`)
				s.Data["logAnalyticsTables"] = json.RawMessage(tt.tables)
			}, emulate.Options{})
			if !strings.HasPrefix(got["TG.LOG.1"], tt.want) {
				t.Errorf("TG.LOG.1 = %s\nwant %s", got["TG.LOG.1"], tt.want)
			}
		})
	}
	t.Run("tables unreadable", func(t *testing.T) {
		got := demoWith(t, func(s *snapshot.Snapshot) {
			s.Data["diagnosticSettings"] = json.RawMessage(diag)
			s.Data["logAnalyticsWorkspaces"] = json.RawMessage(`[{"id": "` + ws + `", "name": "law-sec", "properties": {"retentionInDays": 730}}]`)
		}, emulate.Options{Deny: []string{"logAnalyticsTables"}})
		if !strings.HasPrefix(got["TG.LOG.1"], "not_assessed: ") || !strings.Contains(got["TG.LOG.1"], "logAnalyticsTables was not collected (denied, HTTP 403") {
			t.Errorf("TG.LOG.1 = %s", got["TG.LOG.1"])
		}
	})
}

// TestIntuneNotLicensedThroughCollect: a tenant without Intune answers the
// enrollment read with Graph's 400 "Request not applicable to target
// tenant"; the collector records it and TG.DEV.1 is not_licensed, not an
// error, while a licensed tenant with the same 400 is not_assessed.
func TestIntuneNotLicensedThroughCollect(t *testing.T) {
	o365 := `[{"skuPartNumber": "ENTERPRISEPACK", "skuId": "6fd2c87f-b296-42f0-b197-1e91e994b900", "capabilityStatus": "Enabled",
	  "servicePlans": [{"servicePlanName": "EXCHANGE_S_ENTERPRISE", "provisioningStatus": "Success"}]}]`
	got := demoWith(t, func(s *snapshot.Snapshot) { s.Data["subscribedSkus"] = json.RawMessage(o365) }, emulate.Options{})
	if !strings.HasPrefix(got["TG.DEV.1"], "not_licensed: ") {
		t.Errorf("TG.DEV.1 = %s", got["TG.DEV.1"])
	}
	got = demoWith(t, func(s *snapshot.Snapshot) {
		delete(s.Data, "deviceEnrollmentConfigurations")
		s.Sources["deviceEnrollmentConfigurations"] = snapshot.Source{Status: snapshot.StatusError, HTTPStatus: 400, Code: "BadRequest", Error: "Request not applicable to target tenant."}
	}, emulate.Options{})
	if !strings.HasPrefix(got["TG.DEV.1"], "not_assessed: ") || !strings.Contains(got["TG.DEV.1"], "HTTP 400, BadRequest: Request not applicable to target tenant.") {
		t.Errorf("TG.DEV.1 = %s", got["TG.DEV.1"])
	}
}

// TestBetaShapedDemo: the demo's policies are beta-shaped (no unset
// servicePrincipalRiskLevels, insiderRiskLevels, authenticationFlows) and
// every Conditional Access control still judges them through collect (the
// emulator's per-version shapes are tested in internal/emulate).
func TestBetaShapedDemo(t *testing.T) {
	for _, p := range demoPolicies(t) {
		for _, k := range []string{"servicePrincipalRiskLevels", "insiderRiskLevels", "authenticationFlows"} {
			if v, ok := p["conditions"].(map[string]any)[k]; ok && (v == nil || k == "servicePrincipalRiskLevels" && len(v.([]any)) == 0) {
				t.Errorf("demo policy %v sends an unset %s, which beta leaves out", p["displayName"], k)
			}
		}
	}
	got := demoWith(t, func(*snapshot.Snapshot) {}, emulate.Options{})
	for id, v := range got {
		if strings.HasPrefix(id, "TG.CA.") && strings.HasPrefix(v, "not_assessed: ") && !strings.Contains(v, "break-glass") {
			t.Errorf("%s = %s", id, v)
		}
	}
}

// TestWarningSkuThroughCollect: SKUs in their grace period
// (capabilityStatus Warning) are usable licences end to end: served by the
// emulator (whose Intune answers as licensed) and collected, the demo
// tenant gets exactly the verdicts it gets with its SKUs Enabled, and no
// licensed control turns not_licensed.
func TestWarningSkuThroughCollect(t *testing.T) {
	want := demoWith(t, func(*snapshot.Snapshot) {}, emulate.Options{})
	got := demoWith(t, func(s *snapshot.Snapshot) {
		var skus []map[string]any
		if err := json.Unmarshal(s.Data["subscribedSkus"], &skus); err != nil {
			t.Fatal(err)
		}
		for _, sku := range skus {
			sku["capabilityStatus"] = "Warning"
		}
		s.Data["subscribedSkus"], _ = json.Marshal(skus)
	}, emulate.Options{})
	licensed := 0
	for id, v := range want {
		if !strings.HasPrefix(v, "not_licensed: ") {
			licensed++
		}
		if got[id] != v {
			t.Errorf("%s with Warning SKUs: %s\nwith Enabled SKUs: %s", id, got[id], v)
		}
	}
	if licensed < 15 {
		t.Errorf("only %d controls are licensed in the demo: the comparison proves little", licensed)
	}
}

// TestPartialBetaPolicyThroughCollect: issue 10's "Done when" end to end.
// Served by the emulator and collected through beta, a policy without a key
// beta always sends (conditions.users.excludeUsers) makes the Conditional
// Access controls not_assessed, naming the policy and the key; the same
// policy without the keys beta leaves out when unset is judged as before.
func TestPartialBetaPolicyThroughCollect(t *testing.T) {
	edit := func(path ...string) func(s *snapshot.Snapshot) {
		return func(s *snapshot.Snapshot) {
			var ps []map[string]any
			if err := json.Unmarshal(s.Data["conditionalAccessPolicies"], &ps); err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if p["displayName"] != "CA001: Require MFA for all users" {
					continue
				}
				o := p
				for _, k := range path[:len(path)-1] {
					o = o[k].(map[string]any)
				}
				delete(o, path[len(path)-1])
			}
			s.Data["conditionalAccessPolicies"], _ = json.Marshal(ps)
		}
	}
	// The demo's CA001 is beta-shaped: it has none of the keys beta leaves
	// out when unset, and TG.ID.1 passes on it.
	for _, p := range demoPolicies(t) {
		if p["displayName"] == "CA001: Require MFA for all users" {
			for _, k := range []string{"servicePrincipalRiskLevels", "insiderRiskLevels", "authenticationFlows"} {
				if _, ok := p["conditions"].(map[string]any)[k]; ok {
					t.Fatalf("the demo's CA001 has %s: the test proves nothing", k)
				}
			}
		}
	}
	if got := demoWith(t, func(*snapshot.Snapshot) {}, emulate.Options{})["TG.ID.1"]; !strings.HasPrefix(got, "pass: policy 'CA001: Require MFA for all users'") {
		t.Errorf("TG.ID.1 on the beta-shaped CA001 = %s", got)
	}
	got := demoWith(t, edit("conditions", "users", "excludeUsers"), emulate.Options{})
	for _, id := range []string{"TG.ID.1", "TG.CA.8", "TG.CA.11"} {
		if !strings.HasPrefix(got[id], "not_assessed: ") || !strings.Contains(got[id], "CA001: Require MFA for all users") || !strings.Contains(got[id], "conditions.users.excludeUsers") {
			t.Errorf("%s = %s", id, got[id])
		}
	}
}

// demoPolicies are the demo tenant's Conditional Access policies as stored.
func demoPolicies(t *testing.T) []map[string]any {
	t.Helper()
	s, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var ps []map[string]any
	if err := json.Unmarshal(s.Data["conditionalAccessPolicies"], &ps); err != nil {
		t.Fatal(err)
	}
	return ps
}
