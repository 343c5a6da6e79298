package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tenantgate/tenantgate/internal/report"
)

// testdata/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 (errata 01)
// schema, vendored from github.com/securego/gosec/v2@v2.30.0
// report/sarif/testdata/ (Go module proxy; byte-identical to OASIS's file).
func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	const path = "testdata/sarif-schema-2.1.0.json"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri / uri-reference / date-time are part of the contract
	abs, _ := filepath.Abs(path)
	if err := c.AddResource(abs, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(abs)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func renderString(t *testing.T, format string, r *report.Report, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestSARIFSchema(t *testing.T) {
	sch := compileSARIFSchema(t)
	reports := map[string]*report.Report{}
	for _, name := range fixtures {
		reports[name] = loadFixture(t, name)
	}
	// Edge cases: no policy location, no warnings, unknown severity text.
	bare := loadFixture(t, "contoso")
	for i := range bare.Results {
		bare.Results[i].Policy = nil
	}
	bare.Warnings = nil
	bare.Tool.Version = ""
	reports["no-locations"] = bare

	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			out := renderString(t, "sarif", r, Options{})
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Fatalf("SARIF does not validate against the 2.1.0 schema: %v", err)
			}
			checkGitHubSARIF(t, r, out)
		})
	}
}

// checkGitHubSARIF checks what GitHub code scanning needs beyond the schema
// (style-anchors §5.1) and tenantgate's own mapping.
func checkGitHubSARIF(t *testing.T, r *report.Report, out string) {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(log.Runs))
	}
	run := log.Runs[0]
	if got, want := run.AutomationDetails.ID, "tenantgate/"+r.Tenant.ID+"/"; got != want {
		t.Errorf("automationDetails.id = %q, want %q", got, want)
	}
	if run.Tool.Driver.Name != "tenantgate" {
		t.Errorf("driver name %q", run.Tool.Driver.Name)
	}
	if len(run.Tool.Driver.Rules) != len(r.Results) {
		t.Errorf("%d rules, want one per control (%d)", len(run.Tool.Driver.Rules), len(r.Results))
	}
	seen := map[string]bool{}
	for i, rule := range run.Tool.Driver.Rules {
		if seen[rule.ID] {
			t.Errorf("duplicate rule %s", rule.ID)
		}
		seen[rule.ID] = true
		if rule.ID != r.Results[i].ID {
			t.Errorf("rule %d is %s, want %s", i, rule.ID, r.Results[i].ID)
		}
		for what, s := range map[string]string{"shortDescription": rule.ShortDescription.Text, "fullDescription": rule.FullDescription.Text, "help.text": rule.Help.Text, "help.markdown": rule.Help.Markdown, "name": rule.Name} {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: empty %s", rule.ID, what)
			}
			if (what == "shortDescription" || what == "fullDescription") && len([]rune(s)) > maxDescription {
				t.Errorf("%s: %s longer than %d", rule.ID, what, maxDescription)
			}
		}
		sev, err := strconv.ParseFloat(rule.Properties.SecuritySeverity, 64)
		if err != nil || sev <= 0 || sev > 10 {
			t.Errorf("%s: security-severity %q", rule.ID, rule.Properties.SecuritySeverity)
		}
		want := map[string]float64{"high": 8.0, "medium": 5.5, "low": 2.0}[r.Results[i].Severity]
		if sev != want {
			t.Errorf("%s: security-severity %v, want %v", rule.ID, sev, want)
		}
		if !strings.Contains(rule.Help.Markdown, "Remediation") {
			t.Errorf("%s: help has no remediation", rule.ID)
		}
	}

	// One result per failed, not_assessed or waived control, none for the rest.
	want := map[string]string{}
	for _, res := range r.Results {
		switch res.Status {
		case report.Fail, report.NotAssessed, report.Waived:
			want[res.ID] = res.Status
		}
	}
	if len(run.Results) != len(want) {
		t.Errorf("%d results, want %d", len(run.Results), len(want))
	}
	for _, res := range run.Results {
		st, ok := want[res.RuleID]
		if !ok {
			t.Errorf("result for %s, which needs none", res.RuleID)
			continue
		}
		if run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("%s: ruleIndex %d points at %s", res.RuleID, res.RuleIndex, run.Tool.Driver.Rules[res.RuleIndex].ID)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.Region.StartLine < 1 ||
			!strings.HasSuffix(res.Locations[0].PhysicalLocation.ArtifactLocation.URI, ".rego") {
			t.Errorf("%s: bad locations %+v", res.RuleID, res.Locations)
		}
		if got := res.PartialFingerprints[fingerprintKey]; got != controlFingerprint(r.Tenant.ID, res.RuleID) {
			t.Errorf("%s: fingerprint %q", res.RuleID, got)
		}
		if res.PartialFingerprints["primaryLocationLineHash"] == "" {
			t.Errorf("%s: no primaryLocationLineHash", res.RuleID)
		}
		if strings.TrimSpace(res.Message.Text) == "" {
			t.Errorf("%s: empty message", res.RuleID)
		}
		switch st {
		case report.Waived:
			if len(res.Suppressions) != 1 || res.Suppressions[0].Status != "accepted" || !strings.Contains(res.Suppressions[0].Justification, "until") {
				t.Errorf("%s: waived result needs an accepted suppression with the expiry: %+v", res.RuleID, res.Suppressions)
			}
		case report.NotAssessed:
			if res.Level != "warning" || !strings.HasPrefix(res.Message.Text, "Not assessed:") {
				t.Errorf("%s: not_assessed result level %q message %q", res.RuleID, res.Level, res.Message.Text)
			}
		default:
			if len(res.Suppressions) != 0 {
				t.Errorf("%s: failed result is suppressed", res.RuleID)
			}
		}
	}
	if got := len(run.Invocations[0].ToolExecutionNotifications); got != len(r.Warnings) {
		t.Errorf("%d notifications, want one per run warning (%d)", got, len(r.Warnings))
	}
}

func TestSARIFLocationAndFingerprint(t *testing.T) {
	r := loadFixture(t, "contoso")
	log := buildSARIF(r)
	byRule := map[string]sarifResult{}
	for _, res := range log.Runs[0].Results {
		byRule[res.RuleID] = res
	}
	ca2 := byRule["TG.CA.2"].Locations[0].PhysicalLocation
	if ca2.ArtifactLocation.URI != "policies/ca/tg_ca_2.rego" || ca2.ArtifactLocation.URIBaseID != "%SRCROOT%" || ca2.Region.StartLine != 22 {
		t.Errorf("TG.CA.2 location %+v", ca2)
	}
	// TG.APP.3 has no policy location in the fixture: conventional path, line 1.
	app3 := byRule["TG.APP.3"].Locations[0].PhysicalLocation
	if app3.ArtifactLocation.URI != "policies/app/tg_app_3.rego" || app3.Region.StartLine != 1 {
		t.Errorf("TG.APP.3 fallback location %+v", app3)
	}
	// Stable across runs and independent of anything but tenant + control.
	r2 := loadFixture(t, "contoso")
	r2.GeneratedAt = r2.GeneratedAt.AddDate(0, 1, 0)
	r2.Results[1].Finding = "a different finding"
	r2.Results[1].Policy.Line = 99
	for _, res := range buildSARIF(r2).Runs[0].Results {
		if res.PartialFingerprints[fingerprintKey] != byRule[res.RuleID].PartialFingerprints[fingerprintKey] ||
			res.PartialFingerprints["primaryLocationLineHash"] != byRule[res.RuleID].PartialFingerprints["primaryLocationLineHash"] {
			t.Errorf("%s: fingerprint changed between runs", res.RuleID)
		}
	}
	// Different tenant, different fingerprint.
	if controlFingerprint("a", "TG.CA.2") == controlFingerprint("b", "TG.CA.2") {
		t.Error("fingerprint ignores the tenant")
	}
}

// The schema check must be able to fail: a wrong level and a missing message
// are rejected.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := compileSARIFSchema(t)
	good := renderString(t, "sarif", loadFixture(t, "contoso"), Options{})
	for name, bad := range map[string]string{
		"level":   strings.Replace(good, `"level": "error"`, `"level": "fatal"`, 1),
		"version": strings.Replace(good, `"version": "2.1.0"`, `"version": "2.0.0"`, 1),
		"extra":   strings.Replace(good, `"ruleId":`, `"rule": 1, "ruleId":`, 1),
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		if sch.Validate(inst) == nil {
			t.Errorf("%s: invalid SARIF accepted", name)
		}
	}
}
