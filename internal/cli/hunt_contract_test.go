package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// huntSchema is hunt.md's JSON contract, field for field: each path (array
// elements as "[]", the four coverage kinds as "coverage.*") and the exact
// keys its objects hold. "rulesCreated[].parameters" is the rule's own
// parameters (any keys).
var huntSchema = map[string][]string{
	"":                                      {"schemaVersion", "tool", "generatedAt", "window", "inputs", "coverage", "users", "summary"},
	"tool":                                  {"name", "version"},
	"window":                                {"from", "to"},
	"inputs[]":                              {"file", "kind", "records", "duplicates", "badRows"},
	"coverage":                              {"signIns", "directoryAudits", "unifiedAuditLog", "inboxRules", "badRows", "skipped", "blindSpots"},
	"coverage.*":                            {"files", "records", "duplicates", "badRows", "from", "to"},
	"coverage.badRows[]":                    {"file", "line", "reason"},
	"coverage.skipped[]":                    {"file", "reason"},
	"coverage.blindSpots[]":                 {"kind", "message"},
	"users[]":                               {"upn", "verdict", "initialIntrusion", "indicators", "findings", "timeline", "artifacts", "responseSeen", "remainingActions"},
	"users[].indicators[]":                  {"kind", "value", "country", "asn", "firstSeen", "lastSeen"},
	"users[].findings[]":                    {"id", "severity", "title", "time", "summary", "attributed", "evidence"},
	"users[].responseSeen[]":                {"action", "by", "time"},
	"users[].findings[].evidence[]":         {"file", "line", "recordId"},
	"users[].timeline[]":                    {"time", "source", "operation", "ip", "userAgent", "session", "attacker", "detections"},
	"users[].artifacts":                     {"rulesCreated", "appsConsented", "methodsRegistered", "devicesRegistered", "mailSent", "mailDeleted", "mailRead", "filesAccessed"},
	"users[].artifacts.rulesCreated[]":      {"name", "parameters"},
	"users[].artifacts.appsConsented[]":     {"appId", "name", "scopes", "consentType"},
	"users[].artifacts.methodsRegistered[]": {"method", "time"},
	"users[].artifacts.devicesRegistered[]": {"name", "time"},
	"users[].artifacts.mailSent[]":          {"subject", "count"},
	"users[].artifacts.mailDeleted[]":       {"subject", "internetMessageId"},
	"users[].artifacts.mailRead[]":          {"internetMessageId", "folder"},
	"users[].artifacts.filesAccessed[]":     {"name", "site"},
	"summary":                               {"compromised", "suspicious", "unknown", "clean"},
}

// huntEnums: the values hunt.md allows at a path.
var huntEnums = map[string][]string{
	"inputs[].kind":               {"signIns", "directoryAudits", "unifiedAuditLog", "inboxRules"},
	"coverage.blindSpots[].kind":  {"signIns", "directoryAudits", "unifiedAuditLog", "inboxRules"},
	"users[].verdict":             {"compromised", "suspicious", "unknown", "clean"},
	"users[].indicators[].kind":   {"ip", "userAgent", "session", "token"},
	"users[].findings[].severity": {"high", "medium", "low"},
}

// huntTimes: paths holding a time: RFC 3339 UTC ("Z") or null.
var huntTimes = []string{"generatedAt", "window.from", "window.to", "coverage.*.from", "coverage.*.to",
	"users[].initialIntrusion", "users[].indicators[].firstSeen", "users[].indicators[].lastSeen",
	"users[].findings[].time", "users[].timeline[].time", "users[].artifacts.methodsRegistered[].time",
	"users[].artifacts.devicesRegistered[].time", "users[].responseSeen[].time"}

var rfc3339UTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

// checkHuntJSON walks a document and reports every object whose keys are not
// exactly the contract's, every value outside its enumeration, every time
// that is not RFC 3339 UTC, and counts which paths were seen.
func checkHuntJSON(t *testing.T, v any, path string, seen map[string]bool) {
	t.Helper()
	seen[path] = true
	switch x := v.(type) {
	case map[string]any:
		if path == "users[].artifacts.rulesCreated[].parameters" {
			return
		}
		want, ok := huntSchema[path]
		if !ok {
			t.Errorf("%s: an object where the contract has none", path)
			return
		}
		var got []string
		for k := range x {
			got = append(got, k)
		}
		slices.Sort(got)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s: keys %v, contract %v", path, got, w)
		}
		for k, c := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if path == "coverage" && slices.Contains(huntEnums["inputs[].kind"], k) {
				p = "coverage.*"
			}
			checkHuntJSON(t, c, p, seen)
		}
	case []any:
		for _, c := range x {
			checkHuntJSON(t, c, path+"[]", seen)
		}
	default:
		if vals, ok := huntEnums[path]; ok && !slices.Contains(vals, x.(string)) {
			t.Errorf("%s: %v is not one of %v", path, x, vals)
		}
		if slices.Contains(huntTimes, path) && x != nil {
			if s, ok := x.(string); !ok || !rfc3339UTC.MatchString(s) {
				t.Errorf("%s: %v is not an RFC 3339 UTC time", path, x)
			}
		}
	}
}

// TestHuntJSONKeysExactly: every object of the JSON result holds exactly the
// contract's fields (hunt.md "field names exactly so"), enumerations hold
// their values and times are RFC 3339 UTC or null, on the demo (every
// artifact kind) and on runs with bad rows, skipped files and blind spots;
// and --lang ja leaves the JSON English.
func TestHuntJSONKeysExactly(t *testing.T) {
	readData := func(name string) string { return filepath.Join("..", "hunt", "read", "testdata", name) }
	runs := [][]string{
		{"hunt", "--demo", "-f", "json", "--lang", "ja", "--tz", "Asia/Tokyo"},
		{"hunt", readData("ual_badrows.csv"), "--allow-bad-rows", "-f", "json"},
		{"hunt", readData("signins_graph_pages.json"), write(t, "notes.csv", "a,b\n1,2\n"), "--skip-unknown", "-f", "json"},
	}
	seen := map[string]bool{}
	for _, args := range runs {
		code, out, errs := run(t, args...)
		if code == 2 || code == 4 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var doc any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if doc.(map[string]any)["schemaVersion"] != float64(1) {
			t.Errorf("schemaVersion %v", doc.(map[string]any)["schemaVersion"])
		}
		if regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}]`).MatchString(out) {
			t.Errorf("%v: Japanese text in the JSON", args)
		}
		checkHuntJSON(t, doc, "", seen)
	}
	// Every path of the contract was exercised by one run at least.
	for p := range huntSchema {
		if !seen[p] {
			t.Errorf("no run produced %s: the check above did not see it", p)
		}
	}
}

// fullWriter fails every write, as stdout on a full disk.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestHuntRuntimeFailureExit4: a report that cannot be written after the
// investigation ran is a runtime failure (exit 4), not an input error, and
// says what failed.
func TestHuntRuntimeFailureExit4(t *testing.T) {
	var errb bytes.Buffer
	app := &App{Stdin: strings.NewReader(""), Stdout: fullWriter{}, Stderr: &errb, IsTerminal: func(any) bool { return false }}
	code := Main(context.Background(), app, []string{"hunt", "--demo", "-f", "json"})
	if code != 4 || !strings.Contains(errb.String(), "no space left on device") {
		t.Errorf("exit %d (want 4): %s", code, errb.String())
	}
}
