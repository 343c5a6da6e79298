package render

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("html", writeHTML) }

// The HTML report is one self-contained file like the audit's: CSS, JS and
// the timeline (inline SVG laid out here, zoomed by the inline script) are
// in it, nothing is fetched, and a Content-Security-Policy forbids network
// access, so it can be mailed to the customer or archived and opened
// offline. html/template escapes every text; attacker-chosen text (subjects,
// rule names, user agents) also goes through textsafe.Line, so a bidi
// override cannot reorder what the reader sees.

//go:embed html/report.html.tmpl html/report.css html/report.js
var htmlAssets embed.FS

type htmlPage struct {
	V       *view
	Subject string
	Chart   *htmlChart
	CSS     template.CSS
	JS      template.JS
}

type htmlChart struct {
	W, H, PlotX, PlotW, LaneH int
	Lanes                     []htmlLane
	Marks                     []htmlMark
	Tables                    []htmlEvents
	Config                    template.JS
}

type htmlLane struct {
	Label    string
	Y, TextY int
	Odd      bool
}

type htmlMark struct {
	X, Y, R string
	T       int64
	A, D    bool
	Tip     string
}

type htmlEvents struct {
	UPN, CountID string
	Count        int
	Events       []eventView
}

// timelineMax bounds the marks drawn (a few hundred events stay readable;
// a user with more shows the attacker's events and a sample of the rest
// in the chart, and all of them in the tables and the CSV).
const timelineMax = 2000

func writeHTML(w io.Writer, r *result.Result, o Options) error {
	v, err := newView(r, o)
	if err != nil {
		return err
	}
	mapView(v, textsafe.Line)
	css, _ := htmlAssets.ReadFile("html/report.css")
	js, _ := htmlAssets.ReadFile("html/report.js")
	p := &htmlPage{V: v, CSS: template.CSS(css), JS: template.JS(js)}
	if len(v.Users) == 1 {
		p.Subject = v.Users[0].UPN
	}
	p.Chart = buildChart(v, r)
	c := v.c
	tmpl, err := template.New("report.html.tmpl").Funcs(template.FuncMap{
		"t":           func(id string) string { return c.T(id) },
		"inc":         func(i int) int { return i + 1 },
		"more":        func(n int) string { return c.N("label.moreevidence", n) },
		"morebad":     func(n int) string { return c.N("label.morebadrows", n) },
		"users":       func(n int) string { return c.N("label.users", n) },
		"unknownLead": func(n int) string { return c.N("unknown.lead", n) },
		"first3":      func(xs []string) string { return first(xs, 3, c) },
		"join":        func(xs []string) string { return strings.Join(xs, ", ") },
		"showing":     func(n, total int) string { return c.T("html.showing", "N", n, "Total", total) },
		"sevClass":    func(label string) string { return sevClass(c, label) },
	}).ParseFS(htmlAssets, "html/report.html.tmpl")
	if err != nil {
		return err
	}
	if err := tmpl.Execute(w, p); err != nil {
		return err
	}
	return c.Err()
}

func first(xs []string, n int, c *Catalog) string {
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + " " + c.N("label.more", len(xs)-n)
}

// sevClass maps a translated severity back to its class name.
func sevClass(c *Catalog, label string) string {
	for _, s := range []string{"high", "medium", "low"} {
		if c.T("severity."+s) == label {
			return s
		}
	}
	return "low"
}

// buildChart lays out one lane per user who is not clean, a mark per event
// (red for the attacker's, outlined when a detection fired), initially
// zoomed on the attacker's activity with a margin.
func buildChart(v *view, r *result.Result) *htmlChart {
	if len(v.Users) == 0 {
		return nil
	}
	const (
		w, labelW, laneH, top = 1100, 270, 30, 26
	)
	ch := &htmlChart{W: w, PlotX: labelW, PlotW: w - labelW - 16, LaneH: laneH}
	var winFrom, winTo, attFrom, attTo time.Time
	for _, u := range v.Users {
		for _, e := range u.Timeline {
			if e.T.IsZero() {
				continue
			}
			if winFrom.IsZero() || e.T.Before(winFrom) {
				winFrom = e.T
			}
			if e.T.After(winTo) {
				winTo = e.T
			}
			if e.Attacker {
				if attFrom.IsZero() || e.T.Before(attFrom) {
					attFrom = e.T
				}
				if e.T.After(attTo) {
					attTo = e.T
				}
			}
		}
	}
	if r.Window.From != nil && r.Window.To != nil {
		winFrom, winTo = *r.Window.From, *r.Window.To
	}
	if winFrom.IsZero() {
		return nil
	}
	if attFrom.IsZero() {
		attFrom, attTo = winFrom, winTo
	}
	pad := max(attTo.Sub(attFrom)/10, 20*time.Minute)
	attFrom, attTo = attFrom.Add(-pad), attTo.Add(pad)
	span := attTo.Sub(attFrom)
	x := func(t time.Time) float64 {
		return float64(ch.PlotX) + float64(t.Sub(attFrom))/float64(span)*float64(ch.PlotW)
	}
	for i, u := range v.Users {
		y := top + i*laneH
		label := u.UPN
		if len([]rune(label)) > 36 {
			label = string([]rune(label)[:35]) + "…"
		}
		ch.Lanes = append(ch.Lanes, htmlLane{Label: label, Y: y, TextY: y + laneH/2 + 4, Odd: i%2 == 1})
		n := 0
		for j, e := range u.Timeline {
			if e.T.IsZero() {
				continue
			}
			// Beyond timelineMax marks for a user, ordinary events are
			// sampled; the attacker's are always drawn.
			if !e.Attacker && len(u.Timeline) > timelineMax && j%(len(u.Timeline)/timelineMax+1) != 0 {
				continue
			}
			n++
			m := htmlMark{X: fmt.Sprintf("%.1f", x(e.T)), Y: strconv.Itoa(y + laneH/2), R: "3.5", T: e.T.UnixMilli(), A: e.Attacker, D: e.Det != ""}
			if e.Det != "" {
				m.R = "5.5"
			}
			tip := []string{e.Time, e.Source, e.Op}
			for _, s := range []string{e.IP, e.Country, e.Det} {
				if s != "" {
					tip = append(tip, s)
				}
			}
			m.Tip = strings.Join(tip, " · ")
			ch.Marks = append(ch.Marks, m)
		}
		ch.Tables = append(ch.Tables, htmlEvents{UPN: u.UPN, CountID: "count-" + u.Anchor, Count: len(u.Timeline), Events: u.Timeline})
	}
	ch.H = top + len(v.Users)*laneH + 8
	_, off := attFrom.In(v.loc).Zone()
	zone := v.loc.String()
	cfg := map[string]any{
		"plotX": ch.PlotX, "plotW": ch.PlotW, "top": top, "bottom": ch.H - 4,
		"from": attFrom.UnixMilli(), "to": attTo.UnixMilli(),
		"attFrom": attFrom.UnixMilli(), "attTo": attTo.UnixMilli(),
		"winFrom": winFrom.UnixMilli(), "winTo": winTo.UnixMilli(),
		"zone": zone, "zoneLabel": v.Zone, "offsetMs": off * 1000,
		"showing": v.c.T("html.showing", "N", "{N}", "Total", "{Total}"),
	}
	raw, _ := json.Marshal(cfg)
	ch.Config = template.JS(raw)
	return ch
}

// mapView passes every text of the view through f (textsafe.Line for the
// HTML: html/template escapes markup, f the characters that reorder or
// hide text).
func mapView(v *view, f func(string) string) {
	all := func(xs []string) {
		for i := range xs {
			xs[i] = f(xs[i])
		}
	}
	for _, u := range v.Users {
		u.UPN = f(u.UPN)
		for i := range u.Happened {
			it := &u.Happened[i]
			it.Title, it.Lead = f(it.Title), f(it.Lead)
			all(it.Lines)
			all(it.Narrow)
			if it.Table != nil {
				for _, row := range it.Table.Rows {
					all(row)
				}
			}
		}
		for i := range u.Findings {
			fd := &u.Findings[i]
			fd.Title, fd.Summary = f(fd.Title), f(fd.Summary)
			all(fd.Evidence)
		}
		for i := range u.Done {
			u.Done[i].Action, u.Done[i].By = f(u.Done[i].Action), f(u.Done[i].By)
		}
		all(u.Todo)
		for i := range u.Timeline {
			e := &u.Timeline[i]
			e.Op, e.IP, e.Country, e.UA, e.Session, e.Where = f(e.Op), f(e.IP), f(e.Country), f(e.UA), f(e.Session), f(e.Where)
		}
	}
	for i := range v.Notable {
		all(v.Notable[i].Users)
	}
	all(v.Unknown)
	all(v.Coverage.BlindSpots)
	all(v.Coverage.BadRows)
	all(v.Coverage.Skipped)
	for _, row := range v.Coverage.Rows {
		all(row)
	}
	if tv := v.Coverage.Trusted; tv != nil {
		tv.Lead = f(tv.Lead)
		all(tv.Lines)
		all(tv.Warnings)
	}
	if rt := v.Coverage.Retention; rt != nil {
		rt.Lead = f(rt.Lead)
		all(rt.Lines)
		all(rt.Warnings)
		for _, row := range rt.Controls {
			all(row)
		}
	}
}
