package cli

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOutputNeverThroughASymlink: --output refuses a symbolic link (its
// target untouched) and replaces an existing regular file, for audit, plan
// and a fleet summary.
func TestOutputNeverThroughASymlink(t *testing.T) {
	snap := demoSnapshotWith(t, "s.json", nil)
	bl := write(t, "b.yaml", demoBaseline)
	fleetDir := t.TempDir()
	for _, n := range []string{"a.json", "b.json"} {
		raw, _ := os.ReadFile(snap)
		if err := os.WriteFile(filepath.Join(fleetDir, n), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		args func(out string) []string
	}{
		{"audit", func(out string) []string {
			return []string{"audit", "--snapshot", snap, "--baseline", bl, "--format", "json", "--output", out}
		}},
		{"plan", func(out string) []string {
			return []string{"plan", "--snapshot", snap, "--baseline", bl, "--output", out}
		}},
		{"fleet summary", func(out string) []string {
			return []string{"audit", "--snapshot", fleetDir, "--baseline", bl, "--format", "json", "--output", out}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(dir, "victim")
			if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "out.json")
			if err := os.Symlink(victim, link); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := run(t, tc.args(link)...)
			if code != 4 || !strings.Contains(stderr, "symbolic link") {
				t.Errorf("through a link: exit %d, stderr %q", code, stderr)
			}
			if raw, _ := os.ReadFile(victim); string(raw) != "precious" {
				t.Errorf("the link's target was written: %.40q", raw)
			}
			regular := filepath.Join(dir, "regular.json")
			if err := os.WriteFile(regular, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, stderr := run(t, tc.args(regular)...); code == 4 || code == 2 {
				t.Fatalf("over a regular file: exit %d, %s", code, stderr)
			}
			if raw, _ := os.ReadFile(regular); !strings.HasPrefix(string(raw), "{") {
				t.Errorf("the regular file was not replaced: %.40q", raw)
			}
		})
	}
}

// TestFleetSummaryLinksTheRightReport: snapshots whose names sanitise alike
// ("x y", "x_y", "x_y-2") get one report each, and every link of an HTML
// summary written elsewhere opens the report of its own tenant.
func TestFleetSummaryLinksTheRightReport(t *testing.T) {
	fleetDir := t.TempDir()
	ids := map[string]string{"x y.json": "tenant-space", "x_y.json": "tenant-underscore", "x_y-2.json": "tenant-two"}
	for name, id := range ids {
		write := demoSnapshotWith(t, "tmp.json", func(doc map[string]any) { doc["tenant"].(map[string]any)["id"] = id })
		raw, _ := os.ReadFile(write)
		if err := os.WriteFile(filepath.Join(fleetDir, name), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	work := t.TempDir()
	reports := filepath.Join(work, "reports")
	summary := filepath.Join(work, "out", "fleet.html")
	if err := os.Mkdir(filepath.Dir(summary), 0o755); err != nil {
		t.Fatal(err)
	}
	bl := write(t, "b.yaml", demoBaseline)
	code, _, stderr := run(t, "audit", "--snapshot", fleetDir, "--baseline", bl, "--report-dir", reports, "--report-format", "json",
		"--format", "html", "--output", summary, "--fail-on", "never", "--allow-incomplete")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if entries, _ := os.ReadDir(reports); len(entries) != 3 {
		t.Fatalf("%d reports for 3 tenants", len(entries))
	}
	html, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	// Each row: the tenant id, then its report links.
	row := regexp.MustCompile(`<small>([^<]*)</small>.*?<a href="([^"]*)"`)
	matches := row.FindAllStringSubmatch(string(html), -1)
	if len(matches) != 3 {
		t.Fatalf("%d rows with a link, want 3", len(matches))
	}
	for _, m := range matches {
		u, err := url.Parse(m[2])
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(summary), filepath.FromSlash(u.Path)))
		if err != nil {
			t.Errorf("tenant %s: link %q does not open from the summary's directory: %v", m[1], m[2], err)
			continue
		}
		if !strings.Contains(string(raw), `"id": "`+m[1]+`"`) {
			t.Errorf("tenant %s links to another tenant's report (%s)", m[1], m[2])
		}
	}
}

// TestFleetToFilesSaysWhatWasNotAudited: with the summary written to a file
// only, a fleet run that could not audit a snapshot says on stderr which one
// and why (a CI log would otherwise show a bare exit code); with the summary
// on stdout, the summary says it.
func TestFleetToFilesSaysWhatWasNotAudited(t *testing.T) {
	fleetDir := t.TempDir()
	good, _ := os.ReadFile(demoSnapshotWith(t, "tmp.json", nil))
	if err := os.WriteFile(filepath.Join(fleetDir, "good.json"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fleetDir, "broken.json"), []byte(`{"schemaVersion": 1,`), 0o644); err != nil {
		t.Fatal(err)
	}
	bl := write(t, "b.yaml", demoBaseline)
	summary := filepath.Join(t.TempDir(), "fleet.md")
	code, stdout, stderr := run(t, "audit", "--snapshot", fleetDir, "--baseline", bl, "--format", "markdown", "--output", summary, "--fail-on", "never")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "1 of 2 snapshots could not be audited: ") || !strings.Contains(stderr, "broken.json: ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "audit", "--snapshot", fleetDir, "--baseline", bl, "--format", "markdown", "--fail-on", "never")
	if code != 2 || strings.Contains(stderr, "could not be audited") || !strings.Contains(stdout, "broken.json") {
		t.Errorf("summary on stdout: exit %d, stderr %q", code, stderr)
	}
}
