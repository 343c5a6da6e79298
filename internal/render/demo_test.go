package render

import (
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

func demoReport(t *testing.T, b *baseline.Baseline) *report.Report {
	return testutil.DemoReport(t, b)
}

func TestGoldenDemo(t *testing.T) {
	checkGolden(t, "demo", demoReport(t, nil))
}

// TestGoldenDemoWaivers renders the demo tenant under a baseline with an
// active, an expired and a stale waiver.
func TestGoldenDemoWaivers(t *testing.T) {
	b, err := baseline.Parse("waivers.yaml", []byte(`name: demo-waivers
version: "2"
break_glass: [breakglass01@sunnyside08.onmicrosoft.com, breakglass02@sunnyside08.onmicrosoft.com]
waivers:
  - {control: TG.CA.3, reason: Intune rollout finishes in Q2, approved_by: CISO, expires: 2027-03-31}
  - {control: TG.DEV.1, reason: Enrollment notifications need the Intune team, approved_by: IT manager, expires: 2026-06-30}
  - {control: TG.ID.1, reason: legacy exception, approved_by: CISO, expires: 2027-01-31}
`))
	if err != nil {
		t.Fatal(err)
	}
	r := demoReport(t, b)
	if r.Summary.Waived != 1 || len(r.Warnings) != 2 {
		t.Fatalf("summary %+v warnings %v", r.Summary, r.Warnings)
	}
	checkGolden(t, "demo-waivers", r)
}

// TestDemoHTMLInChromium renders the demo report in headless Chromium and
// checks the failed controls and their findings are on the page.
func TestDemoHTMLInChromium(t *testing.T) {
	r := demoReport(t, nil)
	dom := domInChromium(t, r, "")
	for _, res := range r.WithStatus(report.Fail) {
		if !strings.Contains(dom, res.ID) {
			t.Errorf("rendered page lacks failed control %s", res.ID)
		}
	}
	for _, want := range []string{"Sunnyside Trading", "re-authenticates every 4 hours; the baseline allows at most 1", "would satisfy this control but is report-only"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
}
