package render

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/report"
)

func init() { Register("html", writeHTML) }

// The HTML report is one self-contained file: CSS, JS and charts (inline SVG
// computed here) are inlined, there are no fonts, images or links to fetch,
// and a Content-Security-Policy forbids any network access, so it can be
// mailed or archived and opened offline.

//go:embed html/report.html.tmpl html/report.css html/report.js
var htmlAssets embed.FS

var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"statusTitle": func(s string) string { return statusTitle[s] },
	"upper":       strings.ToUpper,
	"sevWeight":   report.SeverityWeight,
	"statusRank":  statusRank,
	"inline":      htmlInline,
}).ParseFS(htmlAssets, "html/report.html.tmpl"))

type htmlView struct {
	Title       string
	Tenant      report.Tenant
	TenantLabel string
	Baseline    report.BaselineRef
	// BaselineText is "name version".
	BaselineText string
	Tool         report.Tool
	Collected    string
	Generated    string
	Score        string
	Coverage     string
	ScoreArc     htmlArc
	Total        int
	Counts       []htmlCount
	Chart        htmlChart
	Warnings     []string
	Failed       []htmlControl
	NotAssessed  []htmlControl
	Waived       []htmlControl
	// WaiverWarnings are the run warnings about waivers (expired, stale),
	// repeated next to the waivers.
	WaiverWarnings []string
	Licenses       []htmlLicense
	All            []htmlControl
	Sources        []htmlSource
	CSS            template.CSS
	JS             template.JS
}

type htmlCount struct {
	Status string
	Title  string
	N      int
}

type htmlControl struct {
	report.Result
	Order        int
	RequiresText string
	WaiverText   string
	WaiverDays   string
	WaiverSoon   bool
}

type htmlLicense struct {
	Key     string
	Title   string
	Present bool
	Known   bool // listed in the report's licenses (false: only named by a control)
	Used    []htmlLicenseUse
}

type htmlLicenseUse struct {
	ID, Title, Status string
	AlsoNeeds         string
}

type htmlSource struct {
	Name, Status, Error string
}

// htmlArc is the score ring: a circle whose dash covers Score percent.
type htmlArc struct {
	Dash, Gap string
	Class     string
}

type htmlChart struct {
	Width, Height int
	LabelW        int
	Rows          []htmlChartRow
}

type htmlChartRow struct {
	Label  string
	Y      int
	TextY  int
	Total  int
	TotalX string
	Segs   []htmlSeg
}

type htmlSeg struct {
	Status    string
	Y, TextY  int
	X, W      string
	TextX     string
	N         int
	ShowLabel bool
	Tip       string
}

func writeHTML(w io.Writer, r *report.Report, _ Options) error {
	v, err := buildHTMLView(r)
	if err != nil {
		return err
	}
	return htmlTemplate.Execute(w, v)
}

func buildHTMLView(r *report.Report) (*htmlView, error) {
	css, err := htmlAssets.ReadFile("html/report.css")
	if err != nil {
		return nil, err
	}
	js, err := htmlAssets.ReadFile("html/report.js")
	if err != nil {
		return nil, err
	}
	s := r.Summary
	v := &htmlView{
		Title:        "tenantgate report: " + r.TenantLabel(),
		Tenant:       r.Tenant,
		TenantLabel:  nonBlank(r.Tenant.DisplayName, r.Tenant.ID),
		Baseline:     r.Baseline,
		BaselineText: baselineText(r),
		Tool:         r.Tool,
		Collected:    reportTime(r),
		Generated:    "unknown",
		Score:        formatScore(s.Score),
		Coverage:     s.CoverageText(),
		ScoreArc:     scoreArc(s.Score),
		Total:        len(r.Results),
		Warnings:     r.Warnings,
		CSS:          template.CSS(css),
		JS:           template.JS(js),
	}
	if !r.GeneratedAt.IsZero() {
		v.Generated = r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	counts := map[string]int{report.Fail: s.Fail, report.NotAssessed: s.NotAssessed, report.Waived: s.Waived, report.NotLicensed: s.NotLicensed, report.Pass: s.Pass}
	for _, st := range report.Statuses {
		v.Counts = append(v.Counts, htmlCount{Status: st, Title: statusTitle[st], N: counts[st]})
	}
	conv := func(res report.Result, i int) htmlControl {
		c := htmlControl{Result: res, Order: i, RequiresText: requiresText(res.Requires)}
		if res.Waiver != nil {
			c.WaiverText = waiverText(res.Waiver)
			exp, err := time.Parse("2006-01-02", res.Waiver.Expires)
			if err != nil { // a waiver that expires at an instant
				exp, err = time.Parse(time.RFC3339, res.Waiver.Expires)
			}
			if err == nil && !r.GeneratedAt.IsZero() {
				days := int(math.Ceil(exp.Sub(r.GeneratedAt).Hours() / 24))
				c.WaiverDays = fmt.Sprintf("in %d days", days)
				c.WaiverSoon = days <= 30
			}
		}
		return c
	}
	order := map[string]int{}
	for i, res := range r.Results {
		order[res.ID] = i
		v.All = append(v.All, conv(res, i))
	}
	for _, res := range bySeverity(r, report.Fail) {
		v.Failed = append(v.Failed, conv(res, order[res.ID]))
	}
	for _, res := range bySeverity(r, report.NotAssessed) {
		v.NotAssessed = append(v.NotAssessed, conv(res, order[res.ID]))
	}
	for _, res := range r.Results {
		if res.Waiver != nil {
			v.Waived = append(v.Waived, conv(res, order[res.ID]))
		}
	}
	for _, warn := range r.Warnings {
		if strings.Contains(strings.ToLower(warn), "waiver") {
			v.WaiverWarnings = append(v.WaiverWarnings, warn)
		}
	}
	v.Chart = buildChart(r)
	v.Licenses = buildLicenses(r)
	for _, name := range slices.Sorted(maps.Keys(r.Sources)) {
		src := r.Sources[name]
		if src.Status != "ok" {
			v.Sources = append(v.Sources, htmlSource{Name: name, Status: src.Status, Error: src.Error})
		}
	}
	return v, nil
}

// htmlInline escapes text and shows balanced `code spans` (used by findings
// and remediations for commands and Graph paths) as <code>.
func htmlInline(s string) template.HTML {
	if n := strings.Count(s, "`"); n == 0 || n%2 != 0 {
		return template.HTML(template.HTMLEscapeString(s))
	}
	var b strings.Builder
	for i, part := range strings.Split(s, "`") {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(part) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(part))
		}
	}
	return template.HTML(b.String())
}

// statusRank orders statuses for sorting: the report's display order.
func statusRank(s string) int {
	for i, st := range report.Statuses {
		if st == s {
			return i
		}
	}
	return len(report.Statuses)
}

func scoreArc(score float64) htmlArc {
	const circ = 2 * math.Pi * 52 // r=52 in the template
	dash := circ * math.Max(0, math.Min(score, 100)) / 100
	class := "good"
	switch {
	case score < 50:
		class = "bad"
	case score < 80:
		class = "fair"
	}
	return htmlArc{Dash: fmt.Sprintf("%.2f", dash), Gap: fmt.Sprintf("%.2f", circ-dash), Class: class}
}

// buildChart lays out one stacked bar per row (all controls, then each
// severity), segments by status. All rows share one scale so bar lengths
// compare counts across severities.
func buildChart(r *report.Report) htmlChart {
	const (
		labelW = 110
		barW   = 420
		rowH   = 34
		barH   = 22
	)
	type row struct {
		label string
		res   []report.Result
	}
	rows := []row{{"All controls", r.Results}}
	for _, sev := range report.Severities {
		var rs []report.Result
		for _, res := range r.Results {
			if res.Severity == sev {
				rs = append(rs, res)
			}
		}
		rows = append(rows, row{strings.ToUpper(sev[:1]) + sev[1:], rs})
	}
	total := max(len(r.Results), 1)
	ch := htmlChart{Width: labelW + barW + 40, Height: len(rows)*rowH + 4, LabelW: labelW}
	for i, rw := range rows {
		y := 4 + i*rowH
		cr := htmlChartRow{Label: rw.label, Y: y, TextY: y + barH/2 + 5, Total: len(rw.res)}
		x := float64(labelW)
		for _, st := range report.Statuses {
			n := 0
			for _, res := range rw.res {
				if res.Status == st {
					n++
				}
			}
			if n == 0 {
				continue
			}
			wd := float64(barW) * float64(n) / float64(total)
			cr.Segs = append(cr.Segs, htmlSeg{
				Status: st, N: n, Y: y, TextY: cr.TextY,
				X: fmt.Sprintf("%.1f", x), W: fmt.Sprintf("%.1f", wd),
				TextX:     fmt.Sprintf("%.1f", x+wd/2),
				ShowLabel: wd >= 16,
				Tip:       fmt.Sprintf("%s: %d %s", rw.label, n, statusTitle[st]),
			})
			x += wd
		}
		cr.TotalX = fmt.Sprintf("%.1f", x+6)
		ch.Rows = append(ch.Rows, cr)
	}
	return ch
}

// buildLicenses lists every license the report knows or a control needs,
// present ones first, with the controls each one is needed by; for a missing
// license those are the controls it would unlock.
func buildLicenses(r *report.Report) []htmlLicense {
	byKey := map[string]*htmlLicense{}
	get := func(k string) *htmlLicense {
		if l, ok := byKey[k]; ok {
			return l
		}
		present, known := r.Licenses[k]
		l := &htmlLicense{Key: k, Title: licenseTitle(k), Present: present, Known: known}
		byKey[k] = l
		return l
	}
	for k := range r.Licenses {
		get(k)
	}
	for _, res := range r.Results {
		for _, k := range res.Requires {
			var also []string
			for _, o := range res.Requires {
				if o != k && !r.Licenses[o] {
					also = append(also, licenseTitle(o))
				}
			}
			l := get(k)
			l.Used = append(l.Used, htmlLicenseUse{ID: res.ID, Title: res.Title, Status: res.Status, AlsoNeeds: strings.Join(also, ", ")})
		}
	}
	out := make([]htmlLicense, 0, len(byKey))
	for _, l := range byKey {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Present != out[j].Present {
			return out[i].Present
		}
		if (len(out[i].Used) > 0) != (len(out[j].Used) > 0) {
			return len(out[i].Used) > 0
		}
		return out[i].Key < out[j].Key
	})
	return out
}
