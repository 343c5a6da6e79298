package render

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

var attrRef = regexp.MustCompile(`(?i)\s(src|href|action|srcset|poster|data|xlink:href)\s*=\s*"([^"]*)"`)

// The report must open offline: nothing it references may leave the file.
func TestHTMLSelfContained(t *testing.T) {
	for _, name := range fixtures {
		out := renderString(t, "html", loadFixture(t, name), Options{})
		for _, m := range attrRef.FindAllStringSubmatch(out, -1) {
			if !strings.HasPrefix(m[2], "#") {
				t.Errorf("%s: %s=%q points outside the file", name, m[1], m[2])
			}
		}
		for _, bad := range []string{"<link", "<img", "<iframe", "@import", "url(", "@font-face", "fetch(", "XMLHttpRequest"} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: contains %q", name, bad)
			}
		}
		if !strings.Contains(out, `http-equiv="Content-Security-Policy" content="default-src 'none'`) {
			t.Errorf("%s: no CSP forbidding network access", name)
		}
	}
}

func TestHTMLContent(t *testing.T) {
	r := loadFixture(t, "contoso")
	out := renderString(t, "html", r, Options{})
	for _, want := range []string{
		"Contoso Ltd", r.Tenant.ID, "2026-05-04 05:58 UTC", ">41.0<",
		`<rect class="seg s-fail"`,           // chart
		"Would unlock 1 control:", "TG.CA.7", // license view
		"Intune rollout finishes in Q2", "CISO", "2027-03-31", // waiver
		"waiver for TG.APP.1 expired", // run warning
		"30 &lt; 90",                  // escaped
		"<code>tenantgate apply</code>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// Failed controls appear as cards, highest severity first.
	var ids []string
	for _, m := range regexp.MustCompile(`<article class="card sev-\w+" id="ctl-([^"]+)"`).FindAllStringSubmatch(out, -1) {
		ids = append(ids, m[1])
	}
	want := "TG.CA.1 TG.CA.2 TG.CA.4 TG.APP.1 TG.LOG.1 TG.CA.9 TG.APP.3 TG.CA.8 TG.DEV.1"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("cards %s, want %s", got, want)
	}
}

// Days left show for a waiver with a date alone and one with a date and time.
func TestHTMLWaiverDays(t *testing.T) {
	tests := []struct{ expires, want string }{
		{"2026-05-10", "in 6 days"},                 // generated 2026-05-04 05:58 UTC
		{"2026-05-20T12:00:00+09:00", "in 16 days"}, // 2026-05-20 03:00 UTC
	}
	for _, tt := range tests {
		r := loadFixture(t, "contoso")
		found := false
		for i := range r.Results {
			if w := r.Results[i].Waiver; w != nil {
				w.Expires, found = tt.expires, true
			}
		}
		if !found {
			t.Fatal("the fixture has no waiver")
		}
		if out := renderString(t, "html", r, Options{}); !strings.Contains(out, "<small>"+tt.want+"</small>") {
			t.Errorf("expires %s: HTML lacks %q", tt.expires, tt.want)
		}
	}
}

// domInChromium renders r as HTML, opens it in headless Chromium with the
// URL fragment given and returns the DOM after the page's scripts ran.
func domInChromium(t *testing.T, r *report.Report, fragment string) string {
	t.Helper()
	testutil.Chromium(t) // skip before rendering when there is none
	var b bytes.Buffer
	if err := Write(&b, "html", r, Options{}); err != nil {
		t.Fatal(err)
	}
	return testutil.HeadlessDOM(t, b.Bytes(), fragment)
}

func TestHTMLInChromium(t *testing.T) {
	r := loadFixture(t, "contoso")
	dom := domInChromium(t, r, "")
	if !strings.Contains(dom, `data-js="ready"`) {
		t.Fatal("the report's script did not run")
	}
	if !strings.Contains(dom, "Showing 18 of 18 controls") {
		t.Error("the controls table did not count its rows")
	}
	for _, res := range r.WithStatus(report.Fail) {
		card := `id="ctl-` + res.ID + `"`
		if !strings.Contains(dom, card) {
			t.Errorf("failed control %s has no card in the DOM", res.ID)
		}
		if !strings.Contains(dom, htmlEscaper.Replace(res.Finding)) {
			t.Errorf("finding of %s not in the DOM", res.ID)
		}
	}

	// The filter state comes from the fragment: only failed controls remain.
	dom = domInChromium(t, r, "#status=fail")
	if !strings.Contains(dom, "Showing 7 of 18 controls") {
		t.Error(`"#status=fail" did not filter the table to the 7 failed controls`)
	}
	rows := regexp.MustCompile(`<tr data-status="(\w+)"[^>]*?( hidden="")?>`).FindAllStringSubmatch(dom, -1)
	if len(rows) != 18 {
		t.Fatalf("%d rows in the DOM, want 18", len(rows))
	}
	for _, m := range rows {
		if hidden := m[2] != ""; hidden == (m[1] == report.Fail) {
			t.Errorf("row with status %s hidden=%v", m[1], hidden)
		}
	}
}

// htmlEscaper matches how Chromium serialises text nodes.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\u00a0", "&nbsp;")

// The sort headers are buttons: reachable with Tab, activated with Enter or
// Space, not only with a mouse.
func TestHTMLSortHeadersKeyboardReachable(t *testing.T) {
	out := renderString(t, "html", loadFixture(t, "contoso"), Options{})
	heads := regexp.MustCompile(`<th data-key="\w+"[^>]*>(.*?)</th>`).FindAllStringSubmatch(out, -1)
	if len(heads) != 4 {
		t.Fatalf("%d sortable headers, want 4", len(heads))
	}
	for _, h := range heads {
		if !strings.HasPrefix(h[1], `<button type="button" class="sort">`) {
			t.Errorf("sort header without a button: %s", h[0])
		}
	}
}
