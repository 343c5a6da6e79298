package render

import (
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// TestTrustedNetworksRendered: trusted networks taken from an evidence
// bundle's named locations are stated in the coverage of every human
// format and language: those used (with the caveat of a change after the
// window) and those left out, each with why.
func TestTrustedNetworksRendered(t *testing.T) {
	r := *demoResult(t)
	r.Coverage.TrustedNetworks = &result.TrustedNetworks{Source: "bundle b",
		Used: []result.TrustedLocation{{ID: "hq", Name: "Tokyo HQ", Ranges: []string{"203.0.113.0/24"}},
			{ID: "vpn", Name: "VPN", Ranges: []string{"192.0.2.10-192.0.2.17"}, Code: "changed-after-window", Time: time.Date(2024, 3, 11, 8, 52, 19, 0, time.UTC)}},
		Excluded: []result.TrustedLocation{{ID: "all", Name: "Remote work", Ranges: []string{"0.0.0.0/1", "128.0.0.0/1"}, Code: "insane",
			Reason: "trusted location 'Remote work', whose ranges cover 4,294,967,296 IPv4 addresses"},
			{ID: "new", Name: "Partner", Ranges: []string{"198.51.100.0/24"}, Code: "changed-in-window", Time: time.Date(2023, 12, 12, 5, 30, 0, 0, time.UTC)},
			{ID: "bad", Name: "Typo", Ranges: []string{"203.0.113.300/24"}, Code: "range", Reason: `range "203.0.113.300/24": bad`}},
		Unavailable: "b2: the named locations were not collected"}
	for _, lang := range []string{"en", "ja"} {
		for _, format := range []string{"table", "markdown", "html"} {
			out := render(t, format, &r, Options{Lang: lang, Width: 200, Location: time.UTC})
			for _, want := range []string{"Tokyo HQ (203.0.113.0/24)", "VPN (192.0.2.10-192.0.2.17)", "2024-03-11", "Remote work (0.0.0.0/1, 128.0.0.0/1)",
				"4,294,967,296 IPv4 addresses", "Partner (198.51.100.0/24)", "2023-12-12", "Typo", "b2: the named locations were not collected"} {
				if !strings.Contains(out, want) {
					t.Errorf("%s %s: %q missing", lang, format, want)
				}
			}
		}
	}
}
