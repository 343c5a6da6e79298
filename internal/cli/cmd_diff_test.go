package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/demo"
)

// demoSnapshotWith writes the demo snapshot after edit changed its decoded JSON.
func demoSnapshotWith(t *testing.T, name string, edit func(doc map[string]any)) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(demo.SnapshotJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(doc)
	}
	raw, _ := json.Marshal(doc)
	return write(t, name, string(raw))
}

// disableMFAPolicy turns the demo's all-users MFA policy off (TG.ID.1 fails).
func disableMFAPolicy(doc map[string]any) {
	for _, p := range doc["data"].(map[string]any)["conditionalAccessPolicies"].([]any) {
		pol := p.(map[string]any)
		if pol["id"] == "ca87f57d-13d5-4008-8aa8-a1d6220900e2" {
			pol["state"] = "disabled"
		}
	}
}

func TestDiffCommand(t *testing.T) {
	old := demoSnapshotWith(t, "old.json", nil)
	same := demoSnapshotWith(t, "same.json", nil)
	worse := demoSnapshotWith(t, "worse.json", disableMFAPolicy)
	bl := write(t, "b.yaml", demoBaseline)
	const oldReport, newReport = "../diff/testdata/old.report.json", "../diff/testdata/new.report.json"

	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"identical snapshots", []string{"diff", "--baseline", bl, old, same}, 0, []string{"Controls: no status changes.", "Result: no changes."}, ""},
		{"disabled CA policy regresses TG.ID.1", []string{"diff", "--baseline", bl, old, worse}, 1,
			[]string{"REGRESSED  TG.ID.1", "~ modified 'CA001: Require MFA for all users'", "(ca87f57d-13d5-4008-8aa8-a1d6220900e2)", "state: enabled → disabled", "Result: 1 regression."}, ""},
		{"settings only", []string{"diff", "--settings-only", old, worse}, 0, []string{"Controls: not compared", "state: enabled → disabled", "Result: no regressions."}, ""},
		{"audit results", []string{"diff", oldReport, newReport}, 1, []string{"Controls: 5 regressed, 1 improved", "REGRESSED  TG.CA.2"}, ""},
		{"audit results json", []string{"diff", "--format", "json", oldReport, newReport}, 1, []string{`"regressions": 5`, `"direction": "regressed"`}, ""},
		{"no regression the other way round", []string{"diff", newReport, newReport}, 0, []string{"Result: no regressions."}, ""},
		{"missing file", []string{"diff", old, "nope.json"}, 2, nil, "nope.json: cannot read"},
		{"invalid json", []string{"diff", old, write(t, "bad.json", "{\n  \"data\": ,\n}")}, 2, nil, "bad.json:2:"},
		{"mixed kinds", []string{"diff", old, newReport}, 2, nil, "new.report.json: is an audit result, but"},
		{"one argument", []string{"diff", old}, 2, nil, "accepts 2 arg(s)"},
		{"bad format", []string{"diff", "--format", "xml", old, same}, 2, nil, `unknown --format "xml"`},
		{"baseline with reports", []string{"diff", "--baseline", bl, oldReport, newReport}, 2, nil, "--baseline applies to snapshots"},
		{"bad baseline", []string{"diff", "--baseline", write(t, "x.yaml", "nme: x\n"), old, same}, 2, nil, "x.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if tc.stderr != "" && !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr)
			}
		})
	}
}

// Without an auditor (diffAuditor = nil) a snapshot diff shows settings only.
func TestDiffWithoutAuditor(t *testing.T) {
	saved := diffAuditor
	diffAuditor = nil
	defer func() { diffAuditor = saved }()
	code, stdout, _ := run(t, "diff", demoSnapshotWith(t, "a.json", nil), demoSnapshotWith(t, "b.json", disableMFAPolicy))
	if code != 0 || !strings.Contains(stdout, "Controls: not compared") || !strings.Contains(stdout, "state: enabled → disabled") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}
