package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nested returns a JSON value nested depth levels deep: [[[...]]].
func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// TestInputLimits: every input file is read bounded, and an input the policy
// engine could not take is an input error: exit 2, naming the file (and the
// line where there is one), on one short line. /dev/zero stands for a file
// that never ends; before, it grew memory without limit (8 GB in 27 s), a
// snapshot nested deeper than the engine's JSON parser allows passed the
// loader and failed evaluation (exit 4, a 14 KB message), and a baseline
// number .nan or .inf failed as "unsupported value" (exit 4).
func TestInputLimits(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	bl := write(t, "b.yaml", demoBaseline)
	deep := demoSnapshotWith(t, "deep.json", func(doc map[string]any) {
		doc["data"].(map[string]any)["organization"].(map[string]any)["deep"] = "PLACEHOLDER"
	})
	raw, _ := os.ReadFile(deep)
	if err := os.WriteFile(deep, []byte(strings.Replace(string(raw), `"PLACEHOLDER"`, nested(400), 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	nan := write(t, "nan.yaml", "name: x\nparameters:\n  max_sign_in_frequency_hours: .nan\n")
	inf := write(t, "inf.yaml", "name: x\nparameters:\n  max_sign_in_frequency_hours: .inf\n")
	tplDir := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(tplDir, "endless.json")); err != nil {
		t.Fatal(err)
	}
	fleetDir := t.TempDir()
	ok, _ := os.ReadFile(demoSnapshotWith(t, "ok.json", nil))
	if err := os.WriteFile(filepath.Join(fleetDir, "a.json"), ok, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(fleetDir, "b.json")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // in the one line of stderr
	}{
		{"endless snapshot", []string{"audit", "--snapshot", "/dev/zero"}, "/dev/zero: snapshot is larger than 64 MiB"},
		{"endless baseline", []string{"audit", "--demo", "--baseline", "/dev/zero"}, "/dev/zero: baseline is larger than 4 MiB"},
		{"endless plan", []string{"apply", "--tenant", "t", "--baseline", bl, "--plan", "/dev/zero"}, "/dev/zero: plan is larger than 4 MiB"},
		{"endless template", []string{"plan", "--demo", "--templates", tplDir}, "endless.json: template is larger than 1 MiB"},
		{"endless tenants file", []string{"collect", "--tenants", "/dev/zero", "--output-dir", t.TempDir()}, "/dev/zero: the tenants file is larger than 4 MiB"},
		{"endless diff input", []string{"diff", "/dev/zero", deep}, "/dev/zero: snapshot or audit result is larger than 64 MiB"},
		{"endless snapshot in a fleet", []string{"audit", "--snapshot", fleetDir, "--baseline", bl, "--format", "json"}, ""},
		{"snapshot nested too deep", []string{"audit", "--snapshot", deep, "--baseline", bl}, "deep.json:1:"},
		{"too deep in a diff", []string{"diff", deep, deep}, "deep.json:1:"},
		{"baseline NaN", []string{"audit", "--demo", "--baseline", nan}, "nan.yaml:3: parameters.max_sign_in_frequency_hours must be a positive number of hours, not NaN"},
		{"baseline infinity", []string{"audit", "--demo", "--baseline", inf}, "inf.yaml:3:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(t, tc.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %.300q", code, stderr)
			}
			if tc.want == "" { // fleet: the tenant's row says it
				if !strings.Contains(stdout, "snapshot is larger than 64 MiB") {
					t.Errorf("fleet summary does not name the limit: %.500s", stdout)
				}
				return
			}
			if lines := strings.Count(strings.TrimSpace(stderr), "\n"); lines > 0 || len(stderr) > 400 {
				t.Errorf("want one short line, got %d bytes: %q", len(stderr), stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q, want %q", stderr, tc.want)
			}
		})
	}
}
