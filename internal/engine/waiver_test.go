package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/report"
)

// A date alone holds through the end of that day in UTC; a date and time is
// an instant, in the zone it names.
func TestWaiverExpiry(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		expires string
		now     string
		expired bool
		shown   string // report.Waiver.Expires and messages
	}{
		// Date alone: the whole UTC day, whatever the zone of now.
		{"2026-03-31", "2026-03-31T00:00:00Z", false, "2026-03-31"},
		{"2026-03-31", "2026-03-31T23:59:59Z", false, "2026-03-31"},
		{"2026-03-31", "2026-04-01T08:59:59+09:00", false, "2026-03-31"}, // still the 31st in UTC
		{"2026-03-31", "2026-04-01T00:00:00Z", true, "2026-03-31"},
		{"2026-03-31", "2026-03-31T20:00:00-05:00", true, "2026-03-31"}, // already April 1st in UTC
		// Date and time: an instant, not its own local date.
		{"2026-03-31T23:00:00-05:00", "2026-03-31T20:00:00-05:00", false, "2026-03-31T23:00:00-05:00"},
		{"2026-03-31T23:00:00-05:00", "2026-04-01T03:59:59Z", false, "2026-03-31T23:00:00-05:00"},
		{"2026-03-31T23:00:00-05:00", "2026-03-31T23:00:00-05:00", true, "2026-03-31T23:00:00-05:00"},
		{"2026-03-31T12:00:00Z", "2026-03-31T11:59:59Z", false, "2026-03-31T12:00:00Z"},
		{"2026-03-31T12:00:00Z", "2026-03-31T12:00:01Z", true, "2026-03-31T12:00:00Z"},
		{"2026-04-01T01:00:00+09:00", "2026-03-31T17:00:00Z", true, "2026-04-01T01:00:00+09:00"}, // 16:00Z
	}
	for _, tt := range tests {
		t.Run(tt.expires+" at "+tt.now, func(t *testing.T) {
			b, err := baseline.Parse("w.yaml", []byte("name: w\nwaivers:\n  - {control: TG.CA.3, reason: r, approved_by: me, expires: "+tt.expires+"}\n"))
			if err != nil {
				t.Fatal(err)
			}
			r := &report.Report{Results: []report.Result{{ID: "TG.CA.3", Status: report.Fail}}}
			applyWaivers(r, b, at(tt.now))
			res := r.Results[0]
			if tt.expired {
				want := "waiver for TG.CA.3 expired on " + tt.shown
				if res.Status != report.Fail || len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], want) {
					t.Errorf("status %s, warnings %q; want fail and %q", res.Status, r.Warnings, want)
				}
				return
			}
			if res.Status != report.Waived || res.Waiver == nil || res.Waiver.Expires != tt.shown || len(r.Warnings) != 0 {
				t.Errorf("status %s, waiver %+v, warnings %q; want waived until %s", res.Status, res.Waiver, r.Warnings, tt.shown)
			}
		})
	}
}
