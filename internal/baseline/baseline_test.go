package baseline

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

func known(id string) bool { return strings.HasPrefix(id, "TG.") && id != "TG.NOPE.1" }

// judges stands for the catalog's controls that judge CA exclusions.
func judges(id string) bool {
	return strings.HasPrefix(id, "TG.CA.") && id != "TG.CA.8" && id != "TG.CA.9"
}

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
controls:                    # optional: disable or re-grade controls, per-control exclusions
  TG.APP.3: {enabled: true, severity: low}
  TG.CA.10:
    allowed_exclusions: {groups: [<meeting-room-devices group id>]}   # this control only
hunt:                        # optional: investigation parameters (hunt.md)
  trusted_networks: [203.0.113.0/24]
  replay_window: 12h
  followup_window: 60m
  ip_window: 168h
  coverage_slack: 24h
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
	if err := b.CheckControls(known, judges); err != nil {
		t.Fatal(err)
	}
	if g := b.Controls["TG.CA.10"].AllowedExclusions.Groups; len(g) != 1 || g[0] != "<meeting-room-devices group id>" {
		t.Errorf("TG.CA.10 allowed_exclusions: %v", g)
	}
	if b.Version != "1" || b.Waivers[0].Expires.String() != "2027-03-31" || !*b.Attestations.UnifiedAuditLogEnabled {
		t.Errorf("decoded wrong: %+v", b)
	}
	h := b.Hunt
	if p := h.TrustedPrefixes(); len(p) != 1 || p[0].String() != "203.0.113.0/24" || h.ReplayWindow.Duration != 12*time.Hour ||
		h.FollowupWindow.Duration != time.Hour || h.IPWindow.Duration != 168*time.Hour || h.CoverageSlack.Duration != 24*time.Hour {
		t.Errorf("hunt decoded wrong: %+v", h)
	}
	if h.ToolingUserAgents == nil || len(*h.ToolingUserAgents) != 8 {
		t.Errorf("hunt.tooling_user_agents not inherited from the default: %v", h.ToolingUserAgents)
	}
}

// TestHuntDefaults: a baseline without hunt: inherits the embedded
// defaults (hunt.md's); a partial one keeps what it sets.
func TestHuntDefaults(t *testing.T) {
	b, err := Parse("b.yaml", []byte("name: x\nhunt:\n  ip_window: 3d\n  trusted_networks: [198.51.100.7]\n"))
	if err != nil {
		t.Fatal(err)
	}
	h := b.Hunt
	if h.IPWindow.Duration != 72*time.Hour || h.ReplayWindow.Duration != 12*time.Hour || h.FollowupWindow.Duration != time.Hour || h.CoverageSlack.Duration != 24*time.Hour {
		t.Errorf("windows: %+v", h)
	}
	if p := h.TrustedPrefixes(); len(p) != 1 || p[0].String() != "198.51.100.7/32" {
		t.Errorf("trusted: %v", p)
	}
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if d.Hunt.TrustedNetworks == nil || len(*d.Hunt.TrustedNetworks) != 0 {
		t.Errorf("the default trusts no network: %v", d.Hunt.TrustedNetworks)
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
		{"negative parameter", "name: x\nparameters:\n  log_retention_days: -1\n", 3, "must be positive"},
		// YAML numbers JSON cannot hold: they failed at evaluation (exit 4, "unsupported value").
		{"NaN parameter", "name: x\nparameters:\n  log_retention_days: 90\n  max_sign_in_frequency_hours: .nan\n", 4, "must be a positive number of hours, not NaN"},
		{"infinite parameter", "name: x\nparameters:\n  max_sign_in_frequency_hours: .inf\n", 3, "not +Inf"},
		{"negative infinite parameter", "name: x\nparameters:\n  max_sign_in_frequency_hours: -.Inf\n", 3, "not -Inf"},
		{"syntax", "name: x\n  bad: [\n", 2, ""},
		{"no name", "version: 1\n", 1, "name is required"},
		{"empty", "  \n", 0, "empty file, want a baseline"},
		{"two documents", "name: x\n---\nname: y\n", 0, "more than one YAML document"},
		{"per-control exclusions: unknown key", "name: x\ncontrols:\n  TG.CA.10:\n    allowed_exclusions:\n      group: [g1]\n", 5, "unknown key group in allowed_exclusions"},
		{"per-control exclusions: list expected", "name: x\ncontrols:\n  TG.CA.10:\n    allowed_exclusions:\n      groups: g1\n", 5, "cannot unmarshal"},
		{"per-control exclusions: mapping expected", "name: x\ncontrols:\n  TG.CA.10:\n    allowed_exclusions: [g1]\n", 4, "cannot unmarshal"},
		{"per-control exclusions: guests not a boolean", "name: x\ncontrols:\n  TG.CA.10:\n    allowed_exclusions: {guests_or_external_users: some}\n", 4, "cannot unmarshal"},
		{"hunt: unknown key", "name: x\nhunt:\n  trusted_network: [10.0.0.0/8]\n", 3, "unknown key trusted_network in hunt"},
		{"hunt: bad network", "name: x\nhunt:\n  trusted_networks:\n    - 203.0.113.0/24\n    - office\n", 5, `"office" is not a CIDR or an address`},
		{"hunt: bad duration", "name: x\nhunt:\n  replay_window: twelve hours\n", 3, "is not a duration"},
		{"hunt: duration list", "name: x\nhunt:\n  ip_window: [7d]\n", 3, "is not a duration"},
		{"hunt: zero window", "name: x\nhunt:\n  followup_window: 0s\n", 3, "hunt.followup_window must be positive"},
		{"hunt: negative slack", "name: x\nhunt:\n  coverage_slack: -1h\n", 3, "hunt.coverage_slack must be positive"},
		{"hunt: empty tooling agent", "name: x\nhunt:\n  tooling_user_agents:\n    - curl/\n    - \"\"\n", 5, "would match every user agent"},
		{"hunt: agents not a list", "name: x\nhunt:\n  tooling_user_agents: curl\n", 3, "cannot unmarshal"},
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
		want string
	}{
		{"unknown control under controls", "name: x\ncontrols:\n  TG.CA.1: {enabled: false}\n  TG.NOPE.1: {enabled: false}\n", 4, "unknown control id \"TG.NOPE.1\""},
		{"unknown control in waiver", "name: x\nwaivers:\n  - control: TG.NOPE.1\n    reason: r\n    approved_by: me\n    expires: 2027-01-01\n", 3, "unknown control id \"TG.NOPE.1\""},
		{"exclusions for a control without CA exclusions", "name: x\ncontrols:\n  TG.CA.10:\n    allowed_exclusions: {groups: [g1]}\n  TG.LOG.1:\n    allowed_exclusions: {groups: [g1]}\n", 5, "controls.TG.LOG.1.allowed_exclusions: TG.LOG.1 judges no Conditional Access exclusions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Parse("base.yaml", []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = b.CheckControls(known, judges)
			var ie *inputerr.Error
			if !errors.As(err, &ie) || ie.Line != tt.line || !strings.Contains(ie.Msg, tt.want) {
				t.Fatalf("got %v, want %q at line %d", err, tt.want, tt.line)
			}
		})
	}
}

// TestControlExclusionsPolicyInput: per-control allowed_exclusions reach the
// policies under controls.ID.allowed_exclusions, in the shape of the global
// key; controls without their own list, and enabled/severity, do not.
func TestControlExclusionsPolicyInput(t *testing.T) {
	b, err := Parse("b.yaml", []byte("name: x\nallowed_exclusions: {groups: [g0]}\ncontrols:\n  TG.APP.3: {enabled: false}\n  TG.CA.10:\n    allowed_exclusions:\n      groups: [g1]\n      users: [u1]\n      guests_or_external_users: true\n  TG.CA.3:\n    allowed_exclusions: {roles: [r1]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CheckControls(known, judges); err != nil {
		t.Fatal(err)
	}
	in := b.PolicyInput()
	got, _ := json.Marshal(in["controls"])
	want := `{"TG.CA.10":{"allowed_exclusions":{"applications":[],"groups":["g1"],"guests_or_external_users":true,"roles":[],"users":["u1"]}},"TG.CA.3":{"allowed_exclusions":{"applications":[],"groups":[],"guests_or_external_users":false,"roles":["r1"],"users":[]}}}`
	if string(got) != want {
		t.Errorf("controls input:\n got %s\nwant %s", got, want)
	}
	// The global list is untouched by the per-control ones (and keeps the
	// default's roles).
	global, _ := json.Marshal(in["allowed_exclusions"])
	if !strings.Contains(string(global), `"groups":["g0"]`) || !strings.Contains(string(global), `"roles":["d29b2b05-8046-44ba-8758-1e26182fcf32"]`) {
		t.Errorf("global allowed_exclusions: %s", global)
	}
	// Without any per-control list the policies still get an (empty) object.
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := d.PolicyInput()["controls"].(map[string]any); !ok || len(c) != 0 {
		t.Errorf("default controls input: %v", d.PolicyInput()["controls"])
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
