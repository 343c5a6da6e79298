package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/tenantgate/tenantgate/internal/portal"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// ControlInfo is what the catalog adds to a result for `tenantgate
// explain`: why the control matters and where it comes from.
type ControlInfo struct {
	Description string
	Seed        string
	File        string
	Line        int
}

// Explain writes one control of a report in full, for a person at a
// terminal: the finding, every Conditional Access policy the control
// considered and why it does or does not count, the evidence with names and
// admin center links, what to do, and where the rule lives. Text is wrapped
// to opts.Width and neutralised (textsafe) at this boundary.
func Explain(w io.Writer, r *report.Report, res report.Result, info ControlInfo, opts Options) error {
	width := opts.width()
	var b strings.Builder
	line := func(indent int, text string) {
		b.WriteString(strings.Repeat(" ", indent) + textcol.Indent(textsafe.Line(text), width-indent, indent) + "\n")
	}
	section := func(title string) { b.WriteString("\n" + title + "\n") }
	link := func(indent int, u string) {
		if u != "" {
			b.WriteString(strings.Repeat(" ", indent) + u + "\n") // never wrapped: a link must stay whole
		}
	}

	line(0, res.ID+" · "+res.Severity+" · "+res.Status+" · "+r.TenantLabel())
	line(0, res.Title)

	section("Finding")
	line(2, nonBlank(res.Finding, "(no finding)"))
	if res.Waiver != nil {
		line(2, capitalize(waiverText(res.Waiver))+".")
	}
	for _, n := range res.Notes {
		line(2, "Note: "+n)
	}
	if t := res.MissingText(); t != "" {
		section("To assess it")
		line(2, t)
	}

	names := map[string]string{}
	if len(res.Considered) > 0 {
		section(fmt.Sprintf("Conditional Access policies considered (%d)", len(res.Considered)))
		for _, c := range res.Considered {
			names[c.ID] = c.DisplayName
			verdict := "counts"
			if !c.Counts() {
				verdict = "does not count: " + strings.Join(c.Problems, "; ")
			}
			line(2, fmt.Sprintf("'%s' (%s)", c.DisplayName, c.State))
			line(4, verdict)
			link(4, portal.Object(portal.Policy, c.ID))
		}
		line(2, "Other policies were not considered: they cannot satisfy or affect this control.")
	}

	if len(res.Evidence) > 0 {
		section("Evidence")
		for _, id := range res.Evidence {
			o, known := res.Objects[id]
			if n, ok := names[id]; ok && !known {
				o, known = report.Object{Type: portal.Policy, DisplayName: n}, true
			}
			if !known {
				line(2, id)
				continue
			}
			line(2, res.EvidenceText(id)+" ("+kindText(o.Type)+")")
			link(4, portal.Object(o.Type, id))
		}
	}

	if res.Remediation != "" {
		section("Remediation")
		line(2, res.Remediation)
	}
	var where []string
	for _, s := range res.Sources {
		if u := portal.Source(s); u != "" && !contains(where, u) {
			where = append(where, u)
		}
	}
	if len(where) > 0 {
		section("Entra admin center")
		for _, u := range where {
			link(2, u)
		}
	}
	if info.Description != "" {
		section("Why it matters")
		line(2, info.Description)
	}
	section("About this control")
	line(2, "Requires "+requiresText(res.Requires)+".")
	if info.Seed != "" {
		line(2, "From the talk: "+info.Seed+".")
	}
	if loc := policyLocation(res); loc.File != "" {
		line(2, fmt.Sprintf("Rule: %s:%d.", loc.File, loc.Line))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// kindText names an object kind for people.
func kindText(kind string) string {
	switch kind {
	case portal.Policy:
		return "Conditional Access policy"
	case portal.NamedLocation:
		return "named location"
	}
	return kind
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
