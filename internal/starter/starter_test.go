package starter

import (
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

func proposal() *Proposal {
	created, last, enabled := "2024-03-11T08:25:14Z", "2026-08-04T01:12:09Z", true
	two := 2
	return &Proposal{
		Candidates: []Account{{ID: "4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01", UserPrincipalName: "bg1@contoso.com", DisplayName: "Break Glass 01",
			AccountEnabled: &enabled, CreatedDateTime: &created, LastSignIn: &last, CloudOnly: true, ExcludedBy: []string{"CA001", "CA002"}}},
		Partial: []Account{{ID: "9c1d7e3b-2f4a-4e6b-8a5c-3d2e1f0a7b02", UserPrincipalName: "bg2@contoso.com", DisplayName: "Break Glass 02",
			CloudOnly: true, ExcludedBy: []string{"CA001"}, NotExcludedBy: []string{"CA002"}}},
		ExcludedGroups: []Group{{ID: "ce9033c5-6cbd-46b1-a752-6a9c0a7e841f", DisplayName: "CA-Exclude", ExcludedBy: []string{"CA001"}, Members: &two}},
		Policies:       2,
		Licenses:       map[string]bool{"AAD_PREMIUM": true, "AAD_PREMIUM_P2": false},
		Gaps:           []string{"last sign-ins are unknown"},
	}
}

var meta = Meta{TenantID: "t1", TenantName: "Contoso Ltd", From: "snapshot c.json", At: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}

func write(t *testing.T, p *Proposal) string {
	t.Helper()
	var b strings.Builder
	if err := Write(&b, p, meta); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The baseline loads with the strict loader as written (nothing active),
// and after a person uncomments a candidate and a group; it fits 80
// columns.
func TestWrittenBaselineRoundTrips(t *testing.T) {
	out := write(t, proposal())
	b, err := baseline.Parse("starter.yaml", []byte(out))
	if err != nil {
		t.Fatalf("as written: %v\n%s", err, out)
	}
	if b.Name != "contoso-ltd" || len(b.BreakGlass) != 0 || len(b.AllowedExclusions.Groups) != 0 {
		t.Errorf("as written: name %q, break_glass %v, groups %v: candidates must stay commented out", b.Name, b.BreakGlass, b.AllowedExclusions.Groups)
	}
	chosen := strings.Replace(out, "  # - bg1@contoso.com", "  - bg1@contoso.com", 1)
	chosen = strings.Replace(chosen, "    # - ce9033c5-6cbd-46b1-a752-6a9c0a7e841f", "    - ce9033c5-6cbd-46b1-a752-6a9c0a7e841f", 1)
	b, err = baseline.Parse("starter.yaml", []byte(chosen))
	if err != nil {
		t.Fatalf("uncommented: %v\n%s", err, chosen)
	}
	if len(b.BreakGlass) != 1 || b.BreakGlass[0] != "bg1@contoso.com" || len(b.AllowedExclusions.Groups) != 1 {
		t.Errorf("uncommented: break_glass %v, groups %v", b.BreakGlass, b.AllowedExclusions.Groups)
	}
	for _, want := range []string{"created 2024-03-11, last sign-in 2026-08-04", "excluded by 'CA001', 'CA002'", "NOT excluded by 'CA002'", "WARNING: an attacker's backdoor account", "2 members", "Not seen: last sign-ins are unknown."} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 80 {
			t.Errorf("%d columns: %q", len([]rune(l)), l)
		}
	}
}

// Names come from the tenant: a newline or a YAML character in one never
// escapes its comment, and an odd UPN stays one value when uncommented.
func TestHostileNamesStayComments(t *testing.T) {
	p := proposal()
	p.Candidates[0].DisplayName = "x\nbreak_glass: [attacker@evil]\n" + testutil.Hostile
	p.Candidates[0].UserPrincipalName = "a: b # c@contoso.com"
	p.Candidates[0].ExcludedBy = []string{"x\nname: pwned"}
	out := write(t, p)
	b, err := baseline.Parse("starter.yaml", []byte(out))
	if err != nil || len(b.BreakGlass) != 0 || b.Name != "contoso-ltd" {
		t.Fatalf("hostile names changed the baseline: %v %+v\n%s", err, b, out)
	}
	if u := testutil.UnsafeText(out); u != "" {
		t.Errorf("raw %s in the file", u)
	}
	chosen := strings.Replace(out, `  # - "a: b # c@contoso.com"`, `  - "a: b # c@contoso.com"`, 1)
	if b, err := baseline.Parse("starter.yaml", []byte(chosen)); err != nil || len(b.BreakGlass) != 1 || b.BreakGlass[0] != "a: b # c@contoso.com" {
		t.Errorf("quoted UPN: %v %v\n%s", err, b, chosen)
	}
}

func TestNoCandidateSaysSo(t *testing.T) {
	out := write(t, &Proposal{Policies: 3})
	if !strings.Contains(out, "No candidate") || !strings.Contains(out, "unknown: the subscribed SKUs could not be read") {
		t.Errorf("%s", out)
	}
	if _, err := baseline.Parse("s.yaml", []byte(out)); err != nil {
		t.Error(err)
	}
}
