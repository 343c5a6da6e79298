package baseline

import (
	"errors"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

func known(id string) bool { return strings.HasPrefix(id, "TG.") && id != "TG.NOPE.1" }

func TestDefault(t *testing.T) {
	b, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if b.Name != "aitm-defense" || *b.Parameters.MaxSignInFrequencyHours != 1 || *b.Parameters.LogRetentionDays != 90 || *b.Parameters.UALRetentionDays != 180 {
		t.Errorf("default parameters wrong: %+v", b.Parameters)
	}
	for _, cap := range []string{"AAD_PREMIUM", "AAD_PREMIUM_P2", "INTUNE_A", "AUDIT_STANDARD", "M365_ADVANCED_AUDITING", "10_ALR_ADDON"} {
		if _, ok := b.Licenses[cap]; !ok {
			t.Errorf("default baseline lacks license %s", cap)
		}
	}
	// P2 implies P1 is data, not code.
	if !contains(b.Licenses["AAD_PREMIUM"].ServicePlans, "AAD_PREMIUM_P2") {
		t.Error("AAD_PREMIUM must be provided by AAD_PREMIUM_P2 too")
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func TestParseInheritsDefaults(t *testing.T) {
	b, err := Parse("b.yaml", []byte("name: mine\nbreak_glass: [bg@contoso.com]\nparameters:\n  log_retention_days: 180\n"))
	if err != nil {
		t.Fatal(err)
	}
	if *b.Parameters.LogRetentionDays != 180 || *b.Parameters.UALRetentionDays != 180 || *b.Parameters.MaxSignInFrequencyHours != 1 {
		t.Errorf("parameters not merged: %+v", b.Parameters)
	}
	if len(b.Licenses) != 6 || len(b.BreakGlass) != 1 {
		t.Errorf("licenses/break-glass wrong: %d %v", len(b.Licenses), b.BreakGlass)
	}
	in := b.PolicyInput()
	if in["break_glass"].([]any)[0] != "bg@contoso.com" {
		t.Errorf("policy input: %v", in)
	}
}

func TestSpecExampleParses(t *testing.T) {
	// The baseline example of cli.md, verbatim.
	doc := `name: aitm-defense
version: 1
break_glass:                 # object ids or UPNs; required for TG.CA.8 and for apply
  - breakglass1@contoso.onmicrosoft.com
allowed_exclusions:          # extra CA exclusions that do not disqualify a policy
  users: []
  groups: []
parameters:
  max_sign_in_frequency_hours: 1
  log_retention_days: 90
  ual_retention_days: 180
  allowed_user_consent_policies: []   # e.g. [microsoft-user-default-low]
controls:                    # optional: disable or re-grade controls
  TG.APP.3: {enabled: true, severity: low}
waivers:
  - control: TG.CA.3
    reason: "Intune rollout finishes in Q2"
    approved_by: "CISO"
    expires: 2027-03-31
attestations:
  unified_audit_log_enabled: true
`
	b, err := Parse("spec.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CheckControls(known); err != nil {
		t.Fatal(err)
	}
	if b.Version != "1" || b.Waivers[0].Expires.String() != "2027-03-31" || !*b.Attestations.UnifiedAuditLogEnabled {
		t.Errorf("decoded wrong: %+v", b)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		line int
		want string
	}{
		{"unknown top-level key", "name: x\nbrake_glass: []\n", 2, "unknown key brake_glass"},
		{"unknown nested key", "name: x\nparameters:\n  log_retention: 5\n", 3, "unknown key log_retention"},
		{"wrong type", "name: x\nparameters:\n  log_retention_days: ninety\n", 3, "cannot unmarshal"},
		{"list expected", "name: x\nbreak_glass: bg@contoso.com\n", 2, "cannot unmarshal"},
		{"bad severity", "name: x\ncontrols:\n  TG.CA.1: {severity: critical}\n", 3, "not high, medium or low"},
		{"waiver without expires", "name: x\nwaivers:\n  - control: TG.CA.3\n    reason: r\n    approved_by: me\n", 3, "expires is required"},
		{"waiver bad date", "name: x\nwaivers:\n  - control: TG.CA.3\n    reason: r\n    approved_by: me\n    expires: soon\n", 6, "not a date"},
		{"waiver without reason", "name: x\nwaivers:\n  - control: TG.CA.3\n    approved_by: me\n    expires: 2027-01-01\n", 3, "reason is required"},
		{"waiver without approver", "name: x\nwaivers:\n  - control: TG.CA.3\n    reason: r\n    expires: 2027-01-01\n", 3, "approved_by is required"},
		{"negative parameter", "name: x\nparameters:\n  log_retention_days: -1\n", 2, "must be positive"},
		{"syntax", "name: x\n  bad: [\n", 2, ""},
		{"no name", "version: 1\n", 1, "name is required"},
		{"empty", "  \n", 0, "empty file, want a baseline"},
		{"two documents", "name: x\n---\nname: y\n", 0, "more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("base.yaml", []byte(tt.doc))
			var ie *inputerr.Error
			if !errors.As(err, &ie) {
				t.Fatalf("want *inputerr.Error, got %T %v", err, err)
			}
			if ie.File != "base.yaml" || ie.Line != tt.line || !strings.Contains(ie.Msg, tt.want) {
				t.Errorf("got %q (line %d), want line %d containing %q", err, ie.Line, tt.line, tt.want)
			}
		})
	}
}

func TestCheckControls(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		line int
	}{
		{"unknown control under controls", "name: x\ncontrols:\n  TG.CA.1: {enabled: false}\n  TG.NOPE.1: {enabled: false}\n", 4},
		{"unknown control in waiver", "name: x\nwaivers:\n  - control: TG.NOPE.1\n    reason: r\n    approved_by: me\n    expires: 2027-01-01\n", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse("base.yaml", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = b.CheckControls(known)
			var ie *inputerr.Error
			if !errors.As(err, &ie) || ie.Line != tt.line || !strings.Contains(ie.Msg, "unknown control id \"TG.NOPE.1\"") {
				t.Fatalf("got %v, want unknown control at line %d", err, tt.line)
			}
		})
	}
}

func TestEnabledAndSeverity(t *testing.T) {
	b, err := Parse("b.yaml", []byte("name: x\ncontrols:\n  TG.APP.3: {enabled: false}\n  TG.CA.6: {severity: high}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if b.Enabled("TG.APP.3") || !b.Enabled("TG.CA.1") {
		t.Error("Enabled wrong")
	}
	if b.Severity("TG.CA.6", "medium") != "high" || b.Severity("TG.CA.1", "high") != "high" {
		t.Error("Severity wrong")
	}
}
