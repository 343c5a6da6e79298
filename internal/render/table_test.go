package render

import (
	"github.com/tenantgate/tenantgate/internal/testutil"

	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/textcol"
)

// Every line of the table, summary and warnings included, fits the width,
// and no finding is cut: at any width each finding's words all appear.
func TestTableFitsWidth(t *testing.T) {
	r := loadFixture(t, "contoso")
	for _, width := range []int{0, 40, 60, 80, 100, 160} {
		out := renderString(t, "table", r, Options{Width: width})
		limit := width
		if limit == 0 {
			limit = textcol.DefaultWidth
		}
		for _, line := range strings.Split(out, "\n") {
			if textcol.Width(line) > limit {
				t.Errorf("width %d: line is %d wide: %q", width, textcol.Width(line), line)
			}
		}
		if strings.Contains(out, "\x1b[") {
			t.Errorf("width %d: colour without Options.Color", width)
		}
		if strings.Contains(out, "…") {
			t.Errorf("width %d: something was truncated", width)
		}
		words := strings.Join(strings.Fields(out), " ")
		for _, res := range r.Results {
			for _, w := range strings.Fields(res.Finding) {
				if len(w) < limit-40 && !strings.Contains(words, w) {
					t.Errorf("width %d: %s: word %q of the finding is missing", width, res.ID, w)
				}
			}
		}
	}
}

func TestTableColour(t *testing.T) {
	r := loadFixture(t, "contoso")
	out := renderString(t, "table", r, Options{Color: true})
	for _, want := range []string{
		ansiRed + "fail" + ansiReset + "        ",
		ansiGreen + "pass" + ansiReset + "        ",
		ansiYellow + "not_assessed" + ansiReset,
		ansiDim + "waived" + ansiReset + "      ",
		ansiDim + "not_licensed" + ansiReset,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("coloured table lacks %q", want)
		}
	}
	// Colour must not change the layout: stripped, it equals the plain table
	// apart from the bold header lines.
	plain := renderString(t, "table", r, Options{})
	stripped := strings.NewReplacer(ansiRed, "", ansiGreen, "", ansiYellow, "", ansiDim, "", ansiBold, "", ansiReset, "").Replace(out)
	if stripped != plain {
		t.Errorf("coloured table differs from the plain one once colours are removed:\n%s", testutil.FirstDiff(plain, stripped))
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer finding", 10, "a longer…"},
		{"ünïcödé text here", 8, "ünïcödé…"},
		{"abc", 1, "…"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
