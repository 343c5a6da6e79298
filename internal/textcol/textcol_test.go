package textcol

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	guid := "4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01"
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"", 10, []string{""}},
		{"two  words\nhere", 80, []string{"two words here"}},
		{"aaa bbb ccc ddd", 7, []string{"aaa bbb", "ccc ddd"}},
		// An id is never cut at its hyphens while it fits a line.
		{"excludes user " + guid + " now", 40, []string{"excludes user", guid + " now"}},
		// A word wider than the line is cut hard.
		{"x " + guid, 20, []string{"x", "4f6a2a0e-8b1c-4a52-9", "d3e-0b7c1e5a9f01"}},
		// Wide characters count two cells.
		{"日本語 日本語", 7, []string{"日本語", "日本語"}},
	} {
		got := Wrap(tc.in, tc.width)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
		for _, l := range got {
			if Width(l) > tc.width {
				t.Errorf("Wrap(%q, %d): line %q is %d wide", tc.in, tc.width, l, Width(l))
			}
		}
	}
}

func TestIndent(t *testing.T) {
	got := Indent("one two three four five six", 14, 2)
	if got != "one two\n  three four\n  five six" {
		t.Errorf("Indent = %q", got)
	}
}

func TestTableFits(t *testing.T) {
	tab := Table{
		Columns: []Column{{Header: "ID"}, {Header: "TITLE", Min: 10}, {Header: "NOTE", Min: 10}},
		Rows: [][]string{
			{"TG.CA.1", "Token protection (sign-in session bound to the device) is enforced", "a long note that must wrap somewhere"},
			{"TG.APP.10", "short", ""},
		},
	}
	for _, width := range []int{40, 60, 80, 200} {
		var b strings.Builder
		if err := tab.Write(&b, width); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if Width(l) > width {
				t.Errorf("width %d: %q is %d wide", width, l, Width(l))
			}
		}
		for _, w := range strings.Fields("Token protection (sign-in session bound to the device) is enforced a long note that must wrap somewhere TG.APP.10") {
			if !strings.Contains(out, w) {
				t.Errorf("width %d: %q lost:\n%s", width, w, out)
			}
		}
	}
	// Wide enough, the natural widths are kept and nothing wraps.
	ws := tab.Widths(200)
	if ws[0] != 9 || ws[1] != len("Token protection (sign-in session bound to the device) is enforced") {
		t.Errorf("natural widths %v", ws)
	}
}

func TestWrapInsideWords(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		// Japanese breaks between characters, never before 、 or 。.
		{"johanna@contoso.com 氏の権限で、下記アプリケーションが追加されました。", 40, []string{
			"johanna@contoso.com 氏の権限で、下記アプ",
			"リケーションが追加されました。",
		}},
		{"あいうえお、かきくけこ", 10, []string{"あいうえ", "お、かきく", "けこ"}},
		// An identifier wider than the line breaks after its dots.
		{"(authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps = true)", 40, []string{
			"(authorizationPolicy.",
			"defaultUserRolePermissions.",
			"allowedToCreateApps = true)",
		}},
		// A path after its slashes, starting on the line it follows.
		{"Graph: PATCH /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2", 51, []string{
			"Graph: PATCH /policies/authenticationMethodsPolicy/",
			"authenticationMethodConfigurations/Fido2",
		}},
	} {
		got := Wrap(tc.in, tc.width)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Wrap(%q, %d) =\n%q, want\n%q", tc.in, tc.width, got, tc.want)
		}
		for _, l := range got {
			if Width(l) > tc.width {
				t.Errorf("Wrap(%q, %d): line %q is %d wide", tc.in, tc.width, l, Width(l))
			}
		}
		if strings.ReplaceAll(strings.Join(got, ""), " ", "") != strings.ReplaceAll(tc.in, " ", "") {
			t.Errorf("Wrap(%q) lost text: %q", tc.in, got)
		}
	}
	// A URL is never broken, even wider than the line.
	url := "https://entra.microsoft.com/#view/Microsoft_AAD_ConditionalAccess/PolicyBlade/policyId/4d729cdf-296d-4f03-a5e3-d9115cbe32dc"
	got := Wrap("open "+url+" now", 40)
	if strings.Join(got, "|") != "open|"+url+"|now" {
		t.Errorf("URL: %q", got)
	}
}
