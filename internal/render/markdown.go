package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("markdown", writeMarkdown) }

// Markdown for a GitHub job summary ($GITHUB_STEP_SUMMARY) or a PR comment:
// what needs action comes first (failed, by severity), what is fine is folded
// away in <details>. GitHub-flavoured: tables, <details>, no raw HTML beyond it.

var statusIcon = map[string]string{
	report.Fail:        "❌",
	report.NotAssessed: "⚠️",
	report.Waived:      "⏸️",
	report.NotLicensed: "🔒",
	report.Pass:        "✅",
}

var statusTitle = map[string]string{
	report.Fail:        "Failed",
	report.NotAssessed: "Not assessed",
	report.Waived:      "Waived",
	report.NotLicensed: "Not licensed",
	report.Pass:        "Passing",
}

func writeMarkdown(w io.Writer, r *report.Report, _ Options) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "## tenantgate: %s\n\n", mdEscape(r.TenantLabel()))
	fmt.Fprintf(&b, "**Score %s / 100** · %s · baseline %s · collected %s", formatScore(s.Score), s.CoverageText(), mdCode(baselineText(r)), reportTime(r))
	if r.Tool.Version != "" {
		fmt.Fprintf(&b, " · tenantgate %s", mdEscape(r.Tool.Version))
	}
	b.WriteString("\n\n")

	counts := map[string]int{report.Fail: s.Fail, report.NotAssessed: s.NotAssessed, report.Waived: s.Waived, report.NotLicensed: s.NotLicensed, report.Pass: s.Pass}
	var head, sep, row []string
	for _, st := range report.Statuses {
		head = append(head, statusIcon[st]+" "+statusTitle[st])
		sep = append(sep, ":---:")
		row = append(row, fmt.Sprint(counts[st]))
	}
	fmt.Fprintf(&b, "| %s |\n| %s |\n| %s |\n\n", strings.Join(head, " | "), strings.Join(sep, " | "), strings.Join(row, " | "))

	if len(r.Warnings) > 0 {
		b.WriteString("> [!WARNING]\n")
		for _, warn := range r.Warnings {
			fmt.Fprintf(&b, "> - %s\n", mdEscape(warn))
		}
		b.WriteString("\n")
	}

	failed := bySeverity(r, report.Fail)
	if len(failed) == 0 {
		b.WriteString("### ✅ No failed controls\n\n")
	} else {
		fmt.Fprintf(&b, "### %s Failed controls (%d)\n\n", statusIcon[report.Fail], len(failed))
		for _, res := range failed {
			fmt.Fprintf(&b, "#### %s · %s · %s\n\n", res.ID, strings.ToUpper(res.Severity), mdEscape(res.Title))
			fmt.Fprintf(&b, "**Finding:** %s\n\n", mdEscape(res.Finding))
			if len(res.Evidence) > 0 {
				fmt.Fprintf(&b, "**Evidence:** %s\n\n", mdEvidence(res))
			}
			if res.Remediation != "" {
				fmt.Fprintf(&b, "**Remediation:** %s\n\n", mdEscape(res.Remediation))
			}
			for _, n := range res.Notes {
				fmt.Fprintf(&b, "> **Note:** %s\n\n", mdEscape(n))
			}
		}
	}

	if na := bySeverity(r, report.NotAssessed); len(na) > 0 {
		fmt.Fprintf(&b, "### %s Not assessed (%d)\n\n", statusIcon[report.NotAssessed], len(na))
		b.WriteString("| Control | Severity | Why | What to do |\n|---|---|---|---|\n")
		for _, res := range na {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", res.ID, res.Severity, mdCell(res.Finding), mdCell(nonBlank(res.MissingText(), "see Why")))
		}
		b.WriteString("\n")
	}

	if wv := bySeverity(r, report.Waived); len(wv) > 0 {
		fmt.Fprintf(&b, "### %s Waived (%d)\n\n", statusIcon[report.Waived], len(wv))
		b.WriteString("| Control | Severity | Reason | Approved by | Expires | Finding |\n|---|---|---|---|---|---|\n")
		for _, res := range wv {
			var reason, by, exp string
			if res.Waiver != nil {
				reason, by, exp = res.Waiver.Reason, res.Waiver.ApprovedBy, res.Waiver.Expires
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", res.ID, res.Severity, mdCell(reason), mdCell(by), mdCell(exp), mdCell(res.Finding))
		}
		b.WriteString("\n")
	}

	if nl := bySeverity(r, report.NotLicensed); len(nl) > 0 {
		fmt.Fprintf(&b, "### %s Not licensed (%d)\n\n", statusIcon[report.NotLicensed], len(nl))
		b.WriteString("| Control | Severity | Needs | Title |\n|---|---|---|---|\n")
		for _, res := range nl {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", res.ID, res.Severity, mdCell(requiresText(res.Requires)), mdCell(res.Title))
		}
		b.WriteString("\n")
	}

	if ps := r.WithStatus(report.Pass); len(ps) > 0 {
		fmt.Fprintf(&b, "<details>\n<summary>%s Passing controls (%d)</summary>\n\n", statusIcon[report.Pass], len(ps))
		b.WriteString("| Control | Severity | Finding |\n|---|---|---|\n")
		for _, res := range ps {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", res.ID, res.Severity, mdCell(res.Finding))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape and mdCode are textsafe's Markdown functions (one line, control
// characters neutralised, markup escaped): every text from the report or a
// fleet row reaches the Markdown through them.
var mdEscape, mdCode = textsafe.Markdown, textsafe.MarkdownCode

// mdCell is one table cell: one line, escaped, "—" when empty.
func mdCell(s string) string {
	if s = mdEscape(s); s == "" {
		return "—"
	}
	return s
}

func mdCodeList(items []string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = mdCode(it)
	}
	return strings.Join(out, ", ")
}

// mdEvidence lists evidence ids as code, each followed by its name when
// the result names it.
func mdEvidence(res report.Result) string {
	out := make([]string, len(res.Evidence))
	for i, id := range res.Evidence {
		out[i] = mdCodeList([]string{id})
		if t := res.EvidenceText(id); t != id {
			out[i] += " " + mdEscape(strings.TrimPrefix(t, id+" "))
		}
	}
	return strings.Join(out, ", ")
}
