// Package engine evaluates the embedded Rego controls against a snapshot and
// a baseline. Policies are compiled once per Engine, on first use, and only
// those the audit's entry point reaches (Modules); Evaluate is safe for
// concurrent use, which the fleet audit relies on.
package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/gcpause"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Engine holds the audit's policies. New parses them and reads the catalog;
// they are compiled on first use (or in the background after Warm), so a
// command that only lists the catalog never compiles. Per-control queries
// are prepared only when one is needed.
type Engine struct {
	catalog []Control
	mods    map[string]*ast.Module
	version string
	// baselines caches input.baseline per baseline (fleet runs reuse one).
	baselines baselineCache

	once     sync.Once
	ready    chan struct{} // closed when compiled (or failed)
	prepErr  error
	compiler *ast.Compiler
	// all evaluates every control and the licenses in one pass, sharing the
	// helpers' cached results.
	all      rego.PreparedEvalQuery
	licenses rego.PreparedEvalQuery

	mu sync.Mutex
	// queries are per control, prepared on demand to isolate a control
	// whose evaluation fails.
	queries map[string]rego.PreparedEvalQuery
}

// New reads the embedded audit policies (only what AuditQuery reaches) and
// their catalog. version is the tool version for reports.
func New(ctx context.Context, version string) (*Engine, error) {
	return NewWith(ctx, version)
}

// StarterQuery is what `tenantgate init` proposes (policies/starter).
const StarterQuery = "data.tenantgate.starter.proposal"

// NewWith is New with more entry points compiled beside the audit (e.g.
// StarterQuery), for EvalQuery.
func NewWith(ctx context.Context, version string, queries ...string) (*Engine, error) {
	var mods map[string]*ast.Module
	var err error
	gcpause.During(func() { mods, err = Modules(append([]string{AuditQuery, licensesQuery}, queries...)...) })
	if err != nil {
		return nil, err
	}
	cat, err := catalogFrom(mods)
	if err != nil {
		return nil, err
	}
	return &Engine{catalog: cat, mods: mods, version: version, queries: map[string]rego.PreparedEvalQuery{}, ready: make(chan struct{})}, nil
}

// Warm starts compiling in the background, so the work overlaps with
// loading or collecting the snapshot; Evaluate waits for it.
func (e *Engine) Warm() { go e.prepare() }

// prepare compiles the policies and prepares the audit query, once.
func (e *Engine) prepare() error {
	e.once.Do(func() {
		defer close(e.ready)
		var c *ast.Compiler
		var err error
		gcpause.During(func() { c, err = Compile(e.mods) })
		if err != nil {
			e.prepErr = err
			return
		}
		e.compiler = c
		ctx := context.Background()
		if e.all, err = rego.New(rego.Compiler(c), rego.Query(AuditQuery), rego.StrictBuiltinErrors(true)).PrepareForEval(ctx); err != nil {
			e.prepErr = fmt.Errorf("prepare policies: %w", err)
			return
		}
		if e.licenses, err = rego.New(rego.Compiler(c), rego.Query(licensesQuery)).PrepareForEval(ctx); err != nil {
			e.prepErr = fmt.Errorf("prepare licenses: %w", err)
		}
	})
	<-e.ready
	return e.prepErr
}

// Prepare compiles the policies now (New leaves it to the first
// evaluation); it reports a compile error, which the embedded policies'
// tests rule out.
func (e *Engine) Prepare() error { return e.prepare() }

// controlQuery prepares (once) the query of one control's result, through
// main.results so the fallback result carries considered too (the key is
// ground, so only this control is evaluated).
func (e *Engine) controlQuery(ctl Control) (rego.PreparedEvalQuery, error) {
	return e.query(ctl.ID, "data.tenantgate.main.results."+ctl.Package[len(controlsPrefix):])
}

// query prepares (once, under key) a query on the compiled policies.
func (e *Engine) query(key, query string) (rego.PreparedEvalQuery, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if q, ok := e.queries[key]; ok {
		return q, nil
	}
	q, err := rego.New(rego.Compiler(e.compiler), rego.Query(query), rego.StrictBuiltinErrors(true)).PrepareForEval(context.Background())
	if err != nil {
		return q, fmt.Errorf("prepare %s: %w", key, err)
	}
	e.queries[key] = q
	return q, nil
}

// insaneQuery is the policies' trusted-location sanity verdict.
const insaneQuery = "data.tenantgate.lib.ca.insane_trusted_locations"

// Location is a trusted named location that fails the sanity rule: its
// ranges, and why (Reason: the locations blamed together and the addresses
// they cover, e.g. "trusted location 'X', whose ranges cover 4,294,967,296 IPv4
// addresses (more than a /8's 16,777,216)").
type Location struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	Ranges      []string `json:"ranges"`
	Reason      string   `json:"reason"`
}

// InsaneTrustedLocations returns the policies' verdict on the snapshot's
// trusted locations: those that fail the sanity rule (controls.md), which
// makes "outside trusted locations" meaningless. plan uses it so as not to
// count a policy relying on them as closing a control; the rule itself lives
// once, in lib/ca.rego.
func (e *Engine) InsaneTrustedLocations(ctx context.Context, s *snapshot.Snapshot, b *baseline.Baseline) ([]Location, error) {
	var out []Location
	// undefined: namedLocations unreadable, nothing known to be wrong
	if _, err := e.evalJSON(ctx, "trusted-location sanity", insaneQuery, s, b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// EvalQuery evaluates a query compiled with NewWith for a snapshot and
// decodes its value into out; defined is false when it is undefined.
func (e *Engine) EvalQuery(ctx context.Context, query string, s *snapshot.Snapshot, b *baseline.Baseline, out any) (bool, error) {
	return e.evalJSON(ctx, query, query, s, b, out)
}

// evalJSON evaluates one query of the compiled policies for a snapshot and
// decodes its value into out; defined is false when the query is undefined.
func (e *Engine) evalJSON(ctx context.Context, name, query string, s *snapshot.Snapshot, b *baseline.Baseline, out any) (defined bool, err error) {
	if err := e.prepare(); err != nil {
		return false, err
	}
	q, err := e.query(name, query)
	if err != nil {
		return false, err
	}
	bt, err := e.baselineTerm(b)
	if err != nil {
		return false, err
	}
	in, err := input(s, bt)
	if err != nil {
		return false, err
	}
	rs, err := q.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return false, fmt.Errorf("evaluate %s: %w", name, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return false, nil
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return false, fmt.Errorf("%s has the wrong shape: %w", name, err)
	}
	return true, nil
}

// Catalog returns the controls in catalog order.
func (e *Engine) Catalog() []Control { return e.catalog }

// Known reports whether id is a control of the catalog.
func (e *Engine) Known(id string) bool {
	_, ok := e.control(id)
	return ok
}

// JudgesExclusions reports whether control id judges Conditional Access
// exclusions, so that a per-control allowed_exclusions means something.
func (e *Engine) JudgesExclusions(id string) bool {
	c, ok := e.control(id)
	return ok && c.Exclusions
}

func (e *Engine) control(id string) (Control, bool) {
	for _, c := range e.catalog {
		if c.ID == id {
			return c, true
		}
	}
	return Control{}, false
}

// Input builds the policies' input document: the snapshot as collected plus
// input.baseline. The JSON is assembled around the snapshot's raw Graph
// objects (no re-encoding) and parsed straight into an AST value; the
// baseline is added as a term, the same way EvaluateJSON adds it.
func Input(s *snapshot.Snapshot, b *baseline.Baseline) (ast.Value, error) {
	bt, err := baselineValue(b)
	if err != nil {
		return nil, err
	}
	return input(s, ast.NewTerm(bt))
}

// envelopeJSON is the input's envelope: the snapshot without its data.
func envelopeJSON(s *snapshot.Snapshot) ([]byte, error) {
	return json.Marshal(struct {
		SchemaVersion int                        `json:"schemaVersion"`
		CollectedAt   time.Time                  `json:"collectedAt"`
		Tenant        snapshot.Tenant            `json:"tenant"`
		Sources       map[string]snapshot.Source `json:"sources"`
	}{s.SchemaVersion, s.CollectedAt, s.Tenant, s.Sources})
}

func input(s *snapshot.Snapshot, baselineTerm *ast.Term) (ast.Value, error) {
	head, err := envelopeJSON(s)
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}
	size := len(head) + 16
	for k, v := range s.Data {
		size += len(k) + len(v) + 4
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	buf.Write(head[:len(head)-1]) // drop the closing brace
	buf.WriteString(`,"data":{`)
	first := true
	for k, v := range s.Data {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteString("}}")
	v, err := jsonToAST(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}
	obj, ok := v.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("build policy input: not an object")
	}
	obj.Insert(ast.InternedTerm("baseline"), baselineTerm)
	return obj, nil
}

// Evaluate audits one snapshot. now decides waiver expiry.
func (e *Engine) Evaluate(ctx context.Context, s *snapshot.Snapshot, b *baseline.Baseline, now time.Time) (*report.Report, error) {
	bt, err := e.baselineTerm(b)
	if err != nil {
		return nil, err
	}
	in, err := input(s, bt)
	if err != nil {
		return nil, err
	}
	return e.evaluate(ctx, s, in, b, now)
}

// evaluate runs the policies on a built input; s supplies the envelope (its
// Data is not read).
func (e *Engine) evaluate(ctx context.Context, s *snapshot.Snapshot, in ast.Value, b *baseline.Baseline, now time.Time) (*report.Report, error) {
	if err := e.prepare(); err != nil {
		return nil, err
	}
	var err error
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "tenantgate", Version: e.version},
		GeneratedAt:   now.UTC(),
		CollectedAt:   s.CollectedAt,
		Tenant:        report.Tenant{ID: s.Tenant.ID, DisplayName: s.Tenant.DisplayName},
		Baseline:      report.BaselineRef{Name: b.Name, Version: b.Version},
		Sources:       map[string]report.SourceStatus{},
	}
	for name, src := range s.Sources {
		st := report.SourceStatus{Status: src.Status}
		if src.Status != snapshot.StatusOK {
			st.Error = strings.TrimSpace(src.Code + " " + src.Error)
		}
		r.Sources[name] = st
	}
	all, allErr := e.evalAll(ctx, in)
	if err := ctx.Err(); err != nil {
		// Cancelled or out of time: no verdict, not not_assessed ones.
		return nil, fmt.Errorf("evaluation of %s stopped: %w", s.Tenant.ID, err)
	}
	if allErr == nil {
		r.Licenses = all.Licenses
	} else {
		r.Warnings = append(r.Warnings, "policies evaluated one by one after: "+allErr.Error())
		if r.Licenses, err = e.evalLicenses(ctx, in); err != nil {
			return nil, err
		}
	}
	for _, ctl := range e.catalog {
		if !b.Enabled(ctl.ID) {
			continue
		}
		res := report.Result{
			ID: ctl.ID, Title: ctl.Title, Severity: b.Severity(ctl.ID, ctl.Severity),
			Remediation: ctl.Remediation, Requires: ctl.Requires, Sources: ctl.Sources,
			Policy: &report.Location{File: ctl.File, Line: ctl.Line}, Evidence: []string{},
		}
		rr, ok := all.Results[ctl.Package[len(controlsPrefix):]]
		var err error
		if !ok {
			rr, err = e.evalControl(ctx, ctl, in)
		}
		if err == nil {
			err = rr.apply(ctl, &res)
		}
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("evaluation of %s stopped at %s: %w", s.Tenant.ID, ctl.ID, cerr)
		}
		if err != nil {
			// A broken control must not sink the run or pass silently.
			res.Status = report.NotAssessed
			res.Finding = "policy evaluation failed: " + err.Error()
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %v", ctl.ID, err))
		}
		if res.Status == report.NotAssessed {
			res.Missing = missingFor(ctl, s, res.Finding)
		}
		r.Results = append(r.Results, res)
	}
	r.Warnings = append(r.Warnings, sourceWarnings(s, r)...)
	applyWaivers(r, b, now)
	r.Summarize()
	return r, nil
}

type regoResult struct {
	Status     string                   `json:"status"`
	Finding    string                   `json:"finding"`
	Evidence   []string                 `json:"evidence"`
	Notes      []string                 `json:"notes"`
	Considered []report.Considered      `json:"considered"`
	Objects    map[string]report.Object `json:"objects"`
}

func (rr regoResult) apply(ctl Control, res *report.Result) error {
	switch rr.Status {
	case report.Pass, report.Fail, report.NotAssessed, report.NotLicensed:
	default:
		return fmt.Errorf("%s.result.status %q is not a status", ctl.Package, rr.Status)
	}
	res.Status, res.Finding, res.Notes, res.Considered, res.Objects = rr.Status, rr.Finding, rr.Notes, rr.Considered, rr.Objects
	if rr.Evidence != nil {
		res.Evidence = rr.Evidence
	}
	return nil
}

type allResults struct {
	Results  map[string]regoResult `json:"results"`
	Licenses map[string]bool       `json:"licenses"`
}

// evalAll evaluates data.tenantgate.main: every control at once.
func (e *Engine) evalAll(ctx context.Context, in ast.Value) (allResults, error) {
	var out allResults
	rs, err := e.all.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return out, err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return out, fmt.Errorf("data.tenantgate.main is undefined")
	}
	return allFrom(rs[0].Expressions[0].Value)
}

// allFrom reads data.tenantgate.main's value. OPA hands results over as
// map[string]any; reading them directly instead of through a JSON round trip
// saves a marshal and an unmarshal per snapshot.
func allFrom(v any) (allResults, error) {
	var out allResults
	m, ok := v.(map[string]any)
	if !ok {
		return out, fmt.Errorf("data.tenantgate.main is %T, want an object", v)
	}
	if rs, ok := m["results"].(map[string]any); ok {
		out.Results = make(map[string]regoResult, len(rs))
		for pkg, x := range rs {
			rr, err := resultFrom(x)
			if err != nil {
				return out, fmt.Errorf("%s%s.result has the wrong shape: %w", controlsPrefix, pkg, err)
			}
			out.Results[pkg] = rr
		}
	}
	if ls, present := m["licenses"]; present {
		var err error
		if out.Licenses, err = licensesFrom(ls); err != nil {
			return out, fmt.Errorf("data.tenantgate.main.%w", err)
		}
	}
	return out, nil
}

// licensesFrom reads the license map (capability -> bool).
func licensesFrom(v any) (map[string]bool, error) {
	ls, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("licenses is %T, want an object", v)
	}
	out := make(map[string]bool, len(ls))
	for k, x := range ls {
		b, ok := x.(bool)
		if !ok {
			return nil, fmt.Errorf("licenses[%q] is %T, want a boolean", k, x)
		}
		out[k] = b
	}
	return out, nil
}

// resultFrom reads one control's result object: the fields of regoResult,
// each a string or an array of strings; absent fields stay zero.
func resultFrom(v any) (regoResult, error) {
	var rr regoResult
	m, ok := v.(map[string]any)
	if !ok {
		return rr, fmt.Errorf("got %T, want an object", v)
	}
	var err error
	str := func(k string, into *string) {
		if x, present := m[k]; present && err == nil {
			if *into, ok = x.(string); !ok {
				err = fmt.Errorf("%s is %T, want a string", k, x)
			}
		}
	}
	strs := func(k string, into *[]string) {
		x, present := m[k]
		if !present || err != nil {
			return
		}
		xs, ok := x.([]any)
		if !ok {
			err = fmt.Errorf("%s is %T, want an array", k, x)
			return
		}
		*into = make([]string, len(xs))
		for i, e := range xs {
			if (*into)[i], ok = e.(string); !ok {
				err = fmt.Errorf("%s[%d] is %T, want a string", k, i, e)
				return
			}
		}
	}
	str("status", &rr.Status)
	str("finding", &rr.Finding)
	strs("evidence", &rr.Evidence)
	strs("notes", &rr.Notes)
	if x, present := m["considered"]; present && err == nil {
		rr.Considered, err = consideredFrom(x)
	}
	if x, present := m["objects"]; present && err == nil {
		rr.Objects, err = objectsFrom(x)
	}
	return rr, err
}

// objectsFrom reads main.rego's objects map: id -> {type, displayName,
// userPrincipalName?}, all strings.
func objectsFrom(x any) (map[string]report.Object, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("objects is %T, want an object", x)
	}
	out := make(map[string]report.Object, len(m))
	for id, v := range m {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("objects[%q] is %T, want an object", id, v)
		}
		var r report.Object
		r.Type, _ = o["type"].(string)
		r.DisplayName, _ = o["displayName"].(string)
		r.UserPrincipalName, _ = o["userPrincipalName"].(string)
		out[id] = r
	}
	return out, nil
}

// consideredFrom reads main.rego's considered list: objects with string id,
// displayName and state and a string list of problems.
func consideredFrom(x any) ([]report.Considered, error) {
	xs, ok := x.([]any)
	if !ok {
		return nil, fmt.Errorf("considered is %T, want an array", x)
	}
	out := make([]report.Considered, 0, len(xs))
	for i, e := range xs {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("considered[%d] is %T, want an object", i, e)
		}
		var c report.Considered
		c.ID, _ = m["id"].(string)
		c.DisplayName, _ = m["displayName"].(string)
		c.State, _ = m["state"].(string)
		ps, _ := m["problems"].([]any)
		c.Problems = make([]string, 0, len(ps))
		for _, p := range ps {
			s, ok := p.(string)
			if !ok {
				return nil, fmt.Errorf("considered[%d].problems holds %T, want strings", i, p)
			}
			c.Problems = append(c.Problems, s)
		}
		out = append(out, c)
	}
	return out, nil
}

func (e *Engine) evalLicenses(ctx context.Context, in ast.Value) (map[string]bool, error) {
	rs, err := e.licenses.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return nil, fmt.Errorf("evaluate licenses: %w", err)
	}
	if len(rs) != 1 {
		return nil, nil // subscribedSkus unreadable: licenses unknown
	}
	ls, err := licensesFrom(rs[0].Expressions[0].Value)
	if err != nil {
		return nil, fmt.Errorf("evaluate %w", err)
	}
	return ls, nil
}

func (e *Engine) evalControl(ctx context.Context, ctl Control, in ast.Value) (regoResult, error) {
	var rr regoResult
	q, err := e.controlQuery(ctl)
	if err != nil {
		return rr, err
	}
	rs, err := q.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return rr, err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return rr, fmt.Errorf("%s.result is undefined", ctl.Package)
	}
	if rr, err = resultFrom(rs[0].Expressions[0].Value); err != nil {
		return rr, fmt.Errorf("%s.result has the wrong shape: %w", ctl.Package, err)
	}
	return rr, nil
}

// applyWaivers turns fail into waived for unexpired waivers (expiry as
// baseline.Date defines it); expired waivers are ignored with a warning, and
// waivers on controls that do not fail are reported as stale.
func applyWaivers(r *report.Report, b *baseline.Baseline, now time.Time) {
	byID := map[string]int{}
	for i, res := range r.Results {
		byID[res.ID] = i
	}
	for _, w := range b.Waivers {
		i, ok := byID[w.Control]
		if !ok {
			r.Warnings = append(r.Warnings, fmt.Sprintf("waiver for %s ignored: the control is disabled in the baseline", w.Control))
			continue
		}
		res := &r.Results[i]
		exp := w.Expires.String()
		switch {
		case w.Expires.Expired(now):
			r.Warnings = append(r.Warnings, fmt.Sprintf("waiver for %s expired on %s (approved by %s); ignored", w.Control, exp, w.ApprovedBy))
		case res.Status == report.Fail:
			res.Status = report.Waived
			res.Waiver = &report.Waiver{Reason: w.Reason, ApprovedBy: w.ApprovedBy, Expires: exp}
		case res.Status == report.Waived:
			r.Warnings = append(r.Warnings, fmt.Sprintf("waiver for %s is redundant: another waiver already covers it", w.Control))
		default:
			r.Warnings = append(r.Warnings, fmt.Sprintf("stale waiver for %s (expires %s): the control is %s, not fail; remove the waiver", w.Control, exp, res.Status))
		}
	}
	sort.Strings(r.Warnings)
}
