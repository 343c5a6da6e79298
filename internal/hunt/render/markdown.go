package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("markdown", writeMarkdown) }

// writeMarkdown writes the incident report for a ticket, a wiki or a mail:
// the talk's three parts per user, the attacker's timeline, the response
// steps of the detections found and the coverage. Every text from the logs
// goes through textsafe.Markdown (one line, markup escaped): a subject or a
// rule name can start no heading and break no table.
func writeMarkdown(w io.Writer, r *result.Result, o Options) error {
	v, err := newView(r, o)
	if err != nil {
		return err
	}
	b := bufio.NewWriter(w)
	md := textsafe.Markdown
	c := v.c
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("# %s\n\n", md(v.Title))
	meta := []string{c.T("label.window") + ": " + v.Window, c.T("label.zone") + ": " + v.Zone}
	if v.Generated != "" {
		meta = append(meta, c.T("label.generated", "Time", v.Generated, "Tool", v.Tool))
	}
	for _, m := range meta {
		p("%s  \n", md(m))
	}
	var counts []string
	for _, n := range v.Counts {
		s := md(n.Label) + " " + strconv.Itoa(n.N)
		if n.N > 0 && n.Verdict != result.Clean {
			s = "**" + s + "**"
		}
		counts = append(counts, s)
	}
	p("%s: %s\n\n", md(c.T("label.verdicts")), strings.Join(counts, " · "))
	if len(v.Users) == 0 && len(v.Unknown) == 0 {
		p("%s\n\n", md(v.Nobody))
	} else if len(v.Users) == 0 {
		p("%s\n\n", md(c.N("unknown.lead", len(v.Unknown))))
	} else {
		p("%s\n\n", md(v.Intro))
	}

	for _, u := range v.Users {
		p("## %s: %s\n\n", md(u.UPN), md(u.VerdictLabel))
		if u.Intrusion != "-" {
			p("%s: **%s**\n\n", md(c.T("label.intrusion")), md(u.Intrusion))
		}
		p("### %s\n\n", md(c.T("section.happened")))
		for i, it := range u.Happened {
			p("#### %d. %s\n\n", i+1, md(it.Title))
			if it.Lead != "" {
				p("%s\n\n", md(it.Lead))
			}
			for _, l := range it.Lines {
				p("- %s\n", md(l))
			}
			if len(it.Lines) > 0 {
				p("\n")
			}
			if it.Table != nil {
				mdTable(b, it.Table.Head, it.Table.Rows)
			}
		}
		if len(u.Findings) > 0 {
			p("#### %s\n\n", md(c.T("section.findings")))
			for _, f := range u.Findings {
				attr := md(f.Severity)
				if f.Attributed {
					attr += ", " + md(c.T("label.attacker"))
				}
				p("- %s **%s** %s (%s): %s\n", md(f.Time), md(f.ID), md(f.Title), attr, md(f.Summary))
				if len(f.Evidence) > 0 {
					ev := make([]string, len(f.Evidence))
					for i, e := range f.Evidence {
						ev[i] = textsafe.MarkdownCode(e)
					}
					more := ""
					if f.More > 0 {
						more = " " + md(c.N("label.moreevidence", f.More))
					}
					p("  %s: %s%s\n", md(c.T("label.evidence")), strings.Join(ev, ", "), more)
				}
			}
			p("\n")
		}
		// ② and ③: a lead sentence and a list, or a sentence saying there
		// is nothing.
		part := func(title, none, lead string, items []string, numbered bool) {
			p("### %s\n\n", md(c.T(title)))
			if len(items) == 0 {
				p("%s\n\n", md(c.T(none)))
				return
			}
			p("%s\n\n", md(c.T(lead)))
			for i, it := range items {
				if numbered {
					p("%d. %s\n", i+1, md(it))
				} else {
					p("- %s\n", md(it))
				}
			}
			p("\n")
		}
		var done []string
		for _, d := range u.Done {
			done = append(done, c.T("done.line", "Time", d.Time, "Action", d.Action, "By", d.By))
		}
		part("section.done", "done.none", "done.lead", done, false)
		part("section.todo", "todo.none", "todo.lead", u.Todo, true)
		p("### %s\n\n", md(c.T("section.timeline")))
		p("%s\n\n", md(c.N("timeline.attackeronly", u.Attacker, "Total", len(u.Timeline))))
		var rows [][]string
		for _, e := range u.Timeline {
			if e.Attacker {
				rows = append(rows, []string{e.Time, e.Source, e.Op, e.IP, e.Country, e.Det, e.Where})
			}
		}
		if len(rows) > 0 {
			mdTable(b, []string{c.T("col.time"), c.T("col.source"), c.T("col.operation"), c.T("col.ip"), c.T("col.country"), c.T("col.detections"), c.T("col.where")}, rows)
		}
	}

	if len(v.Unknown) > 0 {
		p("## %s\n\n%s\n\n%s\n\n", md(c.T("section.unknown")), md(c.N("unknown.lead", len(v.Unknown))), md(strings.Join(v.Unknown, ", ")))
	}

	if len(v.Notable) > 0 {
		p("## %s\n\n%s\n\n", md(c.T("section.notable")), md(c.T("notable.lead")))
		for _, n := range v.Notable {
			shown := n.Users
			more := ""
			if len(shown) > 10 {
				more = " " + c.N("label.more", len(shown)-10)
				shown = shown[:10]
			}
			p("- **%s** %s (%s): %s%s\n", md(n.ID), md(n.Title), md(c.N("label.users", len(n.Users))), md(strings.Join(shown, ", ")), md(more))
		}
		p("\n")
	}

	if len(v.Found) > 0 {
		p("## %s\n\n", md(c.T("section.detections")))
		for _, d := range v.Found {
			p("- **%s** %s (%s; %s)  \n  %s\n", md(d.ID), md(d.Title), md(d.Severity), md(d.Technique), md(d.Response))
		}
		p("\n")
	}

	p("## %s\n\n", md(c.T("section.coverage")))
	mdTable(b, v.Coverage.Head, v.Coverage.Rows)
	writeCoverageLists(b, v, func(s string) string { return "- " + md(s) + "\n" }, func(s string) string { return md(s) })
	if err := c.Err(); err != nil {
		return err
	}
	return b.Flush()
}

// writeCoverageLists writes blind spots, retention, bad rows and skipped
// files as Markdown lists.
func writeCoverageLists(b *bufio.Writer, v *view, li func(string) string, md func(string) string) {
	c := v.c
	cv := v.Coverage
	list := func(title string, xs []string) {
		if len(xs) == 0 {
			return
		}
		fmt.Fprintf(b, "**%s**\n\n", md(title))
		for _, x := range xs {
			b.WriteString(li(x))
		}
		b.WriteString("\n")
	}
	if len(cv.BlindSpots) == 0 {
		fmt.Fprintf(b, "%s\n\n", md(c.T("blind.none")))
	}
	list(c.T("section.blindspots"), cv.BlindSpots)
	if tv := cv.Trusted; tv != nil {
		fmt.Fprintf(b, "**%s**\n\n%s\n\n", md(c.T("section.trusted")), md(tv.Lead))
		for _, l := range append(append([]string{}, tv.Lines...), tv.Warnings...) {
			b.WriteString(li(l))
		}
		b.WriteString("\n")
	}
	if rt := cv.Retention; rt != nil {
		fmt.Fprintf(b, "**%s**\n\n%s\n\n", md(c.T("section.retention")), md(rt.Lead))
		for _, l := range append(append([]string{}, rt.Lines...), rt.Warnings...) {
			b.WriteString(li(l))
		}
		b.WriteString("\n")
		if len(rt.Controls) > 0 {
			mdTable(b, rt.Head, rt.Controls)
		}
	}
	bad := cv.BadRows
	if cv.MoreBad > 0 {
		bad = append(append([]string{}, bad...), c.N("label.morebadrows", cv.MoreBad))
	}
	list(c.T("section.badrows"), bad)
	list(c.T("section.skipped"), cv.Skipped)
}

// mdTable writes a GitHub table, every cell one escaped line.
func mdTable(b *bufio.Writer, head []string, rows [][]string) {
	cells := func(xs []string) string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = textsafe.Markdown(x)
			if out[i] == "" {
				out[i] = "-"
			}
		}
		return "| " + strings.Join(out, " | ") + " |\n"
	}
	b.WriteString(cells(head))
	b.WriteString("|" + strings.Repeat(" --- |", len(head)) + "\n")
	for _, r := range rows {
		b.WriteString(cells(r))
	}
	b.WriteString("\n")
}
