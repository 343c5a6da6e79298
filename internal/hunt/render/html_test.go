package render

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/testutil"
)

var eventRow = regexp.MustCompile(`<tr data-a="([01])"[^>]*?( hidden="")?>`)

// The demo's report in headless Chromium: the script runs, draws the axis
// in the report's zone, counts the events, and the attacker-only filter
// (here from the URL fragment, as a link to the report can carry it) hides
// every event that is not the attacker's, in the tables and the chart.
func TestHTMLInChromium(t *testing.T) {
	testutil.Chromium(t)
	r := demoResult(t)
	page := []byte(render(t, "html", r, Options{Location: tokyo(t), Lang: "en"}))
	dom := testutil.HeadlessDOM(t, page, "")
	if !strings.Contains(dom, `data-js="ready"`) {
		t.Fatal("the report's script did not run")
	}
	total, attacker := 0, 0
	for _, u := range r.Users[:2] {
		for e := range u.Timeline {
			total++
			if e.Attacker {
				attacker++
			}
		}
	}
	if !strings.Contains(dom, "Showing 180 of 180 events") {
		t.Error("Johanna's event table did not count its 180 events")
	}
	if !strings.Contains(dom, `class="tl"`) || !strings.Contains(dom, "2023-12-12 14:00") {
		t.Error("no time axis in Asia/Tokyo (2023-12-12 14:00 = 05:00 UTC, inside the attacker's hour)")
	}
	if !strings.Contains(dom, "(Asia/Tokyo (UTC+09:00))") {
		t.Error("the visible range does not name the zone")
	}

	dom = testutil.HeadlessDOM(t, page, "#attacker")
	rows := eventRow.FindAllStringSubmatch(dom, -1)
	if len(rows) != total {
		t.Fatalf("%d event rows in the DOM, want %d", len(rows), total)
	}
	shown := 0
	for _, m := range rows {
		hidden := m[2] != ""
		if hidden == (m[1] == "1") {
			t.Fatalf("row attacker=%s hidden=%v with the attacker-only filter", m[1], hidden)
		}
		if !hidden {
			shown++
		}
	}
	if shown != attacker {
		t.Errorf("%d rows shown, want the %d attacker events", shown, attacker)
	}
	if !strings.Contains(dom, "Showing 98 of 180 events") {
		t.Error("the filtered count is not shown")
	}
	for _, m := range regexp.MustCompile(`<circle class="mk[^"]*"[^>]*data-a="0"[^>]*>`).FindAllString(dom, -1) {
		if !strings.Contains(m, "display: none") {
			t.Fatalf("a mark of another event is still drawn: %s", m)
		}
	}
}
