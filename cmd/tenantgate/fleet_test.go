package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// fleetTenant is one emulated tenant of a fleet test: the demo tenant under
// its own organization id and domain, behind its own bearer token.
type fleetTenant struct {
	name, orgID, domain string
	token               string // what the emulator accepts
	sent                string // what the tenants file hands over (≠ token: refused)
	fileID              string // the id the tenants file names, if not domain
	opts                emulate.Options
}

// fleetServer is an emulator plus what the test checks about its traffic.
type fleetServer struct {
	srv    *emulate.Server
	url    string
	mu     sync.Mutex
	tokens map[string]bool // bearer tokens this server received
}

func variantSnapshot(tb testing.TB, orgID, domain string) *snapshot.Snapshot {
	tb.Helper()
	s, err := demo.Snapshot()
	if err != nil {
		tb.Fatal(err)
	}
	var org map[string]any
	if err := json.Unmarshal(s.Data["organization"], &org); err != nil {
		tb.Fatal(err)
	}
	org["id"], org["displayName"] = orgID, "Tenant "+domain
	org["verifiedDomains"] = []any{map[string]any{"name": domain, "isDefault": true, "isInitial": true, "type": "Managed"}}
	s.Data["organization"], _ = json.Marshal(org)
	s.Tenant.ID, s.Tenant.DisplayName = orgID, "Tenant "+domain
	return s
}

func startFleetServer(tb testing.TB, ft fleetTenant, flight *emulate.InFlight) *fleetServer {
	tb.Helper()
	ft.opts.Token = ft.token
	fs := &fleetServer{srv: emulate.New(variantSnapshot(tb, ft.orgID, ft.domain), ft.opts), tokens: map[string]bool{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] = true
		fs.mu.Unlock()
		if flight != nil {
			flight.Wrap(fs.srv).ServeHTTP(w, r)
			return
		}
		fs.srv.ServeHTTP(w, r)
	}))
	tb.Cleanup(ts.Close)
	fs.url = ts.URL
	return fs
}

// writeFleet starts one emulator per tenant and writes the tenants file; each
// tenant's token goes into an environment variable of its own.
func writeFleet(tb testing.TB, dir string, tenants []fleetTenant, flight *emulate.InFlight) (string, []*fleetServer) {
	tb.Helper()
	bl, err := filepath.Abs(demoBaseline) // the file is elsewhere: relative would resolve from it
	if err != nil {
		tb.Fatal(err)
	}
	var y strings.Builder
	fmt.Fprintf(&y, "defaults:\n  baseline: %s\ntenants:\n", bl)
	servers := make([]*fleetServer, len(tenants))
	for i, ft := range tenants {
		servers[i] = startFleetServer(tb, ft, flight)
		env := fmt.Sprintf("TG_FLEET_TEST_TOKEN_%d", i)
		setenv(tb, env, ft.sent)
		id := ft.domain
		if ft.fileID != "" {
			id = ft.fileID
		}
		fmt.Fprintf(&y, "  - id: %s\n    name: %s\n    access_token_env: %s\n    graph_endpoint: %s\n    arm_endpoint: %s\n", id, ft.name, env, servers[i].url, servers[i].url)
	}
	file := filepath.Join(dir, "tenants.yaml")
	if err := os.WriteFile(file, []byte(y.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return file, servers
}

// setenv is t.Setenv for benchmarks too.
func setenv(tb testing.TB, k, v string) {
	tb.Helper()
	old, had := os.LookupEnv(k)
	os.Setenv(k, v)
	tb.Cleanup(func() {
		if had {
			os.Setenv(k, old)
		} else {
			os.Unsetenv(k)
		}
	})
}

func runFleet(tb testing.TB, args ...string) (int, string, string) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Live: live(), IsTerminal: func(any) bool { return false }}
	code := cli.Main(context.Background(), app, append([]string{"collect"}, args...))
	return code, stdout.String(), stderr.String()
}

type collectSummary struct {
	Kind       string `json:"kind"`
	Exit       int    `json:"exit"`
	RoundTrips int64  `json:"roundTrips"`
	Tenants    []struct {
		Name, ID, File, Status, Error string
		FailedSources                 map[string]string `json:"failedSources"`
		RoundTrips                    int64             `json:"roundTrips"`
	} `json:"tenants"`
}

func readSummary(tb testing.TB, dir string) collectSummary {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, cli.CollectSummaryName))
	if err != nil {
		tb.Fatal(err)
	}
	var s collectSummary
	if err := json.Unmarshal(raw, &s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// noTokenAnywhere checks stdout, stderr and every file under dir.
func noTokenAnywhere(t *testing.T, dir, output string, tokens ...string) {
	t.Helper()
	all := []byte(output)
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			all = append(all, b...)
		}
		return nil
	})
	for _, tok := range tokens {
		if bytes.Contains(all, []byte(tok)) {
			t.Fatalf("a token leaked into the output or a file")
		}
	}
}

func canonicalData(t *testing.T, s *snapshot.Snapshot) map[string]any {
	t.Helper()
	out := map[string]any{}
	for k, raw := range s.Data {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

// The mixed fleet, collected together in one run: one tenant fine,
// one with a source denied, one throttled on every first request, one whose
// token is refused (the denied and refused ones echo the token in their
// errors, which must reach neither the snapshots nor the summary). Every other tenant's snapshot is written, the summary
// and stderr say which failed and why, the exit code is 4, every server saw
// only its own tenant's token, and no token is printed or stored.
func TestCollectMixedFleet(t *testing.T) {
	processToken := "process-wide-token-must-not-be-used"
	setenv(t, "TENANTGATE_ACCESS_TOKEN", processToken)
	tenants := []fleetTenant{
		{name: "fine", orgID: "11111111-0000-4000-8000-000000000001", domain: "fine.onmicrosoft.com", token: "tok-fine-1a2b", sent: "tok-fine-1a2b"},
		{name: "partial", orgID: "11111111-0000-4000-8000-000000000002", domain: "partial.onmicrosoft.com", token: "tok-partial-3c4d", sent: "tok-partial-3c4d",
			opts: emulate.Options{Deny: []string{"conditionalAccessPolicies"}, Faults: emulate.Faults{EchoToken: true}}},
		{name: "throttled", orgID: "11111111-0000-4000-8000-000000000003", domain: "throttled.onmicrosoft.com", token: "tok-throttled-5e6f", sent: "tok-throttled-5e6f",
			opts: emulate.Options{Throttle: 1, PageSize: 2}},
		{name: "refused", orgID: "11111111-0000-4000-8000-000000000004", domain: "refused.onmicrosoft.com", token: "tok-refused-7a8b", sent: "tok-wrong-9c0d",
			opts: emulate.Options{Faults: emulate.Faults{EchoToken: true}}},
	}
	var allTokens []string
	for _, ft := range tenants {
		allTokens = append(allTokens, ft.token, ft.sent)
	}
	allTokens = append(allTokens, processToken)

	dir := t.TempDir()
	file, servers := writeFleet(t, dir, tenants, nil)
	out := filepath.Join(dir, "snapshots")
	t.Setenv("COLUMNS", "1000") // one line per tenant in the summary table, to match it
	code, stdout, stderr := runFleet(t, "--tenants", file, "--output-dir", out, "--parallel-tenants", "4", "-v")
	noTokenAnywhere(t, dir, stdout+stderr, allTokens...)
	if code != 4 {
		t.Fatalf("exit %d, want 4; stderr:\n%s", code, stderr)
	}

	// Tenant isolation: each server received exactly one bearer token, the
	// one the tenants file gave that tenant; never another's or the process's.
	for i, s := range servers {
		if len(s.tokens) != 1 || !s.tokens[tenants[i].sent] {
			t.Errorf("%s's server received %d distinct tokens, want only its own", tenants[i].name, len(s.tokens))
		}
	}

	sum := readSummary(t, out)
	if sum.Kind != cli.CollectSummaryKind || sum.Exit != 4 || len(sum.Tenants) != 4 {
		t.Fatalf("summary %+v", sum)
	}
	want := []struct {
		status, failedSource, err string
	}{
		{cli.TenantOK, "", ""},
		{cli.TenantPartial, "conditionalAccessPolicies", ""},
		{cli.TenantOK, "", ""},
		{cli.TenantFailed, "", "Graph refused the token"},
	}
	var total int64
	for i, w := range want {
		g, ft := sum.Tenants[i], tenants[i]
		total += g.RoundTrips
		if g.Name != ft.name || g.ID != ft.domain || g.Status != w.status || !strings.Contains(g.Error, w.err) || (w.err == "") != (g.Error == "") {
			t.Errorf("tenant %s: %+v", ft.name, g)
		}
		if g.RoundTrips != int64(servers[i].srv.RoundTrips()) {
			t.Errorf("%s: summary says %d round trips, its server saw %d", ft.name, g.RoundTrips, servers[i].srv.RoundTrips())
		}
		if w.failedSource != "" && (len(g.FailedSources) != 1 || !strings.HasPrefix(g.FailedSources[w.failedSource], "denied: HTTP 403")) {
			t.Errorf("%s failed sources: %v", ft.name, g.FailedSources)
		}
		line := ""
		for _, l := range strings.Split(stderr, "\n") {
			if strings.HasPrefix(l, ft.name+" ") {
				line = l
			}
		}
		if !strings.Contains(line, w.status) || (w.err != "" && !strings.Contains(line, w.err)) || (w.failedSource != "" && !strings.Contains(line, w.failedSource+" denied")) {
			t.Errorf("stderr line for %s: %q", ft.name, line)
		}
		path := filepath.Join(out, ft.name+".json")
		snap, err := snapshot.Load(path)
		if w.status == cli.TenantFailed {
			if err == nil || g.File != "" {
				t.Errorf("%s: a failed tenant has a snapshot", ft.name)
			}
			continue
		}
		if err != nil || g.File != ft.name+".json" {
			t.Fatalf("%s: %v (file %q)", ft.name, err, g.File)
		}
		if snap.Tenant.ID != ft.orgID {
			t.Errorf("%s's snapshot holds tenant %s", ft.name, snap.Tenant.ID)
		}
	}
	if sum.RoundTrips != total || !strings.Contains(stderr, "4 tenants: 2 ok, 1 partial, 1 failed") {
		t.Errorf("totals: %d round trips; stderr:\n%s", sum.RoundTrips, stderr)
	}
	if !strings.Contains(stderr, "[throttled] http: POST") || !strings.Contains(stderr, "429") {
		t.Errorf("verbose lines are not tagged with their tenant:\n%s", stderr)
	}

	// The throttled tenant's data equals an unthrottled collection of it.
	ref := tenants[2]
	ref.opts = emulate.Options{}
	refDir := t.TempDir()
	refFile, _ := writeFleet(t, refDir, []fleetTenant{ref}, nil)
	if code, _, stderr := runFleet(t, "--tenants", refFile, "--output-dir", refDir); code != 0 {
		t.Fatalf("unthrottled reference: exit %d\n%s", code, stderr)
	}
	throttled, _ := snapshot.Load(filepath.Join(out, "throttled.json"))
	unthrottled, err := snapshot.Load(filepath.Join(refDir, "throttled.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(canonicalData(t, throttled), canonicalData(t, unthrottled)) {
		t.Error("the throttled tenant's data differs from an unthrottled collection")
	}
	if servers[2].srv.RoundTrips() <= 4 {
		t.Error("the throttled tenant was not throttled")
	}
}

// Exit codes of a fleet run: the worst tenant decides.
func TestCollectFleetExitCodes(t *testing.T) {
	ok := func(i int) fleetTenant {
		return fleetTenant{name: fmt.Sprintf("t%d", i), orgID: fmt.Sprintf("22222222-0000-4000-8000-%012d", i), domain: fmt.Sprintf("t%d.example", i),
			token: fmt.Sprintf("tok-%d", i), sent: fmt.Sprintf("tok-%d", i)}
	}
	with := func(ft fleetTenant, f func(*fleetTenant)) fleetTenant { f(&ft); return ft }
	denied := func(ft *fleetTenant) { ft.opts.Deny = []string{"subscribedSkus"} }
	refused := func(ft *fleetTenant) { ft.sent = "wrong" }
	tests := []struct {
		name     string
		tenants  []fleetTenant
		code     int
		statuses []string
	}{
		{"all ok", []fleetTenant{ok(1), ok(2)}, 0, []string{"ok", "ok"}},
		{"a source failing for good is partial", []fleetTenant{ok(1), with(ok(2), func(ft *fleetTenant) { ft.opts.Fail = map[string]int{"namedLocations": -1} })}, 3, []string{"ok", "partial"}},
		{"partial and failed", []fleetTenant{with(ok(1), denied), with(ok(2), refused)}, 4, []string{"partial", "failed"}},
		{"every source denied", []fleetTenant{ok(1), with(ok(2), func(ft *fleetTenant) { ft.opts.Deny = emulate.SourceNames() })}, 4, []string{"ok", "failed"}},
		// The file names t2.example but the credential reaches tenant t3.
		{"another tenant reached", []fleetTenant{ok(1), with(ok(2), func(ft *fleetTenant) { ft.orgID, ft.domain, ft.fileID = ok(3).orgID, "t3.example", "t2.example" })}, 4, []string{"ok", "failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file, _ := writeFleet(t, dir, tt.tenants, nil)
			code, stdout, stderr := runFleet(t, "--tenants", file, "--output-dir", dir)
			noTokenAnywhere(t, dir, stdout+stderr, "tok-1", "tok-2", "tok-3")
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			sum := readSummary(t, dir)
			for i, want := range tt.statuses {
				if sum.Tenants[i].Status != want {
					t.Errorf("tenant %d: %+v, want %s", i, sum.Tenants[i], want)
				}
			}
			if tt.name == "another tenant reached" && !strings.Contains(sum.Tenants[1].Error, "reached tenant "+ok(3).orgID) {
				t.Errorf("error %q", sum.Tenants[1].Error)
			}
		})
	}
}

// At most parallel-tenants × concurrency requests are in flight across the
// fleet (measured at the servers), and every tenant is collected.
func TestCollectFleetBoundedConcurrency(t *testing.T) {
	tests := []struct{ parallel, concurrency int }{{1, 1}, {2, 1}, {2, 3}, {5, 2}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.parallel, tt.concurrency), func(t *testing.T) {
			var tenants []fleetTenant
			for i := range 6 {
				tenants = append(tenants, fleetTenant{name: fmt.Sprintf("b%d", i), orgID: fmt.Sprintf("33333333-0000-4000-8000-%012d", i),
					domain: fmt.Sprintf("b%d.example", i), token: "bt", sent: "bt",
					// Small pages make many requests; the latency lets them overlap.
					opts: emulate.Options{PageSize: 1, Latency: 5 * time.Millisecond}})
			}
			flight := &emulate.InFlight{}
			dir := t.TempDir()
			file, _ := writeFleet(t, dir, tenants, flight)
			code, _, stderr := runFleet(t, "--tenants", file, "--output-dir", dir,
				"--parallel-tenants", fmt.Sprint(tt.parallel), "--concurrency", fmt.Sprint(tt.concurrency))
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			limit := int64(tt.parallel * tt.concurrency)
			t.Logf("max in flight %d (limit %d)", flight.Max(), limit)
			if m := flight.Max(); m > limit || m < 1 {
				t.Fatalf("%d requests in flight at once, limit %d", m, limit)
			}
		})
	}
}

// BenchmarkCollectFleet50 collects 50 tenants (one emulator each, 100 ms
// latency per HTTP request, 429 on every first request) with 10 tenants at a
// time and 4 requests per tenant, through the real CLI path (tenants file,
// per-tenant tokens, snapshots and summary written).
func BenchmarkCollectFleet50(b *testing.B) { benchFleet(b, 50, 10) }

// BenchmarkCollectFleet1 is the same for one tenant: the per-tenant figure
// the 50-tenant run is compared with.
func BenchmarkCollectFleet1(b *testing.B) { benchFleet(b, 1, 1) }

func benchFleet(b *testing.B, n, parallel int) {
	var tenants []fleetTenant
	for i := range n {
		tok := fmt.Sprintf("bench-token-%02d", i)
		tenants = append(tenants, fleetTenant{name: fmt.Sprintf("tenant%02d", i), orgID: fmt.Sprintf("44444444-0000-4000-8000-%012d", i),
			domain: fmt.Sprintf("tenant%02d.example", i), token: tok, sent: tok,
			opts: emulate.Options{Latency: 100 * time.Millisecond, Throttle: 1}})
	}
	trips := 0
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		// Fresh emulators each time: their throttling is "first request only".
		dir := b.TempDir()
		file, servers := writeFleet(b, dir, tenants, nil)
		b.StartTimer()
		code, _, stderr := runFleet(b, "--tenants", file, "--output-dir", dir, "--parallel-tenants", fmt.Sprint(parallel), "--concurrency", "4")
		b.StopTimer()
		if code != 0 {
			b.Fatalf("exit %d\n%s", code, stderr)
		}
		for _, s := range servers {
			trips += s.srv.RoundTrips()
		}
	}
	b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/op")
	b.ReportMetric(float64(trips)/float64(b.N)/float64(n), "roundtrips/tenant")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "wall-s/op")
}

// TestCollectAndAuditShards: collect --tenants --shard K/N on N machines
// collects every tenant exactly once (the union of the shards' snapshots is
// the unsharded run's), and audit --shard K/N over the union audits exactly
// the tenants collect's shard K wrote.
func TestCollectAndAuditShards(t *testing.T) {
	var tenants []fleetTenant
	for i := range 7 {
		tenants = append(tenants, fleetTenant{name: fmt.Sprintf("Tenant%d", i), orgID: fmt.Sprintf("33333333-0000-4000-8000-%012d", i),
			domain: fmt.Sprintf("t%d.example", i), token: fmt.Sprintf("tok-shard-%d", i), sent: fmt.Sprintf("tok-shard-%d", i)})
	}
	dir := t.TempDir()
	file, _ := writeFleet(t, dir, tenants, nil)
	whole := filepath.Join(dir, "whole")
	if code, _, stderr := runFleet(t, "--tenants", file, "--output-dir", whole); code != 0 {
		t.Fatalf("unsharded: exit %d\n%s", code, stderr)
	}
	const n = 3
	seen := map[string]string{} // snapshot file -> shard
	for k := range n {
		out := filepath.Join(dir, "shards", fmt.Sprintf("shard-%d", k))
		code, _, stderr := runFleet(t, "--tenants", file, "--output-dir", out, "--shard", fmt.Sprintf("%d/%d", k, n))
		if code != 0 || !strings.Contains(stderr, fmt.Sprintf("shard %d/%d: ", k, n)) {
			t.Fatalf("shard %d: exit %d\n%s", k, code, stderr)
		}
		sum := readSummary(t, out)
		for _, tn := range sum.Tenants {
			if prev, dup := seen[tn.File]; dup {
				t.Errorf("%s collected by shards %s and %d", tn.File, prev, k)
			}
			seen[tn.File] = fmt.Sprint(k)
			a, err1 := snapshot.Load(filepath.Join(out, tn.File))
			b, err2 := snapshot.Load(filepath.Join(whole, tn.File))
			if err1 != nil || err2 != nil || !reflect.DeepEqual(canonicalData(t, a), canonicalData(t, b)) {
				t.Errorf("%s: shard snapshot differs from the unsharded one (%v, %v)", tn.File, err1, err2)
			}
		}
	}
	if len(seen) != len(tenants) {
		t.Fatalf("the shards collected %d tenants, want %d", len(seen), len(tenants))
	}

	// audit --shard over all shards' snapshots picks what collect's shard wrote.
	glob := filepath.Join(dir, "shards", "*", "*.json")
	for k := range n {
		var stdout, stderr bytes.Buffer
		app := &cli.App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Live: live(), IsTerminal: func(any) bool { return false }}
		code := cli.Main(context.Background(), app, []string{"audit", "--snapshot", glob, "--shard", fmt.Sprintf("%d/%d", k, n), "--format", "json", "--fail-on", "never", "--baseline", demoBaseline})
		if code != 0 {
			t.Fatalf("audit shard %d: exit %d\n%s", k, code, stderr.String())
		}
		var fl struct {
			Shard   string
			Tenants []struct{ File string }
		}
		if err := json.Unmarshal(stdout.Bytes(), &fl); err != nil {
			t.Fatal(err)
		}
		if fl.Shard != fmt.Sprintf("%d/%d", k, n) {
			t.Errorf("fleet summary shard %q", fl.Shard)
		}
		for _, r := range fl.Tenants {
			if filepath.Base(filepath.Dir(r.File)) != fmt.Sprintf("shard-%d", k) {
				t.Errorf("audit shard %d took %s", k, r.File)
			}
		}
		if want := countShard(seen, k); len(fl.Tenants) != want {
			t.Errorf("audit shard %d: %d tenants, collect's shard wrote %d", k, len(fl.Tenants), want)
		}
	}
}

func countShard(seen map[string]string, k int) int {
	c := 0
	for _, s := range seen {
		if s == fmt.Sprint(k) {
			c++
		}
	}
	return c
}

// TestCollectFleetAllowIncomplete: --allow-incomplete turns a partial
// tenant's exit 3 into 0 (the summary still says partial); a failed tenant
// still exits 4.
func TestCollectFleetAllowIncomplete(t *testing.T) {
	mk := func(i int, denied bool, sent string) fleetTenant {
		ft := fleetTenant{name: fmt.Sprintf("a%d", i), orgID: fmt.Sprintf("44444444-0000-4000-8000-%012d", i), domain: fmt.Sprintf("a%d.example", i),
			token: fmt.Sprintf("tok-a-%d", i), sent: sent}
		if ft.sent == "" {
			ft.sent = ft.token
		}
		if denied {
			ft.opts.Deny = []string{"subscribedSkus"}
		}
		return ft
	}
	for _, tc := range []struct {
		name    string
		tenants []fleetTenant
		code    int
	}{
		{"partial", []fleetTenant{mk(1, false, ""), mk(2, true, "")}, 0},
		{"failed", []fleetTenant{mk(1, true, ""), mk(2, false, "wrong")}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file, _ := writeFleet(t, dir, tc.tenants, nil)
			code, _, stderr := runFleet(t, "--tenants", file, "--output-dir", dir, "--allow-incomplete")
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, stderr)
			}
			sum := readSummary(t, dir)
			if sum.Exit != tc.code || sum.Tenants[0].Status == "" {
				t.Errorf("summary exit %d, tenants %+v", sum.Exit, sum.Tenants)
			}
			if tc.name == "partial" && sum.Tenants[1].Status != cli.TenantPartial {
				t.Errorf("tenant 2 is %s, want partial", sum.Tenants[1].Status)
			}
		})
	}
}
