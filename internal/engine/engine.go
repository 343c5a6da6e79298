// Package engine evaluates the embedded Rego controls against a snapshot and
// a baseline. Policies are compiled and every control's query prepared once
// per Engine; Evaluate is safe for concurrent use, which the fleet audit
// relies on.
package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Engine holds compiled policies and prepared queries.
type Engine struct {
	catalog  []Control
	queries  map[string]rego.PreparedEvalQuery
	licenses rego.PreparedEvalQuery
	version  string
}

// New compiles the embedded policies. version is the tool version for reports.
func New(ctx context.Context, version string) (*Engine, error) {
	mods, err := loadModules(false)
	if err != nil {
		return nil, err
	}
	cat, err := catalogFrom(mods)
	if err != nil {
		return nil, err
	}
	c := ast.NewCompiler().WithStrict(true)
	if c.Compile(mods); c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", c.Errors)
	}
	e := &Engine{catalog: cat, queries: map[string]rego.PreparedEvalQuery{}, version: version}
	for _, ctl := range cat {
		q, err := rego.New(rego.Compiler(c), rego.Query(ctl.Package+".result"), rego.StrictBuiltinErrors(true)).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", ctl.ID, err)
		}
		e.queries[ctl.ID] = q
	}
	e.licenses, err = rego.New(rego.Compiler(c), rego.Query("data.tenantgate.lib.licenses")).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare licenses: %w", err)
	}
	return e, nil
}

// Catalog returns the controls in catalog order.
func (e *Engine) Catalog() []Control { return e.catalog }

// Known reports whether id is a control of the catalog.
func (e *Engine) Known(id string) bool {
	for _, c := range e.catalog {
		if c.ID == id {
			return true
		}
	}
	return false
}

// Input builds the policies' input document: the snapshot as collected plus
// input.baseline. It is built as JSON and parsed straight into an AST value,
// which skips the reflection-heavy map[string]any conversion.
func Input(s *snapshot.Snapshot, b *baseline.Baseline) (ast.Value, error) {
	var buf bytes.Buffer
	head, err := json.Marshal(struct {
		SchemaVersion int                        `json:"schemaVersion"`
		CollectedAt   time.Time                  `json:"collectedAt"`
		Tenant        snapshot.Tenant            `json:"tenant"`
		Sources       map[string]snapshot.Source `json:"sources"`
		Data          map[string]json.RawMessage `json:"data"`
		Baseline      map[string]any             `json:"baseline"`
	}{s.SchemaVersion, s.CollectedAt, s.Tenant, s.Sources, s.Data, b.PolicyInput()})
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}
	buf.Write(head)
	v, err := ast.ValueFromReader(&buf)
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}
	return v, nil
}

// Evaluate audits one snapshot. now decides waiver expiry.
func (e *Engine) Evaluate(ctx context.Context, s *snapshot.Snapshot, b *baseline.Baseline, now time.Time) (*report.Report, error) {
	in, err := Input(s, b)
	if err != nil {
		return nil, err
	}
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
	if rs, err := e.licenses.Eval(ctx, rego.EvalParsedInput(in)); err != nil {
		return nil, fmt.Errorf("evaluate licenses: %w", err)
	} else if len(rs) == 1 {
		if m, ok := rs[0].Expressions[0].Value.(map[string]any); ok {
			r.Licenses = map[string]bool{}
			for k, v := range m {
				r.Licenses[k], _ = v.(bool)
			}
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
		if err := e.evalControl(ctx, ctl, in, &res); err != nil {
			// A broken control must not sink the run or pass silently.
			res.Status = report.NotAssessed
			res.Finding = "policy evaluation failed: " + err.Error()
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s: %v", ctl.ID, err))
		}
		r.Results = append(r.Results, res)
	}
	applyWaivers(r, b, now)
	r.Summarize()
	return r, nil
}

type regoResult struct {
	Status   string   `json:"status"`
	Finding  string   `json:"finding"`
	Evidence []string `json:"evidence"`
	Notes    []string `json:"notes"`
}

func (e *Engine) evalControl(ctx context.Context, ctl Control, in ast.Value, res *report.Result) error {
	rs, err := e.queries[ctl.ID].Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return fmt.Errorf("%s.result is undefined", ctl.Package)
	}
	raw, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		return err
	}
	var rr regoResult
	if err := json.Unmarshal(raw, &rr); err != nil {
		return fmt.Errorf("%s.result has the wrong shape: %w", ctl.Package, err)
	}
	switch rr.Status {
	case report.Pass, report.Fail, report.NotAssessed, report.NotLicensed:
	default:
		return fmt.Errorf("%s.result.status %q is not a status", ctl.Package, rr.Status)
	}
	res.Status, res.Finding, res.Notes = rr.Status, rr.Finding, rr.Notes
	if rr.Evidence != nil {
		res.Evidence = rr.Evidence
	}
	return nil
}

// applyWaivers turns fail into waived for unexpired waivers; expired waivers
// are ignored with a warning, and waivers on controls that do not fail are
// reported as stale.
func applyWaivers(r *report.Report, b *baseline.Baseline, now time.Time) {
	today := now.UTC().Format("2006-01-02")
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
		case exp < today:
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
