package render

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// FleetFormats are the formats of the combined fleet summary.
var FleetFormats = []string{"table", "json", "markdown", "html"}

// HasFleet reports whether format can render a fleet summary.
func HasFleet(format string) bool {
	for _, f := range FleetFormats {
		if f == format {
			return true
		}
	}
	return false
}

// WriteFleet renders the combined summary of a fleet run; like Write, every
// format but JSON renders a copy whose texts passed textsafe.Text.
func WriteFleet(w io.Writer, format string, fl *report.Fleet, opts Options) error {
	if !exactFormats[format] {
		fl = fl.MapText(textsafe.Text)
	}
	switch format {
	case "json":
		enc := json.NewEncoder(textsafe.JSONWriter(w))
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(fl)
	case "table":
		return fleetTable(w, fl, opts)
	case "markdown":
		return fleetMarkdown(w, fl)
	case "html":
		c := *fl
		c.Tenants = make([]report.FleetRow, len(fl.Tenants))
		for i, r := range fl.Tenants {
			r.Reports = make([]string, len(fl.Tenants[i].Reports))
			for j, p := range fl.Tenants[i].Reports {
				r.Reports[j] = relativeTo(opts.LinkBase, p)
			}
			c.Tenants[i] = r
		}
		return fleetHTML.Execute(w, fleetMatrix(&c))
	}
	return fmt.Errorf("format %q cannot render a fleet summary (want %s)", format, strings.Join(FleetFormats, ", "))
}

func fleetOutcome(r report.FleetRow) string {
	if r.DuplicateOf != "" {
		return "same tenant as " + textsafe.Line(r.DuplicateOf) + " (counted once): " + fleetVerdict(r)
	}
	return fleetVerdict(r)
}

func fleetVerdict(r report.FleetRow) string {
	switch r.Outcome {
	case report.OutcomeError:
		return "error: " + textsafe.Line(r.Error)
	case report.OutcomeGateFailed:
		return "failed " + strings.Join(r.Failed, " ")
	case report.OutcomeIncomplete:
		return "not assessed " + strings.Join(r.NotAssessed, " ")
	}
	if len(r.Failed) > 0 {
		return "below gate: " + strings.Join(r.Failed, " ")
	}
	return "passed"
}

// fleetTenant names a row's tenant, on one line with control characters
// neutralised (a display name is whatever the tenant's admins typed).
func fleetTenant(r report.FleetRow) string {
	switch {
	case r.Tenant.ID == "":
		return textsafe.Line(r.File)
	case r.Tenant.DisplayName != "":
		return textsafe.Line(r.Tenant.DisplayName)
	}
	return textsafe.Line(r.Tenant.ID)
}

func fleetTable(w io.Writer, fl *report.Fleet, opts Options) error {
	t := textcol.Table{Columns: []textcol.Column{{Header: "TENANT", Min: 12}, {Header: "SCORE", Min: 5}, {Header: "COVERAGE"}, {Header: "EXIT", Min: 4}, {Header: "OUTCOME", Min: 12}}}
	for _, r := range fl.Tenants {
		t.Rows = append(t.Rows, []string{fleetTenant(r), fleetScore(r.Summary), fleetCoverage(r.Summary), fmt.Sprint(r.Exit), fleetOutcome(r)})
	}
	if err := t.Write(w, opts.width()); err != nil {
		return err
	}
	s := fl.Summary
	_, err := fmt.Fprintf(w, "\n%s\n", textcol.Indent(fmt.Sprintf("%s: %d passed, %d failed the gate, %d incomplete, %d not audited%s · mean score %s · exit %d",
		tenantCount(s.Tenants), s.Passed, s.GateFailed, s.Incomplete, s.Errors, duplicatesText(s), fleetMeanScore(fl), s.Exit), opts.width(), 2))
	return err
}

// tenantCount is "1 tenant", "0 tenants", "12 tenants".
func tenantCount(n int) string {
	if n == 1 {
		return "1 tenant"
	}
	return fmt.Sprintf("%d tenants", n)
}

// fleetMeanScore is the fleet's mean score, "–" when no tenant was scored
// (an empty shard, every snapshot unreadable): 0.0 would read as a fleet
// that fails everything.
func fleetMeanScore(fl *report.Fleet) string {
	for _, r := range fl.Tenants {
		if r.Summary != nil && r.DuplicateOf == "" {
			return formatScore(fl.Summary.MeanScore)
		}
	}
	return "–"
}

// duplicatesText is ", 1 seen twice" when a tenant appears more than once.
func duplicatesText(s report.FleetSummary) string {
	if s.Duplicates == 0 {
		return ""
	}
	return fmt.Sprintf(", %d seen twice (same tenant id as an earlier row, counted once)", s.Duplicates)
}

// fleetScore and fleetCoverage are a tenant's score and coverage, "–" when
// it could not be audited.
func fleetScore(s *report.Summary) string {
	if s == nil {
		return "–"
	}
	return formatScore(s.Score)
}

func fleetCoverage(s *report.Summary) string {
	if s == nil {
		return "–"
	}
	return fmt.Sprintf("%d/%d", s.Assessed, s.Applicable)
}

func fleetMarkdown(w io.Writer, fl *report.Fleet) error {
	s := fl.Summary
	fmt.Fprintf(w, "## tenantgate fleet audit: %s\n\n", tenantCount(s.Tenants))
	fmt.Fprintf(w, "Baseline %s · mean score **%s** · exit %d\n\n", mdCode(fl.Baseline.Name+" "+fl.Baseline.Version), fleetMeanScore(fl), s.Exit)
	fmt.Fprintf(w, "| Passed | Failed the gate | Incomplete | Not audited |\n| :---: | :---: | :---: | :---: |\n| %d | %d | %d | %d |\n\n", s.Passed, s.GateFailed, s.Incomplete, s.Errors)
	fmt.Fprintln(w, "| Tenant | Score | Assessed / applicable | Exit | Outcome |\n| --- | ---: | ---: | ---: | --- |")
	for _, r := range fl.Tenants {
		fmt.Fprintf(w, "| %s | %s | %s | %d | %s |\n", mdEscape(fleetTenant(r)), fleetScore(r.Summary), fleetCoverage(r.Summary), r.Exit, mdEscape(fleetOutcome(r)))
	}
	return nil
}

// relativeTo is the path of a report at p (as the fleet run wrote it,
// relative to the current directory or absolute) seen from a summary in
// directory base ("" = the current directory).
func relativeTo(base, p string) string {
	if base == "" {
		return p
	}
	ab, err1 := filepath.Abs(base)
	ap, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return p
	}
	if rel, err := filepath.Rel(ab, ap); err == nil {
		return rel
	}
	return p
}

// href is a file path as a relative URL: '#', '?', '%' and spaces escaped,
// so a report named "a#b.html" is not read as a.html's fragment.
func href(p string) string {
	u := url.URL{Path: filepath.ToSlash(p)}
	return u.String()
}

// fleetView is the fleet HTML's data: the summary plus the tenant x control
// matrix, one cell per control per tenant.
type fleetView struct {
	*report.Fleet
	Rows []fleetMatrixRow
}

type fleetMatrixRow struct {
	report.FleetRow
	Name    string
	Score   string
	Rank    float64 // sort key of the score column (-1: not audited)
	Failing bool
	Cells   []fleetCell
}

type fleetCell struct {
	ID, Status, Mark, Title string
	Rank                    int
}

// statusMark is a cell's text: a symbol and a word's first letter, so the
// matrix reads without colour too.
var statusMark = map[string]string{
	report.Fail: "✗ F", report.NotAssessed: "? NA", report.Waived: "W", report.NotLicensed: "– NL", report.Pass: "✓",
}

func fleetMatrix(fl *report.Fleet) *fleetView {
	v := &fleetView{Fleet: fl}
	for _, r := range fl.Tenants {
		row := fleetMatrixRow{FleetRow: r, Name: fleetTenant(r), Score: fleetScore(r.Summary), Rank: -1, Failing: len(r.Failed) > 0}
		if r.Summary != nil {
			row.Rank = r.Summary.Score
		}
		for _, id := range fl.Controls {
			st, ok := r.Statuses[id]
			c := fleetCell{ID: id, Status: st, Mark: statusMark[st], Title: id + ": " + st, Rank: statusRank(st)}
			if !ok {
				c.Status, c.Mark, c.Title, c.Rank = "none", "", id+": not audited", len(report.Statuses)+1
			}
			row.Cells = append(row.Cells, c)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

var fleetHTML = template.Must(template.New("fleet").Funcs(template.FuncMap{
	"href":    href,
	"count":   tenantCount,
	"tenant":  fleetTenant,
	"outcome": fleetOutcome,
	"score": func(s *report.Summary) string {
		if s == nil {
			return "–"
		}
		return formatScore(s.Score)
	},
	"coverage":  fleetCoverage,
	"meanScore": fleetMeanScore,
	"lower":     strings.ToLower,
	// ranks are a row's status ranks in column order (0 = fail, worst):
	// sorting a control column ascending puts failures first.
	"ranks": func(cells []fleetCell) string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = strconv.Itoa(c.Rank)
		}
		return strings.Join(out, ",")
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>tenantgate fleet audit · {{count .Summary.Tenants}}</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem}.cards{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:7rem}
.card b{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.o-error{color:#8a1c1c}.o-gate_failed{color:#b42318}.o-incomplete{color:#9a6700}.o-passed{color:#1a7f37}
.dup{display:inline-block;background:#fff8c5;border:1px solid #d4a72c;border-radius:4px;padding:0 .3rem;font-size:.85em}
.filters{display:flex;gap:1.2rem;align-items:center;margin:.6rem 0;flex-wrap:wrap}
.matrix{width:auto}.matrix td,.matrix th{text-align:center;white-space:nowrap;padding:.25rem .4rem;font-size:.9em}
.matrix td:first-child,.matrix th:first-child{text-align:left}
.matrix th button{font:inherit;background:none;border:0;padding:0;cursor:pointer;color:inherit}
.matrix th button:focus-visible{outline:2px solid #0969da;outline-offset:2px}
.matrix th[aria-sort=ascending] button::after{content:" ↑"}.matrix th[aria-sort=descending] button::after{content:" ↓"}
.s-fail{background:#ffebe9;color:#a40e26}.s-pass{background:#dafbe1;color:#116329}.s-not_assessed{background:#fff8c5;color:#7d4e00}
.s-waived,.s-not_licensed,.s-none{background:#f6f8fa;color:#57606a}
.legend span{margin-right:1rem}
</style></head><body>
<h1>tenantgate fleet audit</h1>
<p>Baseline {{.Baseline.Name}} {{.Baseline.Version}} · generated {{.GeneratedAt.Format "2006-01-02 15:04 UTC"}} · exit {{.Summary.Exit}}</p>
<div class="cards">
<div class="card"><b>{{.Summary.Tenants}}</b>tenants</div>
<div class="card"><b>{{.Summary.Passed}}</b>passed</div>
<div class="card"><b>{{.Summary.GateFailed}}</b>failed the gate</div>
<div class="card"><b>{{.Summary.Incomplete}}</b>incomplete</div>
<div class="card"><b>{{.Summary.Errors}}</b>not audited</div>
{{if .Summary.Duplicates}}<div class="card"><b>{{.Summary.Duplicates}}</b>seen twice</div>{{end}}
<div class="card"><b>{{meanScore .Fleet}}</b>mean score</div>
</div>
<table><thead><tr><th>Tenant</th><th>Score</th><th>Assessed</th><th>Exit</th><th>Outcome</th><th>Reports</th></tr></thead><tbody>
{{range .Tenants}}<tr><td>{{tenant .}}<br><small>{{.Tenant.ID}}</small>{{if .DuplicateOf}}<br><span class="dup">same tenant as {{.DuplicateOf}}</span>{{end}}</td><td>{{score .Summary}}</td><td>{{coverage .Summary}}</td><td>{{.Exit}}</td><td class="o-{{.Outcome}}">{{outcome .}}</td><td>{{range .Reports}}<a href="{{href .}}">{{.}}</a><br>{{end}}</td></tr>
{{end}}</tbody></table>
{{if .Controls}}
<h2 id="matrix-title">Tenants × controls</h2>
<div class="filters" role="search">
<label>Tenant <input type="search" id="mq" placeholder="name or id" aria-label="Filter tenants by name or id"></label>
<label><input type="checkbox" id="mfail"> only tenants with a failed control</label>
<span id="mshown" aria-live="polite"></span>
</div>
<p class="legend"><span class="s-fail">✗ F fail</span><span class="s-not_assessed">? NA not assessed</span><span class="s-waived">W waived</span><span class="s-not_licensed">– NL not licensed</span><span class="s-pass">✓ pass</span></p>
<div style="overflow-x:auto">
<table class="matrix" id="matrix" aria-labelledby="matrix-title"><thead><tr>
<th data-key="name"><button type="button">Tenant</button></th><th data-key="score" data-num="1"><button type="button">Score</button></th>
{{range $i, $c := .Controls}}<th data-key="col" data-col="{{$i}}" data-num="1"><button type="button" title="sort by {{$c}}, worst first">{{$c}}</button></th>{{end}}
</tr></thead><tbody>
{{range .Rows}}<tr data-name="{{lower .Name}} {{lower .Tenant.ID}}" data-score="{{.Rank}}" data-failing="{{.Failing}}" data-ranks="{{ranks .Cells}}">
<td>{{.Name}}{{if .DuplicateOf}} <span class="dup">seen twice</span>{{end}}</td><td>{{.Score}}</td>{{range .Cells}}<td class="s-{{.Status}}" title="{{.Title}}">{{.Mark}}</td>{{end}}</tr>
{{end}}</tbody></table>
</div>
<script>
(function () {
  "use strict";
  var table = document.getElementById("matrix");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var q = document.getElementById("mq"), failing = document.getElementById("mfail"), shown = document.getElementById("mshown");
  function filter() {
    var text = q.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (tr) {
      var ok = (!text || tr.getAttribute("data-name").indexOf(text) >= 0) && (!failing.checked || tr.getAttribute("data-failing") === "true");
      tr.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = "Showing " + n + " of " + rows.length + " tenants";
  }
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      var key = th.getAttribute("data-key"), num = th.hasAttribute("data-num");
      var col = Number(th.getAttribute("data-col"));
      var val = function (tr) {
        if (key === "name") { return tr.getAttribute("data-name"); }
        if (key === "score") { return tr.getAttribute("data-score"); }
        return tr.getAttribute("data-ranks").split(",")[col];
      };
      var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir);
      var sign = dir === "ascending" ? 1 : -1;
      rows.sort(function (a, b) {
        var x = val(a), y = val(b);
        return sign * (num ? Number(x) - Number(y) : x.localeCompare(y));
      });
      rows.forEach(function (tr) { tbody.appendChild(tr); });
    });
  });
  q.addEventListener("input", filter);
  failing.addEventListener("change", filter);
  filter();
  document.documentElement.setAttribute("data-js", "ready");
}());
</script>
{{end}}
</body></html>
`))
