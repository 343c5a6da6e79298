package demo

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/snapshot"
)

const (
	tenantID = "35a4937b-c200-40f5-8db0-1813c0f63ffe"
	bg1      = "4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01"
	bg2      = "9c1d7e3b-2f4a-4e6b-8a5c-3d2e1f0a7b02"
)

func mustSnapshot(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := Snapshot()
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return s
}

func TestSnapshotEnvelope(t *testing.T) {
	s := mustSnapshot(t)
	tests := []struct {
		name      string
		got, want any
	}{
		{"schemaVersion", s.SchemaVersion, snapshot.SchemaVersion},
		{"tenant.id", s.Tenant.ID, tenantID},
		{"tenant.displayName", s.Tenant.DisplayName, "Sunnyside Trading"},
		{"tenant.cloud", s.Tenant.Cloud, "global"},
		{"tool.name", s.Tool.Name, "tenantgate"},
		{"tool.version", s.Tool.Version, "demo"},
		{"collectedAt", s.CollectedAt.UTC().Format("2006-01-02T15:04:05Z"), "2026-11-20T09:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestEverySourceCollected(t *testing.T) {
	s := mustSnapshot(t)
	if len(s.Sources) != len(snapshot.Sources) {
		t.Errorf("snapshot has %d sources, want %d", len(s.Sources), len(snapshot.Sources))
	}
	for _, name := range snapshot.SourceNames() {
		t.Run(name, func(t *testing.T) {
			src, ok := s.Sources[name]
			if !ok {
				t.Fatalf("sources.%s missing", name)
			}
			if src.Status != snapshot.StatusOK {
				t.Errorf("sources.%s.status = %q, want ok", name, src.Status)
			}
			if !strings.HasPrefix(src.Request, "GET ") {
				t.Errorf("sources.%s.request = %q, want a GET request", name, src.Request)
			}
			if _, ok := s.Data[name]; !ok {
				t.Errorf("data.%s missing", name)
			}
		})
	}
	// CAE mode is a beta-only field: the policies must come from /beta.
	if got := s.Sources["conditionalAccessPolicies"].Request; !strings.Contains(got, "/beta/") {
		t.Errorf("conditionalAccessPolicies collected from %q, want /beta", got)
	}
}

func TestConditionalAccessPolicies(t *testing.T) {
	s := mustSnapshot(t)
	var policies []struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
		State       string `json:"state"`
		Conditions  struct {
			Users struct {
				ExcludeUsers []string `json:"excludeUsers"`
			} `json:"users"`
		} `json:"conditions"`
		SessionControls *struct {
			ContinuousAccessEvaluation *struct {
				Mode string `json:"mode"`
			} `json:"continuousAccessEvaluation"`
		} `json:"sessionControls"`
	}
	if err := json.Unmarshal(s.Data["conditionalAccessPolicies"], &policies); err != nil {
		t.Fatalf("decode conditionalAccessPolicies: %v", err)
	}
	tests := []struct {
		prefix       string
		state        string
		excludeUsers []string
	}{
		{"CA001:", "enabled", []string{bg1, bg2}},
		{"CA002:", "enabled", []string{bg1, bg2}},
		{"CA003:", "enabled", []string{bg1}},
		{"CA004:", "enabled", []string{bg1, bg2}},
		{"CA005:", "enabledForReportingButNotEnforced", []string{bg1, bg2}},
		{"CA006:", "enabled", []string{bg1, bg2}},
		{"CA007:", "disabled", []string{}},
	}
	if len(policies) != len(tests) {
		t.Fatalf("got %d policies, want %d", len(policies), len(tests))
	}
	ids := map[string]bool{}
	for i, tt := range tests {
		p := policies[i]
		t.Run(tt.prefix, func(t *testing.T) {
			if !strings.HasPrefix(p.DisplayName, tt.prefix) {
				t.Fatalf("policy %d is %q, want %s…", i, p.DisplayName, tt.prefix)
			}
			if p.State != tt.state {
				t.Errorf("state = %q, want %q", p.State, tt.state)
			}
			if strings.Join(p.Conditions.Users.ExcludeUsers, ",") != strings.Join(tt.excludeUsers, ",") {
				t.Errorf("excludeUsers = %v, want %v", p.Conditions.Users.ExcludeUsers, tt.excludeUsers)
			}
			if sc := p.SessionControls; sc != nil && sc.ContinuousAccessEvaluation != nil &&
				sc.ContinuousAccessEvaluation.Mode == "disabled" {
				t.Error("policy disables continuous access evaluation")
			}
			if ids[p.ID] {
				t.Errorf("duplicate policy id %s", p.ID)
			}
			ids[p.ID] = true
		})
	}
}

func TestBreakGlassAccountsMatchBaseline(t *testing.T) {
	s := mustSnapshot(t)
	b, err := Baseline()
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	var accounts []snapshot.BreakGlassAccount
	if err := json.Unmarshal(s.Data["breakGlassAccounts"], &accounts); err != nil {
		t.Fatalf("decode breakGlassAccounts: %v", err)
	}
	if len(accounts) != len(b.BreakGlass) {
		t.Fatalf("snapshot resolves %d break-glass accounts, baseline names %d", len(accounts), len(b.BreakGlass))
	}
	wantIDs := []string{bg1, bg2}
	for i, a := range accounts {
		if a.Requested != b.BreakGlass[i] {
			t.Errorf("account %d requested %q, baseline names %q", i, a.Requested, b.BreakGlass[i])
		}
		var u struct {
			ID                string `json:"id"`
			UserPrincipalName string `json:"userPrincipalName"`
			AccountEnabled    bool   `json:"accountEnabled"`
		}
		if err := json.Unmarshal(a.User, &u); err != nil {
			t.Fatalf("account %d user: %v", i, err)
		}
		if u.ID != wantIDs[i] || u.UserPrincipalName != a.Requested || !u.AccountEnabled {
			t.Errorf("account %d user = %+v", i, u)
		}
		if len(a.TransitiveMemberOf) == 0 {
			t.Errorf("account %d has no transitive memberships", i)
		}
	}
}

func TestBaseline(t *testing.T) {
	b, err := Baseline()
	if err != nil {
		t.Fatalf("Baseline: %v", err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"name", b.Name, "aitm-defense-demo"},
		{"version", b.Version, "1"},
		{"break_glass count", len(b.BreakGlass), 2},
		{"break_glass[0]", b.BreakGlass[0], "breakglass01@sunnyside08.onmicrosoft.com"},
		{"break_glass[1]", b.BreakGlass[1], "breakglass02@sunnyside08.onmicrosoft.com"},
		// Inherited from the default baseline.
		{"licenses inherited", len(b.Licenses) > 0, true},
		{"log_retention_days inherited", b.Parameters.LogRetentionDays != nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestSnapshotJSONIsACopy(t *testing.T) {
	a := SnapshotJSON()
	a[0] = 'x'
	if b := SnapshotJSON(); bytes.Equal(a, b) {
		t.Error("SnapshotJSON returned the embedded bytes, not a copy")
	}
}
