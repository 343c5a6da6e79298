// Package collect reads a tenant over Microsoft Graph and Azure Resource
// Manager into a snapshot. It is one of the two packages (with internal/apply)
// that link msgraph-sdk-go: the SDK provides authentication (azidentity),
// the adapter, retries, gzip and error decoding, while every body is kept as
// the raw JSON the service returned, because the SDK's typed models drop beta
// fields and turn unknown enum values into the first enum member.
//
// A tenant is read in a handful of round trips: every Graph read goes out at
// once in JSON $batch requests (up to 20 each), the ARM reads in parallel;
// next pages and throttled items follow in later rounds.
package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	abs "github.com/microsoft/kiota-abstractions-go"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Live implements cli.Live over a real (or emulated) tenant.
type Live struct{}

// Collect implements cli.Live.
func (Live) Collect(ctx context.Context, opts conn.Options, breakGlass []string) (*snapshot.Snapshot, error) {
	return Collect(ctx, opts, breakGlass)
}

// Collect reads the tenant described by opts. breakGlass are the baseline's
// break-glass accounts (UPNs or object ids) to resolve. Sources that fail are
// recorded in the snapshot; an error is returned when no Microsoft Graph
// source could be read, whatever ARM answered.
func Collect(ctx context.Context, opts conn.Options, breakGlass []string) (*snapshot.Snapshot, error) {
	return collectWith(ctx, opts, breakGlass, hooks{})
}

// hooks replace parts of a run in tests: the retry clock and the credential.
type hooks struct {
	sleep func(context.Context, time.Duration) error
	cred  azcore.TokenCredential
}

// collector holds one collection run.
type collector struct {
	opts       conn.Options
	cred       azcore.TokenCredential
	credDesc   string
	graph, arm *adapter
	graphScope string
	obs        *observer
	sem        chan struct{}
	received   atomic.Int64 // bytes of data accepted so far (budget)
	sleep      func(context.Context, time.Duration) error
}

func collectWith(ctx context.Context, opts conn.Options, breakGlass []string, h hooks) (*snapshot.Snapshot, error) {
	graphURL, armURL, err := opts.Resolve()
	if err != nil {
		return nil, err
	}
	if opts.Cloud == "" {
		opts.Cloud = "global"
	}
	cred, desc := h.cred, "test credential"
	if cred == nil {
		// Device-code instructions go to the process's stderr even when
		// progress is off: without them the sign-in cannot complete.
		if cred, desc, err = credential(opts, os.Stderr); err != nil {
			return nil, err
		}
	}
	c := &collector{opts: opts, cred: cred, credDesc: desc, obs: newObserver(opts), sleep: h.sleep}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if opts.RoundTrips != nil {
		defer func() { opts.RoundTrips.Add(c.obs.requests.Load()) }()
	}
	n := opts.Concurrency
	if n <= 0 {
		n = 4
	}
	c.sem = make(chan struct{}, n)
	cloud := conn.Clouds[opts.Cloud]
	// Token audiences are the cloud's real resources even when an endpoint is
	// overridden (an emulator or proxy stands in for them).
	c.graphScope = cloud.Graph + "/.default"
	if c.graph, err = newAdapter(cred, c.graphScope, graphURL, c.obs); err != nil {
		return nil, fmt.Errorf("graph client: %w", err)
	}
	if c.arm, err = newAdapter(cred, cloud.ARM+"/.default", armURL, c.obs); err != nil {
		return nil, fmt.Errorf("azure resource manager client: %w", err)
	}
	return c.run(ctx, breakGlass)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxCollectBytes bounds the data one collection accepts in all: twice
// the largest snapshot, as a few sources may come back too large and be
// dropped by snapshot.EnforceLimits. Each source alone may hold at most
// snapshot.MaxFileBytes. A service sending more fails the source that
// crossed the bound (its controls not_assessed) instead of growing memory.
const maxCollectBytes = 2 * snapshot.MaxFileBytes

// budget accounts for n more bytes of a source that has now received total
// bytes: false when the source or the whole collection is over its bound.
func (c *collector) budget(total int64, n int) bool {
	return c.received.Add(int64(n)) <= maxCollectBytes && total <= snapshot.MaxFileBytes
}

// tooMuch is the failure of a source over its bound (an error, so that
// response.ok is false whatever the HTTP status was).
func tooMuch(status int) response {
	return response{status: status, code: snapshot.CodeTooLarge, err: fmt.Errorf("the service sent more data than a snapshot may hold (%s per source, %s per collection); not recorded", inputerr.Size(snapshot.MaxFileBytes), inputerr.Size(maxCollectBytes))}
}

func ptr[T any](v T) *T { return &v }

// outcome is one source's result.
type outcome struct {
	source snapshot.Source
	data   json.RawMessage
	fail   response
}

func (c *collector) run(ctx context.Context, breakGlass []string) (*snapshot.Snapshot, error) {
	start := time.Now()
	// One token up front: a credential problem stops the run with one clear
	// message, and an interactive flow (device code) prompts once, not once
	// per parallel request.
	if _, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{c.graphScope}}); err != nil {
		return nil, tokenError(c.opts, c.credDesc, err, c.obs)
	}
	results := map[string]outcome{}
	var mu sync.Mutex
	set := func(name string, o outcome) {
		mu.Lock()
		results[name] = o
		mu.Unlock()
		c.report(name, o)
	}

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.collectARM(ctx, set)
	}()

	reads := map[string]*read{}
	var all []*read
	for _, e := range permissions.Endpoints {
		if e.API != permissions.Graph || e.Source == "breakGlassAccounts" || e.Derived {
			continue
		}
		u := e.Path
		if e.Query != "" {
			u += "?" + e.Query
		}
		r := &read{name: e.Source, version: e.Version, url: u, collection: snapshot.Sources[e.Source] == snapshot.Collection || e.Single}
		reads[e.Source] = r
		all = append(all, r)
	}
	bg := c.breakGlassReads(breakGlass)
	for _, a := range bg {
		all = append(all, a.user, a.memberOf)
	}
	c.runGraph(ctx, all)

	for _, e := range permissions.Endpoints {
		r, ok := reads[e.Source]
		if !ok {
			continue
		}
		o := outcome{source: snapshot.Source{Request: e.Request()}}
		switch {
		case r.failed:
			o.fail = r.fail
		case e.Single:
			if len(r.values) != 1 {
				o.fail = response{status: http.StatusOK, code: "invalidResponse", msg: fmt.Sprintf("expected exactly one %s object, got %d", e.Source, len(r.values))}
			} else {
				o.data = r.values[0]
			}
		case r.collection:
			o.data = marshalList(r.values)
		default:
			o.data = r.object
		}
		set(e.Source, o)
	}
	set("breakGlassAccounts", c.breakGlassOutcome(breakGlass, bg))
	c.collectDerived(ctx, reads, set)
	wg.Wait()

	// Tool.Version is left to the caller, which knows the release
	// (internal/cli stamps it).
	snap := &snapshot.Snapshot{
		SchemaVersion: snapshot.SchemaVersion,
		CollectedAt:   time.Now().UTC().Truncate(time.Second),
		Tool:          snapshot.Tool{Name: "tenantgate"},
		Tenant:        snapshot.Tenant{ID: c.opts.TenantID, Cloud: c.opts.Cloud},
		Sources:       map[string]snapshot.Source{},
		Data:          map[string]json.RawMessage{},
	}
	okCount, graphOK := 0, 0
	for name, o := range results {
		src := o.source
		if src.Status == "" {
			src.Status = snapshot.StatusOK
			if o.data == nil {
				src.Status = statusOf(o.fail)
				src.HTTPStatus, src.Code, src.Error = o.fail.status, o.fail.code, o.fail.describe()
			}
		}
		snap.Sources[name] = src
		if src.Status == snapshot.StatusOK {
			snap.Data[name] = o.data
			okCount++
			if isGraph(name) {
				graphOK++
			}
		}
	}
	// Never a snapshot the auditor cannot read: data nested too deep, or
	// too much of it, becomes an error source (its controls not_assessed).
	for _, name := range snap.EnforceLimits() {
		okCount--
		if isGraph(name) {
			graphOK--
		}
		c.obs.log("%s %s: %s\n", name, snapshot.StatusError, snap.Sources[name].Error)
	}
	if org, ok := snap.Data["organization"]; ok {
		var o struct{ ID, DisplayName string }
		if json.Unmarshal(org, &o) == nil && o.ID != "" {
			snap.Tenant.ID, snap.Tenant.DisplayName = o.ID, o.DisplayName
		}
	}
	// Graph holds every source but the diagnostic settings: when it refused
	// the whole run (e.g. an ARM token, 401 everywhere) the ARM sources alone
	// are no audit, and the run fails like one where nothing answered.
	if graphOK == 0 {
		return nil, c.totalFailure(ctx, results, okCount > 0)
	}
	if snap.Tenant.ID == "" {
		snap.Tenant.ID = "unknown"
	}
	c.obs.note("done: %d of %d sources read in %s, %d HTTP requests\n", okCount, len(results), time.Since(start).Round(time.Millisecond), c.obs.requests.Load())
	return snap, snap.Validate()
}

// statusOf maps a failure to a source status: 403 is a missing permission.
func statusOf(r response) string {
	if r.err == nil && r.status == http.StatusForbidden {
		return snapshot.StatusDenied
	}
	return snapshot.StatusError
}

// report logs each source's outcome with --verbose only: on a terminal the
// progress shows retries and the total, and the command lists every source
// that failed once, as warnings, after the run.
func (c *collector) report(name string, o outcome) {
	switch {
	case o.source.Status == snapshot.StatusSkipped:
		c.obs.log("%s skipped: %s\n", name, o.source.Error)
	case o.data != nil:
		c.obs.log("%s ok\n", name)
	default:
		c.obs.log("%s %s: %s\n", name, statusOf(o.fail), failText(o.fail))
	}
}

func failText(r response) string {
	if r.err != nil {
		return r.err.Error()
	}
	s := fmt.Sprintf("HTTP %d", r.status)
	if r.code != "" {
		s += " " + r.code
	}
	if m := r.describe(); m != "" {
		s += ": " + m
	}
	return s
}

// isGraph reports whether a source is read from Microsoft Graph.
func isGraph(source string) bool {
	e, ok := permissions.Lookup(source)
	return ok && e.API == permissions.Graph
}

// totalFailure explains why no Graph source could be read; armOK says ARM
// answered.
func (c *collector) totalFailure(ctx context.Context, results map[string]outcome, armOK bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("collection interrupted before any Graph source was read: %w", err)
	}
	names := make([]string, 0, len(results))
	for n := range results {
		if isGraph(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var first response
	for _, n := range names {
		if o := results[n]; o.data == nil && o.source.Status == "" {
			first = o.fail
			if first.status == http.StatusUnauthorized || first.err != nil {
				break // the most telling cause
			}
		}
	}
	what, every := "nothing could be read from the tenant", "every source failed"
	if armOK {
		what, every = "nothing could be read from Microsoft Graph", "every Graph source failed"
	}
	graphURL, _ := url.Parse(c.graph.base)
	switch {
	case first.err != nil:
		return fmt.Errorf("%s: cannot reach %s: %v", what, graphURL.Host, first.err)
	case first.status == http.StatusUnauthorized:
		return fmt.Errorf("%s: Graph refused the token (%s, signed in with %s); check --tenant and the credential", what, failText(first), c.credDesc)
	case retryable(first.status):
		// Throttled or unavailable: no permission would help.
		return fmt.Errorf("%s: %s, e.g. %s (the service is throttling or unavailable: collect again later)", what, every, failText(first))
	case first.code == "redirectRefused":
		return fmt.Errorf("%s: %s, e.g. %s (check the endpoint and any proxy in between)", what, every, failText(first))
	default:
		return fmt.Errorf("%s: %s, e.g. %s (see `tenantgate permissions`)", what, every, failText(first))
	}
}

func marshalList(v []json.RawMessage) json.RawMessage {
	if v == nil {
		v = []json.RawMessage{}
	}
	raw, _ := json.Marshal(v)
	return raw
}

// bgReads are the two reads for one break-glass account.
type bgReads struct {
	requested      string
	user, memberOf *read
}

func (c *collector) breakGlassReads(accounts []string) []bgReads {
	var out []bgReads
	e, _ := permissions.Lookup("breakGlassAccounts")
	for _, a := range accounts {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		p := "/users/" + url.PathEscape(a)
		out = append(out, bgReads{
			requested: a,
			user:      &read{name: "breakGlassAccounts (" + a + ")", version: e.Version, url: p + "?" + e.Query},
			memberOf:  &read{name: "breakGlassAccounts (" + a + " memberships)", version: e.Version, url: p + "/transitiveMemberOf", collection: true},
		})
	}
	return out
}

// breakGlassOutcome assembles data.breakGlassAccounts. A missing account (404)
// is an element with user null, which is a finding; any other failure fails
// the whole source, since partial memberships could hide an exclusion gap.
func (c *collector) breakGlassOutcome(accounts []string, bg []bgReads) outcome {
	e, _ := permissions.Lookup("breakGlassAccounts")
	o := outcome{source: snapshot.Source{Request: "GET /v1.0/users/{id|upn}?" + e.Query + " + /transitiveMemberOf"}}
	if len(bg) == 0 {
		o.source.Status = snapshot.StatusSkipped
		o.source.Error = "the baseline names no break-glass accounts (break_glass:)"
		return o
	}
	list := make([]snapshot.BreakGlassAccount, 0, len(bg))
	for _, a := range bg {
		el := snapshot.BreakGlassAccount{Requested: a.requested, User: json.RawMessage("null"), TransitiveMemberOf: []json.RawMessage{}}
		switch {
		case a.user.failed && a.user.fail.err == nil && a.user.fail.status == http.StatusNotFound:
			// no such user: user stays null
		case a.user.failed:
			o.fail = a.user.fail
			return o
		case a.memberOf.failed:
			o.fail = a.memberOf.fail
			return o
		default:
			el.User = a.user.object
			el.TransitiveMemberOf = append(el.TransitiveMemberOf, a.memberOf.values...)
		}
		list = append(list, el)
	}
	return marshalOutcome(o, list)
}

// collectARM reads the Entra diagnostic settings, then (in parallel) every
// Log Analytics workspace they send logs to, and its SigninLogs and AuditLogs
// tables, whose own retention may differ from the workspace's.
func (c *collector) collectARM(ctx context.Context, set func(string, outcome)) {
	de, _ := permissions.Lookup("diagnosticSettings")
	we, _ := permissions.Lookup("logAnalyticsWorkspaces")
	te, _ := permissions.Lookup("logAnalyticsTables")
	diag := outcome{source: snapshot.Source{Request: de.Request()}}
	settings, fail := c.armList(ctx, c.arm.base+de.Path+"?"+de.Query)
	if fail != nil {
		diag.fail = *fail
		set("diagnosticSettings", diag)
		for _, e := range []permissions.Endpoint{we, te} {
			set(e.Source, outcome{source: snapshot.Source{Request: e.Request(), Status: snapshot.StatusSkipped,
				Error: "the diagnostic settings could not be read, so their workspaces are unknown"}})
		}
		return
	}
	diag.data = marshalList(settings)
	set("diagnosticSettings", diag)

	ids := workspaceIDs(settings)
	var wsURLs, tableURLs []string
	for _, id := range ids {
		wsURLs = append(wsURLs, c.arm.base+id+"?"+we.Query)
		for _, t := range permissions.LogTables {
			tableURLs = append(tableURLs, c.arm.base+id+"/tables/"+t+"?"+te.Query)
		}
	}
	var wg sync.WaitGroup
	for _, r := range []struct {
		e    permissions.Endpoint
		urls []string
	}{{we, wsURLs}, {te, tableURLs}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			set(r.e.Source, c.armObjects(ctx, r.e, r.urls))
		}()
	}
	wg.Wait()
}

// armObjects GETs ARM objects in parallel into one source: any failure
// fails the source (a missing table must not read as a missing limit).
func (c *collector) armObjects(ctx context.Context, e permissions.Endpoint, urls []string) outcome {
	rs := make([]response, len(urls))
	var wg sync.WaitGroup
	for i, u := range urls {
		wg.Add(1)
		c.sem <- struct{}{}
		go func() {
			defer func() { <-c.sem; wg.Done() }()
			r := c.arm.send(ctx, abs.GET, u, nil)
			if r.ok() && !c.budget(int64(len(r.body)), len(r.body)) {
				r = tooMuch(r.status)
			}
			rs[i] = r
		}()
	}
	wg.Wait()
	out := outcome{source: snapshot.Source{Request: e.Request()}}
	list := make([]json.RawMessage, 0, len(urls))
	for _, r := range rs {
		if !r.ok() {
			out.fail = r
			return out
		}
		if !json.Valid(r.body) {
			out.fail = response{status: r.status, code: "invalidResponse", msg: "the response is not JSON"}
			return out
		}
		list = append(list, json.RawMessage(r.body))
	}
	out.data = marshalList(list)
	return out
}

// armList GETs an ARM list, following nextLink.
func (c *collector) armList(ctx context.Context, u string) ([]json.RawMessage, *response) {
	var all []json.RawMessage
	var size int64
	for page := 0; u != ""; page++ {
		if page >= maxPages {
			return nil, &response{status: http.StatusOK, code: "tooManyPages", msg: "too many pages"}
		}
		// Under the semaphore like every other request, so a tenant never has
		// more than Concurrency requests in flight (a fleet's bound is
		// parallel tenants × Concurrency).
		c.sem <- struct{}{}
		r := c.arm.send(ctx, abs.GET, u, nil)
		<-c.sem
		if !r.ok() {
			return nil, &r
		}
		var pg struct {
			NextLink string             `json:"nextLink"`
			Value    *[]json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(r.body, &pg); err != nil || pg.Value == nil {
			return nil, &response{status: r.status, code: "invalidResponse", msg: "the response is not a JSON list (no value array)"}
		}
		if size += int64(len(r.body)); !c.budget(size, len(r.body)) {
			return nil, ptr(tooMuch(r.status))
		}
		all = append(all, *pg.Value...)
		u = ""
		if pg.NextLink != "" {
			next, err := url.Parse(pg.NextLink)
			if err != nil || !sameOrigin(c.arm.origin, next) {
				return nil, &response{status: r.status, code: "invalidNextLink", msg: "nextLink points outside the ARM endpoint"}
			}
			u = pg.NextLink
		}
	}
	return all, nil
}

// workspaceIDs returns the distinct Log Analytics workspace resource ids the
// diagnostic settings point to, in order.
func workspaceIDs(settings []json.RawMessage) []string {
	seen := map[string]bool{}
	var ids []string
	for _, s := range settings {
		var ds struct {
			Properties struct {
				WorkspaceID string `json:"workspaceId"`
			} `json:"properties"`
		}
		if json.Unmarshal(s, &ds) != nil {
			continue
		}
		id := strings.TrimRight(strings.TrimSpace(ds.Properties.WorkspaceID), "/")
		// Only well-formed resource ids: the id comes from tenant data and
		// becomes a request path.
		if !strings.HasPrefix(id, "/subscriptions/") || strings.ContainsAny(id, "?#\\") || strings.Contains(id, "..") {
			continue
		}
		if k := strings.ToLower(id); !seen[k] {
			seen[k] = true
			ids = append(ids, id)
		}
	}
	return ids
}
