package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("table", writeTable) }

// ANSI colours for the status column. Only used with Options.Color, which the
// CLI sets for terminals; golden files and pipes stay plain.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

var statusColor = map[string]string{
	report.Fail:        ansiRed,
	report.Pass:        ansiGreen,
	report.NotAssessed: ansiYellow,
	report.Waived:      ansiDim,
	report.NotLicensed: ansiDim,
}

// minFindingWidth is the narrowest finding column; below it the table
// switches to one block per control.
const minFindingWidth = 30

// writeTable prints one row per control, its finding wrapped to the width
// (Options.Width, else textcol.DefaultWidth), then the summary and the run's
// warnings. Cells are padded by display width (textcol), and colour is added
// after padding so ANSI escapes never count as width.
func writeTable(w io.Writer, r *report.Report, opts Options) error {
	width := opts.width()
	paint := func(code, s string) string {
		if !opts.Color || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	b.WriteString(paint(ansiBold, textcol.Indent("tenantgate audit of "+textsafe.Line(r.TenantLabel()), width, 2)) + "\n")
	b.WriteString(textcol.Indent("baseline "+baselineText(r)+" · collected "+reportTime(r), width, 2) + "\n\n")
	t := textcol.Table{
		Columns: []textcol.Column{{Header: "ID", Min: 9}, {Header: "SEVERITY"}, {Header: "STATUS", Min: 12}, {Header: "FINDING", Min: 1}},
		Paint: func(row, col int, s string) string {
			if col == 2 {
				return paint(statusColor[r.Results[row].Status], s)
			}
			return s
		},
		HeaderPaint: func(s string) string { return paint(ansiBold, s) },
	}
	for _, res := range r.Results {
		t.Rows = append(t.Rows, []string{textsafe.Line(res.ID), textsafe.Line(res.Severity), res.Status, textsafe.Line(tableFinding(res))})
	}
	if ws := t.Widths(width); ws[len(ws)-1] >= minFindingWidth {
		if err := t.Write(&b, width); err != nil {
			return err
		}
	} else {
		// Too narrow for a finding column worth reading: one block per
		// control, the finding below its id.
		for _, res := range r.Results {
			b.WriteString(textsafe.Line(res.ID) + " · " + textsafe.Line(res.Severity) + " · " + paint(statusColor[res.Status], res.Status) + "\n")
			b.WriteString("  " + textcol.Indent(textsafe.Line(tableFinding(res)), width-2, 2) + "\n")
		}
	}
	b.WriteString("\n")
	for _, l := range summaryLines(r) {
		b.WriteString(textcol.Indent(l, width, 2) + "\n")
	}
	for _, warn := range r.Warnings {
		b.WriteString(paint(ansiYellow, "warning:") + " " + textcol.Indent(textsafe.Line(warn), width-9, 9) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// tableFinding puts the waiver first for waived controls: in one line the
// reader needs to see why a failing control does not count.
func tableFinding(res report.Result) string {
	if res.Status == report.Waived && res.Waiver != nil {
		return "[" + waiverText(res.Waiver) + "] " + res.Finding
	}
	if t := res.MissingText(); t != "" {
		return res.Finding + " → to assess it: " + t
	}
	return res.Finding
}

// summaryLines are "18 controls: 14 fail, 1 not_licensed, 3 pass" (zero
// counts left out) and the score with its coverage.
func summaryLines(r *report.Report) []string {
	s := r.Summary
	counts := map[string]int{
		report.Fail: s.Fail, report.NotAssessed: s.NotAssessed, report.Waived: s.Waived,
		report.NotLicensed: s.NotLicensed, report.Pass: s.Pass,
	}
	parts := make([]string, 0, len(report.Statuses))
	for _, st := range report.Statuses {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	return []string{
		fmt.Sprintf("%d controls: %s", len(r.Results), strings.Join(parts, ", ")),
		"score " + formatScore(s.Score) + "/100 · " + s.CoverageText(),
	}
}

// ---- helpers shared by the renderers of this package ----

// waiverText is the one-line form of a waiver used by every format:
// "waived until 2027-03-31 by CISO: reason".
func waiverText(wv *report.Waiver) string {
	if wv == nil {
		return ""
	}
	s := "waived"
	if wv.Expires != "" {
		s += " until " + textsafe.Line(wv.Expires)
	}
	if wv.ApprovedBy != "" {
		s += " by " + textsafe.Line(wv.ApprovedBy)
	}
	if wv.Reason != "" {
		s += ": " + textsafe.Line(wv.Reason)
	}
	return s
}

// baselineText is "name version" (version omitted when empty).
func baselineText(r *report.Report) string {
	return textsafe.Line(nonBlank(r.Baseline.Name, "unnamed") + " " + r.Baseline.Version)
}

// formatScore prints the score with one decimal, as the JSON keeps it.
func formatScore(f float64) string { return fmt.Sprintf("%.1f", f) }

// reportTime is when the tenant was read (falls back to when the report was made).
func reportTime(r *report.Report) string {
	t := r.CollectedAt
	if t.IsZero() {
		t = r.GeneratedAt
	}
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// bySeverity returns the results with a status, highest severity first and in
// catalog order within a severity.
func bySeverity(r *report.Report, status string) []report.Result {
	out := r.WithStatus(status)
	sort.SliceStable(out, func(i, j int) bool {
		return report.SeverityWeight(out[i].Severity) > report.SeverityWeight(out[j].Severity)
	})
	return out
}

// truncate shortens s to at most n runes, ending in "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	rs := []rune(s)
	return strings.TrimRight(string(rs[:n-1]), " ") + "…"
}

// licenseTitles are display names for the license capabilities of the default
// baseline. Display only: detection lives in the baseline; unknown keys are
// shown as they are.
var licenseTitles = map[string]string{
	"AAD_PREMIUM":            "Microsoft Entra ID P1",
	"AAD_PREMIUM_P2":         "Microsoft Entra ID P2",
	"INTUNE_A":               "Microsoft Intune Plan 1",
	"AUDIT_STANDARD":         "Microsoft Purview Audit (Standard)",
	"M365_ADVANCED_AUDITING": "Microsoft Purview Audit (Premium)",
	"10_ALR_ADDON":           "10-Year Audit Log Retention add-on",
}

func licenseTitle(key string) string {
	if t, ok := licenseTitles[key]; ok {
		return t
	}
	return key
}

// requiresText is "Microsoft Entra ID P1 + Microsoft Intune Plan 1" or "Free".
func requiresText(req []string) string {
	if len(req) == 0 {
		return "no license (Free)"
	}
	names := make([]string, len(req))
	for i, k := range req {
		names[i] = licenseTitle(k)
	}
	return strings.Join(names, " + ")
}
