package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/testutil"
	"github.com/tenantgate/tenantgate/internal/textcol"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The text every README command prints fits an 80-column terminal (COLUMNS
// decides the width off a terminal too), and the command tables are kept as
// golden files at that width. Only a URL may run past the width: a terminal
// opens it whole. The JSON bodies plan shows are data, printed as Graph gets
// them (a display name is one string), so they are left out of the check.
func TestTextFits80Columns(t *testing.T) {
	t.Setenv("COLUMNS", "80")
	cases := []struct {
		name   string
		args   []string
		golden string
	}{
		{"root", []string{}, "root-help.txt"}, // not nil: cobra would read os.Args
		{"audit demo", []string{"audit", "--demo", "--format", "table"}, ""},
		{"controls", []string{"controls"}, "controls.txt"},
		{"controls long", []string{"controls", "--long"}, "controls-long.txt"},
		{"permissions", []string{"permissions"}, "permissions.txt"},
		{"detections", []string{"detections"}, "detections.txt"},
		{"detections long", []string{"detections", "--long"}, "detections-long.txt"},
		{"plan demo", []string{"plan", "--demo"}, "plan-demo.txt"},
		{"explain", []string{"explain", "TG.CA.8", "--demo"}, ""},
		{"explain not assessed", []string{"explain", "TG.CA.8", "--snapshot", demoWith(t, "conditionalAccessPolicies")}, ""},
		{"init", []string{"init", "--demo", "-o", filepath.Join(t.TempDir(), "b.yaml")}, ""},
		{"hunt demo", []string{"hunt", "--demo", "--format", "table"}, ""},
		{"hunt demo ja", []string{"hunt", "--demo", "--format", "table", "--lang", "ja", "--tz", "Asia/Tokyo"}, ""},
		{"detections unknown format", []string{"detections", "--format", "yaml"}, ""},
		{"version", []string{"version"}, ""},
	}
	for _, c := range NewRoot(&App{}).Commands() {
		cases = append(cases, struct {
			name   string
			args   []string
			golden string
		}{c.Name() + " help", []string{c.Name(), "--help"}, ""})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, out, errOut := run(t, tc.args...)
			if strings.TrimSpace(out+errOut) == "" {
				t.Fatal("no output")
			}
			body := false
			for _, l := range strings.Split(out+errOut, "\n") {
				switch trimmed := strings.TrimSpace(l); {
				case trimmed == "POST /v1.0/identity/conditionalAccess/policies":
					body = true
				case body && strings.HasPrefix(l, "      "):
					continue
				default:
					body = false
				}
				if textcol.Width(l) > 80 && !strings.Contains(l, "://") {
					t.Errorf("%d columns: %q", textcol.Width(l), l)
				}
			}
			if tc.golden != "" {
				testutil.Golden(t, filepath.Join("testdata", tc.golden+".golden"), []byte(out), *update, "./internal/cli")
			}
		})
	}
}

// The command plan prints for apply runs as printed: a flag stays with its
// value, lines continue with a backslash before the width, and what a shell
// would split or expand is quoted.
func TestShellCommand(t *testing.T) {
	cases := []struct {
		args  []string
		width int
		want  string
	}{
		{[]string{"tenantgate", "apply", "--plan", "p.json"}, 80, "  tenantgate apply --plan p.json"},
		{[]string{"tenantgate", "apply", "--graph-endpoint", "http://127.0.0.1:8080", "--plan", "plan.json", "--baseline", "mine.yaml"}, 60,
			"  tenantgate apply --graph-endpoint http://127.0.0.1:8080 \\\n    --plan plan.json --baseline mine.yaml"},
		{[]string{"tenantgate", "apply", "--plan", "my plans/p.json", "--baseline", "it's.yaml", "--tenant", "$HOME"}, 80,
			"  tenantgate apply --plan 'my plans/p.json' --baseline 'it'\\''s.yaml' \\\n    --tenant '$HOME'"},
	}
	for _, c := range cases {
		if got := shellCommand(c.args, c.width); got != c.want {
			t.Errorf("shellCommand(%q, %d):\n%s\nwant\n%s", c.args, c.width, got, c.want)
		}
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

// init writes a baseline for review: golden for the demo tenant, loads with
// the strict loader, never overwrites without --force.
func TestInit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "baseline.yaml")
	code, _, errOut := run(t, "init", "--demo", "-o", path)
	if code != 0 || !strings.Contains(strings.Join(strings.Fields(errOut), " "), "1 break-glass candidate, 1 admin excluded from some policies only") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Golden(t, filepath.Join("testdata", "init-demo.yaml.golden"), raw, *update, "./internal/cli")
	if _, err := baseline.Load(path); err != nil {
		t.Fatalf("the written baseline does not load: %v", err)
	}
	// The file is there: refused without --force, replaced with it.
	if err := os.WriteFile(path, []byte("name: mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = run(t, "init", "--demo", "-o", path)
	if code != 2 || !strings.Contains(errOut, "already exists; init never overwrites a baseline without --force") {
		t.Errorf("without --force: exit %d %s", code, errOut)
	}
	if got, _ := os.ReadFile(path); string(got) != "name: mine\n" {
		t.Error("the existing baseline was changed")
	}
	if code, _, errOut = run(t, "init", "--demo", "-o", path, "--force"); code != 0 {
		t.Errorf("with --force: exit %d %s", code, errOut)
	}
	// The candidate, uncommented, makes a baseline audit takes.
	b, _ := os.ReadFile(path)
	chosen := strings.Replace(string(b), "  # - breakglass01@sunnyside08.onmicrosoft.com", "  - breakglass01@sunnyside08.onmicrosoft.com", 1)
	if err := os.WriteFile(path, []byte(chosen), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut = run(t, "audit", "--demo", "--baseline", path, "-f", "json"); code != 1 {
		t.Errorf("audit with the chosen baseline: exit %d %s", code, errOut)
	}
	code, _, errOut = run(t, "init")
	if code != 2 || !strings.Contains(errOut, "give --tenant ID (live), --snapshot FILE or --demo") {
		t.Errorf("init without a subject: exit %d %s", code, errOut)
	}
}
