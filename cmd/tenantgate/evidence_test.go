package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
)

// incidentServer serves the demo incident as `tenantgate emulate` does, on
// the day after it.
func incidentServer(t *testing.T, opts emulate.Options) string {
	t.Helper()
	ts := httptest.NewServer(incidentHandler(t, opts))
	t.Cleanup(ts.Close)
	return ts.URL
}

func incidentHandler(t *testing.T, opts emulate.Options) http.Handler {
	t.Helper()
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	opts.Incident, opts.Token, opts.PageSize = true, token, 500
	opts.Date = func() time.Time { return time.Date(2023, 12, 14, 1, 0, 0, 0, time.UTC) }
	return emulate.New(snap, opts)
}

// failingServer serves the incident, but answers the requests fail matches
// with a Graph error of that status (and Retry-After, when given).
func failingServer(t *testing.T, fail func(*http.Request) bool, status int, retryAfter, code, msg string) string {
	t.Helper()
	em := incidentHandler(t, emulate.Options{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fail(r) {
			em.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(status)
		body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": msg}})
		_, _ = w.Write(body)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
	var out, errb bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Live: live(), IsTerminal: func(any) bool { return false }}
	code = cli.Main(context.Background(), app, args)
	if strings.Contains(out.String()+errb.String(), token) {
		t.Fatal("the token was printed")
	}
	return code, out.String(), errb.String()
}

// TestEvidenceCommand: the real binary's wiring over HTTP, with the exit
// codes of every outcome: complete (0), a re-run beside the first bundle
// (never over it), denied sources and an audit log query that never
// completes (3, saying what and how to continue), another tenant's
// credential (4, nothing written), bad flags (2), and the retention warning
// for a window older than the tenant keeps.
func TestEvidenceCommand(t *testing.T) {
	url := incidentServer(t, emulate.Options{})
	out := t.TempDir()
	args := []string{"evidence", "--graph-endpoint", url, "--tenant", "sunnyside08.onmicrosoft.com", "--since", "2023-12-11", "--until", "2023-12-12", "-o", out, "--poll-interval", "10ms"}
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 || !strings.Contains(flat(stderr), ": complete, ") || !strings.Contains(stderr, "next: tenantgate hunt") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	first := strings.TrimSpace(stdout)
	if !bundle.IsBundle(first) {
		t.Fatalf("stdout %q is not a bundle", first)
	}
	code, stdout, _ = runCLI(t, args...)
	second := strings.TrimSpace(stdout)
	if code != 0 || second == first || !bundle.IsBundle(second) || !bundle.IsBundle(first) {
		t.Fatalf("re-run: exit %d, %s beside %s", code, second, first)
	}
	b, err := bundle.Open(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(); err != nil {
		t.Errorf("the first bundle changed after the re-run: %v", err)
	}
	err = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, _ := os.ReadFile(p)
		if bytes.Contains(raw, []byte(token)) || bytes.Contains(raw, []byte("Authorization")) {
			t.Errorf("%s holds the token or a request header", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("denied", func(t *testing.T) {
		url := incidentServer(t, emulate.Options{Deny: []string{"signIns"}})
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-12", "-o", t.TempDir(), "--poll-interval", "10ms")
		if code != 3 || !strings.Contains(stderr, "interactive sign-ins (2023-12-12T00:00Z to 2023-12-13T00:00Z): denied (HTTP 403 Authorization_RequestDenied): Insufficient privileges to complete the operation. It needs AuditLog.Read.All (licence: Microsoft Entra ID P1 or P2") ||
			!strings.Contains(flat(stderr), ": partial, ") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("query never completes", func(t *testing.T) {
		url := incidentServer(t, emulate.Options{AuditQuery: emulate.AuditQueryOptions{Polls: 2, Fault: "never"}})
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-13", "-o", t.TempDir(),
			"--poll-interval", "10ms", "--timeout", "200ms")
		if code != 3 || !strings.Contains(stderr, "is still running after 200ms (--timeout)") || !strings.Contains(stderr, "continue later with: tenantgate evidence --resume") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("nothing readable", func(t *testing.T) {
		// every source evidence reads denied: a bundle that says so, exit 4
		deny := append([]string{"namedLocations"}, emulate.EvidenceSources...)
		url := incidentServer(t, emulate.Options{Deny: deny})
		code, stdout, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-12", "-o", t.TempDir(), "--poll-interval", "10ms")
		b, err := bundle.Open(strings.TrimSpace(stdout))
		if code != 4 || !strings.Contains(stderr, "nothing could be read from the tenant") || err != nil || b.Manifest.Status != bundle.StatusFailed {
			t.Errorf("exit %d, bundle %v\n%s", code, err, stderr)
		}
	})
	t.Run("throttled past what tenantgate waits", func(t *testing.T) {
		// The sign-ins answer 429 asking for two minutes, more than the 60 s
		// tenantgate waits: not retried, that source fails naming why, the
		// others are read (exit 3).
		url := failingServer(t, func(r *http.Request) bool { return strings.Contains(r.URL.Path, "auditLogs/signIns") },
			http.StatusTooManyRequests, "120", "TooManyRequests", "Too many requests.")
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-12", "-o", t.TempDir(), "--poll-interval", "10ms")
		if code != 3 || !strings.Contains(stderr, "interactive sign-ins (2023-12-12T00:00Z to 2023-12-13T00:00Z): error (HTTP 429 TooManyRequests): Too many requests. (the service asked to wait Retry-After 120s, longer than the 60s tenantgate waits: not retried") ||
			!strings.Contains(flat(stderr), ": partial, ") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("all throttled", func(t *testing.T) {
		// every request throttled past what tenantgate waits, the audit log
		// query's creation left open: nothing read (exit 4), resumable
		url := incidentServer(t, emulate.Options{Throttle: 100, RetryAfter: 120})
		code, stdout, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-12", "-o", t.TempDir(), "--poll-interval", "10ms")
		if code != 4 || !strings.Contains(stderr, "nothing could be read from the tenant") || !strings.Contains(stderr, "continue later with: tenantgate evidence --resume "+strings.TrimSpace(stdout)) {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	t.Run("another tenant", func(t *testing.T) {
		dir := t.TempDir()
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--tenant", "contoso.onmicrosoft.com", "--since", "2023-12-12", "-o", dir)
		entries, _ := os.ReadDir(dir)
		if code != 4 || !strings.Contains(stderr, "not contoso.onmicrosoft.com") || len(entries) != 0 {
			t.Errorf("exit %d, %d entries\n%s", code, len(entries), stderr)
		}
	})
	t.Run("record types", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-12", "-o", t.TempDir(),
			"--poll-interval", "10ms", "--record-types", "ExchangeAdmin,exchangeitem", "--add-record-types", "MicrosoftTeams,exchangeAdmin")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		b, err := bundle.Open(strings.TrimSpace(stdout))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"exchangeAdmin", "exchangeItem", "microsoftTeams"}
		if got := b.Manifest.Request.RecordTypes; !reflect.DeepEqual(got, want) {
			t.Errorf("record types %v, want %v", got, want)
		}
		queries := 0
		for _, f := range b.Manifest.Files {
			if f.Role == bundle.RoleQuery {
				queries++
				raw, _ := os.ReadFile(b.Path(f))
				if !bytes.Contains(raw, []byte(`"recordTypeFilters":["exchangeAdmin","exchangeItem","microsoftTeams"]`)) {
					t.Errorf("the query asked for other types: %s", raw)
				}
			}
		}
		if queries != 1 {
			t.Errorf("%d audit log query files", queries)
		}
	})
	t.Run("retention", func(t *testing.T) {
		code, _, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-06-01", "--until", "2023-06-02", "-o", t.TempDir(), "--poll-interval", "10ms")
		if code != 0 || !strings.Contains(stderr, "older than the 30 days Entra keeps sign-in and audit logs (Microsoft Entra ID P1): everything before 2023-11-14 01:00 UTC is already gone") ||
			!strings.Contains(stderr, "older than the 180 days the unified audit log is kept") {
			t.Errorf("exit %d\n%s", code, stderr)
		}
	})
	for name, bad := range map[string][]string{
		"no since":        {"evidence", "-o", t.TempDir()},
		"bad since":       {"evidence", "--since", "yesterday", "-o", t.TempDir()},
		"resume + since":  {"evidence", "--resume", first, "--since", "2023-12-01"},
		"since > until":   {"evidence", "--since", "2023-12-12", "--until", "2023-12-10", "-o", t.TempDir()},
		"not a bundle":    {"evidence", "--graph-endpoint", url, "--resume", t.TempDir()},
		"bad record type": {"evidence", "--graph-endpoint", url, "--since", "2023-12-12", "-o", t.TempDir(), "--record-types", "exchangeAdmin,exchange"},
		"enum sentinel":   {"evidence", "--graph-endpoint", url, "--since", "2023-12-12", "-o", t.TempDir(), "--add-record-types", "unknownFutureValue"},
		"resume + types":  {"evidence", "--resume", first, "--add-record-types", "microsoftTeams"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, stderr := runCLI(t, bad...); code != 2 {
				t.Errorf("exit %d\n%s", code, stderr)
			}
		})
	}
}

// TestEvidenceThenHuntMatchesDemo: emulate -> evidence -> hunt, offline: the
// bundle collected from the emulated incident gives the report `hunt --demo`
// gives from the responder's portal and PowerShell exports of the same
// events, whether hunt is given the demo's baseline (the office network
// trusted) or takes the office network from the bundle's trusted named
// locations. They are compared modulo what the export format itself
// decides, each listed in normalise; everything else (verdicts, findings
// and their summaries, severities, indicators, artifacts, timelines,
// responses, remaining actions, coverage counts and ranges, blind spots)
// must be equal.
func TestEvidenceThenHuntMatchesDemo(t *testing.T) {
	url := incidentServer(t, emulate.Options{})
	code, stdout, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-04", "--until", "2023-12-13", "-o", t.TempDir(), "--poll-interval", "10ms")
	if code != 0 {
		t.Fatalf("evidence: exit %d\n%s", code, stderr)
	}
	dir := strings.TrimSpace(stdout)
	out := t.TempDir()
	demoJSON, bundleJSON := filepath.Join(out, "demo.json"), filepath.Join(out, "bundle.json")
	now := "2023-12-14T02:00:00Z"
	if code, _, stderr := runCLI(t, "hunt", "--demo", "--format", "json", "--output", demoJSON, "--now", now); code != 1 {
		t.Fatalf("hunt --demo: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "hunt", dir, "--baseline", "../../internal/demo/baseline.yaml", "--format", "json", "--output", bundleJSON, "--now", now); code != 1 {
		t.Fatalf("hunt BUNDLE: exit %d\n%s", code, stderr)
	}
	// Without the demo's baseline, the office network comes from the
	// bundle's trusted named locations (the insane "Remote work
	// (temporary)" one left out), and the report is the same.
	noBaselineJSON := filepath.Join(out, "nobaseline.json")
	if code, _, stderr := runCLI(t, "hunt", dir, "--format", "json", "--output", noBaselineJSON, "--now", now); code != 1 {
		t.Fatalf("hunt BUNDLE without --baseline: exit %d\n%s", code, stderr)
	}
	want, wantTo := normalise(t, demoJSON)
	for name, path := range map[string]string{"with the demo's baseline": bundleJSON, "with the bundle's trusted locations": noBaselineJSON} {
		got, gotTo := normalise(t, path)
		// The window's end: the bundle's is the --until it was collected
		// for (the end of 2023-12-13); the exports know no window, so
		// --demo's ends at their last record, inside that day.
		if gotTo != "2023-12-14T00:00:00Z" || !strings.HasPrefix(wantTo, "2023-12-13T") {
			t.Errorf("%s: window ends: bundle %s, demo %s", name, gotTo, wantTo)
		}
		// Where the trusted networks came from, when the bundle gave them.
		cov := got["coverage"].(map[string]any)
		if tn, ok := cov["trustedNetworks"]; ok {
			b, _ := json.Marshal(tn)
			if !bytes.Contains(b, []byte(`"used":[{"id":"ce533cc8-a063-4afd-bece-020f81cc89c8","name":"Tokyo HQ","ranges":["203.0.113.0/24"]`)) ||
				!bytes.Contains(b, []byte(`"excluded":[{"id":"df3bf952-e781-43a0-9320-846f0195c93b","name":"Remote work (temporary)"`)) {
				t.Errorf("%s: trusted networks %s", name, b)
			}
			delete(cov, "trustedNetworks")
		} else if path == noBaselineJSON {
			t.Errorf("%s: the report does not say where its trusted networks came from", name)
		}
		compareReports(t, name, want, got)
	}
}

// compareReports fails at the first line where two normalised reports
// differ.
func compareReports(t *testing.T, name string, want, got map[string]any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		w, _ := json.MarshalIndent(want, "", " ")
		g, _ := json.MarshalIndent(got, "", " ")
		wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
		for i := 0; i < len(wl) && i < len(gl); i++ {
			if wl[i] != gl[i] {
				t.Fatalf("%s: the bundle's report differs from hunt --demo's at line %d:\n--demo: %s\nbundle: %s", name, i+1, wl[i], gl[i])
			}
		}
		t.Fatalf("%s: the bundle's report differs from hunt --demo's in length (%d / %d lines)", name, len(wl), len(gl))
	}
}

// normalise reads a hunt JSON result without what the export format
// decides rather than the events (and returns the window's end, compared
// apart). Each exception is inherent to the formats:
//   - generatedAt, inputs, coverage.*.files, coverage.skipped (the AuthDetails
//     companion, a file of the portal download only), evidence file and
//     line: they name the inputs. (Per kind, records, duplicates, bad rows
//     and time ranges are still compared.)
//   - the record id of directory audit evidence: the portal's audit CSV has
//     no id column (hunt names such a row by a hash of it), Graph's records
//     carry their own. Sign-in and unified audit log ids are compared.
//
// Records of the same time are ordered on their content (internal/hunt/read),
// so findings, timelines, evidence lists and the record a finding's summary
// names are compared as they are.
func normalise(t *testing.T, path string) (map[string]any, string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	kindOf := map[string]string{}
	for _, in := range r["inputs"].([]any) {
		in := in.(map[string]any)
		kindOf[in["file"].(string)] = in["kind"].(string)
	}
	delete(r, "generatedAt")
	delete(r, "inputs")
	win := r["window"].(map[string]any)
	to, _ := win["to"].(string)
	delete(win, "to")
	cov := r["coverage"].(map[string]any)
	for _, k := range []string{"signIns", "directoryAudits", "unifiedAuditLog", "inboxRules"} {
		delete(cov[k].(map[string]any), "files")
	}
	delete(cov, "skipped")
	for _, u := range r["users"].([]any) {
		for _, f := range u.(map[string]any)["findings"].([]any) {
			for _, e := range f.(map[string]any)["evidence"].([]any) {
				e := e.(map[string]any)
				if kindOf[e["file"].(string)] == "directoryAudits" {
					delete(e, "recordId")
				}
				delete(e, "file")
				delete(e, "line")
			}
		}
	}
	return r, to
}

// readJSON decodes the JSON file at path into a zeroed *v (a report read
// again never keeps what the previous one said).
func readJSON[T any](t *testing.T, path string, v *T) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	*v = *new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestHuntBundleGapIsExact: one day slice of sign-ins that Graph refused
// (Saturday 2023-12-09) is a gap of that day only: the blind spots name it,
// a user active only on other days is still judged, and every user whose
// activity reaches into it is unknown, never clean; the incident itself
// (three days later) is found as from a complete bundle.
func TestHuntBundleGapIsExact(t *testing.T) {
	// Graph fails the sign-ins of that day's slice (both kinds), as when it
	// keeps failing past the retries (a 4xx: not retried, so the test is
	// quick).
	url := failingServer(t, func(r *http.Request) bool {
		return strings.Contains(r.URL.Path, "auditLogs/signIns") && strings.Contains(r.URL.Query().Get("$filter"), "createdDateTime ge 2023-12-09T00:00:00")
	}, http.StatusBadRequest, "", "BadRequest", "injected by the test")
	code, stdout, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-04", "--until", "2023-12-13", "-o", t.TempDir(), "--poll-interval", "10ms")
	if code != 3 {
		t.Fatalf("evidence: exit %d\n%s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr = runCLI(t, "hunt", strings.TrimSpace(stdout), "--baseline", "../../internal/demo/baseline.yaml", "--format", "json", "--output", out, "--now", "2023-12-14T02:00:00Z")
	if code != 1 {
		t.Fatalf("hunt: exit %d\n%s", code, stderr)
	}
	var res struct {
		Coverage struct {
			BlindSpots []struct{ Kind, Message string }
		}
		Users []struct {
			UPN, Verdict string
			Timeline     []struct{ Time time.Time }
		}
		Summary map[string]int
	}
	readJSON(t, out, &res)
	named := false
	for _, b := range res.Coverage.BlindSpots {
		named = named || b.Kind == "signIns" && strings.Contains(b.Message, "the sign-in logs miss 2023-12-09T00:00:00Z to 2023-12-10T00:00:00Z")
	}
	if !named {
		t.Errorf("no blind spot names the missing day: %+v", res.Coverage.BlindSpots)
	}
	gapFrom, gapTo := time.Date(2023, 12, 9, 0, 0, 0, 0, time.UTC), time.Date(2023, 12, 10, 0, 0, 0, 0, time.UTC)
	judged := 0
	for _, u := range res.Users {
		if len(u.Timeline) == 0 {
			continue
		}
		first, last := u.Timeline[0].Time, u.Timeline[0].Time
		for _, e := range u.Timeline {
			if !e.Time.IsZero() && e.Time.Before(first) {
				first = e.Time
			}
			if e.Time.After(last) {
				last = e.Time
			}
		}
		reaches := first.Before(gapTo) && !last.Before(gapFrom)
		switch {
		case u.Verdict == "clean" && reaches:
			t.Errorf("%s is clean although active from %s to %s, across the missing day", u.UPN, first, last)
		case u.Verdict == "unknown" && !reaches:
			t.Errorf("%s is unknown although active only from %s to %s", u.UPN, first, last)
		case u.Verdict == "clean":
			judged++
		}
	}
	t.Logf("summary %v, %d judged clean beside the gap", res.Summary, judged)
	if judged == 0 || res.Summary["unknown"] == 0 || res.Summary["compromised"] != 1 || res.Summary["suspicious"] != 1 {
		t.Errorf("summary %v, %d users judged clean beside the gap", res.Summary, judged)
	}
}

// TestHuntReadsBundleCoverage: a bundle's denied source is a blind spot of
// hunt naming Graph's error, and nobody is called clean on it; a bundle
// changed after collection is an input error naming the file (exit 2).
func TestHuntReadsBundleCoverage(t *testing.T) {
	url := incidentServer(t, emulate.Options{Deny: []string{"signIns"}})
	code, stdout, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--since", "2023-12-11", "--until", "2023-12-13", "-o", t.TempDir(), "--poll-interval", "10ms")
	if code != 3 {
		t.Fatalf("evidence: exit %d\n%s", code, stderr)
	}
	dir := strings.TrimSpace(stdout)
	out := filepath.Join(t.TempDir(), "r.json")
	code, _, stderr = runCLI(t, "hunt", dir, "--baseline", "../../internal/demo/baseline.yaml", "--format", "json", "--output", out)
	if code == 0 || code == 2 || code == 4 {
		t.Fatalf("hunt: exit %d\n%s", code, stderr)
	}
	var res struct {
		Window   struct{ From, To string }
		Coverage struct {
			BlindSpots []struct{ Kind, Message string }
		}
		Summary map[string]int
	}
	readJSON(t, out, &res)
	found := false
	for _, b := range res.Coverage.BlindSpots {
		if b.Kind == "signIns" && strings.Contains(b.Message, "denied (HTTP 403 Authorization_RequestDenied): Insufficient privileges") {
			found = true
		}
	}
	if !found || res.Summary["clean"] != 0 || res.Summary["unknown"] == 0 {
		t.Errorf("blind spots %+v, summary %v", res.Coverage.BlindSpots, res.Summary)
	}
	if res.Window.From != "2023-12-11T00:00:00Z" || res.Window.To != "2023-12-14T00:00:00Z" {
		t.Errorf("window %+v, want the bundle's request", res.Window)
	}
	// --since alone moves the start only: the end is still the bundle's.
	code, _, stderr = runCLI(t, "hunt", dir, "--baseline", "../../internal/demo/baseline.yaml", "--since", "2023-12-12", "--format", "json", "--output", out)
	if code == 0 || code == 2 || code == 4 {
		t.Fatalf("hunt --since: exit %d\n%s", code, stderr)
	}
	readJSON(t, out, &res)
	if res.Window.From != "2023-12-12T00:00:00Z" || res.Window.To != "2023-12-14T00:00:00Z" {
		t.Errorf("window with --since only %+v, want 2023-12-12 to the bundle's end", res.Window)
	}
	b, _ := bundle.Open(dir)
	page := b.Path(b.Logs()[0])
	if err := os.WriteFile(page, []byte(`{"value":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "hunt", dir)
	if code != 2 || !strings.Contains(stderr, filepath.Base(page)) {
		t.Errorf("hunt of a changed bundle: exit %d\n%s", code, stderr)
	}
}

// TestEvidenceInterruptedThenResumed: a run interrupted while it pages the
// sign-ins (Ctrl-C: the command's context is cancelled) exits 3 naming what
// it did not finish and how to continue; --resume completes the same bundle
// (exit 0), and hunt reads from it exactly the records `hunt --demo` reads
// from the exports of the same window, none twice (hunt counts duplicates).
func TestEvidenceInterruptedThenResumed(t *testing.T) {
	em := incidentHandler(t, emulate.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	signIns := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "auditLogs/signIns") {
			mu.Lock()
			if signIns++; signIns == 8 {
				cancel()
			}
			mu.Unlock()
		}
		em.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
	var out, errb bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Live: live(), IsTerminal: func(any) bool { return false }}
	code := cli.Main(ctx, app, []string{"evidence", "--graph-endpoint", ts.URL, "--since", "2023-12-04", "--until", "2023-12-13", "-o", t.TempDir(), "--poll-interval", "10ms"})
	dir := strings.TrimSpace(out.String())
	if code != 3 || !strings.Contains(errb.String(), "warning: interrupted: ") || !strings.Contains(flat(errb.String()), ": incomplete, ") ||
		!strings.Contains(errb.String(), "continue later with: tenantgate evidence --resume "+dir) {
		t.Fatalf("interrupted run: exit %d\n%s", code, errb.String())
	}
	code, stdout, stderr := runCLI(t, "evidence", "--graph-endpoint", ts.URL, "--resume", dir, "--poll-interval", "10ms")
	if code != 0 || strings.TrimSpace(stdout) != dir || !strings.Contains(flat(stderr), ": complete, ") {
		t.Fatalf("resume: exit %d\n%s", code, stderr)
	}
	b, err := bundle.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Manifest.Runs) != 2 || b.Manifest.Runs[0].Outcome != bundle.StatusIncomplete || !b.Manifest.Runs[1].Resumed {
		t.Errorf("runs %+v", b.Manifest.Runs)
	}
	type cov struct{ Records, Duplicates, BadRows int }
	read := func(args ...string) map[string]cov {
		t.Helper()
		p := filepath.Join(t.TempDir(), "r.json")
		if code, _, stderr := runCLI(t, append(args, "--format", "json", "--output", p, "--now", "2023-12-14T02:00:00Z")...); code != 1 {
			t.Fatalf("hunt %v: exit %d\n%s", args, code, stderr)
		}
		var r struct{ Coverage map[string]json.RawMessage }
		raw, _ := os.ReadFile(p)
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		m := map[string]cov{}
		for _, k := range []string{"signIns", "directoryAudits", "unifiedAuditLog"} {
			var c cov
			if err := json.Unmarshal(r.Coverage[k], &c); err != nil {
				t.Fatal(err)
			}
			m[k] = c
		}
		return m
	}
	got, want := read("hunt", dir, "--baseline", "../../internal/demo/baseline.yaml"), read("hunt", "--demo")
	for k, w := range want {
		if g := got[k]; g.Records != w.Records || g.Duplicates != 0 || g.BadRows != 0 {
			t.Errorf("%s: resumed bundle %+v, hunt --demo %+v", k, g, w)
		}
	}
}

// TestEvidenceProgressOnStderr: on a terminal, progress (records and pages
// collected so far) is drawn on stderr, never on stdout, which holds the
// bundle's path alone (for scripts); off a terminal there is no bar, only a
// line every 30 s (none in a run this short; TestProgressLines).
func TestEvidenceProgressOnStderr(t *testing.T) {
	url := incidentServer(t, emulate.Options{})
	t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
	args := []string{"evidence", "--graph-endpoint", url, "--since", "2023-12-12", "--until", "2023-12-12", "-o", t.TempDir(), "--poll-interval", "10ms"}
	var out, errb bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Live: live(),
		IsTerminal: func(v any) bool { return v == &errb }}
	if code := cli.Main(context.Background(), app, args); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if !regexp.MustCompile(`evidence: [1-9][0-9]* records .*[1-9][0-9]* pages`).MatchString(errb.String()) {
		t.Errorf("no progress on a terminal's stderr:\n%q", errb.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 1 || !bundle.IsBundle(lines[0]) {
		t.Errorf("stdout %q", out.String())
	}
	if _, _, stderr := runCLI(t, args...); strings.Contains(stderr, " pages") {
		t.Errorf("a progress bar off a terminal:\n%s", stderr)
	}
}

// TestHuntPerUserBundle: a bundle of one user's logs (evidence --user) is
// judged by what it was asked for. Its logs, read whole, cover the window
// however late the user's first record (a spray target whose one sign-in is
// on the fourth day is clean, not unknown behind blind spots that say the
// logs start late); and since those logs hold that user's activity alone,
// nobody else is judged (or called clean) from them, which the coverage says.
func TestHuntPerUserBundle(t *testing.T) {
	url := incidentServer(t, emulate.Options{})
	type report struct {
		Users []struct {
			UPN, Verdict string
		}
		Coverage struct {
			BlindSpots []struct{ Kind, Message string }
		}
		Summary map[string]int
	}
	hunt := func(user string) (report, int) {
		t.Helper()
		code, stdout, stderr := runCLI(t, "evidence", "--graph-endpoint", url, "--user", user, "--since", "2023-12-04", "--until", "2023-12-13", "-o", t.TempDir(), "--poll-interval", "10ms")
		if code != 0 && code != 3 {
			t.Fatalf("evidence --user %s: exit %d\n%s", user, code, stderr)
		}
		out := filepath.Join(t.TempDir(), "r.json")
		code, _, stderr = runCLI(t, "hunt", strings.TrimSpace(stdout), "--baseline", "../../internal/demo/baseline.yaml", "--format", "json", "--output", out, "--now", "2023-12-14T02:00:00Z")
		var r report
		raw, _ := os.ReadFile(out)
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("hunt: exit %d, %v\n%s", code, err, stderr)
		}
		for _, b := range r.Coverage.BlindSpots {
			if strings.Contains(b.Message, "after the window's start") || strings.Contains(b.Message, "before the window's end") || strings.Contains(b.Message, "hold no record") {
				t.Errorf("%s: a blind spot of logs read whole: %s", user, b.Message)
			}
		}
		named := false
		for _, b := range r.Coverage.BlindSpots {
			named = named || strings.Contains(b.Message, "the evidence bundle's logs hold the activity of "+user+" only")
		}
		if !named {
			t.Errorf("%s: the coverage does not say the logs are the user's alone: %+v", user, r.Coverage.BlindSpots)
		}
		return r, code
	}
	const spray = "raju6601@sunnyside08.onmicrosoft.com" // one failed sign-in, 2023-12-07
	r, code := hunt(spray)
	if code != 0 || len(r.Users) != 1 || r.Users[0].UPN != spray || r.Users[0].Verdict != "clean" || r.Summary["unknown"] != 0 {
		t.Errorf("%s: exit %d, users %+v, summary %v", spray, code, r.Users, r.Summary)
	}
	const victim = "johanna@sunnyside08.onmicrosoft.com"
	r, code = hunt(victim)
	// the responder who revoked her sessions appears in her audits, but
	// none of his own activity was collected: he is not judged
	if code != 1 || r.Summary["compromised"] != 1 || r.Summary["clean"] != 0 || r.Summary["unknown"] != 0 || r.Summary["suspicious"] != 0 {
		t.Errorf("%s: exit %d, summary %v", victim, code, r.Summary)
	}
}
