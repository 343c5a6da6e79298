package render

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("table", writeTable) }

// writeTable is the terminal view of the incident report: the verdicts,
// then for every user who is not clean the talk's three parts (what
// happened, what was done, what is left to do) and the detections with
// the first record behind each, then the other users' notable findings and
// the coverage. Lines are at most Options.Width cells (default 80; wide
// characters count two), wrapped by internal/textcol at spaces so ids and
// addresses stay whole. Text from the logs goes through textsafe.Line: a
// subject or a user agent can never move the cursor or recolour the
// terminal.
func writeTable(w io.Writer, r *result.Result, o Options) error {
	v, err := newView(r, o)
	if err != nil {
		return err
	}
	width := o.Width
	if width <= 0 {
		width = textcol.DefaultWidth
	}
	width = max(width, textcol.MinWidth)
	b := bufio.NewWriter(w)
	c := v.c
	// para writes s wrapped, every line indented by indent and lines after
	// the first by hang more.
	para := func(indent, hang int, s string) {
		s = textsafe.Line(s)
		avail := width - indent
		lines := textcol.Wrap(s, avail)
		if len(lines) > 1 && hang > 0 && strings.HasPrefix(s, lines[0]) {
			lines = append(lines[:1], textcol.Wrap(strings.TrimSpace(s[len(lines[0]):]), avail-hang)...)
		}
		pad := strings.Repeat(" ", indent)
		for i, l := range lines {
			if i > 0 {
				l = strings.Repeat(" ", hang) + l
			}
			fmt.Fprintf(b, "%s%s\n", pad, l)
		}
	}
	table := func(indent int, head []string, rows [][]string, narrow []string) {
		t := textcol.Table{}
		for _, h := range head {
			t.Columns = append(t.Columns, textcol.Column{Header: strings.ToUpper(h)})
		}
		natural := 2 * (len(head) - 1)
		for i := range head {
			cw := textcol.Width(head[i])
			for _, r := range rows {
				cw = max(cw, textcol.Width(textsafe.Line(r[i])))
			}
			natural += cw
		}
		if natural > width-indent {
			// Too wide for columns: one wrapped line per row, so that long
			// ids (InternetMessageIds) are not cut inside.
			for i, r := range rows {
				line := strings.Join(nonEmpty(r), " ")
				if i < len(narrow) {
					line = narrow[i]
				}
				para(indent, 2, "- "+line)
			}
			return
		}
		for _, r := range rows {
			cells := make([]string, len(r))
			for i, x := range r {
				cells[i] = textsafe.Line(x)
			}
			t.Rows = append(t.Rows, cells)
		}
		var sb strings.Builder
		_ = t.Write(&sb, width-indent)
		for _, l := range strings.Split(strings.TrimRight(sb.String(), "\n"), "\n") {
			fmt.Fprintf(b, "%s%s\n", strings.Repeat(" ", indent), l)
		}
	}

	para(0, 0, v.Title)
	para(0, 2, c.T("label.window")+": "+v.Window)
	para(0, 2, c.T("label.zone")+": "+v.Zone)
	var counts []string
	for _, n := range v.Counts {
		counts = append(counts, n.Label+" "+strconv.Itoa(n.N))
	}
	para(0, 2, c.T("label.verdicts")+": "+strings.Join(counts, ", "))
	b.WriteString("\n")
	if len(v.Users) == 0 && len(v.Unknown) == 0 {
		para(0, 0, v.Nobody)
	} else if len(v.Users) > 0 {
		var rows [][]string
		for _, u := range v.Users {
			rows = append(rows, []string{u.UPN, u.VerdictLabel, u.Intrusion})
		}
		table(0, []string{c.T("col.user"), c.T("col.verdict"), c.T("label.intrusion")}, rows, nil)
	}

	for _, u := range v.Users {
		b.WriteString("\n")
		head := c.T("table.user", "User", u.UPN, "Verdict", u.VerdictLabel)
		if u.Intrusion != "-" {
			head += ", " + c.T("table.since", "Time", u.Intrusion)
		}
		para(0, 3, "== "+head)
		b.WriteString("\n")
		para(0, 0, c.T("section.happened"))
		for i, it := range u.Happened {
			num := strconv.Itoa(i+1) + ". "
			para(1, len(num), num+it.Title)
			if it.Lead != "" {
				para(4, 0, it.Lead)
			}
			for _, l := range it.Lines {
				para(4, 2, "- "+l)
			}
			if it.Table != nil {
				table(4, it.Table.Head, it.Table.Rows, it.Narrow)
			}
		}
		if len(u.Findings) > 0 {
			para(1, 0, c.T("section.findings"))
			for _, f := range u.Findings {
				sev := f.Severity
				if f.Attributed {
					sev += ", " + c.T("label.attacker")
				}
				line := fmt.Sprintf("%s %s [%s] %s", f.Time, f.ID, sev, f.Title)
				if len(f.Evidence) > 0 {
					line += " (" + strings.SplitN(f.Evidence[0], " ", 2)[0]
					if n := len(f.Evidence) - 1 + f.More; n > 0 {
						line += " +" + strconv.Itoa(n)
					}
					line += ")"
				}
				para(4, 2, "- "+line)
			}
		}
		b.WriteString("\n")
		para(0, 0, c.T("section.done"))
		if len(u.Done) == 0 {
			para(4, 0, c.T("done.none"))
		}
		for _, d := range u.Done {
			para(4, 2, "- "+c.T("done.line", "Time", d.Time, "Action", d.Action, "By", d.By))
		}
		b.WriteString("\n")
		para(0, 0, c.T("section.todo"))
		if len(u.Todo) == 0 {
			para(4, 0, c.T("todo.none"))
		}
		for i, t := range u.Todo {
			num := strconv.Itoa(i+1) + ". "
			para(4, len(num), num+t)
		}
	}

	if len(v.Unknown) > 0 {
		b.WriteString("\n")
		para(0, 0, c.T("section.unknown"))
		para(2, 0, c.N("unknown.lead", len(v.Unknown)))
		shown, more := v.Unknown, ""
		if len(shown) > 10 {
			more = " " + c.N("label.more", len(shown)-10)
			shown = shown[:10]
		}
		para(2, 2, strings.Join(shown, ", ")+more)
	}

	if len(v.Notable) > 0 {
		b.WriteString("\n")
		para(0, 0, c.T("section.notable"))
		for _, n := range v.Notable {
			shown, more := n.Users, ""
			if len(shown) > 3 {
				more = " " + c.N("label.more", len(shown)-3)
				shown = shown[:3]
			}
			para(2, 2, fmt.Sprintf("%s %s (%s): %s%s", n.ID, n.Title, c.N("label.users", len(n.Users)), strings.Join(shown, ", "), more))
		}
	}

	b.WriteString("\n")
	para(0, 0, c.T("table.coverage"))
	table(2, []string{c.T("col.log"), c.T("col.records"), c.T("col.duplicates"), c.T("col.badrows"), c.T("col.from"), c.T("col.to")}, coverageRows(v), v.Coverage.Narrow)
	cv := v.Coverage
	for _, s := range cv.BlindSpots {
		para(2, 2, "! "+s)
	}
	if tv := cv.Trusted; tv != nil {
		para(2, 0, tv.Lead)
		for _, l := range append(append([]string{}, tv.Lines...), tv.Warnings...) {
			para(4, 2, "- "+l)
		}
	}
	if rt := cv.Retention; rt != nil {
		para(2, 0, rt.Lead)
		for _, l := range append(append([]string{}, rt.Lines...), rt.Warnings...) {
			para(4, 2, "- "+l)
		}
		for _, ctl := range rt.Controls {
			para(4, 2, "- "+strings.Join(ctl, " "))
		}
	}
	for _, s := range cv.BadRows {
		para(2, 2, c.T("section.badrows")+": "+s)
	}
	if cv.MoreBad > 0 {
		para(2, 2, c.N("label.morebadrows", cv.MoreBad))
	}
	for _, s := range cv.Skipped {
		para(2, 2, c.T("section.skipped")+": "+s)
	}
	if err := c.Err(); err != nil {
		return err
	}
	return b.Flush()
}

// coverageRows are the coverage table's rows without the files column
// (the table is for a terminal; the files are listed in the other formats).
func coverageRows(v *view) [][]string {
	var rows [][]string
	for _, r := range v.Coverage.Rows {
		rows = append(rows, []string{r[0], r[2], r[3], r[4], r[5], r[6]})
	}
	return rows
}

func nonEmpty(xs []string) []string {
	var out []string
	for _, x := range xs {
		if strings.TrimSpace(x) != "" && x != "-" {
			out = append(out, x)
		}
	}
	return out
}
