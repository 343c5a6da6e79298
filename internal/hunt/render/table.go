package render

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("table", writeTable) }

// writeTable is the terminal view: one line per listed user, then for every
// user who is not clean what happened, what was already done and what is
// left to do, then the coverage. Attacker-chosen text (subjects, rule
// names, user agents) goes through textsafe: it can never move the cursor
// or recolour the terminal.
func writeTable(w io.Writer, r *result.Result, o Options) error {
	w = textsafe.Writer(w)
	width := o.Width
	if width <= 0 {
		width = 100
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	tf := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	cut := func(s string, n int) string {
		s = textsafe.Line(s)
		if n > 1 && len([]rune(s)) > n {
			return string([]rune(s)[:n-1]) + "…"
		}
		return s
	}
	fmt.Fprintf(w, "Window %s - %s: %d compromised, %d suspicious, %d unknown, %d clean\n\n",
		tf(r.Window.From), tf(r.Window.To), r.Summary.Compromised, r.Summary.Suspicious, r.Summary.Unknown, r.Summary.Clean)
	var listed, notable []result.User
	for _, u := range r.Users {
		if u.Verdict == result.Clean {
			notable = append(notable, u)
		} else {
			listed = append(listed, u)
		}
	}
	if len(listed) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "USER\tVERDICT\tINITIAL INTRUSION\tFINDINGS")
		for _, u := range listed {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cut(u.UPN, 48), u.Verdict, tf(u.InitialIntrusion), cut(findingIDs(u.Findings), width/2))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(notable) > 0 {
		// Clean users with medium or low findings only: one line per
		// detection, so ordinary noise does not bury the verdicts.
		byID := map[string][]string{}
		var ids []string
		for _, u := range notable {
			seen := map[string]bool{}
			for _, f := range u.Findings {
				if !seen[f.ID] {
					seen[f.ID] = true
					if _, ok := byID[f.ID]; !ok {
						ids = append(ids, f.ID)
					}
					byID[f.ID] = append(byID[f.ID], u.UPN)
				}
			}
		}
		sort.Slice(ids, func(i, j int) bool { return detectionOrder(ids[i]) < detectionOrder(ids[j]) })
		fmt.Fprintf(w, "\nClean users with notable findings only (%d):\n", len(notable))
		for _, id := range ids {
			fmt.Fprintf(w, "  %-10s %3d: %s\n", id, len(byID[id]), cut(strings.Join(byID[id], ", "), width-20))
		}
	}
	for _, u := range r.Users {
		if u.Verdict == result.Clean {
			continue
		}
		fmt.Fprintf(w, "\n== %s: %s", textsafe.Line(u.UPN), u.Verdict)
		if u.InitialIntrusion != nil {
			fmt.Fprintf(w, " since %s", tf(u.InitialIntrusion))
		}
		fmt.Fprintln(w)
		if len(u.Indicators) > 0 {
			fmt.Fprintln(w, "Attacker indicators:")
			for _, i := range u.Indicators {
				place := ""
				if i.Country != nil {
					place = " " + *i.Country
				}
				if i.ASN != nil {
					place += fmt.Sprintf(" AS%d", *i.ASN)
				}
				fmt.Fprintf(w, "  %-9s %s%s  (%s - %s)\n", i.Kind, cut(i.Value, width-50), place, tf(i.FirstSeen), tf(i.LastSeen))
			}
		}
		fmt.Fprintln(w, "What happened:")
		for _, f := range u.Findings {
			attr := ""
			if f.Attributed {
				attr = ", attacker"
			}
			fmt.Fprintf(w, "  %s %-10s [%s%s] %s\n", tf(f.Time), f.ID, f.Severity, attr, textsafe.Line(f.Summary))
		}
		artifacts(w, u.Artifacts, tf)
		if len(u.ResponseSeen) > 0 {
			fmt.Fprintln(w, "Already done:")
			for _, a := range u.ResponseSeen {
				fmt.Fprintf(w, "  %s %s by %s\n", tf(a.Time), textsafe.Line(a.Action), textsafe.Line(a.By))
			}
		}
		if len(u.RemainingActions) > 0 {
			fmt.Fprintln(w, "Still to do:")
			for _, a := range u.RemainingActions {
				fmt.Fprintf(w, "  - %s\n", textsafe.Line(a.Text))
			}
		}
	}
	fmt.Fprintln(w, "\nCoverage:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  LOG\tFILES\tRECORDS\tDUPLICATES\tBAD ROWS\tFROM\tTO")
	for _, k := range result.KindNames {
		c := r.Coverage.Kind(k)
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%s\t%s\n", k, len(c.Files), c.Records, c.Duplicates, c.BadRows, tf(c.From), tf(c.To))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, b := range r.Coverage.BlindSpots {
		fmt.Fprintf(w, "  blind spot (%s): %s\n", b.Kind, textsafe.Line(b.Message))
	}
	for i, b := range r.Coverage.BadRows {
		if i == 10 {
			fmt.Fprintf(w, "  ... %d more bad rows (see the JSON report)\n", len(r.Coverage.BadRows)-10)
			break
		}
		fmt.Fprintf(w, "  bad row %s:%d: %s\n", textsafe.Line(b.File), b.Line, textsafe.Line(b.Reason))
	}
	for _, s := range r.Coverage.Skipped {
		fmt.Fprintf(w, "  skipped %s: %s\n", textsafe.Line(s.File), textsafe.Line(s.Reason))
	}
	return nil
}

func detectionOrder(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "TG.HUNT."))
	return n
}

func findingIDs(fs []result.Finding) string {
	var ids []string
	seen := map[string]bool{}
	for _, f := range fs {
		if !seen[f.ID] {
			seen[f.ID] = true
			ids = append(ids, strings.TrimPrefix(f.ID, "TG.HUNT."))
		}
	}
	if len(ids) == 0 {
		return "-"
	}
	return "TG.HUNT." + strings.Join(ids, ",")
}

func artifacts(w io.Writer, a result.Artifacts, tf func(*time.Time) string) {
	line := func(label string, items []string) {
		if len(items) > 0 {
			fmt.Fprintf(w, "  %s: %s\n", label, textsafe.Line(strings.Join(items, "; ")))
		}
	}
	var xs []string
	for _, r := range a.RulesCreated {
		xs = append(xs, fmt.Sprintf("%q", r.Name))
	}
	line("inbox rules created", xs)
	xs = nil
	for _, app := range a.AppsConsented {
		xs = append(xs, fmt.Sprintf("%s (%s) %s %s", app.Name, app.AppID, app.ConsentType, strings.Join(app.Scopes, " ")))
	}
	line("apps consented", xs)
	xs = nil
	for _, m := range a.MethodsRegistered {
		xs = append(xs, m.Method+" at "+tf(m.Time))
	}
	line("security info registered", xs)
	xs = nil
	for _, d := range a.DevicesRegistered {
		xs = append(xs, d.Name+" at "+tf(d.Time))
	}
	line("devices registered", xs)
	xs = nil
	for _, s := range a.MailSent {
		xs = append(xs, fmt.Sprintf("%d x %q", s.Count, s.Subject))
	}
	line("mail sent", xs)
	if n := len(a.MailDeleted); n > 0 {
		line("mail deleted", []string{fmt.Sprintf("%d messages", n)})
	}
	if n := len(a.MailRead); n > 0 {
		line("mail read", []string{fmt.Sprintf("%d messages", n)})
	}
	xs = nil
	for _, f := range a.FilesAccessed {
		xs = append(xs, f.Name)
	}
	line("files accessed", xs)
}
