package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/report"
)

// impostor is another host a redirect points to. It answers every request
// with a Conditional Access list in which every template is enforced, so
// that any of its answers taken as the tenant's data would make controls
// pass; it records whatever it receives.
type impostor struct {
	mu   sync.Mutex
	seen []string
	body []byte
}

func newImpostor(t *testing.T) (*impostor, string) {
	t.Helper()
	tpls, err := apply.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	var policies []any
	for i, tp := range tpls {
		raw, err := apply.Render(tp, []apply.Account{{ID: bg1}, {ID: bg2}})
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		_ = json.Unmarshal(raw, &p)
		p["state"], p["id"] = "enabled", "impostor-"+string(rune('a'+i))
		emulate.CompletePolicy(p)
		policies = append(policies, p)
	}
	im := &impostor{}
	im.body, _ = json.Marshal(map[string]any{"value": policies})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		im.mu.Lock()
		im.seen = append(im.seen, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
		im.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(im.body)
	}))
	t.Cleanup(ts.Close)
	return im, ts.URL
}

func (im *impostor) received() []string {
	im.mu.Lock()
	defer im.mu.Unlock()
	return append([]string(nil), im.seen...)
}

// tenantPolicies counts the served tenant's policies by display name.
func tenantPolicies(srv *emulate.Server) map[string][]apply.Head {
	out := map[string][]apply.Head{}
	for _, raw := range srv.ConditionalAccessPolicies() {
		h, _ := apply.ParseHead(raw)
		out[h.DisplayName] = append(out[h.DisplayName], h)
	}
	return out
}

// TestFaultHarness is issue 11's proof, run under every fault the emulator
// injects: a create carried out but answered 5xx/429 or with the connection
// dropped (and the same before it is carried out), redirects to another
// host for one source and for all, pages cut mid-body, slow and oversized
// bodies, a per-item 429 storm, errors echoing the token, a policy list that
// always fails.
//
//   - collect + audit: no control that fails or is not_assessed in the
//     tenant (audit --demo) passes under the fault;
//   - apply (twice, as a user would retry): each missing policy is created
//     at most once, report-only, excluding both break-glass accounts, and
//     nothing is ever PATCHed or DELETEd; the other host receives nothing;
//   - apply with the tenant's snapshot through a credential that reaches
//     another tenant creates nothing there.
func TestFaultHarness(t *testing.T) {
	_, reference := emulator(t, emulate.Options{})
	_, want, _ := tool(t, "audit", "--demo", "--format", "json", "--now", now)
	base := map[string]string{}
	for _, v := range verdicts(t, want) {
		base[v.ID] = v.Status
	}
	_ = reference
	snapFile := filepath.Join(t.TempDir(), "demo.json")
	if err := os.WriteFile(snapFile, demo.SnapshotJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	cf := func(spec string) emulate.CreateFault {
		f, err := emulate.ParseCreateFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	im, elsewhere := newImpostor(t)
	var allSources []string
	allSources = append(allSources, emulate.SourceNames()...)

	faults := []struct {
		name string
		opts emulate.Options
	}{
		{"create stored, answered 504", emulate.Options{Faults: emulate.Faults{Create: cf("after:504")}}},
		{"create stored, answered 503 once", emulate.Options{Faults: emulate.Faults{Create: cf("after:503:1")}}},
		{"create stored, answered 429", emulate.Options{Faults: emulate.Faults{Create: cf("after:429")}}},
		{"create stored, connection dropped", emulate.Options{Faults: emulate.Faults{Create: cf("after:reset")}}},
		{"create refused 503 before storing", emulate.Options{Faults: emulate.Faults{Create: cf("before:503")}}},
		{"create dropped before storing, twice", emulate.Options{Faults: emulate.Faults{Create: cf("before:reset:2")}}},
		{"policy list redirected to another host", emulate.Options{Faults: emulate.Faults{Redirect: []string{"conditionalAccessPolicies"}, RedirectTo: elsewhere}}},
		{"every source redirected to another host", emulate.Options{Faults: emulate.Faults{Redirect: allSources, RedirectTo: elsewhere}}},
		{"pages cut mid-body", emulate.Options{PageSize: 2, Faults: emulate.Faults{ResetPages: true}}},
		{"slow bodies", emulate.Options{PageSize: 3, Faults: emulate.Faults{SlowBody: 2 * time.Millisecond}}},
		{"oversized bodies", emulate.Options{Faults: emulate.Faults{PadBody: 4 << 20}}},
		{"per-item 429 storm", emulate.Options{ThrottleItems: 100, RetryAfter: 0}},
		{"errors echo the token", emulate.Options{Deny: []string{"authorizationPolicy", "namedLocations"}, DenyWrites: true, Faults: emulate.Faults{EchoToken: true}}},
		{"policy list always fails", emulate.Options{Fail: map[string]int{"conditionalAccessPolicies": -1}, FailStatus: 503, RetryAfter: 0}},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			srv, conn := emulator(t, f.opts)
			before := len(im.received())

			// No fault makes a control pass.
			code, out, stderr := tool(t, append([]string{"audit", "--baseline", demoBaseline, "--format", "json", "--now", now}, conn...)...)
			if code != report.ExitRuntime {
				for _, v := range verdicts(t, out) {
					if v.Status == report.Pass && base[v.ID] != report.Pass {
						t.Errorf("%s passes under the fault (it is %s in the tenant): %s", v.ID, base[v.ID], v.Finding)
					}
				}
			} else if !strings.Contains(stderr, "nothing could be read") {
				t.Logf("audit exit 4: %s", stderr)
			}

			// apply, then apply again: at most once each, as it must be.
			planned := map[string]bool{}
			for range 2 {
				_, _, _ = tool(t, append([]string{"apply", "--snapshot", snapFile, "--baseline", demoBaseline, "--yes"}, conn...)...)
			}
			for name, hs := range tenantPolicies(srv) {
				if !strings.HasPrefix(name, apply.DisplayPrefix) {
					continue
				}
				planned[name] = true
				if len(hs) > 1 {
					t.Errorf("%q created %d times", name, len(hs))
				}
				for _, h := range hs {
					ex := strings.Join(h.Conditions.Users.ExcludeUsers, ",")
					if h.State != apply.ReportOnly || !strings.Contains(ex, bg1) || !strings.Contains(ex, bg2) {
						t.Errorf("%q created as %s excluding %s", name, h.State, ex)
					}
				}
			}
			if _, others := writes(srv); others != 0 {
				t.Errorf("%d PATCH/PUT/DELETE", others)
			}
			if got := im.received()[before:]; len(got) != 0 {
				t.Errorf("the other host received %d requests: %v", len(got), got)
			}

			// The right tenant only: A's snapshot through B's credential.
			srvB, connB := otherTenant(t, f.opts)
			_, _, _ = tool(t, append([]string{"apply", "--snapshot", snapFile, "--baseline", demoBaseline, "--yes"}, connB...)...)
			if posts, _ := writes(srvB); posts != 0 {
				t.Errorf("%d POSTs into another tenant", posts)
			}
			t.Logf("%d tenantgate policies in the tenant after two applies", len(planned))
		})
	}
}

// The impostor's list is what the redirect faults would have served: a
// tenant in which the templates are enforced. Read as the tenant's data it
// makes controls pass, so the harness above would see it.
func TestImpostorWouldPass(t *testing.T) {
	im, url := newImpostor(t)
	resp, err := http.Get(url + "/beta/identity/conditionalAccess/policies")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var page struct{ Value json.RawMessage }
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	snap.Data["conditionalAccessPolicies"] = page.Value
	dir := t.TempDir()
	f := filepath.Join(dir, "s.json")
	w, _ := os.Create(f)
	if err := snap.Write(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, out, _ := tool(t, "audit", "--snapshot", f, "--baseline", demoBaseline, "--format", "json", "--now", now, "--fail-on", "never")
	passes := 0
	for _, v := range verdicts(t, out) {
		if v.Status == report.Pass && strings.HasPrefix(v.ID, "TG.CA.") {
			passes++
		}
	}
	if passes < 4 || len(im.received()) != 1 {
		t.Fatalf("the impostor's policies make %d CA controls pass; the harness's redirect faults would prove nothing", passes)
	}
}

// TestTimeoutAgainstASlowService: --timeout stops collect, a live audit and
// apply with the real collector against a service that answers every body
// slowly (internal/cli's TestTimeout uses a stand-in collector): exit 4,
// "timed out", no partial snapshot, no results, and apply creates nothing.
func TestTimeoutAgainstASlowService(t *testing.T) {
	// Every body takes about a second (ten pieces 100ms apart).
	srv, conn := emulator(t, emulate.Options{Faults: emulate.Faults{SlowBody: 100 * time.Millisecond}})
	before := len(srv.ConditionalAccessPolicies())
	out := filepath.Join(t.TempDir(), "snap.json")
	snapFile := filepath.Join(t.TempDir(), "demo.json")
	if err := os.WriteFile(snapFile, demo.SnapshotJSON(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"collect", []string{"collect", "--baseline", demoBaseline, "--output", out, "--timeout", "1500ms"}},
		{"collect, nothing read yet", []string{"collect", "--baseline", demoBaseline, "--output", out, "--timeout", "300ms"}},
		{"live audit", []string{"audit", "--baseline", demoBaseline, "--format", "json", "--timeout", "1500ms"}},
		{"apply", []string{"apply", "--snapshot", snapFile, "--baseline", demoBaseline, "--yes", "--timeout", "500ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			code, stdout, stderr := tool(t, append(tc.args, conn...)...)
			if code != report.ExitRuntime || !strings.Contains(stderr, "timed out after") || !strings.Contains(stderr, "(--timeout)") {
				t.Errorf("exit %d, stderr %q", code, stderr)
			}
			if tc.name == "collect, nothing read yet" && !strings.Contains(stderr, "before any Graph source was read") {
				t.Errorf("stderr %q does not say nothing was read", stderr)
			}
			if tc.name != "apply" && stdout != "" {
				t.Errorf("a timed-out run printed results: %.200q", stdout)
			}
			if took := time.Since(start); took > 15*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a partial snapshot was written")
	}
	if n := len(srv.ConditionalAccessPolicies()); n != before {
		t.Errorf("apply created %d policies after its deadline", n-before)
	}
}
