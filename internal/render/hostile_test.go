package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

func hostileReport() *report.Report {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "tenantgate", Version: "test"},
		GeneratedAt:   at, CollectedAt: at,
		Tenant:   report.Tenant{ID: "00000000-0000-0000-0000-000000000001", DisplayName: testutil.Hostile},
		Baseline: report.BaselineRef{Name: testutil.Hostile, Version: "1"},
		Warnings: []string{"source error: " + testutil.Hostile},
		Sources:  map[string]report.SourceStatus{"conditionalAccessPolicies": {Status: "error", Error: testutil.Hostile}},
	}
	for _, st := range report.Statuses {
		res := report.Result{
			ID: "TG.CA." + st, Title: "Title " + testutil.Hostile, Severity: "high", Status: st,
			Finding: "policy '" + testutil.Hostile + "' is report-only", Evidence: []string{testutil.Hostile},
			Remediation: "fix " + testutil.Hostile, Requires: []string{"AAD_PREMIUM"}, Notes: []string{testutil.Hostile},
		}
		if st == report.Waived {
			res.Waiver = &report.Waiver{Reason: testutil.Hostile, ApprovedBy: testutil.Hostile, Expires: "2027-01-01"}
		}
		r.Results = append(r.Results, res)
	}
	r.Summarize()
	return r
}

// TestHostileTextOutputs: in the table and Markdown, nothing a tenant or a
// server controls reaches the reader raw: no control or bidi character, and
// in Markdown no injected heading or table row (every table row keeps its
// column count).
func TestHostileTextOutputs(t *testing.T) {
	r := hostileReport()
	for _, format := range []string{"table", "markdown"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, format, r, Options{}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if u := testutil.UnsafeText(out); u != "" {
				t.Errorf("raw %s in the %s output", u, format)
			}
			checkMarkdownStructure(t, out, format == "markdown")
		})
	}
	// Colour on: the renderer's own escapes are the only ones.
	var buf bytes.Buffer
	if err := Write(&buf, "table", r, Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\x1b"); n == 0 {
		t.Error("the hostile ESC is not shown escaped in the coloured table")
	}
	for _, seq := range []string{"\x1b[2J", "\x1b]0;"} {
		if strings.Contains(strings.ReplaceAll(buf.String(), `\x1b`, ""), seq) {
			t.Errorf("raw %q in the coloured table", seq)
		}
	}
}

// checkMarkdownStructure fails when a line other than the renderer's own
// starts a heading, or a table row has more cells than its header.
func checkMarkdownStructure(t *testing.T, out string, markdown bool) {
	t.Helper()
	// The terminal table wraps long cells, so a hostile "## x" may begin a
	// continuation line there; that is no heading outside Markdown.
	if h := testutil.InjectedHeading(out); h != "" && markdown {
		t.Errorf("injected heading: %q", h)
	}
	cols := 0
	for _, line := range strings.Split(out, "\n") {
		if !markdown {
			continue
		}
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := cells(line)
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("table row with %d cells under a %d-cell header: %q", n, cols, line)
		}
	}
}

// cells counts a Markdown table row's cells: unescaped pipes minus one.
func cells(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n - 1
}

// TestHostileStructuredOutputs: JSON and SARIF are valid JSON whose strings
// carry no raw control character (the encoder escapes them) and JSON keeps
// the data exact; JUnit is well-formed XML; HTML escapes markup, so the
// testutil.Hostile <script> never appears as a tag.
func TestHostileStructuredOutputs(t *testing.T) {
	r := hostileReport()
	render := func(format string) string {
		var buf bytes.Buffer
		if err := Write(&buf, format, r, Options{}); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		return buf.String()
	}
	for _, format := range []string{"json", "sarif"} {
		out := render(format)
		if !json.Valid([]byte(out)) {
			t.Fatalf("%s: invalid JSON", format)
		}
		// The data stays exact, but what a terminal or viewer would act on
		// (C0 and C1 controls, DEL, bidi overrides) is a \u escape: JSON is
		// printed to terminals too (audit --format json, a pager).
		if u := testutil.UnsafeText(out); u != "" {
			t.Errorf("%s: raw %s", format, u)
		}
	}
	var back report.Report
	if err := json.Unmarshal([]byte(render("json")), &back); err != nil {
		t.Fatal(err)
	}
	// Invalid UTF-8 comes back as U+FFFD (encoding/json), the rest exactly.
	want := strings.ToValidUTF8(testutil.Hostile, "\ufffd")
	if back.Tenant.DisplayName != want || back.Results[0].Evidence[0] != want || !reflect.DeepEqual(back.Warnings, []string{"source error: " + want}) {
		t.Errorf("JSON does not keep the names exactly: %q", back.Tenant.DisplayName)
	}

	junit := render("junit")
	dec := xml.NewDecoder(strings.NewReader(junit))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("junit: not well-formed XML: %v", err)
		}
	}
	if u := testutil.UnsafeText(junit, '\t', '\r'); u != "" {
		t.Errorf("junit: raw %s", u)
	}

	html := render("html")
	if strings.Contains(html, "<script>alert") {
		t.Error("html: the hostile <script> is a tag")
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("html: the hostile markup is not shown escaped")
	}
	if u := testutil.UnsafeText(html); u != "" {
		t.Errorf("html: raw %s", u)
	}
}

// TestHostileFleet: a tenant display name with a newline and a heading, a
// file name with escapes and an error message from a server neither break
// the fleet table's rows nor reach the table, Markdown or HTML raw.
func TestHostileFleet(t *testing.T) {
	fl := &report.Fleet{
		SchemaVersion: 1, Kind: report.FleetKind, Baseline: report.BaselineRef{Name: testutil.Hostile},
		Tenants: []report.FleetRow{
			{File: "a.json", Tenant: report.Tenant{ID: "t1", DisplayName: testutil.Hostile}, Outcome: report.OutcomePassed, Summary: &report.Summary{}, Reports: []string{"r/" + testutil.Hostile}},
			{File: testutil.Hostile + ".json", Exit: 2, Outcome: report.OutcomeError, Error: testutil.Hostile},
			{File: "c.json", Tenant: report.Tenant{ID: testutil.Hostile}, Outcome: report.OutcomeGateFailed, Failed: []string{"TG.CA.1"}},
		},
	}
	for _, format := range FleetFormats {
		var buf bytes.Buffer
		if err := WriteFleet(&buf, format, fl, Options{}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if format == "json" {
			var back report.Fleet
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Tenants[0].Tenant.DisplayName != strings.ToValidUTF8(testutil.Hostile, "\ufffd") {
				t.Errorf("json: the data is not kept exactly (%v)", err)
			}
			if u := testutil.UnsafeText(out); u != "" {
				t.Errorf("json: raw %s", u)
			}
			continue
		}
		if u := testutil.UnsafeText(out); u != "" {
			t.Errorf("%s: raw %s", format, u)
		}
		if format != "html" { // in HTML a newline is a space
			checkMarkdownStructure(t, out, format == "markdown")
		}
		if format == "table" {
			// One row per tenant (continuation lines of wrapped cells start
			// indented), the header, and the summary after a blank line.
			lines := strings.Split(out, "\n")
			col := strings.Index(lines[0], "SCORE")
			rows := 0
			for _, l := range lines {
				if col > 0 && len(l) > col && l[col] != ' ' {
					rows++ // the score column is set on a row's first line only
				}
			}
			if rows != len(fl.Tenants)+1 {
				t.Errorf("table: %d rows for %d tenants:\n%s", rows, len(fl.Tenants), out)
			}
		}
		if format == "html" && strings.Contains(out, "<script>alert") {
			t.Error("html: the hostile <script> is a tag")
		}
	}
}

// The fleet HTML has a tenant x control matrix (one row per tenant, one
// cell per control, sortable by keyboard-reachable buttons, filterable) and
// flags a tenant seen twice.
func TestFleetMatrix(t *testing.T) {
	fl := &report.Fleet{
		SchemaVersion: 1, Kind: report.FleetKind, Controls: []string{"TG.CA.1", "TG.CA.2"},
		Tenants: []report.FleetRow{
			{File: "a.json", Tenant: report.Tenant{ID: "t1", DisplayName: "Contoso"}, Outcome: report.OutcomeGateFailed, Failed: []string{"TG.CA.1"},
				Summary: &report.Summary{Score: 40}, Statuses: map[string]string{"TG.CA.1": report.Fail, "TG.CA.2": report.Pass}},
			{File: "b.json", Tenant: report.Tenant{ID: "t1", DisplayName: "Contoso"}, Outcome: report.OutcomeGateFailed, Failed: []string{"TG.CA.1"},
				Summary: &report.Summary{Score: 40}, Statuses: map[string]string{"TG.CA.1": report.Fail, "TG.CA.2": report.Pass}, DuplicateOf: "a.json"},
			{File: "c.json", Exit: 2, Outcome: report.OutcomeError, Error: "bad"},
		},
		Summary: report.FleetSummary{Tenants: 3, Duplicates: 1},
	}
	var buf bytes.Buffer
	if err := WriteFleet(&buf, "html", fl, Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`<table class="matrix" id="matrix"`,
		`<th data-key="col" data-col="0" data-num="1"><button type="button" title="sort by TG.CA.1, worst first">TG.CA.1</button></th>`,
		`data-ranks="0,4"`, `<td class="s-fail" title="TG.CA.1: fail">✗ F</td>`,
		`<td class="s-none" title="TG.CA.2: not audited"></td>`,
		`<input type="search" id="mq"`, `id="mfail"`, "script-src 'unsafe-inline'",
		`<span class="dup">same tenant as a.json</span>`, `<b>1</b>seen twice`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("fleet HTML lacks %s", want)
		}
	}
	if strings.Contains(out, "ZgotmplZ") {
		t.Error("a template value was refused (ZgotmplZ)")
	}
	var tb bytes.Buffer
	if err := WriteFleet(&tb, "table", fl, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(tb.String()), " "), "same tenant as a.json (counted once)") {
		t.Errorf("table does not flag the duplicate:\n%s", tb.String())
	}
}

// An empty fleet (a shard with no tenant, every snapshot unreadable) has no
// mean score: "–", not 0.0, which would read as a fleet failing everything;
// one tenant is "1 tenant".
func TestFleetSummaryWords(t *testing.T) {
	empty := &report.Fleet{SchemaVersion: 1, Kind: report.FleetKind, Summary: report.FleetSummary{}}
	one := &report.Fleet{SchemaVersion: 1, Kind: report.FleetKind, Controls: []string{"TG.CA.1"},
		Tenants: []report.FleetRow{{File: "a.json", Tenant: report.Tenant{ID: "t1", DisplayName: "Contoso"}, Outcome: report.OutcomePassed,
			Summary: &report.Summary{Score: 0}, Statuses: map[string]string{"TG.CA.1": report.Fail}}},
		Summary: report.FleetSummary{Tenants: 1, Passed: 1}}
	unreadable := &report.Fleet{SchemaVersion: 1, Kind: report.FleetKind,
		Tenants: []report.FleetRow{{File: "c.json", Exit: 2, Outcome: report.OutcomeError, Error: "bad"}},
		Summary: report.FleetSummary{Tenants: 1, Errors: 1, Exit: 2}}
	for _, tc := range []struct {
		name   string
		fl     *report.Fleet
		format string
		want   []string
	}{
		{"empty table", empty, "table", []string{"0 tenants: 0 passed", "mean score – · exit 0"}},
		{"empty markdown", empty, "markdown", []string{"fleet audit: 0 tenants", "mean score **–**"}},
		{"empty html", empty, "html", []string{"<b>–</b>mean score"}},
		{"unreadable table", unreadable, "table", []string{"1 tenant: 0 passed", "mean score – · exit 2"}},
		{"one scored at 0", one, "table", []string{"1 tenant: 1 passed", "mean score 0.0 · exit 0"}},
		{"one markdown", one, "markdown", []string{"fleet audit: 1 tenant\n"}},
		{"one html", one, "html", []string{"<title>tenantgate fleet audit · 1 tenant</title>"}},
		{"empty html title", empty, "html", []string{"<title>tenantgate fleet audit · 0 tenants</title>"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteFleet(&buf, tc.format, tc.fl, Options{Width: 200}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
}
