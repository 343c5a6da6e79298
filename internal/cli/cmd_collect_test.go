package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// fakeLive records what the CLI asked for and returns a canned result.
type fakeLive struct {
	opts       conn.Options
	breakGlass []string
	snap       *snapshot.Snapshot
	err        error
}

func (f *fakeLive) Collect(_ context.Context, opts conn.Options, bg []string) (*snapshot.Snapshot, error) {
	f.opts, f.breakGlass = opts, bg
	return f.snap, f.err
}

// CAClient: the collect tests never apply; apply's CLI tests bring their own.
func (f *fakeLive) CAClient(context.Context, conn.Options) (apply.CAClient, error) {
	return nil, errors.New("fakeLive: no CA client")
}

func runLive(t *testing.T, live Live, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	app := &App{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Live: live, IsTerminal: func(any) bool { return false }}
	code := Main(context.Background(), app, args)
	return code, out.String(), errb.String()
}

func TestCollectWithoutLiveSupport(t *testing.T) {
	code, _, stderr := run(t, "collect")
	if code != 4 || !strings.Contains(stderr, "no live Graph support") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestCollectCommand(t *testing.T) {
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	delete(snap.Data, "subscribedSkus")
	snap.Sources["subscribedSkus"] = snapshot.Source{Status: snapshot.StatusDenied, HTTPStatus: 403, Code: "Authorization_RequestDenied", Error: "Insufficient privileges to complete the operation."}
	t.Setenv("AZURE_TENANT_ID", "Sunnyside08.onmicrosoft.com") // a verified domain of the demo organization

	tests := []struct {
		name   string
		args   []string
		live   *fakeLive
		code   int
		stderr string
	}{
		{"writes the snapshot and warns about denied sources", []string{"--baseline", "../demo/baseline.yaml"}, &fakeLive{snap: snap}, 0, "warning: subscribedSkus denied: HTTP 403 Authorization_RequestDenied"},
		{"the tenant id also names it", []string{"--tenant", "35A4937B-C200-40F5-8DB0-1813C0F63FFE", "--baseline", "../demo/baseline.yaml"}, &fakeLive{snap: snap}, 0, "warning: subscribedSkus denied"},
		{"another tenant reached is exit 4, nothing written", []string{"--tenant", "contoso.onmicrosoft.com"}, &fakeLive{snap: snap}, 4, "reached tenant 35a4937b-c200-40f5-8db0-1813c0f63ffe (Sunnyside Trading), not contoso.onmicrosoft.com"},
		{"nothing readable is exit 4", nil, &fakeLive{err: errors.New("nothing could be read from the tenant: Graph refused the token")}, 4, "nothing could be read"},
		{"unknown cloud is a usage error", []string{"--cloud", "mars"}, &fakeLive{snap: snap}, 2, "unknown --cloud"},
		{"plain http off loopback is refused", []string{"--graph-endpoint", "http://graph.example.com"}, &fakeLive{snap: snap}, 2, "plain http is allowed only"},
		{"unknown auth mode", []string{"--auth", "password"}, &fakeLive{snap: snap}, 2, "unknown --auth"},
		{"missing baseline file", []string{"--baseline", "nope.yaml"}, &fakeLive{snap: snap}, 2, "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "snap.json")
			code, _, stderr := runLive(t, tt.live, append([]string{"collect", "-o", out}, tt.args...)...)
			if code != tt.code || !strings.Contains(strings.Join(strings.Fields(stderr), " "), tt.stderr) { // warnings wrap
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
			if code != 0 {
				if _, err := os.Stat(out); err == nil {
					t.Fatal("a failed collect left a snapshot file")
				}
				return
			}
			got, err := snapshot.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			if got.Sources["subscribedSkus"].Status != snapshot.StatusDenied || got.Tool.Version != Version {
				t.Fatalf("written snapshot: %+v %+v", got.Sources["subscribedSkus"], got.Tool)
			}
			if !strings.EqualFold(tt.live.opts.TenantID, "sunnyside08.onmicrosoft.com") && tt.live.opts.TenantID != "35A4937B-C200-40F5-8DB0-1813C0F63FFE" || len(tt.live.breakGlass) != 2 || tt.live.opts.Progress != nil {
				t.Fatalf("options passed to Live: %+v, break-glass %v", tt.live.opts, tt.live.breakGlass)
			}
		})
	}
}

func TestEmulateRejects(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--addr", "0.0.0.0:8080"}, "loopback only"},
		{[]string{"--addr", ":8080"}, "loopback only"},
		{[]string{"--addr", "8080"}, "HOST:PORT"},
		{[]string{"--deny", "nosuchsource"}, "unknown source"},
		{[]string{"--fail", "organization:zero"}, "SOURCE:N"},
		{[]string{"--fail-status", "404"}, "5xx"},
		{[]string{"--tenant", "missing.json", "--addr", "127.0.0.1:0"}, "missing.json"},
		{[]string{"--create-fault", "after:404"}, "WHEN:WHAT[:N]"},
		{[]string{"--create-fault", "during:504"}, "WHEN:WHAT[:N]"},
		{[]string{"--create-fault", "after:reset:0"}, "WHEN:WHAT[:N]"},
		{[]string{"--redirect", "conditionalAccessPolicies"}, "go together"},
		{[]string{"--redirect", "nosuch", "--redirect-to", "http://127.0.0.1:1"}, "unknown source"},
		{[]string{"--redirect", "organization", "--redirect-to", "/relative"}, "absolute URL"},
		{[]string{"--pad-body", "-1"}, "cannot be negative"},
		{[]string{"--audit-query-fault", "sometimes"}, "want one of never, failed, cancelled, lost-create"},
		{[]string{"--audit-query-polls", "0"}, "at least 1"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, append([]string{"emulate"}, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("emulate %v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}

// syncBuffer lets the test read stdout while the emulator writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestEmulateServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	app := &App{Stdin: strings.NewReader(""), Stdout: out, Stderr: &bytes.Buffer{}, IsTerminal: func(any) bool { return false }}
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, app, []string{"emulate", "--addr", "127.0.0.1:0", "--deny", "subscribedSkus"})
	}()
	urlRe := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
	var base string
	for i := 0; i < 500 && base == ""; i++ {
		base = urlRe.FindString(out.String())
		if base == "" {
			time.Sleep(10 * time.Millisecond) // waiting for the listener, not timing it
		}
	}
	if base == "" {
		t.Fatalf("no URL printed: %q", out.String())
	}
	get := func(path string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer anything")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/v1.0/organization"); s != 200 {
		t.Fatalf("organization: %d", s)
	}
	if s := get("/v1.0/subscribedSkus"); s != 403 {
		t.Fatalf("denied source: %d", s)
	}
	if !strings.Contains(out.String(), "--graph-endpoint "+base) {
		t.Fatalf("usage hint missing: %q", out.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d after Ctrl-C", code)
	}
}

func TestPermissionsCommand(t *testing.T) {
	code, stdout, _ := run(t, "permissions")
	for _, want := range []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "/providers/Microsoft.aadiam", "AADSTS65002", "az ad app permission add"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("permissions text lacks %q (exit %d)", want, code)
		}
	}
	code, stdout, _ = run(t, "permissions", "--format", "json")
	var doc struct {
		Commands []struct{ Command string } `json:"commands"`
		Sources  []struct{ Source string }  `json:"sources"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || code != 0 {
		t.Fatalf("json: exit %d, %v", code, err)
	}
	if len(doc.Sources) != len(snapshot.Sources) {
		t.Fatalf("%d sources listed, the snapshot has %d", len(doc.Sources), len(snapshot.Sources))
	}
}

// TestLiveTenantCheck: audit --tenant X and collect --tenant X refuse a
// credential that reached another organization (exit 4, no report), as the
// fleet does, and say so when the organization could not be read to check.
func TestLiveTenantCheck(t *testing.T) {
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	noOrg, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	delete(noOrg.Data, "organization")
	noOrg.Sources["organization"] = snapshot.Source{Status: snapshot.StatusDenied, HTTPStatus: 403, Code: "Authorization_RequestDenied", Error: "Insufficient privileges to complete the operation."}
	t.Setenv("AZURE_TENANT_ID", "")
	tests := []struct {
		name       string
		args       []string
		snap       *snapshot.Snapshot
		code       int
		stderr     string
		wantReport bool
	}{
		{"audit, another tenant", []string{"audit", "--tenant", "fabrikam.example", "--format", "json"}, snap, 4, "reached tenant 35a4937b-c200-40f5-8db0-1813c0f63ffe (Sunnyside Trading), not fabrikam.example", false},
		{"audit, its domain", []string{"audit", "--tenant", "sunnyside08.onmicrosoft.com", "--baseline", "../demo/baseline.yaml", "--format", "json"}, snap, 1, "", true},
		{"audit, organization unreadable", []string{"audit", "--tenant", "sunnyside08.onmicrosoft.com", "--baseline", "../demo/baseline.yaml", "--format", "json"}, noOrg, 1, "whether the credential reached tenant sunnyside08.onmicrosoft.com is unchecked", true},
		{"collect to stdout, another tenant", []string{"collect", "--tenant", "00000000-1111-2222-3333-444444444444"}, snap, 4, "not 00000000-1111-2222-3333-444444444444", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runLive(t, &fakeLive{snap: tt.snap}, tt.args...)
			if code != tt.code || !strings.Contains(strings.Join(strings.Fields(stderr), " "), tt.stderr) { // warnings wrap
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
			if got := strings.TrimSpace(stdout) != ""; got != tt.wantReport {
				t.Fatalf("stdout %q: report written = %v, want %v", stdout, got, tt.wantReport)
			}
		})
	}
}
