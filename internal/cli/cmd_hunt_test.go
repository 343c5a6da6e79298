package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	huntdemo "github.com/tenantgate/tenantgate/internal/hunt/demo"
)

// cleanSet writes two days of ordinary work of one user from the office:
// Graph sign-in JSON Lines and UAL AuditData JSON Lines.
func cleanSet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	var si, ual strings.Builder
	t0 := time.Date(2023, 12, 10, 0, 0, 0, 0, time.UTC)
	for h := 0; h <= 48; h += 6 {
		at := t0.Add(time.Duration(h) * time.Hour)
		fmt.Fprintf(&si, `{"id":"r-%d","createdDateTime":%q,"userPrincipalName":"bob@contoso.com","appId":"4765445b-32c6-49b0-83e6-1d93765276ca","ipAddress":"203.0.113.10","clientAppUsed":"Browser","status":{"errorCode":0},"deviceDetail":{"deviceId":"d-1"},"location":{"countryOrRegion":"JP"}}`+"\n", h, at.Format(time.RFC3339))
		fmt.Fprintf(&ual, `{"CreationTime":%q,"Id":"u-%d","Operation":"MailItemsAccessed","RecordType":50,"UserType":0,"UserId":"bob@contoso.com","ClientIP":"203.0.113.10","Workload":"Exchange"}`+"\n", at.Add(time.Minute).Format("2006-01-02T15:04:05"), h)
	}
	for name, body := range map[string]string{"signins.jsonl": si.String(), "ual.jsonl": ual.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestHuntExitCodes(t *testing.T) {
	readData := func(name string) string { return filepath.Join("..", "hunt", "read", "testdata", name) }
	tests := []struct {
		name   string
		args   func(t *testing.T) []string
		code   int
		stdout string
		stderr string
	}{
		{"demo: compromised", func(*testing.T) []string { return []string{"hunt", "--demo", "--format", "json"} }, 1, `"verdict": "compromised"`, ""},
		{"demo: fail on compromised still fails", func(*testing.T) []string {
			return []string{"hunt", "--demo", "--format", "json", "--fail-on", "compromised"}
		}, 1, "", ""},
		{"demo: focus on a clean user", func(*testing.T) []string {
			return []string{"hunt", "--demo", "--format", "json", "--user", "Yumin@Sunnyside08.onmicrosoft.com"}
		}, 0, `"compromised": 0`, ""},
		{"clean", func(t *testing.T) []string {
			return []string{"hunt", cleanSet(t), "--trusted", "203.0.113.0/24", "-f", "json"}
		}, 0, `"clean": 1`, ""},
		{"sign-ins only: unknown", func(t *testing.T) []string {
			return []string{"hunt", filepath.Join(cleanSet(t), "signins.jsonl"), "--trusted", "203.0.113.0/24", "-f", "json"}
		}, 3, `"unknown": 1`, ""},
		{"suspicious counts only by default", func(t *testing.T) []string {
			return []string{"hunt", readData("signins_graph_pages.json"), "--ioc-ip", "2a0b:f4c2:1::/48", "-f", "json", "--fail-on", "compromised"}
		}, 3, `"suspicious": 1`, ""},
		// Without the unified audit log, 298 users are unknown (exit 3 on
		// its own), but the directory audit log still shows Johanna's
		// attacker registering security info and an app: 1 wins over 3.
		{"compromised beside unknown users: 1 wins over 3", func(t *testing.T) []string {
			return append(append([]string{"hunt"}, demoWithout(t, "UAL_")...), "--trusted", "203.0.113.0/24", "-f", "json", "--fail-on", "compromised")
		}, 1, `"unknown": 298`, ""},
		{"bad rows: file and line", func(*testing.T) []string { return []string{"hunt", readData("ual_badrows.csv")} }, 2, "", "ual_badrows.csv:"},
		// The readable rows hold the talk's ".." rule: high, unattributed
		// (no sign-in logs): suspicious.
		{"bad rows allowed", func(*testing.T) []string {
			return []string{"hunt", readData("ual_badrows.csv"), "--allow-bad-rows", "-f", "json"}
		}, 1, `"reason": "AuditData is not valid JSON`, ""},
		{"unknown file", func(t *testing.T) []string { return []string{"hunt", write(t, "notes.csv", "a,b\n1,2\n")} }, 2, "", "notes.csv: not a log this tool reads"},
		{"unknown file skipped", func(t *testing.T) []string {
			return []string{"hunt", write(t, "notes.csv", "a,b\n1,2\n"), "--skip-unknown", "-f", "json"}
		}, 3, `"reason": "not recognised`, ""},
		{"missing file", func(*testing.T) []string { return []string{"hunt", "/nonexistent/x.csv"} }, 2, "", "x.csv"},
		{"no input", func(*testing.T) []string { return []string{"hunt"} }, 2, "", "give PATH"},
		{"demo and paths", func(*testing.T) []string { return []string{"hunt", "--demo", "x"} }, 2, "", "give no PATH"},
		{"bad fail-on", func(*testing.T) []string { return []string{"hunt", "--demo", "--fail-on", "high"} }, 2, "", "--fail-on"},
		{"bad format", func(*testing.T) []string { return []string{"hunt", "--demo", "--format", "sarif"} }, 2, "", "unknown --format"},
		{"bad since", func(*testing.T) []string { return []string{"hunt", "--demo", "--since", "yesterday"} }, 2, "", "--since"},
		{"bad trusted", func(*testing.T) []string { return []string{"hunt", "--demo", "--trusted", "office"} }, 2, "", "--trusted"},
		{"bad baseline hunt key", func(t *testing.T) []string {
			return []string{"hunt", "--demo", "--baseline", write(t, "b.yaml", "name: x\nhunt:\n  replay_window: soon\n")}
		}, 2, "", "b.yaml:3"},
		{"bad IOC line", func(t *testing.T) []string {
			return []string{"hunt", "--demo", "--ioc", write(t, "ioc.txt", "# attacker\n198.51.100.162\nip: nowhere\n")}
		}, 2, "", "ioc.txt:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, tt.args(t)...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errs, tt.stderr) {
				if len(out) > 2000 {
					out = out[:2000]
				}
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tt.code, out, errs)
			}
		})
	}
}

// TestHuntJSONContract: the JSON holds hunt.md's fields, all four coverage
// kinds, RFC 3339 UTC times and null for what is unknown.
func TestHuntJSONContract(t *testing.T) {
	code, out, errs := run(t, "hunt", "--demo", "--format", "json", "--now", "2024-01-01T00:00:00Z")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schemaVersion", "tool", "generatedAt", "window", "inputs", "coverage", "users", "summary"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("no %s", k)
		}
	}
	if doc["generatedAt"] != "2024-01-01T00:00:00Z" {
		t.Errorf("generatedAt %v", doc["generatedAt"])
	}
	cov := doc["coverage"].(map[string]any)
	for _, k := range []string{"signIns", "directoryAudits", "unifiedAuditLog", "inboxRules"} {
		c, ok := cov[k].(map[string]any)
		if !ok {
			t.Fatalf("coverage.%s missing", k)
		}
		for _, f := range []string{"files", "records", "duplicates", "badRows", "from", "to"} {
			if _, ok := c[f]; !ok {
				t.Errorf("coverage.%s.%s missing", k, f)
			}
		}
	}
	if ir := cov["inboxRules"].(map[string]any); ir["from"] != nil || ir["records"].(float64) != 0 || len(ir["files"].([]any)) != 0 {
		t.Errorf("absent inbox rules: %v", ir)
	}
	u := doc["users"].([]any)[0].(map[string]any)
	for _, k := range []string{"upn", "verdict", "initialIntrusion", "indicators", "findings", "timeline", "artifacts", "responseSeen", "remainingActions"} {
		if _, ok := u[k]; !ok {
			t.Errorf("users[0].%s missing", k)
		}
	}
	f := u["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "severity", "title", "time", "summary", "attributed", "evidence"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding.%s missing", k)
		}
	}
	ev := f["evidence"].([]any)[0].(map[string]any)
	if _, ok := ev["line"].(float64); !ok || ev["file"] == "" || ev["recordId"] == nil {
		t.Errorf("evidence %v", ev)
	}
	if _, err := time.Parse(time.RFC3339Nano, u["initialIntrusion"].(string)); err != nil || !strings.HasSuffix(u["initialIntrusion"].(string), "Z") {
		t.Errorf("initialIntrusion %v", u["initialIntrusion"])
	}
	if ra := u["remainingActions"].([]any); len(ra) == 0 {
		t.Error("no remaining actions")
	} else if _, ok := ra[0].(string); !ok {
		t.Errorf("remaining actions are sentences: %v", ra[0])
	}
	ind := u["indicators"].([]any)
	hasNullCountry := false
	for _, x := range ind {
		m := x.(map[string]any)
		if m["kind"] == "session" && m["country"] == nil {
			hasNullCountry = true
		}
	}
	if !hasNullCountry {
		t.Errorf("a session's country is unknown: null; %v", ind)
	}
}

// TestHuntOutputFile: reports are written new with mode 0600, never through
// a symbolic link.
func TestHuntOutputFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "hunt.json")
	if code, _, errs := run(t, "hunt", "--demo", "--format", "json", "--output", p, "--format", "table", "--output", filepath.Join(dir, "hunt.txt")); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%v %v", st, err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(filepath.Join(dir, "target.json"), link); err != nil {
		t.Skip(err)
	}
	if code, _, _ := run(t, "hunt", "--demo", "--format", "json", "--output", link); code != 4 && code != 2 {
		t.Errorf("writing through a symbolic link: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "target.json")); err == nil {
		t.Error("wrote through the link")
	}
}

func TestDetections(t *testing.T) {
	code, out, errs := run(t, "detections")
	if code != 0 || !strings.Contains(out, "TG.HUNT.15") || !strings.Contains(out, "T1557") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	code, out, _ = run(t, "detections", "--format", "json")
	var cat []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &cat) != nil || len(cat) != 15 || cat[0]["id"] != "TG.HUNT.1" || cat[0]["response"] == "" {
		t.Errorf("json catalog: %d %s", code, out[:min(len(out), 300)])
	}
	if code, out, _ := run(t, "detections", "--long"); code != 0 || !strings.Contains(out, "seed:") || !strings.Contains(out, "policies/hunt/detections/tg_hunt_8.rego") {
		t.Errorf("--long: %s", out[:min(len(out), 300)])
	}
}

// A --user no record names (another domain, a typo) is no all-clear: the
// run warns and exits 3, whatever else it found; a UPN the logs hold, in
// any case, is investigated as usual.
func TestHuntUserNotInTheLogs(t *testing.T) {
	for _, tc := range []struct {
		users []string
		code  int
		warn  bool
	}{
		{[]string{"johanna@contoso.com"}, 3, true},
		{[]string{"Johanna@Sunnyside08.onmicrosoft.com"}, 1, false},
		{[]string{"johanna@sunnyside08.onmicrosoft.com", "nobody@sunnyside08.onmicrosoft.com"}, 1, true},
	} {
		args := []string{"hunt", "--demo", "--format", "json"}
		for _, u := range tc.users {
			args = append(args, "--user", u)
		}
		code, out, errOut := run(t, args...)
		flat := strings.Join(strings.Fields(errOut), " ")
		if code != tc.code || strings.Contains(flat, "no record in these logs names this user") != tc.warn || !json.Valid([]byte(out)) {
			t.Errorf("%v: exit %d (want %d), stderr %q", tc.users, code, tc.code, errOut)
		}
	}
}

// demoWithout extracts the demo set and returns its files but those whose
// name starts with drop.
func demoWithout(t *testing.T, drop string) []string {
	t.Helper()
	paths, err := huntdemo.Extract(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range paths {
		if !strings.HasPrefix(filepath.Base(p), drop) {
			out = append(out, p)
		}
	}
	if len(out) != len(paths)-1 {
		t.Fatalf("%s names %d files of %v", drop, len(paths)-len(out), paths)
	}
	return out
}
