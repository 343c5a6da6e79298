package evidence_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/evidence"
	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
	"github.com/tenantgate/tenantgate/internal/hunt/incident"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/permissions"
)

// expected counts the scenario's records of the window, by kind: what a
// complete collection must hold.
func expected(t *testing.T) map[string]int {
	t.Helper()
	_, days, err := incident.Sunnyside().Generate(false)
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, d := range days {
		for _, s := range d.SignIns {
			if !s.Time.Before(since) && !s.Time.After(until) {
				n[bundle.KindSignIns]++
			}
		}
		n[bundle.KindDirectoryAudits] += len(d.Audits)
		n[bundle.KindUnifiedAuditLog] += len(d.UAL)
	}
	return n
}

// token is long and unusual so that finding it anywhere in a bundle means
// it was stored. It is JWT-shaped (as a real one would be) but assembled at
// run time: no token-shaped literal sits in the repository for secret
// scanners to flag.
var token = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","nonce":"tenantgate-evidence-test"}`)) + ".not-a-real-jwt"

var (
	since = time.Date(2023, 12, 4, 0, 0, 0, 0, time.UTC)
	until = time.Date(2023, 12, 14, 0, 0, 0, 0, time.UTC)
)

func server(t *testing.T, opts emulate.Options) (*emulate.Server, string) {
	t.Helper()
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	opts.Incident = true
	if opts.PageSize == 0 {
		opts.PageSize = 250
	}
	opts.Date = func() time.Time { return time.Date(2023, 12, 14, 1, 0, 0, 0, time.UTC) }
	if opts.AuditQuery.Polls == 0 {
		opts.AuditQuery.Polls = 3
	}
	s := emulate.New(snap, opts)
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return s, hs.URL
}

func job(t *testing.T, users ...string) bundle.Job {
	return bundle.Job{Parent: t.TempDir(), Users: users, Since: since, Until: until, PollInterval: 10 * time.Millisecond,
		QueryTimeout: 5 * time.Second, ToolVersion: "test", Log: &bytes.Buffer{}}
}

func connOpts(url string) conn.Options {
	return conn.Options{GraphEndpoint: url, AccessToken: conn.Secret(token), NoEnvToken: true, Concurrency: 4, TenantID: "sunnyside08.onmicrosoft.com"}
}

// records reads every record id of a bundle's log pages, by kind.
func records(t *testing.T, dir string) map[string][]string {
	t.Helper()
	b, err := bundle.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, f := range b.Logs() {
		raw, err := os.ReadFile(b.Path(f))
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
		}
		if err := json.Unmarshal(raw, &page); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		for _, v := range page.Value {
			out[f.Kind] = append(out[f.Kind], v.ID)
		}
	}
	return out
}

// TestCollectIncident: the emulated incident is collected whole: every
// sign-in, directory audit and unified audit log record of the window, each
// source complete, the manifest naming the tenant, who ran it (GET /me for a
// token that is not a JWT) and the window; the audit log query went through
// its life cycle and was created once.
func TestCollectIncident(t *testing.T) {
	srv, url := server(t, emulate.Options{})
	j := job(t)
	m, err := evidence.Collect(context.Background(), connOpts(url), j)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != bundle.StatusComplete {
		for _, s := range m.Sources {
			t.Log(s.Describe())
		}
		t.Fatalf("status %s", m.Status)
	}
	got := records(t, m.Dir)
	for kind, want := range expected(t) {
		if n := len(got[kind]); n != want {
			t.Errorf("%s: %d records, want %d", kind, n, want)
		}
	}
	if m.Tenant.ID != "35a4937b-c200-40f5-8db0-1813c0f63ffe" || m.Tenant.DisplayName != "Sunnyside Trading" {
		t.Errorf("tenant %+v", m.Tenant)
	}
	if m.RunBy.Type != "user" || m.RunBy.UserPrincipalName != "yumin@sunnyside08.onmicrosoft.com" || m.RunBy.From != "GET /v1.0/me" {
		t.Errorf("runBy %+v", m.RunBy)
	}
	if !m.Request.Since.Equal(since) || !m.Request.Until.Equal(until) || !m.Request.TenantWideLogs {
		t.Errorf("request %+v", m.Request)
	}
	if srv.IncidentQueries() != 1 {
		t.Errorf("%d audit log queries created", srv.IncidentQueries())
	}
	if m.Tool.Name != "tenantgate" || m.Tool.Version != "test" || m.Format != bundle.Format || len(m.Runs) != 1 || m.Runs[0].Requests == 0 {
		t.Errorf("tool %+v, format %s, runs %+v", m.Tool, m.Format, m.Runs)
	}
	// Every file names the request that returned it, when, its records
	// (as many as its page holds) and its hash; every source read names the
	// permission it needs, from the catalog `tenantgate permissions` prints.
	for _, f := range m.Files {
		raw, err := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		var page struct{ Value []json.RawMessage }
		_ = json.Unmarshal(raw, &page)
		if !strings.HasPrefix(f.Request, "GET /") || f.CollectedAt.IsZero() || len(f.SHA256) != 64 || f.Bytes != int64(len(raw)) ||
			(f.Role != bundle.RoleQuery && f.Records != len(page.Value)) {
			t.Errorf("file %+v (%d records in its page)", f, len(page.Value))
		}
	}
	sourcesNamePermissions(t, m)
	if !strings.HasPrefix(filepath.Base(m.Dir), "sunnyside08.onmicrosoft.com-20231214T010000Z") {
		t.Errorf("bundle named %s", m.Dir)
	}
	assertNoSecret(t, m.Dir)
}

// sourcesNamePermissions: every source read names its request and the
// least-privileged permissions it needs, each listed for evidence by
// `tenantgate permissions`.
func sourcesNamePermissions(t *testing.T, m *bundle.Manifest) {
	t.Helper()
	need, _ := permissions.For("evidence")
	for _, s := range m.Sources {
		if s.Status == bundle.SourceSkipped {
			continue
		}
		if len(s.Permission) == 0 || !strings.HasPrefix(s.Request, "GET /") && !strings.HasPrefix(s.Request, "POST /") {
			t.Errorf("source %s: request %q, permission %v", s.ID, s.Request, s.Permission)
		}
		for _, p := range s.Permission {
			if !slices.Contains(need.Application, p) {
				t.Errorf("source %s needs %s, which tenantgate permissions does not list for evidence", s.ID, p)
			}
		}
	}
}

// assertNoSecret: no file of the bundle holds the token or a request header.
func assertNoSecret(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range []string{token, "not-a-real-jwt"} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		// the header's name only in Graph's error code, or in its echoed
		// message with the value redacted
		clean := bytes.ReplaceAll(raw, []byte("Authorization: [redacted]"), nil)
		clean = bytes.ReplaceAll(clean, []byte("Authorization_RequestDenied"), nil)
		if bytes.Contains(clean, []byte("Authorization")) || bytes.Contains(clean, []byte("Bearer")) {
			t.Errorf("%s holds a request header", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPerUserSources: with --user, the logs are the user's and the user's
// rules, methods, devices (the attacker's registered device among them),
// grants and app role assignments are collected; inbox rules are asked for
// by UPN, so the page names the mailbox.
func TestPerUserSources(t *testing.T) {
	_, url := server(t, emulate.Options{})
	m, err := evidence.Collect(context.Background(), connOpts(url), job(t, "Johanna@sunnyside08.onmicrosoft.com"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != bundle.StatusComplete {
		t.Fatalf("status %s", m.Status)
	}
	var devices, rules []byte
	for _, f := range m.Files {
		switch {
		case strings.HasSuffix(f.Path, "registeredDevices-0001.json"):
			devices, _ = os.ReadFile(filepath.Join(m.Dir, f.Path))
		case strings.HasSuffix(f.Path, "messageRules-0001.json"):
			rules, _ = os.ReadFile(filepath.Join(m.Dir, f.Path))
			if f.Kind != bundle.KindInboxRules {
				t.Errorf("messageRules kind %q", f.Kind)
			}
		}
	}
	if !bytes.Contains(devices, []byte("DESKTOP-8JQ4M2R")) {
		t.Errorf("registered devices: %s", devices)
	}
	if !bytes.Contains(rules, []byte("users('johanna%40sunnyside08.onmicrosoft.com')/mailFolders('inbox')/messageRules")) {
		t.Errorf("messageRules context: %s", rules)
	}
	sourcesNamePermissions(t, m)
	// The logs are the user's: every sign-in and unified audit log record
	// is hers, the query asked for her alone, the directory audits are those
	// she initiated and those that target her.
	const upn = "johanna@sunnyside08.onmicrosoft.com"
	for _, f := range m.Files {
		raw, _ := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(f.Path)))
		switch {
		case f.Role == bundle.RoleQuery:
			if !bytes.Contains(raw, []byte(`"userPrincipalNameFilters":["`+upn+`"]`)) {
				t.Errorf("the audit log query: %s", raw)
			}
		case f.Kind == bundle.KindSignIns || f.Kind == bundle.KindUnifiedAuditLog:
			var page struct {
				Value []struct{ UserPrincipalName string }
			}
			_ = json.Unmarshal(raw, &page)
			for _, v := range page.Value {
				if !strings.EqualFold(v.UserPrincipalName, upn) {
					t.Errorf("%s holds a record of %s", f.Path, v.UserPrincipalName)
					break
				}
			}
		}
	}
	var audits []string
	for _, s := range m.Sources {
		if s.Kind == bundle.KindDirectoryAudits && strings.HasSuffix(s.ID, "/20231213T0000") {
			audits = append(audits, s.Source)
			if dec, _ := neturl.QueryUnescape(s.Request); !strings.Contains(dec, "'"+upn+"'") {
				t.Errorf("%s: %s", s.ID, dec)
			}
		}
	}
	if strings.Join(audits, ",") != "directoryAudits.initiated,directoryAudits.targeted" {
		t.Errorf("directory audit sources %v", audits)
	}
	got := records(t, m.Dir)
	if n := len(got[bundle.KindSignIns]); n == 0 || n > 200 {
		t.Errorf("%d sign-ins for one user", n)
	}
}

// TestInterruptedRunResumes: a run cancelled after some pages leaves an
// incomplete bundle; --resume continues it and the result holds exactly the
// records of an uninterrupted run, none twice, and pages already on disk are
// not fetched again.
func TestInterruptedRunResumes(t *testing.T) {
	srv, url := server(t, emulate.Options{})
	j := job(t)
	ctx, cancel := context.WithCancel(context.Background())
	j.OnPage = func(n int) {
		if n == 40 {
			cancel()
		}
	}
	m, err := evidence.Collect(ctx, connOpts(url), j)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != bundle.StatusIncomplete {
		t.Fatalf("interrupted run: status %s", m.Status)
	}
	before := len(srv.Requests())
	pagesBefore := len(m.Files)
	r := job(t)
	r.Resume, r.Parent = m.Dir, ""
	m2, err := evidence.Collect(context.Background(), connOpts(url), r)
	if err != nil {
		t.Fatal(err)
	}
	if m2.Status != bundle.StatusComplete || len(m2.Runs) != 2 || !m2.Runs[1].Resumed {
		t.Fatalf("resumed: status %s, runs %+v", m2.Status, m2.Runs)
	}
	// every page of the first run was kept, none fetched again
	fetched := len(srv.Requests()) - before
	if want := len(m2.Files) - pagesBefore; fetched > want+30 {
		t.Errorf("resume sent %d requests for %d new files", fetched, want)
	}
	// the same records as a run never interrupted, each once (a record
	// fetched twice would show as an extra copy of its id)
	full, err := evidence.Collect(context.Background(), connOpts(url), job(t))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(m *bundle.Manifest) []string {
		var out []string
		for _, s := range m.Sources {
			out = append(out, s.ID+" "+s.Status+" "+s.Note)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(ids(m2), ids(full)) {
		t.Errorf("sources after resume:\n%s\nuninterrupted:\n%s", strings.Join(ids(m2), "\n"), strings.Join(ids(full), "\n"))
	}
	got, want := records(t, m2.Dir), records(t, full.Dir)
	for _, kind := range []string{bundle.KindSignIns, bundle.KindDirectoryAudits, bundle.KindUnifiedAuditLog} {
		slices.Sort(got[kind])
		slices.Sort(want[kind])
		if len(want[kind]) == 0 || !slices.Equal(got[kind], want[kind]) {
			t.Errorf("%s: %d records after resume, %d in an uninterrupted run", kind, len(got[kind]), len(want[kind]))
		}
	}
	if srv.IncidentQueries() != 2 { // the interrupted run's, and the uninterrupted run's
		t.Errorf("%d audit log queries created across the three runs, want 2", srv.IncidentQueries())
	}
}

// TestTamperedJournalLink: a nextLink in the journal that points elsewhere
// is refused like a live one; the token never leaves for that host.
func TestTamperedJournalLink(t *testing.T) {
	// pages of 5, cancelled after 8 pages: at most 4 of them are the
	// single-page directory lists, so some log page (hundreds of records,
	// so followed by a nextLink) is in the journal, however the run was
	// scheduled
	_, url := server(t, emulate.Options{PageSize: 5})
	var reached atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusNotFound)
	}))
	defer evil.Close()
	j := job(t)
	j.Since = until.Add(-24 * time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	j.OnPage = func(n int) {
		if n == 8 {
			cancel()
		}
	}
	m, err := evidence.Collect(ctx, connOpts(url), j)
	if err != nil {
		t.Fatal(err)
	}
	jp := filepath.Join(m.Dir, bundle.JournalName)
	raw, _ := os.ReadFile(jp)
	if !bytes.Contains(raw, []byte(url)) {
		t.Fatal("the interrupted run journaled no nextLink to tamper with")
	}
	raw = bytes.ReplaceAll(raw, []byte(url), []byte(evil.URL))
	if err := os.WriteFile(jp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	r := job(t)
	r.Resume, r.Parent = m.Dir, ""
	m2, err := evidence.Collect(context.Background(), connOpts(url), r)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range m2.Sources {
		if s.Code == "invalidNextLink" && strings.Contains(s.Error, "outside the Graph endpoint") {
			found = true
		}
	}
	if !found || m2.Status != bundle.StatusPartial {
		t.Errorf("a tampered link was not refused: status %s", m2.Status)
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the other host received %d requests", n)
	}
}

// TestResumeRefusesChangedBundle: a page changed after collection stops a
// resume with an input error naming it.
func TestResumeRefusesChangedBundle(t *testing.T) {
	_, url := server(t, emulate.Options{})
	j := job(t)
	ctx, cancel := context.WithCancel(context.Background())
	j.OnPage = func(n int) {
		if n == 5 {
			cancel()
		}
	}
	m, err := evidence.Collect(ctx, connOpts(url), j)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(m.Dir, m.Files[len(m.Files)-1].Path)
	if err := os.WriteFile(p, []byte(`{"value":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := job(t)
	r.Resume, r.Parent = m.Dir, ""
	_, err = evidence.Collect(context.Background(), connOpts(url), r)
	if !inputerr.Is(err) || !strings.Contains(err.Error(), filepath.Base(p)) {
		t.Errorf("resume of a changed bundle: %v", err)
	}
}

// TestAuditQueryFaults: a query that never completes leaves the source
// incomplete with its id, and --resume collects it once it has; one that
// fails is reported with Graph's state; a create whose answer is lost is
// found by its name and never sent twice.
func TestAuditQueryFaults(t *testing.T) {
	t.Run("never completes, then resumed", func(t *testing.T) {
		srv, url := server(t, emulate.Options{AuditQuery: emulate.AuditQueryOptions{Fault: "never"}})
		j := job(t)
		j.QueryTimeout = 200 * time.Millisecond
		m, err := evidence.Collect(context.Background(), connOpts(url), j)
		if err != nil {
			t.Fatal(err)
		}
		ual := source(m, "unifiedAuditLog")
		if m.Status != bundle.StatusIncomplete || ual.Status != bundle.StatusIncomplete || ual.Query == nil || ual.Query.ID == "" ||
			!strings.Contains(ual.Error, "still running after") || !strings.Contains(ual.Error, "--resume") {
			t.Fatalf("status %s, ual %+v", m.Status, ual)
		}
		srv.SetAuditQueryFault("")
		r := job(t)
		r.Resume, r.Parent = m.Dir, ""
		m2, err := evidence.Collect(context.Background(), connOpts(url), r)
		if err != nil {
			t.Fatal(err)
		}
		if m2.Status != bundle.StatusComplete || source(m2, "unifiedAuditLog").Records != expected(t)[bundle.KindUnifiedAuditLog] || srv.IncidentQueries() != 1 {
			t.Errorf("after resume: %s, %+v, %d queries", m2.Status, source(m2, "unifiedAuditLog"), srv.IncidentQueries())
		}
	})
	t.Run("failed", func(t *testing.T) {
		_, url := server(t, emulate.Options{AuditQuery: emulate.AuditQueryOptions{Fault: "failed"}})
		m, _ := lastDay(t, url)
		ual := source(m, "unifiedAuditLog")
		if m.Status != bundle.StatusPartial || ual.Status != bundle.SourceError || !strings.Contains(ual.Error, "ended failed") {
			t.Errorf("status %s, ual %+v", m.Status, ual)
		}
	})
	t.Run("create throttled for longer than tenantgate waits", func(t *testing.T) {
		// The creation is answered 429 with Retry-After 600: the queries are
		// listed (it is not there), and the run leaves the source for
		// --resume instead of sleeping ten minutes or sending it blindly;
		// the other sources are read meanwhile.
		srv, _ := server(t, emulate.Options{})
		var posts atomic.Int64
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/security/auditLog/queries") {
				posts.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Retry-After", "600")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"Too many requests."}}`))
				return
			}
			srv.ServeHTTP(w, r)
		}))
		t.Cleanup(hs.Close)
		m, _ := lastDay(t, hs.URL)
		ual := source(m, "unifiedAuditLog")
		if m.Status != bundle.StatusIncomplete || ual.Status != bundle.StatusIncomplete || posts.Load() != 1 || srv.IncidentQueries() != 0 ||
			!strings.Contains(ual.Error, "with Retry-After 600s, longer than the 60s tenantgate waits") || !strings.Contains(ual.Error, "--resume") {
			t.Errorf("status %s, %d POSTs, ual %+v", m.Status, posts.Load(), ual)
		}
		if source(m, "signIns/interactive/20231213T0000").Status != bundle.SourceOK {
			t.Error("the other sources were not read")
		}
	})
	t.Run("lost create and a query list without end", func(t *testing.T) {
		// The creation is answered 504 and the list of queries never ends
		// (each page links to the next): the query is not found, and not
		// being found on the pages read must not count as absent, or the
		// create would be sent again.
		srv, _ := server(t, emulate.Options{})
		var posts, pages atomic.Int64
		var hs *httptest.Server
		hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/security/auditLog/queries") {
				srv.ServeHTTP(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			if r.Method == http.MethodPost {
				posts.Add(1)
				w.WriteHeader(http.StatusGatewayTimeout)
				_, _ = w.Write([]byte(`{"error":{"code":"GatewayTimeout","message":"The gateway timed out."}}`))
				return
			}
			n := pages.Add(1)
			fmt.Fprintf(w, `{"value":[{"id":"q%d","displayName":"someone else's search","status":"succeeded"}],"@odata.nextLink":"%s/beta/security/auditLog/queries?$skiptoken=%d"}`, n, hs.URL, n)
		}))
		t.Cleanup(hs.Close)
		m, _ := lastDay(t, hs.URL)
		ual := source(m, "unifiedAuditLog")
		if posts.Load() != 1 || ual.Status != bundle.StatusIncomplete || !strings.Contains(ual.Error, "the queries could not be listed (more than 100 pages of audit log queries") ||
			!strings.Contains(ual.Error, "--resume") {
			t.Errorf("%d POSTs, %d pages listed, ual %+v", posts.Load(), pages.Load(), ual)
		}
	})
	t.Run("lost create", func(t *testing.T) {
		srv, url := server(t, emulate.Options{AuditQuery: emulate.AuditQueryOptions{Fault: "lost-create"}})
		m, j := lastDay(t, url)
		if m.Status != bundle.StatusComplete || srv.IncidentQueries() != 1 {
			t.Errorf("status %s, %d queries created", m.Status, srv.IncidentQueries())
		}
		if !strings.Contains(j.Log.(*bytes.Buffer).String(), "found it by its name") {
			t.Errorf("log: %s", j.Log)
		}
	})
}

// lastDay collects the window's last day (one audit log query, quickly)
// from url.
func lastDay(t *testing.T, url string) (*bundle.Manifest, bundle.Job) {
	t.Helper()
	j := job(t)
	j.Since = until.Add(-24 * time.Hour)
	m, err := evidence.Collect(context.Background(), connOpts(url), j)
	if err != nil {
		t.Fatal(err)
	}
	return m, j
}

func source(m *bundle.Manifest, id string) bundle.Source {
	for _, s := range m.Sources {
		if s.ID == id {
			return s
		}
	}
	return bundle.Source{}
}

// TestDeniedAndThrottled: a denied source is recorded with Graph's 403 and
// the bundle is partial; throttling (429 with Retry-After on every first
// request) is absorbed; a credential of another tenant writes nothing.
func TestDeniedAndThrottled(t *testing.T) {
	t.Run("denied", func(t *testing.T) {
		// errors that echo the request's Authorization header: the manifest
		// keeps Graph's message, redacted
		_, url := server(t, emulate.Options{Deny: []string{"signIns", "auditLogQueries"}, Faults: emulate.Faults{EchoToken: true}})
		m, _ := lastDay(t, url)
		s := source(m, "signIns/interactive/20231213T0000")
		u := source(m, "unifiedAuditLog")
		if m.Status != bundle.StatusPartial || s.Status != bundle.SourceDenied || s.HTTPStatus != 403 || s.Code != "Authorization_RequestDenied" ||
			u.Status != bundle.SourceDenied || !slices.Contains(s.Permission, "AuditLog.Read.All") {
			t.Errorf("status %s, sign-ins %+v, ual %+v", m.Status, s, u)
		}
		if source(m, "directoryAudits/all/20231213T0000").Status != bundle.SourceOK {
			t.Error("an allowed source failed")
		}
		if !strings.Contains(s.Error, "Insufficient privileges") || strings.Contains(s.Error, "not-a-real-jwt") {
			t.Errorf("error kept: %q", s.Error)
		}
		assertNoSecret(t, m.Dir)
	})
	t.Run("throttled", func(t *testing.T) {
		// 429 (Retry-After 0) to the first request of every URL: each GET
		// is retried after the wait the service asked for and then read;
		// the audit log query's POST is never resent blindly: the queries
		// are listed first, and only then is it created, once.
		srv, url := server(t, emulate.Options{Throttle: 1, RetryAfter: 0})
		j := job(t)
		j.Since = time.Date(2023, 12, 12, 0, 0, 0, 0, time.UTC)
		m, err := evidence.Collect(context.Background(), connOpts(url), j)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != bundle.StatusComplete || srv.IncidentQueries() != 1 {
			t.Errorf("throttled run: %s, %d audit log queries created", m.Status, srv.IncidentQueries())
		}
		throttled, served := map[string]int{}, map[string]int{}
		for _, r := range srv.Requests() {
			k := r.Method + " " + r.Path + "?" + r.Query
			switch r.Status {
			case 429:
				throttled[k]++
			case 200, 201:
				served[k]++
			}
		}
		for k, n := range throttled {
			if n != 1 || served[k] == 0 {
				t.Errorf("%s: throttled %d times, served %d", k, n, served[k])
			}
		}
		if len(throttled) < len(m.Files) {
			t.Errorf("%d requests throttled for %d files", len(throttled), len(m.Files))
		}
		if got := records(t, m.Dir); len(got[bundle.KindSignIns]) == 0 || len(got[bundle.KindUnifiedAuditLog]) == 0 {
			t.Errorf("records %d sign-ins, %d UAL", len(got[bundle.KindSignIns]), len(got[bundle.KindUnifiedAuditLog]))
		}
	})
	t.Run("another tenant", func(t *testing.T) {
		_, url := server(t, emulate.Options{})
		o := connOpts(url)
		o.TenantID = "contoso.onmicrosoft.com"
		j := job(t)
		_, err := evidence.Collect(context.Background(), o, j)
		if err == nil || !strings.Contains(err.Error(), "not contoso.onmicrosoft.com") {
			t.Fatalf("err %v", err)
		}
		if entries, _ := os.ReadDir(j.Parent); len(entries) != 0 {
			t.Errorf("something was written: %v", entries)
		}
	})
}

// TestTenantWideGrants: the chatbot was consented for all users
// (AllPrincipals), a grant no user's list shows: the bundle holds it from
// the tenant-wide grants, with its scopes, and again among the grants of the
// service principals created in the window, with the app role assignments
// granted to it and who is assigned to it (the victim, by her consent).
// Service principals created before the window are not asked about. When
// the service principal list is denied, the bundle says why their grants
// are missing, and the tenant-wide grants are still read.
func TestTenantWideGrants(t *testing.T) {
	const chatbot = "80cf2cdc-2178-400b-ab98-a0677b6bd694"
	w, _, err := incident.Sunnyside().Generate(false)
	if err != nil {
		t.Fatal(err)
	}
	if w.Incident.SPID != chatbot {
		t.Fatalf("the scenario's chatbot is %s", w.Incident.SPID)
	}
	_, url := server(t, emulate.Options{})
	j := job(t)
	j.Since = time.Date(2023, 12, 12, 0, 0, 0, 0, time.UTC)
	m, err := evidence.Collect(context.Background(), connOpts(url), j)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != bundle.StatusComplete {
		t.Fatalf("status %s", m.Status)
	}
	type grant struct{ ID, ClientID, ConsentType, Scope string }
	page := func(path string) []json.RawMessage {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join(m.Dir, path))
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Value []json.RawMessage }
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		return p.Value
	}
	grants := func(path string) []grant {
		var out []grant
		for _, v := range page(path) {
			var g grant
			if err := json.Unmarshal(v, &g); err != nil {
				t.Fatal(err)
			}
			out = append(out, g)
		}
		return out
	}
	want := grant{ID: "3Ag8WzMpnk-ofNvH2hfbNQ5Y4jXvqrpJkVJMIwHZjA4", ClientID: chatbot, ConsentType: "AllPrincipals", Scope: " Mail.ReadWrite MailboxSettings.ReadWrite User.Read"}
	if g := grants("directory/oauth2PermissionGrants-allPrincipals-0001.json"); len(g) != 1 || g[0] != want {
		t.Errorf("tenant-wide grants %+v", g)
	}
	dir := "directory/servicePrincipals/" + chatbot + "/"
	if g := grants(dir + "oauth2PermissionGrants-0001.json"); len(g) != 1 || g[0] != want {
		t.Errorf("the chatbot's grants %+v", g)
	}
	if a := page(dir + "appRoleAssignments-0001.json"); len(a) != 0 {
		t.Errorf("application permissions granted to the chatbot: %s", a)
	}
	if a := page(dir + "appRoleAssignedTo-0001.json"); len(a) != 1 || !bytes.Contains(a[0], []byte(`"principalId":"`+w.Incident.Victim.ID+`"`)) {
		t.Errorf("assigned to the chatbot: %s", a)
	}
	sum := source(m, "directory/servicePrincipalGrants")
	if sum.Status != bundle.SourceOK || sum.Note != "1 created in the window: "+chatbot {
		t.Errorf("summary source %+v", sum)
	}
	for _, s := range m.Sources {
		if strings.HasPrefix(s.ID, "directory/servicePrincipals/") && !strings.HasPrefix(s.ID, "directory/servicePrincipals/"+chatbot+"/") {
			t.Errorf("asked about a service principal created before the window: %s", s.ID)
		}
	}

	_, url = server(t, emulate.Options{Deny: []string{"servicePrincipals"}})
	m, err = evidence.Collect(context.Background(), connOpts(url), j)
	if err != nil {
		t.Fatal(err)
	}
	sum = source(m, "directory/servicePrincipalGrants")
	if m.Status != bundle.StatusPartial || sum.Status != bundle.SourceError || !strings.Contains(sum.Error, "service principal list could not be read") ||
		source(m, "directory/oauth2PermissionGrants/allPrincipals").Status != bundle.SourceOK {
		t.Errorf("service principals denied: %s, summary %+v", m.Status, sum)
	}
}

// TestBoundedConcurrency: --concurrency bounds every request of a run,
// measured at the server: the page workers and the audit log query (created,
// polled and paged in its own goroutine while the logs are read) share it.
func TestBoundedConcurrency(t *testing.T) {
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, conc := range []int{1, 3} {
		t.Run(fmt.Sprint(conc), func(t *testing.T) {
			flight := &emulate.InFlight{}
			// Small pages and some latency: many requests, overlapping
			// whenever the client lets them.
			s := emulate.New(snap, emulate.Options{Incident: true, PageSize: 50, Latency: 2 * time.Millisecond,
				Date:       func() time.Time { return time.Date(2023, 12, 14, 1, 0, 0, 0, time.UTC) },
				AuditQuery: emulate.AuditQueryOptions{Polls: 3}})
			hs := httptest.NewServer(flight.Wrap(s))
			t.Cleanup(hs.Close)
			j := job(t)
			j.Since = time.Date(2023, 12, 11, 0, 0, 0, 0, time.UTC)
			o := connOpts(hs.URL)
			o.Concurrency = conc
			m, err := evidence.Collect(context.Background(), o, j)
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != bundle.StatusComplete {
				t.Fatalf("status %s", m.Status)
			}
			t.Logf("max in flight %d (limit %d), %d requests", flight.Max(), conc, len(s.Requests()))
			if n := flight.Max(); n > int64(conc) || n < 1 {
				t.Errorf("%d requests in flight at once, --concurrency %d", n, conc)
			}
		})
	}
}

// TestPagesAreBytesAsReceived: every file of a bundle (log pages, lists,
// the audit log query object, the tenant context) holds a response body
// byte for byte as the service sent it, never re-serialised. The service
// here indents its JSON (as Graph may lay out its answers however it
// likes), so a collector that decoded and encoded again would store other
// bytes.
func TestPagesAreBytesAsReceived(t *testing.T) {
	snap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	s := emulate.New(snap, emulate.Options{Incident: true, PageSize: 250,
		Date:       func() time.Time { return time.Date(2023, 12, 14, 1, 0, 0, 0, time.UTC) },
		AuditQuery: emulate.AuditQueryOptions{Polls: 2}})
	var mu sync.Mutex
	sent := map[string]bool{} // SHA-256 of every successful body sent
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var ind bytes.Buffer
		if rec.Code/100 == 2 && json.Indent(&ind, body, "", "  ") == nil {
			body = ind.Bytes()
			sum := sha256.Sum256(body)
			mu.Lock()
			sent[hex.EncodeToString(sum[:])] = true
			mu.Unlock()
		}
		maps.Copy(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	}))
	t.Cleanup(hs.Close)
	j := job(t, "johanna@sunnyside08.onmicrosoft.com")
	j.Since = time.Date(2023, 12, 12, 0, 0, 0, 0, time.UTC)
	m, err := evidence.Collect(context.Background(), connOpts(hs.URL), j)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != bundle.StatusComplete {
		t.Fatalf("status %s", m.Status)
	}
	roles := map[string]int{}
	for _, f := range m.Files {
		raw, err := os.ReadFile(filepath.Join(m.Dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 || !sent[got] {
			t.Errorf("%s: SHA-256 %s (manifest %s) is not that of a body the service sent", f.Path, got, f.SHA256)
		}
		roles[f.Role]++
	}
	if roles[bundle.RolePage] == 0 || roles[bundle.RoleQuery] != 1 || roles[bundle.RoleContext] != 2 {
		t.Errorf("files by role %v", roles)
	}
	// and the bundle's logs read the same whatever the layout
	if got := records(t, m.Dir); len(got[bundle.KindSignIns]) == 0 || len(got[bundle.KindUnifiedAuditLog]) == 0 {
		t.Errorf("records by kind: %d sign-ins, %d UAL", len(got[bundle.KindSignIns]), len(got[bundle.KindUnifiedAuditLog]))
	}
}

// TestResumeRetriesFailedSourcesInItsTenant: a resume tries the sources
// that failed again (a permission granted since), but only with a
// credential of the bundle's own tenant: another tenant's, or one whose
// organization cannot be read, adds nothing to the bundle.
func TestResumeRetriesFailedSourcesInItsTenant(t *testing.T) {
	_, denied := server(t, emulate.Options{Deny: []string{"signIns"}})
	j := job(t)
	j.Since = until.Add(-24 * time.Hour)
	m, err := evidence.Collect(context.Background(), connOpts(denied), j)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != bundle.StatusPartial || source(m, "signIns/interactive/20231213T0000").Status != bundle.SourceDenied {
		t.Fatalf("status %s", m.Status)
	}
	journal := filepath.Join(m.Dir, bundle.JournalName)
	before, _ := os.ReadFile(journal)
	resume := func(url string) (*bundle.Manifest, error) {
		r := job(t)
		r.Resume, r.Parent = m.Dir, ""
		o := connOpts(url)
		o.TenantID = "" // the bundle's tenant is checked whatever --tenant says
		return evidence.Collect(context.Background(), o, r)
	}
	srv, granted := server(t, emulate.Options{})
	for name, url := range map[string]string{
		"another tenant": func() string {
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/organization") {
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"value":[{"id":"11111111-2222-4333-8444-555555555555","displayName":"Contoso","verifiedDomains":[{"name":"contoso.onmicrosoft.com","isInitial":true}]}]}`))
					return
				}
				srv.ServeHTTP(w, r)
			}))
			t.Cleanup(hs.Close)
			return hs.URL
		}(),
		"organization unreadable": func() string {
			_, url := server(t, emulate.Options{Deny: []string{"organization"}})
			return url
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := resume(url)
			if !errors.Is(err, evidence.ErrTenantMismatch) || !strings.Contains(err.Error(), "35a4937b-c200-40f5-8db0-1813c0f63ffe") {
				t.Errorf("resume: %v", err)
			}
			if after, _ := os.ReadFile(journal); !bytes.Equal(after, before) {
				t.Error("the bundle's journal changed")
			}
		})
	}
	m2, err := resume(granted)
	if err != nil {
		t.Fatal(err)
	}
	s := source(m2, "signIns/interactive/20231213T0000")
	if m2.Status != bundle.StatusComplete || s.Status != bundle.SourceOK || s.Records == 0 || s.Error != "" || len(m2.Runs) != 2 {
		t.Errorf("after the permission was granted: %s, sign-ins %+v, runs %d", m2.Status, s, len(m2.Runs))
	}
	if got := records(t, m2.Dir); len(got[bundle.KindSignIns]) != s.Records+source(m2, "signIns/noninteractive/20231213T0000").Records {
		t.Errorf("%d sign-ins in the bundle", len(got[bundle.KindSignIns]))
	}
}

// TestRunByFromTokenClaims: who ran the collection comes from the access
// token's claims (an application's id and name for app-only tokens, the
// user for delegated ones), never the token: the bundle holds neither the
// token nor its signature.
func TestRunByFromTokenClaims(t *testing.T) {
	jwt := func(claims string) string {
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(`{"typ":"JWT","alg":"RS256"}`)) + "." + enc([]byte(claims)) + ".c2lnbmF0dXJlLW5ldmVyLXN0b3JlZA"
	}
	tests := []struct {
		name, token string
		want        bundle.Principal
	}{
		{"application", jwt(`{"idtyp":"app","appid":"0d0c9b1e-1111-4222-8333-444455556666","app_displayname":"tenantgate-reader","oid":"9a1b7c2d-0000-4000-8000-000000000001","tid":"35a4937b-c200-40f5-8db0-1813c0f63ffe"}`),
			bundle.Principal{Type: "application", AppID: "0d0c9b1e-1111-4222-8333-444455556666", AppDisplayName: "tenantgate-reader", ObjectID: "9a1b7c2d-0000-4000-8000-000000000001", From: "access token claims"}},
		{"user", jwt(`{"idtyp":"user","upn":"yumin@sunnyside08.onmicrosoft.com","name":"Yumi Nakamura","oid":"4485648b-229b-4b00-ace6-e10fb80494c1","appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","app_displayname":"Microsoft Azure CLI"}`),
			bundle.Principal{Type: "user", UserPrincipalName: "yumin@sunnyside08.onmicrosoft.com", DisplayName: "Yumi Nakamura", ObjectID: "4485648b-229b-4b00-ace6-e10fb80494c1",
				AppID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", AppDisplayName: "Microsoft Azure CLI", From: "access token claims"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := server(t, emulate.Options{})
			j := job(t)
			j.Since = until.Add(-24 * time.Hour)
			o := connOpts(url)
			o.AccessToken = conn.Secret(tt.token)
			m, err := evidence.Collect(context.Background(), o, j)
			if err != nil {
				t.Fatal(err)
			}
			if m.RunBy != tt.want {
				t.Errorf("runBy %+v, want %+v", m.RunBy, tt.want)
			}
			for _, r := range srv.Requests() {
				if r.Path == "/v1.0/me" {
					t.Error("GET /me although the token names who runs it")
				}
			}
			_ = filepath.WalkDir(m.Dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					raw, _ := os.ReadFile(p)
					if bytes.Contains(raw, []byte(tt.token)) || bytes.Contains(raw, []byte("c2lnbmF0dXJlLW5ldmVyLXN0b3JlZA")) {
						t.Errorf("%s holds the token", p)
					}
				}
				return nil
			})
		})
	}
}

// TestProgressLines: off a terminal, progress is a plain line (records and
// pages so far) at most every ProgressEvery; here every page, so the lines
// count the pages and the last one the bundle's log and list records.
func TestProgressLines(t *testing.T) {
	_, url := server(t, emulate.Options{})
	j := job(t)
	j.Since = until.Add(-24 * time.Hour)
	var lines bytes.Buffer
	j.ProgressLines = &lines
	m, err := evidence.Collect(context.Background(), connOpts(url), j)
	if err != nil {
		t.Fatal(err)
	}
	pages, records := 0, 0
	for _, f := range m.Files {
		if f.Role == bundle.RolePage {
			pages++
			records += f.Records
		}
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(lines.String()), "\n") {
		if strings.HasSuffix(l, " pages so far") {
			got = append(got, l)
		}
	}
	if want := fmt.Sprintf("evidence: %d records in %d pages so far", records, pages); len(got) != pages || got[len(got)-1] != want {
		t.Errorf("%d lines, last %q; want %d, %q", len(got), got[len(got)-1], pages, want)
	}
	// and the audit log query's news, which no page shows while it runs
	q := source(m, "unifiedAuditLog").Query
	for _, want := range []string{"created", "running", "succeeded"} {
		if !strings.Contains(lines.String(), "evidence: audit log query "+q.ID+" ") || !strings.Contains(lines.String(), q.ID+": "+want) && !strings.Contains(lines.String(), q.ID+" "+want) {
			t.Errorf("no line says the query is %s:\n%s", want, lines.String())
		}
	}
}

// TestRedirectsStayOnTheEndpoint: a sign-in page redirected to another host
// (absolute Location) and the audit log query's creation redirected, even
// to the endpoint itself: the other host hears nothing (no token), the
// create never follows the redirect (it is sent again only to its own URL,
// after the queries were listed and it was absent), and each source is an
// error, never data.
func TestRedirectsStayOnTheEndpoint(t *testing.T) {
	var heard atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		heard.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	t.Cleanup(other.Close)
	srv, _ := server(t, emulate.Options{})
	var posts, moved atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/moved"):
			moved.Add(1)
			w.WriteHeader(http.StatusNotFound)
		case strings.Contains(r.URL.Path, "auditLogs/signIns") && strings.Contains(r.URL.Query().Get("$filter"), "interactiveUser"):
			http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/security/auditLog/queries"):
			posts.Add(1)
			http.Redirect(w, r, r.URL.Path+"/moved", http.StatusTemporaryRedirect)
		default:
			srv.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(hs.Close)
	m, _ := lastDay(t, hs.URL)
	if n := heard.Load(); n != 0 {
		t.Errorf("the other host received %d requests", n)
	}
	s := source(m, "signIns/interactive/20231213T0000")
	if s.Status != bundle.SourceError || s.Code != "redirectRefused" || !strings.Contains(s.Error, other.URL) || s.Records != 0 {
		t.Errorf("redirected sign-ins: %+v", s)
	}
	if posts.Load() == 0 || posts.Load() > 3 || moved.Load() != 0 || srv.IncidentQueries() != 0 {
		t.Errorf("%d POSTs of the audit log query, %d to its redirect, %d created", posts.Load(), moved.Load(), srv.IncidentQueries())
	}
	if u := source(m, "unifiedAuditLog"); u.Status == bundle.SourceOK || u.Records != 0 {
		t.Errorf("redirected audit log query: %+v", u)
	}
	if source(m, "signIns/noninteractive/20231213T0000").Status != bundle.SourceOK || m.Status == bundle.StatusComplete {
		t.Errorf("status %s: the other sources are read, the bundle is not complete", m.Status)
	}
	assertNoSecret(t, m.Dir)
}
