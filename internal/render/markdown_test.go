package render

import (
	"strings"
	"testing"
)

func TestMarkdownOrder(t *testing.T) {
	r := loadFixture(t, "contoso")
	out := renderString(t, "markdown", r, Options{})
	// Sections in order: failed, not assessed, waived, not licensed, passing (folded).
	order := []string{"### ❌ Failed controls (7)", "### ⚠️ Not assessed (2)", "### ⏸️ Waived (2)", "### 🔒 Not licensed (1)", "<details>", "Passing controls (6)", "</details>"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, s)
		if i < 0 {
			t.Fatalf("missing %q", s)
		}
		if i < last {
			t.Errorf("%q out of order", s)
		}
		last = i
	}
	// Failed controls by severity: every high before the medium before the low.
	ca9 := strings.Index(out, "#### TG.CA.9 · MEDIUM")
	for _, high := range []string{"#### TG.CA.1 ·", "#### TG.LOG.1 ·", "#### TG.APP.1 ·"} {
		if i := strings.Index(out, high); i < 0 || i > ca9 {
			t.Errorf("%s not before the medium failure", high)
		}
	}
	if strings.Index(out, "#### TG.APP.3 · LOW") < ca9 {
		t.Error("low failure before the medium one")
	}
	// The waiver is shown with reason, approver and expiry; & is kept, < escaped.
	for _, want := range []string{"| TG.CA.3 | high | Intune rollout finishes in Q2 | CISO | 2027-03-31 |", "SEC-1423 & budgeted", "30 &lt; 90", "run `tenantgate apply` to create"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if !strings.Contains(out, "**Score 41.0 / 100**") {
		t.Error("no score")
	}
}

func TestMarkdownNoFailures(t *testing.T) {
	out := renderString(t, "markdown", loadFixture(t, "fabrikam"), Options{})
	if !strings.Contains(out, "No failed controls") || strings.Contains(out, "Waived (") {
		t.Errorf("fabrikam summary:\n%s", out)
	}
}

func TestMDEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a_b *c* <x>":          `a\_b \*c\* &lt;x&gt;`,
		"use `break_glass:` x": "use `break_glass:` x",
		"odd ` tick":           "odd \\` tick",
		"pipe | in text":       `pipe \| in text`,
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
}
