package cli

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

// hostileSnapshot is the demo tenant with testutil.Hostile as the tenant's
// display name and in every Conditional Access policy's name, and a denied
// source whose server message is hostile too.
func hostileSnapshot(doc map[string]any) {
	doc["tenant"].(map[string]any)["displayName"] = testutil.Hostile
	data := doc["data"].(map[string]any)
	for _, p := range data["conditionalAccessPolicies"].([]any) {
		pol := p.(map[string]any)
		pol["displayName"] = testutil.Hostile + " " + pol["displayName"].(string)
	}
	delete(data, "deviceEnrollmentConfigurations")
	doc["sources"].(map[string]any)["deviceEnrollmentConfigurations"] = map[string]any{"status": "error", "httpStatus": 500, "code": "x", "error": testutil.Hostile}
}

// TestHostileTextCLI: tenant and policy names and a server's messages reach
// no text output raw: audit (table, Markdown, JSON, warnings), plan, diff
// (text, JSON), a fleet audit's table, Markdown and JSON, explain's JSON,
// collect's warnings and an error on stderr.
func TestHostileTextCLI(t *testing.T) {
	bl := write(t, "b.yaml", demoBaseline)
	snap := demoSnapshotWith(t, "hostile.json", hostileSnapshot)
	plain := demoSnapshotWith(t, "plain.json", nil)
	fleetDir := filepath.Dir(snap)
	snapDoc, err := snapshot.Load(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		live     Live
		args     []string
		markdown bool
	}{
		{"audit table", nil, []string{"audit", "--snapshot", snap, "--baseline", bl, "--format", "table"}, false},
		{"audit markdown", nil, []string{"audit", "--snapshot", snap, "--baseline", bl, "--format", "markdown"}, true},
		{"plan text", nil, []string{"plan", "--snapshot", snap, "--baseline", bl}, false},
		{"diff text", nil, []string{"diff", "--baseline", bl, plain, snap}, false},
		{"fleet table", nil, []string{"audit", "--snapshot", fleetDir, "--baseline", bl, "--format", "table"}, false},
		{"fleet markdown", nil, []string{"audit", "--snapshot", fleetDir, "--baseline", bl, "--format", "markdown"}, true},
		// JSON keeps the data exact, with what would act on a terminal as
		// \u escapes (JSON is printed to terminals and pagers too).
		{"audit json", nil, []string{"audit", "--snapshot", snap, "--baseline", bl, "--format", "json"}, false},
		{"diff json", nil, []string{"diff", "--baseline", bl, "--format", "json", plain, snap}, false},
		{"fleet json", nil, []string{"audit", "--snapshot", fleetDir, "--baseline", bl, "--format", "json"}, false},
		{"explain json", nil, []string{"explain", "TG.CA.1", "--snapshot", snap, "--baseline", bl, "--format", "json"}, false},
		{"collect warnings", &fakeLive{snap: snapDoc}, []string{"collect", "--tenant", "sunnyside08.onmicrosoft.com", "--baseline", bl}, false}, // the demo organization's domain: another would be refused
		{"collect error", &fakeLive{err: errors.New("Graph said: " + testutil.Hostile)}, []string{"collect", "--tenant", "t", "--baseline", bl}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runLive(t, tc.live, tc.args...)
			if code == 2 {
				t.Fatalf("exit 2: %s", stderr)
			}
			if u := testutil.UnsafeText(stderr); u != "" {
				t.Errorf("stderr: raw %s", u)
			}
			if tc.name == "collect warnings" {
				if !strings.Contains(stderr, `Evil\x1b[2J`) {
					t.Errorf("stderr does not show the escapes neutralised: %q", stderr)
				}
				return // stdout is the snapshot (JSON, exact)
			}
			if u := testutil.UnsafeText(stdout); u != "" {
				t.Errorf("stdout: raw %s", u)
			}
			if tc.markdown {
				if h := testutil.InjectedHeading(stdout); h != "" {
					t.Errorf("injected Markdown heading %q", h)
				}
			}
			for _, line := range strings.Split(stdout+stderr, "\n") {
				if strings.HasPrefix(line, "## Injected") || strings.HasPrefix(line, "| x | y |") {
					t.Errorf("a name's newline started a line: %q", line)
				}
			}
		})
	}
}
