package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/engine"
)

// TestEvidenceRetention: evidence's retention warning comes from the
// tenant's licences by the policies' own rule (as TG.LOG.1 and TG.LOG.3
// count them) and names the date before which each log is already gone;
// a window the tenant still keeps gets no warning, unread licences an
// "unknown" one, never a guess.
func TestEvidenceRetention(t *testing.T) {
	now := time.Date(2023, 12, 14, 1, 0, 0, 0, time.UTC)
	sku := func(part string, plans ...string) string {
		var ps []string
		for _, p := range plans {
			ps = append(ps, fmt.Sprintf(`{"servicePlanName":%q,"provisioningStatus":"Success"}`, p))
		}
		return fmt.Sprintf(`{"skuPartNumber":%q,"capabilityStatus":"Enabled","servicePlans":[%s]}`, part, strings.Join(ps, ","))
	}
	page := func(skus ...string) []byte { return []byte(`{"value":[` + strings.Join(skus, ",") + `]}`) }
	e3 := sku("SPE_E3", "AAD_PREMIUM", "EXCHANGE_S_ENTERPRISE")
	e5 := sku("SPE_E5", "AAD_PREMIUM", "AAD_PREMIUM_P2", "EXCHANGE_S_ENTERPRISE", "M365_ADVANCED_AUDITING")
	free := sku("EXCHANGESTANDARD", "EXCHANGE_S_STANDARD")
	entraOnly := sku("AAD_PREMIUM", "AAD_PREMIUM")
	tests := []struct {
		name      string
		skus      []byte
		since     time.Time
		signIn    int
		ual       int
		known     bool
		warnings  []string // each a substring of one warning, in order
		noWarning bool
	}{
		{"E3, inside every retention", page(e3), now.AddDate(0, 0, -10), 30, 180, true, nil, true},
		{"E3, 60 days back", page(e3), now.AddDate(0, 0, -60), 30, 180, true,
			[]string{"older than the 30 days Entra keeps sign-in and audit logs (Microsoft Entra ID P1): everything before 2023-11-14 01:00 UTC is already gone"}, false},
		{"E3, 200 days back", page(e3), now.AddDate(0, 0, -200), 30, 180, true,
			[]string{"30 days Entra keeps", "older than the 180 days the unified audit log is kept (Microsoft Purview Audit (Standard)): everything before 2023-06-17 01:00 UTC is already gone"}, false},
		{"E5, 200 days back: the UAL is kept a year", page(e5), now.AddDate(0, 0, -200), 30, 365, true,
			[]string{"30 days Entra keeps"}, false},
		{"Free Entra, 10 days back", page(free), now.AddDate(0, 0, -10), 7, 180, true,
			[]string{"older than the 7 days Entra keeps sign-in and audit logs (Microsoft Entra ID Free): everything before 2023-12-07 01:00 UTC is already gone"}, false},
		{"no audit licence", page(entraOnly), now.AddDate(0, 0, -3), 30, 0, true,
			[]string{"the tenant has no Purview Audit license: the unified audit log may hold nothing"}, false},
		{"licences unread", nil, now.AddDate(0, 0, -3), 0, 0, false,
			[]string{"retention is unknown without the tenant's licences"}, false},
	}
	ctx := context.Background()
	eng, err := engine.New(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadBaseline("", false)
	if err != nil {
		t.Fatal(err)
	}
	retention := retentionFor(ctx, eng, b)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := retention(nil, tt.skus, tt.since, now)
			if r == nil || r.Known != tt.known || r.Known && (r.SignInDays != tt.signIn || r.UALDays != tt.ual) {
				t.Fatalf("retention %+v", r)
			}
			if tt.noWarning != (len(r.Warnings) == 0) || len(tt.warnings) > 0 && len(r.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings %q, want %q", r.Warnings, tt.warnings)
			}
			for i, w := range tt.warnings {
				if !strings.Contains(r.Warnings[i], w) {
					t.Errorf("warning %d: %q lacks %q", i, r.Warnings[i], w)
				}
			}
		})
	}
}
