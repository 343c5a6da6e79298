package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/tenantgate/tenantgate/internal/report"
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

const (
	defaultWidth    = 100
	minFindingWidth = 20
	colGap          = "  "
)

// writeTable prints one row per control and a summary. Columns are padded by
// hand rather than with text/tabwriter because tabwriter counts the bytes of
// ANSI escapes as width and would misalign coloured rows.
func writeTable(w io.Writer, r *report.Report, opts Options) error {
	width := opts.Width
	if width <= 0 {
		width = defaultWidth
	}
	paint := func(code, s string) string {
		if !opts.Color || code == "" {
			return s
		}
		return code + s + ansiReset
	}

	idW, sevW, stW := len("ID"), len("SEVERITY"), len("STATUS")
	for _, res := range r.Results {
		idW = max(idW, utf8.RuneCountInString(res.ID))
		sevW = max(sevW, utf8.RuneCountInString(res.Severity))
		stW = max(stW, utf8.RuneCountInString(res.Status))
	}
	findW := max(width-idW-sevW-stW-3*len(colGap), minFindingWidth)

	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", paint(ansiBold, "tenantgate audit of "+textsafe.Line(r.TenantLabel())))
	fmt.Fprintf(&b, "baseline %s · collected %s\n\n", baselineText(r), reportTime(r))
	header := pad("ID", idW) + colGap + pad("SEVERITY", sevW) + colGap + pad("STATUS", stW) + colGap + "FINDING"
	fmt.Fprintln(&b, paint(ansiBold, header))
	for _, res := range r.Results {
		fmt.Fprintf(&b, "%s%s%s%s%s%s%s\n",
			pad(res.ID, idW), colGap,
			pad(res.Severity, sevW), colGap,
			paint(statusColor[res.Status], pad(res.Status, stW)), colGap,
			truncate(textsafe.Line(tableFinding(res)), findW))
	}
	fmt.Fprintf(&b, "\n%s\n", summaryLine(r))
	for _, warn := range r.Warnings {
		fmt.Fprintf(&b, "%s %s\n", paint(ansiYellow, "warning:"), textsafe.Line(warn))
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
	return res.Finding
}

// summaryLine is "18 controls: 7 fail, 2 not_assessed, ... · score 41.0/100".
func summaryLine(r *report.Report) string {
	s := r.Summary
	counts := map[string]int{
		report.Fail: s.Fail, report.NotAssessed: s.NotAssessed, report.Waived: s.Waived,
		report.NotLicensed: s.NotLicensed, report.Pass: s.Pass,
	}
	parts := make([]string, 0, len(report.Statuses))
	for _, st := range report.Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
	}
	return fmt.Sprintf("%d controls: %s · score %s/100", len(r.Results), strings.Join(parts, ", "), formatScore(s.Score))
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

func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
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
