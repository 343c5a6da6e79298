package render

import (
	"github.com/tenantgate/tenantgate/internal/testutil"

	"strings"
	"testing"
	"unicode/utf8"
)

func TestTableFitsWidth(t *testing.T) {
	r := loadFixture(t, "contoso")
	for _, width := range []int{0, 60, 100, 160} {
		out := renderString(t, "table", r, Options{Width: width})
		limit := width
		if limit == 0 {
			limit = 100
		}
		inTable := false
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "ID ") {
				inTable = true
			}
			if inTable && line == "" {
				break
			}
			if inTable && utf8.RuneCountInString(line) > max(limit, 56) {
				t.Errorf("width %d: row is %d wide: %q", width, utf8.RuneCountInString(line), line)
			}
		}
		if strings.Contains(out, "\x1b[") {
			t.Errorf("width %d: colour without Options.Color", width)
		}
	}
	// Wide enough: nothing is cut.
	wide := renderString(t, "table", r, Options{Width: 1000})
	if strings.Contains(wide, "…") {
		t.Error("findings truncated at width 1000")
	}
}

func TestTableColour(t *testing.T) {
	r := loadFixture(t, "contoso")
	out := renderString(t, "table", r, Options{Color: true})
	for _, want := range []string{
		ansiRed + "fail        " + ansiReset,
		ansiGreen + "pass        " + ansiReset,
		ansiYellow + "not_assessed" + ansiReset,
		ansiDim + "waived      " + ansiReset,
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
