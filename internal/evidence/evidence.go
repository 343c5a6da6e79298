// Package evidence collects an incident's logs from a tenant over Microsoft
// Graph into an evidence bundle (internal/evidence/bundle): sign-ins,
// directory audits and the unified audit log for a window (in time slices,
// read in parallel), and the users' inbox rules, authentication methods,
// devices, grants and app role assignments, and the applications created in
// the window. Every response is stored as received, one file per page; an
// interrupted run resumes into the same bundle.
//
// It uses internal/collect's Graph transport (never a second HTTP client):
// retries honouring Retry-After, a POST never resent, redirects and
// @odata.nextLinks held to the configured endpoint, tokens never logged.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/tenantgate/tenantgate/internal/collect"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
	"github.com/tenantgate/tenantgate/internal/permissions"
)

// Live implements the CLI's evidence interface over a real (or emulated)
// tenant.
type Live struct{}

// Evidence implements cli.EvidenceLive.
func (Live) Evidence(ctx context.Context, opts conn.Options, job bundle.Job) (*bundle.Manifest, error) {
	return Collect(ctx, opts, job)
}

// ErrTenantMismatch marks a credential that reaches another tenant than
// --tenant or the resumed bundle's: nothing is written.
var ErrTenantMismatch = errors.New("wrong tenant")

// maxPages stops a source whose nextLinks never end.
const maxPages = 100000

// run is one collection.
type run struct {
	g     *collect.GraphClient
	w     *bundle.Writer
	job   bundle.Job
	req   bundle.Request
	pages atomic.Int64
	recs  atomic.Int64
	bar   *progress
	log   io.Writer
	conc  int
	// sem holds one slot per request in flight: the page workers and the
	// audit log query's goroutine share it, so --concurrency bounds every
	// request of the run (a wait between polls holds none).
	sem chan struct{}
}

// task is one source to read.
type task struct {
	src   bundle.Source
	first string // first request, a path from the endpoint ("/beta/...")
	// count, when set, adds a note from the page's records (servicePrincipals
	// created in the window).
	count func(values []json.RawMessage) int
	note  func(n int) string
}

// lockedWriter serialises writes to w under mu (shared by the writers that
// reach one stream).
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Collect runs job against the tenant opts reaches.
func Collect(ctx context.Context, opts conn.Options, job bundle.Job) (*bundle.Manifest, error) {
	started := time.Now().UTC()
	log := job.Log
	if log == nil {
		log = io.Discard
	}
	// The page workers and the audit log query's goroutine warn as they end
	// their sources, and progress lines go to the same stderr: one write at
	// a time across both, so lines never interleave and a writer that is not
	// safe for concurrent use (a buffer) is not raced.
	var logMu sync.Mutex
	log = &lockedWriter{mu: &logMu, w: log}
	if job.ProgressLines != nil {
		job.ProgressLines = &lockedWriter{mu: &logMu, w: job.ProgressLines}
	}
	var w *bundle.Writer
	if job.Resume != "" {
		var removed []string
		var err error
		if w, removed, err = bundle.Resume(job.Resume, started); err != nil {
			return nil, err
		}
		for _, p := range removed {
			fmt.Fprintf(log, "evidence: removed %s: written by the interrupted run but never recorded; it is fetched again\n", p)
		}
	}
	g, err := collect.NewGraphClient(ctx, opts)
	if err != nil {
		if w != nil {
			_ = w.Abort()
		}
		return nil, err
	}
	r := &run{g: g, job: job, log: log, conc: opts.Concurrency}
	if r.conc <= 0 {
		r.conc = 4
	}
	r.sem = make(chan struct{}, r.conc)
	org, skus, now, err := r.tenant(ctx, opts, w)
	if err != nil {
		if w != nil {
			// nothing was read for the bundle: it is left as it was
			_ = w.Abort()
		}
		return nil, err
	}
	if w == nil {
		if w, err = r.create(ctx, opts, org, skus, now); err != nil {
			return nil, err
		}
	}
	r.w = w
	r.req = w.Header().Request
	r.bar = newProgress(job.Progress, job.ProgressLines, job.ProgressEvery)
	tasks := r.plan()
	for _, t := range tasks {
		if err := w.Plan(t.src); err != nil {
			return nil, err
		}
	}
	// The service principals first (one or a few pages): the grants of
	// those created in the window are then read with everything else.
	var sps, rest []task
	for _, t := range tasks {
		if t.src.ID == servicePrincipalsID {
			sps = append(sps, t)
		} else {
			rest = append(rest, t)
		}
	}
	r.runAll(ctx, sps)
	more, err := r.servicePrincipalTasks()
	if err != nil {
		return nil, err
	}
	r.runAll(ctx, append(rest, more...))
	r.bar.done()
	m, err := w.Close(bundle.Run{Started: started, Finished: time.Now().UTC(), Resumed: w.Resumed(), Requests: g.Requests()})
	if err != nil {
		return nil, fmt.Errorf("write the bundle's manifest: %w", err)
	}
	return m, nil
}

// tenant reads the organization and its licences, checks it is the tenant
// asked for (--tenant, or the resumed bundle's), and returns the service's
// clock (the Date of its answer), which the window and retention are
// measured against.
func (r *run) tenant(ctx context.Context, opts conn.Options, resumed *bundle.Writer) (org, skus []byte, now time.Time, err error) {
	resp := r.get(ctx, "/v1.0/organization")
	now = resp.Date
	if now.IsZero() {
		now = time.Now().UTC()
	}
	if resp.Err != nil {
		return nil, nil, now, fmt.Errorf("cannot reach Microsoft Graph at %s: %w", r.g.Host(), resp.Err)
	}
	if resp.Status == 401 {
		return nil, nil, now, fmt.Errorf("graph refused the token (%s); check --tenant and the credential", resp.Describe())
	}
	if resp.OK() {
		var page struct {
			Value []json.RawMessage `json:"value"`
		}
		if json.Unmarshal(resp.Body, &page) == nil && len(page.Value) == 1 {
			org = resp.Body
			if err := conn.SameTenant(opts.TenantID, page.Value[0]); err != nil {
				return nil, nil, now, fmt.Errorf("%w: %v: nothing was collected; check --tenant and the credential", ErrTenantMismatch, err)
			}
			if resumed != nil {
				if err := conn.SameTenant(resumed.Header().Tenant.ID, page.Value[0]); err != nil {
					return nil, nil, now, fmt.Errorf("%w: %v: the bundle %s belongs to tenant %s; nothing was added to it", ErrTenantMismatch, err, resumed.Dir(), resumed.Header().Tenant.ID)
				}
			}
		}
	} else {
		if opts.TenantID == "" {
			fmt.Fprintf(r.log, "warning: the organization could not be read (%s): which tenant the credential reached is unknown\n", resp.Describe())
		} else {
			fmt.Fprintf(r.log, "warning: the organization could not be read (%s): whether the credential reached tenant %q is unchecked\n", resp.Describe(), opts.TenantID)
		}
		if resumed != nil {
			return nil, nil, now, fmt.Errorf("%w: the organization could not be read (%s), so the credential cannot be checked against the bundle's tenant %s", ErrTenantMismatch, resp.Describe(), resumed.Header().Tenant.ID)
		}
	}
	if s := r.get(ctx, "/v1.0/subscribedSkus"); s.OK() {
		skus = s.Body
	} else {
		fmt.Fprintf(r.log, "warning: the tenant's licences could not be read (%s)\n", s.Describe())
	}
	return org, skus, now, nil
}

// create makes a new bundle for the job: the window (Until defaults to the
// service's now), who runs it, retention warnings, and the tenant context
// files.
func (r *run) create(ctx context.Context, opts conn.Options, org, skus []byte, now time.Time) (*bundle.Writer, error) {
	job := r.job
	until := job.Until
	if until.IsZero() {
		until = now
	}
	if !job.Since.Before(until) {
		return nil, fmt.Errorf("--since %s is not before --until %s", job.Since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	slice := job.Slice
	if slice <= 0 {
		slice = 24 * time.Hour
	}
	types := job.RecordTypes
	if len(types) == 0 {
		types = bundle.DefaultRecordTypes()
	}
	users := make([]string, 0, len(job.Users))
	for _, u := range job.Users {
		users = append(users, strings.ToLower(strings.TrimSpace(u)))
	}
	h := bundle.Manifest{BundleID: uuid.NewString(), Tool: bundle.Tool{Name: "tenantgate", Version: job.ToolVersion},
		Tenant: bundle.Tenant{Requested: opts.TenantID, Cloud: opts.Cloud, GraphHost: r.g.Host()},
		Request: bundle.Request{Users: users, Since: job.Since.UTC(), Until: until.UTC(), TenantWideLogs: job.TenantWideLogs || len(users) == 0,
			Slice: slice.String(), RecordTypes: types}}
	if h.Tenant.Cloud == "" {
		h.Tenant.Cloud = "global"
	}
	var orgObj struct {
		Value []struct {
			ID              string `json:"id"`
			DisplayName     string `json:"displayName"`
			VerifiedDomains []struct {
				Name      string `json:"name"`
				IsInitial bool   `json:"isInitial"`
			} `json:"verifiedDomains"`
		} `json:"value"`
	}
	name := opts.TenantID
	if json.Unmarshal(org, &orgObj) == nil && len(orgObj.Value) == 1 {
		o := orgObj.Value[0]
		h.Tenant.ID, h.Tenant.DisplayName = o.ID, o.DisplayName
		for _, d := range o.VerifiedDomains {
			if d.IsInitial {
				name = d.Name
			}
		}
		if name == "" {
			name = o.ID
		}
	}
	if h.Tenant.ID == "" {
		h.Tenant.ID = "unknown"
	}
	if name == "" {
		name = "tenant"
	}
	h.RunBy = r.principal(ctx)
	if job.Retention != nil {
		h.Retention = job.Retention(org, skus, h.Request.Since, now)
		if h.Retention != nil {
			for _, warn := range h.Retention.Warnings {
				fmt.Fprintf(r.log, "warning: %s\n", warn)
			}
		}
	}
	w, err := bundle.Create(job.Parent, safeName(name)+"-"+now.UTC().Format("20060102T150405Z"), h, now)
	if err != nil {
		return nil, fmt.Errorf("create the evidence bundle in %s: %w", job.Parent, err)
	}
	for _, c := range []struct {
		path, req string
		body      []byte
	}{{"tenant/organization.json", "GET /v1.0/organization", org}, {"tenant/subscribedSkus.json", "GET /v1.0/subscribedSkus", skus}} {
		if c.body == nil {
			continue
		}
		n, _ := countValues(c.body)
		if _, err := w.WriteFile(bundle.File{Path: c.path, Source: "organization", Role: bundle.RoleContext, Request: c.req, Records: n}, c.body); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// principal names who runs the collection: the token's claims, else GET /me
// (a delegated token that is not a JWT), never the token.
func (r *run) principal(ctx context.Context) bundle.Principal {
	p := r.g.Principal()
	switch p.Type {
	case "user", "application":
		return bundle.Principal{Type: p.Type, UserPrincipalName: p.UserPrincipalName, DisplayName: p.DisplayName, ObjectID: p.ObjectID,
			AppID: p.AppID, AppDisplayName: p.AppDisplayName, From: "access token claims"}
	}
	resp := r.get(ctx, "/v1.0/me?$select=id,userPrincipalName,displayName")
	if !resp.OK() {
		return bundle.Principal{Type: "unknown", From: "the token's claims are unreadable and GET /v1.0/me failed: " + resp.Describe()}
	}
	var me struct{ ID, UserPrincipalName, DisplayName string }
	if json.Unmarshal(resp.Body, &me) != nil || me.UserPrincipalName == "" {
		return bundle.Principal{Type: "unknown", From: "GET /v1.0/me returned no user"}
	}
	return bundle.Principal{Type: "user", UserPrincipalName: me.UserPrincipalName, DisplayName: me.DisplayName, ObjectID: me.ID, From: "GET /v1.0/me"}
}

// plan lists the sources of the bundle's request.
func (r *run) plan() []task {
	q := r.req
	var tasks []task
	logUsers := q.Users
	if q.TenantWideLogs {
		logUsers = nil
	}
	slice, _ := time.ParseDuration(q.Slice)
	if slice <= 0 {
		slice = 24 * time.Hour
	}
	for from := q.Since; from.Before(q.Until); from = from.Add(slice) {
		to := from.Add(slice)
		if to.After(q.Until) {
			to = q.Until
		}
		tasks = append(tasks, r.signIns(from, to, logUsers)...)
		tasks = append(tasks, r.audits(from, to, logUsers)...)
	}
	tasks = append(tasks, r.ual(logUsers))
	for _, u := range q.Users {
		tasks = append(tasks, r.perUser(u)...)
	}
	if len(q.Users) == 0 {
		for _, s := range []string{"messageRules", "authenticationMethods", "registeredDevices", "oauth2PermissionGrants", "appRoleAssignments"} {
			e, _ := permissions.LookupEvidence(s)
			tasks = append(tasks, task{src: bundle.Source{ID: "users/" + s, Source: s, Title: s, Request: e.Request, Status: bundle.SourceSkipped,
				Note: "no --user given: per-user sources are read for the users under investigation only"}})
		}
	}
	tasks = append(tasks, r.directory()...)
	return tasks
}

// timeRange is the OData condition for [from, to): Graph's logs filter with
// ge and le (lt is not documented on them), and their timestamps have 7
// fractional digits, so the end is to less 100 ns.
func timeRange(field string, from, to time.Time) string {
	return fmt.Sprintf("%s ge %s and %s le %s", field, odataTime(from), field, odataTime(to.Add(-100*time.Nanosecond)))
}

func odataTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// odataString quotes s as an OData string literal.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func anyOf(users []string, clause func(string) string) string {
	parts := make([]string, len(users))
	for i, u := range users {
		parts[i] = clause(odataString(u))
	}
	return "(" + strings.Join(parts, " or ") + ")"
}

// filterQuery encodes a $filter (spaces as %20, which Graph expects).
func filterQuery(f string) string {
	return "$filter=" + strings.ReplaceAll(url.QueryEscape(f), "+", "%20")
}

func (r *run) source(name string) (perm, lic []string) {
	e, _ := permissions.LookupEvidence(name)
	return e.Application, e.Licenses
}

func (r *run) signIns(from, to time.Time, users []string) []task {
	day := from.UTC().Format("20060102T1504")
	perm, lic := r.source("signIns")
	var out []task
	for _, kind := range []struct{ name, event, title string }{
		{"interactive", "interactiveUser", "interactive sign-ins"},
		{"noninteractive", "nonInteractiveUser", "non-interactive sign-ins"},
	} {
		f := timeRange("createdDateTime", from, to)
		if len(users) > 0 {
			f += " and " + anyOf(users, func(u string) string { return "userPrincipalName eq " + u })
		}
		f += " and signInEventTypes/any(t: t eq '" + kind.event + "')"
		first := "/beta/auditLogs/signIns?" + filterQuery(f)
		fr, t := from, to
		out = append(out, task{first: first, src: bundle.Source{ID: "signIns/" + kind.name + "/" + day, Source: "signIns." + kind.name,
			Kind: bundle.KindSignIns, Title: kind.title, From: &fr, To: &t, Request: "GET " + first,
			Files: "signIns/" + kind.name + "-" + day, Permission: perm, Licenses: lic}})
	}
	return out
}

func (r *run) audits(from, to time.Time, users []string) []task {
	day := from.UTC().Format("20060102T1504")
	perm, lic := r.source("directoryAudits")
	base := timeRange("activityDateTime", from, to)
	type variant struct{ name, filter, title string }
	vs := []variant{{"all", base, "directory audits"}}
	if len(users) > 0 {
		vs = []variant{
			{"initiated", base + " and " + anyOf(users, func(u string) string { return "initiatedBy/user/userPrincipalName eq " + u }), "directory audits initiated by the users"},
			{"targeted", base + " and " + anyOf(users, func(u string) string { return "targetResources/any(t: t/userPrincipalName eq " + u + ")" }), "directory audits targeting the users"},
		}
	}
	var out []task
	for _, v := range vs {
		first := "/v1.0/auditLogs/directoryAudits?" + filterQuery(v.filter)
		fr, t := from, to
		out = append(out, task{first: first, src: bundle.Source{ID: "directoryAudits/" + v.name + "/" + day, Source: "directoryAudits." + v.name,
			Kind: bundle.KindDirectoryAudits, Title: v.title, From: &fr, To: &t, Request: "GET " + first,
			Files: "directoryAudits/" + v.name + "-" + day, Permission: perm, Licenses: lic}})
	}
	return out
}

// ualVersion is the Graph version of the audit log query API. beta, as the
// public extractors default to it: v1.0 is documented but has been the less
// reliable of the two (graph-api.md §5).
const ualVersion = "beta"

func (r *run) ual(users []string) task {
	perm, lic := r.source("unifiedAuditLog")
	fr, to := r.req.Since, r.req.Until
	return task{src: bundle.Source{ID: "unifiedAuditLog", Source: "unifiedAuditLog", Kind: bundle.KindUnifiedAuditLog,
		Title: "unified audit log", From: &fr, To: &to, Request: "POST /" + ualVersion + "/security/auditLog/queries",
		Files: "unifiedAuditLog/records", Permission: perm, Licenses: lic}}
}

// userDir names a user's directory in the bundle: the UPN when it is plain,
// else sanitised with a hash of the original (never two users in one).
func userDir(upn string) string {
	n := safeName(upn)
	if n != upn {
		sum := sha256.Sum256([]byte(upn))
		n += "-" + hex.EncodeToString(sum[:4])
	}
	return n
}

// safeName keeps letters, digits, '.', '_', '-' and '@' (lower case); other
// bytes become '_', and a leading '.' too.
func safeName(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '@' || c == '.' && i > 0
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}

func (r *run) perUser(upn string) []task {
	dir := "users/" + userDir(upn)
	key := url.PathEscape(upn)
	var out []task
	for _, s := range []struct{ source, name, path, kind, title string }{
		{"messageRules", "messageRules", "/mailFolders/inbox/messageRules", bundle.KindInboxRules, "inbox rules"},
		{"authenticationMethods", "authenticationMethods", "/authentication/methods", "", "authentication methods"},
		{"registeredDevices", "registeredDevices", "/registeredDevices", "", "registered devices"},
		{"registeredDevices", "ownedDevices", "/ownedDevices", "", "owned devices"},
		{"oauth2PermissionGrants", "oauth2PermissionGrants", "/oauth2PermissionGrants", "", "delegated permission grants"},
		{"appRoleAssignments", "appRoleAssignments", "/appRoleAssignments", "", "app role assignments"},
	} {
		perm, lic := r.source(s.source)
		// Inbox rules are asked for by UPN: Graph names the mailbox in the
		// page's @odata.context (users('upn')/...), which is how hunt
		// knows whose rules they are.
		first := "/v1.0/users/" + key + s.path
		out = append(out, task{first: first, src: bundle.Source{ID: dir + "/" + s.name, Source: s.name, Kind: s.kind,
			Title: s.title + " of " + upn, User: upn, Request: "GET " + first, Files: dir + "/" + s.name, Permission: perm, Licenses: lic}})
	}
	return out
}

// servicePrincipalsID is the source of the service principal list, which
// the grants of those created in the window follow.
const servicePrincipalsID = "directory/servicePrincipals"

func (r *run) directory() []task {
	q := r.req
	spPerm, spLic := r.source("servicePrincipals")
	apPerm, apLic := r.source("applications")
	gPerm, gLic := r.source("tenantWideGrants")
	sp := "/v1.0/servicePrincipals?$top=999"
	ap := "/v1.0/applications?" + filterQuery(timeRange("createdDateTime", q.Since, q.Until))
	// consentType supports $filter (eq) as documented on
	// oAuth2PermissionGrant; a grant for all users belongs to no user.
	grants := "/v1.0/oauth2PermissionGrants?" + filterQuery("consentType eq 'AllPrincipals'")
	nlPerm, nlLic := r.source("namedLocations")
	nl := "/v1.0/identity/conditionalAccess/namedLocations"
	fr, to := q.Since, q.Until
	inWindow := func(values []json.RawMessage) int {
		n := 0
		for _, v := range values {
			if _, ok := r.createdInWindow(v); ok {
				n++
			}
		}
		return n
	}
	return []task{
		{first: sp, count: inWindow, note: func(n int) string {
			return fmt.Sprintf("%d created in the window; Graph does not document createdDateTime as filterable on service principals, so the whole list is kept", n)
		}, src: bundle.Source{ID: servicePrincipalsID, Source: "servicePrincipals", Title: "service principals", Request: "GET " + sp,
			Files: "directory/servicePrincipals", Permission: spPerm, Licenses: spLic}},
		{first: ap, src: bundle.Source{ID: "directory/applications", Source: "applications", Title: "applications created in the window", From: &fr, To: &to,
			Request: "GET " + ap, Files: "directory/applications", Permission: apPerm, Licenses: apLic}},
		{first: grants, src: bundle.Source{ID: "directory/oauth2PermissionGrants/allPrincipals", Source: "tenantWideGrants",
			Title: "delegated permission grants for all users (AllPrincipals)", Request: "GET " + grants,
			Files: "directory/oauth2PermissionGrants-allPrincipals", Permission: gPerm, Licenses: gLic}},
		{first: nl, src: bundle.Source{ID: bundle.NamedLocationsID, Source: "namedLocations",
			Title: "named locations (the trusted ones are hunt's trusted networks when none are given)", Request: "GET " + nl,
			Files: "directory/namedLocations", Permission: nlPerm, Licenses: nlLic}},
	}
}

// createdInWindow returns a directory object's id when it was created in
// the bundle's window.
func (r *run) createdInWindow(v json.RawMessage) (string, bool) {
	var o struct {
		ID              string    `json:"id"`
		CreatedDateTime time.Time `json:"createdDateTime"`
	}
	if json.Unmarshal(v, &o) != nil || o.CreatedDateTime.Before(r.req.Since) || o.CreatedDateTime.After(r.req.Until) {
		return "", false
	}
	return o.ID, true
}

// servicePrincipalGrantsID is the source that records which service
// principals' grants were asked for, or why none could be.
const servicePrincipalGrantsID = "directory/servicePrincipalGrants"

// servicePrincipalTasks plans, for each service principal created in the
// window (read back from the bundle's pages of the list, so a resumed run
// asks for the same ones), every delegated grant to it whatever its consent
// type, the application permissions granted to it and who is assigned to
// it: an app the attacker registered or consented to, and who else granted
// it access. A summary source names those service principals, or says why
// none could be asked for.
func (r *run) servicePrincipalTasks() ([]task, error) {
	perm, lic := r.source("servicePrincipalGrants")
	sum := bundle.Source{ID: servicePrincipalGrantsID, Source: "servicePrincipalGrants",
		Title:      "grants and app role assignments of the service principals created in the window",
		Request:    "GET /v1.0/oauth2PermissionGrants?$filter=clientId eq '{id}'; GET /v1.0/servicePrincipals/{id}/appRoleAssignments; GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo",
		Permission: perm, Licenses: lic}
	if err := r.w.Plan(sum); err != nil {
		return nil, err
	}
	status, _, _ := r.w.Progress(servicePrincipalsID)
	switch status {
	case bundle.SourceOK:
	case bundle.StatusIncomplete:
		return nil, nil // interrupted: --resume reads the list, then these
	default:
		r.end(servicePrincipalGrantsID, bundle.Source{Status: bundle.SourceError, Code: "notCollected",
			Error: "the service principal list could not be read, so the grants of those created in the window could not be asked for"}, task{src: sum})
		return nil, nil
	}
	var ids []string
	for _, p := range r.w.Pages(servicePrincipalsID) {
		raw, err := os.ReadFile(filepath.Join(r.w.Dir(), filepath.FromSlash(p)))
		if err != nil {
			return nil, fmt.Errorf("read back %s: %w", p, err)
		}
		values, _, err := decodePage(raw)
		if err != nil {
			return nil, fmt.Errorf("read back %s: %w", p, err)
		}
		for _, v := range values {
			if id, ok := r.createdInWindow(v); ok {
				if uuid.Validate(id) != nil {
					fmt.Fprintf(r.log, "warning: %s: service principal id %q is not a GUID; its grants are not asked for\n", p, id)
					continue
				}
				ids = append(ids, strings.ToLower(id))
			}
		}
	}
	var tasks []task
	for _, id := range ids {
		dir := "directory/servicePrincipals/" + id
		for _, s := range []struct{ name, first, title string }{
			{"oauth2PermissionGrants", "/v1.0/oauth2PermissionGrants?" + filterQuery("clientId eq "+odataString(id)), "delegated permission grants to service principal " + id},
			{"appRoleAssignments", "/v1.0/servicePrincipals/" + id + "/appRoleAssignments", "app role assignments granted to service principal " + id},
			{"appRoleAssignedTo", "/v1.0/servicePrincipals/" + id + "/appRoleAssignedTo", "users and groups assigned to service principal " + id},
		} {
			t := task{first: s.first, src: bundle.Source{ID: dir + "/" + s.name, Source: "servicePrincipalGrants", Title: s.title,
				Request: "GET " + s.first, Files: dir + "/" + s.name, Permission: perm, Licenses: lic}}
			if err := r.w.Plan(t.src); err != nil {
				return nil, err
			}
			tasks = append(tasks, t)
		}
	}
	note := "no service principal was created in the window"
	if len(ids) > 0 {
		note = fmt.Sprintf("%d created in the window: %s", len(ids), strings.Join(ids, ", "))
	}
	r.end(servicePrincipalGrantsID, bundle.Source{Status: bundle.SourceOK, Note: note}, task{src: sum})
	return tasks, nil
}

// runAll reads every source not yet complete: the unified audit log in its
// own goroutine (it waits on the service), the others by a pool of
// Concurrency workers.
func (r *run) runAll(ctx context.Context, tasks []task) {
	workers := max(1, r.conc)
	var wg sync.WaitGroup
	queue := make(chan task)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range queue {
				r.pageAll(ctx, t)
			}
		}()
	}
	for _, t := range tasks {
		status, _, _ := r.w.Progress(t.src.ID)
		if status == bundle.SourceOK || status == bundle.SourceSkipped {
			continue
		}
		if t.src.ID == "unifiedAuditLog" {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.auditLog(ctx, t)
			}()
			continue
		}
		select {
		case queue <- t:
		case <-ctx.Done():
		}
	}
	close(queue)
	wg.Wait()
}

// pageAll reads one source page by page from its first request, or from the
// nextLink of the last page already in the bundle.
func (r *run) pageAll(ctx context.Context, t task) {
	id := t.src.ID
	_, pages, next := r.w.Progress(id)
	rel := t.first
	if pages > 0 {
		if next == "" {
			r.end(id, bundle.Source{Status: bundle.SourceOK}, t)
			return
		}
		var err error
		if rel, err = r.g.NextLink(version(t.first), next); err != nil {
			// A link read back from the bundle is held to the endpoint
			// exactly as a live one: a tampered journal cannot send the
			// token elsewhere.
			r.end(id, bundle.Source{Status: bundle.SourceError, Code: "invalidNextLink", Error: err.Error() + " (read back from the bundle's journal)"}, t)
			return
		}
	}
	counted := 0
	for {
		if ctx.Err() != nil {
			return // stays incomplete: --resume continues here
		}
		resp := r.get(ctx, rel)
		if ctx.Err() != nil && !resp.OK() {
			return
		}
		if !resp.OK() {
			r.end(id, failure(resp), t)
			return
		}
		values, link, err := decodePage(resp.Body)
		if err != nil {
			r.end(id, bundle.Source{Status: bundle.SourceError, HTTPStatus: resp.Status, Code: "invalidResponse", Error: err.Error()}, t)
			return
		}
		if t.count != nil {
			counted += t.count(values)
		}
		f, err := r.w.WritePage(id, bundle.File{Source: t.src.Source, Kind: t.src.Kind, Role: bundle.RolePage, Request: "GET " + rel,
			Records: len(values), CollectedAt: time.Now().UTC()}, resp.Body, link)
		if err != nil {
			r.end(id, bundle.Source{Status: bundle.SourceError, Code: "writeFailed", Error: err.Error()}, t)
			return
		}
		r.bar.page(len(values))
		if r.job.OnPage != nil {
			r.job.OnPage(int(r.pages.Add(1)))
		}
		if link == "" {
			end := bundle.Source{Status: bundle.SourceOK}
			if t.note != nil {
				end.Note = t.note(counted)
			}
			r.end(id, end, t)
			return
		}
		if f.Page >= maxPages {
			r.end(id, bundle.Source{Status: bundle.SourceError, Code: "tooManyPages", Error: fmt.Sprintf("more than %d pages; stopped following @odata.nextLink", maxPages)}, t)
			return
		}
		if rel, err = r.g.NextLink(version(t.first), link); err != nil {
			r.end(id, bundle.Source{Status: bundle.SourceError, HTTPStatus: resp.Status, Code: "invalidNextLink", Error: err.Error()}, t)
			return
		}
	}
}

// get sends one GET within the run's concurrency bound.
func (r *run) get(ctx context.Context, rel string) collect.Response {
	return r.send(ctx, func() collect.Response { return r.g.Get(ctx, rel) })
}

// post sends one POST (never resent) within the run's concurrency bound.
func (r *run) post(ctx context.Context, rel string, body []byte) collect.Response {
	return r.send(ctx, func() collect.Response { return r.g.Post(ctx, rel, body) })
}

func (r *run) send(ctx context.Context, do func() collect.Response) collect.Response {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return collect.Response{Err: ctx.Err()}
	}
	defer func() { <-r.sem }()
	return do()
}

func (r *run) end(id string, s bundle.Source, t task) {
	if err := r.w.End(id, s); err != nil {
		fmt.Fprintf(r.log, "warning: %s: %v\n", id, err)
	}
	if s.Status != bundle.SourceOK {
		src := t.src
		src.Status, src.HTTPStatus, src.Code, src.Error = s.Status, s.HTTPStatus, s.Code, s.Error
		fmt.Fprintf(r.log, "warning: %s\n", src.Describe())
	}
}

// failure turns a failed answer into a source's end: 403 is a permission
// (or licence) the credential lacks.
func failure(resp collect.Response) bundle.Source {
	s := bundle.Source{Status: bundle.SourceError, HTTPStatus: resp.Status, Code: resp.Code, Error: resp.Message}
	switch {
	case resp.Err != nil:
		s.Error = resp.Err.Error()
	case resp.Status == 403:
		s.Status = bundle.SourceDenied
	case resp.RetryRefused():
		s.Error = strings.TrimSpace(fmt.Sprintf("%s (the service asked to wait Retry-After %ss, longer than the %s tenantgate waits: not retried; --resume continues from here later)",
			s.Error, strings.TrimSpace(resp.RetryAfter), fmt.Sprintf("%.0fs", collect.MaxRetryWait.Seconds())))
	case resp.Status == 429:
		s.Error = strings.TrimSpace(s.Error + " (still throttled after the retries Retry-After allowed; --resume continues from here)")
	}
	if s.Error == "" && resp.Err == nil {
		s.Error = fmt.Sprintf("HTTP %d", resp.Status)
	}
	return s
}

// version is the API version of a request path ("/beta/..." -> "beta").
func version(rel string) string {
	v, _, _ := strings.Cut(strings.TrimPrefix(rel, "/"), "/")
	return v
}

var decodePage = collect.DecodePage

func countValues(body []byte) (int, error) {
	v, _, err := decodePage(body)
	return len(v), err
}
