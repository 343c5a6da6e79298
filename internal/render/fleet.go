package render

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"path/filepath"
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
		enc := json.NewEncoder(w)
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
		return fleetHTML.Execute(w, &c)
	}
	return fmt.Errorf("format %q cannot render a fleet summary (want %s)", format, strings.Join(FleetFormats, ", "))
}

func fleetOutcome(r report.FleetRow) string {
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
	_, err := fmt.Fprintf(w, "\n%s\n", textcol.Indent(fmt.Sprintf("%d tenants: %d passed, %d failed the gate, %d incomplete, %d not audited · mean score %s · exit %d",
		s.Tenants, s.Passed, s.GateFailed, s.Incomplete, s.Errors, formatScore(s.MeanScore), s.Exit), opts.width(), 2))
	return err
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
	fmt.Fprintf(w, "## tenantgate fleet audit: %d tenants\n\n", s.Tenants)
	fmt.Fprintf(w, "Baseline %s · mean score **%s** · exit %d\n\n", mdCode(fl.Baseline.Name+" "+fl.Baseline.Version), formatScore(s.MeanScore), s.Exit)
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

var fleetHTML = template.Must(template.New("fleet").Funcs(template.FuncMap{
	"href":    href,
	"tenant":  fleetTenant,
	"outcome": fleetOutcome,
	"score": func(s *report.Summary) string {
		if s == nil {
			return "–"
		}
		return formatScore(s.Score)
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>tenantgate fleet audit · {{.Summary.Tenants}} tenants</title>
<style>
body{font:14px/1.5 system-ui,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.4rem}.cards{display:flex;gap:1rem;margin:1rem 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:7rem}
.card b{display:block;font-size:1.6rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.o-error{color:#8a1c1c}.o-gate_failed{color:#b42318}.o-incomplete{color:#9a6700}.o-passed{color:#1a7f37}
</style></head><body>
<h1>tenantgate fleet audit</h1>
<p>Baseline {{.Baseline.Name}} {{.Baseline.Version}} · generated {{.GeneratedAt.Format "2006-01-02 15:04 UTC"}} · exit {{.Summary.Exit}}</p>
<div class="cards">
<div class="card"><b>{{.Summary.Tenants}}</b>tenants</div>
<div class="card"><b>{{.Summary.Passed}}</b>passed</div>
<div class="card"><b>{{.Summary.GateFailed}}</b>failed the gate</div>
<div class="card"><b>{{.Summary.Incomplete}}</b>incomplete</div>
<div class="card"><b>{{.Summary.Errors}}</b>not audited</div>
<div class="card"><b>{{printf "%.1f" .Summary.MeanScore}}</b>mean score</div>
</div>
<table><thead><tr><th>Tenant</th><th>Score</th><th>Exit</th><th>Outcome</th><th>Reports</th></tr></thead><tbody>
{{range .Tenants}}<tr><td>{{tenant .}}<br><small>{{.Tenant.ID}}</small></td><td>{{score .Summary}}</td><td>{{.Exit}}</td><td class="o-{{.Outcome}}">{{outcome .}}</td><td>{{range .Reports}}<a href="{{href .}}">{{.}}</a><br>{{end}}</td></tr>
{{end}}</tbody></table>
</body></html>
`))
