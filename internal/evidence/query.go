package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/collect"
	"github.com/tenantgate/tenantgate/internal/evidence/bundle"
)

// Audit log query states (microsoft.graph.security.auditLogQueryStatus).
const (
	queryNotStarted = "notStarted"
	queryRunning    = "running"
	querySucceeded  = "succeeded"
	queryFailed     = "failed"
	queryCancelled  = "cancelled"
)

// auditLog reads the unified audit log through the Graph audit log query
// API: create the query (once), poll it with growing waits until it
// succeeded, then page its records. The query's id is journaled as soon as it
// is known, so --resume polls the same query instead of searching again.
func (r *run) auditLog(ctx context.Context, t task) {
	id := t.src.ID
	q := r.w.Query(id)
	if q != nil && (q.Status == queryFailed || q.Status == queryCancelled) {
		q = nil // search again, under a new name
	}
	if q == nil || q.ID == "" {
		var end *bundle.Source
		if q, end = r.createQuery(ctx, q); end != nil {
			r.end(id, *end, t)
			return
		}
		if q == nil {
			return // interrupted
		}
	}
	status, body, end := r.waitQuery(ctx, q)
	if end != nil {
		r.end(id, *end, t)
		return
	}
	if status != querySucceeded {
		return // interrupted
	}
	// The query object as the service returned it: its filters and status
	// are what the records answer.
	qf := "unifiedAuditLog/query-" + safeName(q.ID) + ".json"
	if _, err := r.w.WriteFile(bundle.File{Path: qf, Source: t.src.Source, Role: bundle.RoleQuery,
		Request: "GET /" + ualVersion + "/security/auditLog/queries/" + q.ID}, body); err != nil && !strings.Contains(err.Error(), "already exists") {
		fmt.Fprintf(r.log, "warning: %s: %v\n", qf, err)
	}
	t.first = "/" + ualVersion + "/security/auditLog/queries/" + q.ID + "/records"
	r.pageAll(ctx, t)
}

// queryBody is the auditLogQuery the run creates.
func (r *run) queryBody(name string) []byte {
	q := r.req
	users := q.Users
	if q.TenantWideLogs {
		users = nil
	}
	body := map[string]any{
		"@odata.type":         "#microsoft.graph.security.auditLogQuery",
		"displayName":         name,
		"filterStartDateTime": q.Since.UTC().Format(time.RFC3339),
		"filterEndDateTime":   q.Until.UTC().Format(time.RFC3339),
		"recordTypeFilters":   q.RecordTypes,
	}
	if len(users) > 0 {
		body["userPrincipalNameFilters"] = users
	}
	raw, _ := json.Marshal(body)
	return raw
}

// createQuery creates the audit log query, never twice. Its display name is
// journaled before the POST; when the answer is lost (a timeout, a 5xx, a
// dropped connection) or a previous run was interrupted after sending it,
// the queries are listed and the one with that name is taken. Only when none
// has it is a query created (again).
func (r *run) createQuery(ctx context.Context, prev *bundle.AuditQuery) (*bundle.AuditQuery, *bundle.Source) {
	id := "unifiedAuditLog"
	base := "/" + ualVersion + "/security/auditLog/queries"
	if prev != nil && prev.DisplayName != "" && prev.ID == "" {
		found, resp := r.findQuery(ctx, prev.DisplayName)
		switch {
		case found != nil:
			_ = r.w.SetQuery(id, *found)
			return found, nil
		case !resp.OK():
			f := failure(resp)
			f.Error = "the audit log query of the interrupted run cannot be looked up: " + f.Error
			return nil, &f
		}
	}
	name := fmt.Sprintf("tenantgate evidence %s", r.w.Header().BundleID)
	if prev != nil && prev.DisplayName != "" {
		// a search again after one failed or whose answer was lost for good
		name = fmt.Sprintf("%s (run %d)", name, len(r.w.Header().Runs)+1)
	}
	intent := bundle.AuditQuery{DisplayName: name, Version: ualVersion}
	if err := r.w.SetQuery(id, intent); err != nil {
		return nil, &bundle.Source{Status: bundle.SourceError, Code: "writeFailed", Error: err.Error()}
	}
	var resp, lresp collect.Response
	attempt := 1
	for ; ; attempt++ {
		resp = r.post(ctx, base, r.queryBody(name))
		if resp.OK() {
			var q struct{ ID, Status string }
			if json.Unmarshal(resp.Body, &q) == nil && q.ID != "" {
				created := bundle.AuditQuery{ID: q.ID, DisplayName: name, Status: q.Status, Version: ualVersion}
				_ = r.w.SetQuery(id, created)
				r.g.Note("audit log query %s created\n", q.ID)
				r.bar.note("audit log query %s created\n", q.ID)
				return &created, nil
			}
		}
		if resp.Status >= 400 && resp.Status < 500 && resp.Status != 408 && resp.Status != 429 {
			f := failure(resp) // refused: nothing was created
			return nil, &f
		}
		if ctx.Err() != nil {
			return nil, nil
		}
		// The outcome is open: look for the query by its name before
		// anything is sent again.
		var found *bundle.AuditQuery
		found, lresp = r.findQuery(ctx, name)
		if found != nil {
			_ = r.w.SetQuery(id, *found)
			fmt.Fprintf(r.log, "evidence: the audit log query's creation was answered %s; found it by its name (%s), not sent again\n", resp.Describe(), found.ID)
			return found, nil
		}
		// A Retry-After longer than tenantgate waits (collect's cap) is
		// left to --resume rather than slept through.
		if !lresp.OK() || attempt == maxCreates || resp.RetryRefused() {
			break
		}
		// Listed and absent: the create was not carried out, so sending it
		// again is informed, not blind (after the wait the service asked for).
		if !sleep(ctx, retryWait(resp.RetryAfter, attempt)) {
			return nil, nil
		}
	}
	msg := fmt.Sprintf("the audit log query's creation was answered %s and no query named %q exists after %d attempts", resp.Describe(), name, attempt)
	switch {
	case !lresp.OK():
		msg = fmt.Sprintf("the audit log query's creation was answered %s and the queries could not be listed (%s)", resp.Describe(), lresp.Describe())
	case resp.RetryRefused():
		msg = fmt.Sprintf("the audit log query's creation was answered %s with Retry-After %ss, longer than the %.0fs tenantgate waits, and no query named %q exists", resp.Describe(), strings.TrimSpace(resp.RetryAfter), collect.MaxRetryWait.Seconds(), name)
	}
	return nil, &bundle.Source{Status: bundle.StatusIncomplete, HTTPStatus: resp.Status, Code: resp.Code,
		Error: msg + "; it was not sent blindly again: --resume looks for it once more, and creates it only if it is still absent"}
}

// maxCreates bounds the creations of one audit log query in a run, each
// after the queries were listed and it was not among them.
const maxCreates = 3

// retryWait reads Retry-After (seconds), else backs off 1s, 2s, 4s.
func retryWait(h string, attempt int) time.Duration {
	if s, err := strconv.ParseFloat(strings.TrimSpace(h), 64); err == nil && s >= 0 {
		return min(time.Duration(s*float64(time.Second)), collect.MaxRetryWait)
	}
	return time.Duration(1<<(attempt-1)) * time.Second
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// maxQueryPages bounds the pages of audit log queries findQuery reads.
const maxQueryPages = 100

// findQuery lists the audit log queries (all pages) for one by display name.
func (r *run) findQuery(ctx context.Context, name string) (*bundle.AuditQuery, collect.Response) {
	rel := "/" + ualVersion + "/security/auditLog/queries"
	for page := 0; rel != ""; page++ {
		if page == maxQueryPages {
			// Not seen is not absent: a list cut short never lets the
			// create be sent again.
			return nil, collect.Response{Err: fmt.Errorf("more than %d pages of audit log queries, so whether %q exists is unknown", maxQueryPages, name)}
		}
		resp := r.get(ctx, rel)
		if !resp.OK() {
			return nil, resp
		}
		values, next, err := decodePage(resp.Body)
		if err != nil {
			return nil, collect.Response{Status: resp.Status, Code: "invalidResponse", Message: err.Error()}
		}
		for _, v := range values {
			var q struct{ ID, DisplayName, Status string }
			if json.Unmarshal(v, &q) == nil && q.DisplayName == name && q.ID != "" {
				return &bundle.AuditQuery{ID: q.ID, DisplayName: name, Status: q.Status, Version: ualVersion}, resp
			}
		}
		rel = ""
		if next != "" {
			if rel, err = r.g.NextLink(ualVersion, next); err != nil {
				return nil, collect.Response{Status: resp.Status, Code: "invalidNextLink", Message: err.Error()}
			}
		}
	}
	return nil, collect.Response{Status: 200}
}

// waitQuery polls the query until it succeeded, failed or was cancelled,
// waiting PollInterval first and half as long again each time (at most a
// minute); after QueryTimeout the source is left incomplete, with the query's
// id in the journal for --resume. It returns the status and the last body.
func (r *run) waitQuery(ctx context.Context, q *bundle.AuditQuery) (string, []byte, *bundle.Source) {
	id := "unifiedAuditLog"
	wait := r.job.PollInterval
	if wait <= 0 {
		wait = 5 * time.Second
	}
	timeout := r.job.QueryTimeout
	if timeout <= 0 {
		timeout = 30 * time.Minute
	}
	deadline := time.Now().Add(timeout)
	rel := "/" + ualVersion + "/security/auditLog/queries/" + q.ID
	last := q.Status
	for {
		resp := r.get(ctx, rel)
		if ctx.Err() != nil {
			return "", nil, nil
		}
		if !resp.OK() {
			f := failure(resp)
			if resp.Status == 404 {
				f.Error = fmt.Sprintf("the audit log query %s no longer exists (%s)", q.ID, f.Error)
				_ = r.w.SetQuery(id, bundle.AuditQuery{ID: q.ID, DisplayName: q.DisplayName, Status: queryFailed, Version: ualVersion})
			}
			return "", nil, &f
		}
		var st struct{ Status string }
		_ = json.Unmarshal(resp.Body, &st)
		if st.Status != last {
			last = st.Status
			_ = r.w.SetQuery(id, bundle.AuditQuery{ID: q.ID, DisplayName: q.DisplayName, Status: st.Status, Version: ualVersion})
			r.g.Note("audit log query %s: %s\n", q.ID, st.Status)
			r.bar.note("audit log query %s: %s\n", q.ID, st.Status)
		}
		switch st.Status {
		case querySucceeded:
			return st.Status, resp.Body, nil
		case queryFailed, queryCancelled:
			return st.Status, resp.Body, &bundle.Source{Status: bundle.SourceError, HTTPStatus: resp.Status, Code: "auditLogQuery" + strings.ToUpper(st.Status[:1]) + st.Status[1:],
				Error: fmt.Sprintf("the audit log query %s ended %s; --resume searches again", q.ID, st.Status)}
		}
		if time.Now().Add(wait).After(deadline) {
			return st.Status, nil, &bundle.Source{Status: bundle.StatusIncomplete, Code: "auditLogQueryPending",
				Error: fmt.Sprintf("the audit log query %s is still %s after %s (--timeout); run tenantgate evidence --resume on this bundle later to collect its records", q.ID, orUnknown(st.Status), timeout)}
		}
		if !sleep(ctx, wait) {
			return "", nil, nil
		}
		wait = min(wait*3/2, time.Minute)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "in an unknown state"
	}
	return s
}
