package cli

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/testutil"
	"github.com/tenantgate/tenantgate/internal/textcol"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The text every README command prints fits an 80-column terminal (COLUMNS
// decides the width off a terminal too), and the command tables are kept as
// golden files at that width.
func TestTextFits80Columns(t *testing.T) {
	t.Setenv("COLUMNS", "80")
	for _, tc := range []struct {
		name   string
		args   []string
		golden string
	}{
		{"audit demo", []string{"audit", "--demo", "--format", "table"}, ""},
		{"controls", []string{"controls"}, "controls.txt"},
		{"controls long", []string{"controls", "--long"}, "controls-long.txt"},
		{"permissions", []string{"permissions"}, "permissions.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, errOut := run(t, tc.args...)
			if strings.TrimSpace(out) == "" {
				t.Fatalf("no output; stderr %s", errOut)
			}
			for _, l := range strings.Split(out+errOut, "\n") {
				if textcol.Width(l) > 80 {
					t.Errorf("%d columns: %q", textcol.Width(l), l)
				}
			}
			if tc.golden != "" {
				testutil.Golden(t, filepath.Join("testdata", tc.golden+".golden"), []byte(out), *update, "./internal/cli")
			}
		})
	}
}

func TestWidth(t *testing.T) {
	app := &App{IsTerminal: func(any) bool { return false }}
	t.Setenv("COLUMNS", "")
	if w := app.width(); w != 80 {
		t.Errorf("no terminal, no COLUMNS: %d, want 80", w)
	}
	t.Setenv("COLUMNS", "132")
	if w := app.width(); w != 132 {
		t.Errorf("COLUMNS=132: %d", w)
	}
	t.Setenv("COLUMNS", "12")
	if w := app.width(); w != textcol.MinWidth {
		t.Errorf("COLUMNS=12: %d, want the minimum %d", w, textcol.MinWidth)
	}
	t.Setenv("COLUMNS", "wide")
	if w := app.width(); w != 80 {
		t.Errorf("COLUMNS=wide: %d, want 80", w)
	}
}
