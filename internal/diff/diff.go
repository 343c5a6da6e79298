// Package diff compares two snapshots or two audit results of a tenant: which
// controls regressed or improved, and which Conditional Access policies and
// tenant settings changed between them (tenantgate diff, cli.md).
//
// Control verdicts need the rule engine; this package does not import it.
// For snapshots the caller passes Options.Audit, and without it a snapshot
// diff compares settings only.
package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Kind is what a compared file is.
type Kind string

const (
	KindReport   Kind = "report"
	KindSnapshot Kind = "snapshot"
)

// Input is one side of a comparison.
type Input struct {
	Path     string
	Kind     Kind
	Report   *report.Report     // when Kind is KindReport
	Snapshot *snapshot.Snapshot // when Kind is KindSnapshot
}

// Load reads a snapshot or an audit result, telling them apart by content: a
// report has "results", a snapshot has "data" / "sources". Problems are
// *inputerr.Error naming the file.
func Load(path string) (*Input, error) {
	raw, err := inputerr.ReadFile(path, "snapshot or audit result", snapshot.MaxFileBytes)
	if err != nil {
		return nil, err
	}
	return Parse(path, raw)
}

// Parse is Load on bytes already read; name is used in messages.
func Parse(name string, raw []byte) (*Input, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, jsonError(name, raw, err)
	}
	switch {
	case top["results"] != nil:
		r, err := parseReport(name, raw)
		if err != nil {
			return nil, err
		}
		return &Input{Path: name, Kind: KindReport, Report: r}, nil
	case top["data"] != nil || top["sources"] != nil:
		s, err := snapshot.Parse(name, raw)
		if err != nil {
			return nil, err
		}
		return &Input{Path: name, Kind: KindSnapshot, Snapshot: s}, nil
	}
	return nil, inputerr.New(name, "neither a tenantgate snapshot (no \"data\" or \"sources\") nor an audit result (no \"results\"; write one with audit --format json)")
}

func parseReport(name string, raw []byte) (*report.Report, error) {
	var r report.Report
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&r); err != nil {
		return nil, jsonError(name, raw, err)
	}
	switch {
	case r.SchemaVersion == 0:
		return nil, inputerr.New(name, "invalid audit result: missing schemaVersion")
	case r.SchemaVersion != report.SchemaVersion:
		return nil, inputerr.New(name, "audit result schemaVersion %d is not supported (this build reads %d)", r.SchemaVersion, report.SchemaVersion)
	case strings.TrimSpace(r.Tenant.ID) == "":
		return nil, inputerr.New(name, "invalid audit result: missing tenant.id")
	}
	seen := map[string]bool{}
	for i, res := range r.Results {
		if res.ID == "" {
			return nil, inputerr.New(name, "invalid audit result: results[%d] has no id", i)
		}
		if seen[res.ID] {
			return nil, inputerr.New(name, "invalid audit result: control %s appears twice", res.ID)
		}
		seen[res.ID] = true
		switch res.Status {
		case report.Pass, report.Fail, report.NotLicensed, report.NotAssessed, report.Waived:
		default:
			return nil, inputerr.New(name, "invalid audit result: %s has unknown status %q", res.ID, res.Status)
		}
	}
	return &r, nil
}

func jsonError(name string, raw []byte, err error) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = nil
	}
	return inputerr.JSON(name, raw, err, "a snapshot or an audit result")
}

// Options tune Compare.
type Options struct {
	// Audit evaluates a snapshot with the rule engine. When set, comparing two
	// snapshots also compares their control verdicts.
	Audit func(*snapshot.Snapshot) (*report.Report, error)
}

// Directions of a control's status change.
const (
	Regressed = "regressed"
	Improved  = "improved"
	Changed   = "changed" // neither better nor worse, e.g. fail -> waived
	Added     = "added"   // control only in the new result
	Removed   = "removed" // control only in the old result
)

// Classify says whether a status change is a regression. The rules, in order:
// a move to pass improves; a move to fail or not_assessed regresses (missing
// data is never better than a verdict, as a control never passes on missing
// data); leaving pass for anything regresses (pass -> not_licensed means a
// lost license switched the defense off; pass -> waived means it now fails);
// everything else (fail -> waived, fail -> not_licensed, ...) is a neutral change.
func Classify(oldStatus, newStatus string) string {
	switch {
	case oldStatus == newStatus:
		return ""
	case newStatus == report.Pass:
		return Improved
	case newStatus == report.Fail, newStatus == report.NotAssessed, oldStatus == report.Pass:
		return Regressed
	}
	return Changed
}

// Side describes one compared file.
type Side struct {
	Path        string `json:"path"`
	TenantID    string `json:"tenantId"`
	TenantName  string `json:"tenantName,omitempty"`
	CollectedAt string `json:"collectedAt,omitempty"`
}

// ControlChange is one control whose status differs.
type ControlChange struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Severity  string `json:"severity"`
	Old       string `json:"old,omitempty"`
	New       string `json:"new,omitempty"`
	Direction string `json:"direction"`
	Finding   string `json:"finding,omitempty"` // the new finding (the old one for a removed control)
}

// Score is the score before and after, with the coverage each speaks for
// (assessed / applicable controls): a denied permission removes controls
// from the score, which can make it rise while the tenant got no better.
type Score struct {
	Old         float64   `json:"old"`
	New         float64   `json:"new"`
	OldCoverage *Coverage `json:"oldCoverage,omitempty"`
	NewCoverage *Coverage `json:"newCoverage,omitempty"`
}

// Coverage is how many of the applicable controls had a verdict.
type Coverage struct {
	Assessed   int `json:"assessed"`
	Applicable int `json:"applicable"`
}

// coverageOf reads a report's coverage; nil for a result written before
// coverage existed (no applicable count while results hold controls).
func coverageOf(r *report.Report) *Coverage {
	s := r.Summary
	if s.Applicable == 0 && s.Pass+s.Fail+s.Waived+s.NotAssessed > 0 {
		return nil
	}
	return &Coverage{Assessed: s.Assessed, Applicable: s.Applicable}
}

// SourceChange is a snapshot source whose collection status changed. Its data
// is not compared: a source that could not be read would otherwise look as if
// every object in it had been deleted.
type SourceChange struct {
	Source string `json:"source"`
	Old    string `json:"old"`
	New    string `json:"new"`
	Error  string `json:"error,omitempty"`
}

// ObjectChange is an object added, removed or modified in a snapshot source.
// Singleton settings (authorizationPolicy, ...) have no ID and are only ever
// modified.
type ObjectChange struct {
	Source string         `json:"source"`
	ID     string         `json:"id,omitempty"`
	Name   string         `json:"name,omitempty"`
	Change string         `json:"change"` // added | removed | modified
	State  *StateChange   `json:"state,omitempty"`
	Fields []FieldChange  `json:"fields,omitempty"`
	Object map[string]any `json:"object,omitempty"` // the whole object, when added or removed
}

// StateChange is a CA policy's state before and after ("" when absent).
type StateChange struct {
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
}

// FieldChange is one JSON path whose value differs; a missing value is null.
type FieldChange struct {
	Path string `json:"path"`
	Old  any    `json:"old"`
	New  any    `json:"new"`
}

// Result is a comparison.
type Result struct {
	Kind Kind `json:"kind"`
	Old  Side `json:"old"`
	New  Side `json:"new"`
	// ControlsCompared is false for snapshots when no auditor was available.
	ControlsCompared bool            `json:"controlsCompared"`
	Controls         []ControlChange `json:"controls"`
	Score            *Score          `json:"score,omitempty"`
	Sources          []SourceChange  `json:"sources,omitempty"`
	Changes          []ObjectChange  `json:"changes,omitempty"`
	Regressions      int             `json:"regressions"`
	Improvements     int             `json:"improvements"`
	Warnings         []string        `json:"warnings,omitempty"`
}

// Regressed reports whether any control regressed (exit 1).
func (r *Result) Regressed() bool { return r.Regressions > 0 }

// Compare compares two inputs of the same kind.
func Compare(oldIn, newIn *Input, opts Options) (*Result, error) {
	if oldIn.Kind != newIn.Kind {
		return nil, inputerr.New(newIn.Path, "is %s, but %s is %s: compare two snapshots or two audit results", kindText(newIn.Kind), oldIn.Path, kindText(oldIn.Kind))
	}
	res := &Result{Kind: oldIn.Kind, Controls: []ControlChange{}}
	switch oldIn.Kind {
	case KindReport:
		res.Old, res.New = reportSide(oldIn), reportSide(newIn)
		compareReports(res, oldIn.Report, newIn.Report)
	case KindSnapshot:
		res.Old, res.New = snapshotSide(oldIn), snapshotSide(newIn)
		compareSnapshots(res, oldIn.Snapshot, newIn.Snapshot)
		if opts.Audit != nil {
			oldR, err := opts.Audit(oldIn.Snapshot)
			if err != nil {
				return nil, fmt.Errorf("auditing %s: %w", oldIn.Path, err)
			}
			newR, err := opts.Audit(newIn.Snapshot)
			if err != nil {
				return nil, fmt.Errorf("auditing %s: %w", newIn.Path, err)
			}
			compareReports(res, oldR, newR)
		}
	}
	if res.Old.TenantID != res.New.TenantID {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the files are from different tenants (%s and %s)", res.Old.TenantID, res.New.TenantID))
	}
	return res, nil
}

func kindText(k Kind) string {
	if k == KindReport {
		return "an audit result"
	}
	return "a snapshot"
}

func reportSide(in *Input) Side {
	r := in.Report
	t := r.CollectedAt
	if t.IsZero() {
		t = r.GeneratedAt
	}
	s := Side{Path: in.Path, TenantID: r.Tenant.ID, TenantName: r.Tenant.DisplayName}
	if !t.IsZero() {
		s.CollectedAt = t.UTC().Format("2006-01-02T15:04:05Z")
	}
	return s
}

func snapshotSide(in *Input) Side {
	s := in.Snapshot
	return Side{Path: in.Path, TenantID: s.Tenant.ID, TenantName: s.Tenant.DisplayName, CollectedAt: s.CollectedAt.UTC().Format("2006-01-02T15:04:05Z")}
}

// compareReports lists status changes in the new report's catalog order, then
// removed controls.
func compareReports(res *Result, oldR, newR *report.Report) {
	res.ControlsCompared = true
	res.Score = &Score{Old: oldR.Summary.Score, New: newR.Summary.Score, OldCoverage: coverageOf(oldR), NewCoverage: coverageOf(newR)}
	old := map[string]report.Result{}
	for _, r := range oldR.Results {
		old[r.ID] = r
	}
	seen := map[string]bool{}
	for _, n := range newR.Results {
		seen[n.ID] = true
		o, ok := old[n.ID]
		c := ControlChange{ID: n.ID, Title: n.Title, Severity: n.Severity, New: n.Status, Finding: n.Finding}
		if !ok {
			c.Direction = Added
		} else {
			c.Old = o.Status
			c.Direction = Classify(o.Status, n.Status)
			if c.Direction == "" {
				continue
			}
		}
		res.Controls = append(res.Controls, c)
	}
	for _, o := range oldR.Results {
		if !seen[o.ID] {
			res.Controls = append(res.Controls, ControlChange{ID: o.ID, Title: o.Title, Severity: o.Severity, Old: o.Status, Direction: Removed, Finding: o.Finding})
		}
	}
	for _, c := range res.Controls {
		switch c.Direction {
		case Regressed:
			res.Regressions++
		case Improved:
			res.Improvements++
		}
	}
}

// sourceOrder is the order changes are listed in: Conditional Access first,
// then the settings the controls read, then the rest.
var sourceOrder = []string{
	"conditionalAccessPolicies", "namedLocations", "authenticationStrengthPolicies",
	"authorizationPolicy", "securityDefaults", "deviceRegistrationPolicy",
	"adminConsentRequestPolicy", "authenticationMethodsPolicy",
	"diagnosticSettings", "logAnalyticsWorkspaces", "deviceEnrollmentConfigurations",
	"breakGlassAccounts", "subscribedSkus", "organization",
}

func sourceRank(name string) int {
	for i, s := range sourceOrder {
		if s == name {
			return i
		}
	}
	return len(sourceOrder)
}

// collectionKey is the field that identifies an element of a collection.
var collectionKey = map[string]string{"breakGlassAccounts": "requested"}

// ignoredFields change on their own without anyone changing the tenant.
var ignoredFields = map[string]map[string]bool{
	"organization":   {"onPremisesLastSyncDateTime": true},
	"subscribedSkus": {"consumedUnits": true},
}

func compareSnapshots(res *Result, oldS, newS *snapshot.Snapshot) {
	names := map[string]bool{}
	for n := range oldS.Sources {
		names[n] = true
	}
	for n := range newS.Sources {
		names[n] = true
	}
	ordered := make([]string, 0, len(names))
	for n := range names {
		ordered = append(ordered, n)
	}
	sort.Slice(ordered, func(i, j int) bool {
		ri, rj := sourceRank(ordered[i]), sourceRank(ordered[j])
		if ri != rj {
			return ri < rj
		}
		return ordered[i] < ordered[j]
	})
	for _, name := range ordered {
		oldSt, newSt := oldS.Sources[name].Status, newS.Sources[name].Status
		if oldSt != newSt {
			res.Sources = append(res.Sources, SourceChange{Source: name, Old: nonEmpty(oldSt, "absent"), New: nonEmpty(newSt, "absent"), Error: newS.Sources[name].Error})
		}
		if !oldS.OK(name) || !newS.OK(name) {
			continue
		}
		ignore := ignoredFields[name]
		if snapshot.Sources[name] == snapshot.Collection {
			res.Changes = append(res.Changes, compareCollection(name, oldS.Data[name], newS.Data[name], ignore)...)
			continue
		}
		var o, n any
		if decode(oldS.Data[name], &o) != nil || decode(newS.Data[name], &n) != nil {
			continue // Validate already checked the shape; unreadable means nothing to say
		}
		if fields := diffValues("", o, n, ignore); len(fields) > 0 {
			res.Changes = append(res.Changes, ObjectChange{Source: name, Change: "modified", Fields: fields})
		}
	}
}

func compareCollection(source string, oldRaw, newRaw json.RawMessage, ignore map[string]bool) []ObjectChange {
	key := collectionKey[source]
	if key == "" {
		key = "id"
	}
	var oldList, newList []any
	if decode(oldRaw, &oldList) != nil || decode(newRaw, &newList) != nil {
		return nil
	}
	index := func(list []any) (map[string]map[string]any, []string) {
		m := map[string]map[string]any{}
		var order []string
		for i, el := range list {
			obj, ok := el.(map[string]any)
			if !ok {
				continue
			}
			id, _ := obj[key].(string)
			if id == "" {
				id = fmt.Sprintf("#%d", i) // no id: fall back to the position
			}
			if _, dup := m[id]; !dup {
				order = append(order, id)
			}
			m[id] = obj
		}
		return m, order
	}
	oldM, oldOrder := index(oldList)
	newM, newOrder := index(newList)
	var out []ObjectChange
	for _, id := range oldOrder {
		if _, ok := newM[id]; !ok {
			o := oldM[id]
			out = append(out, ObjectChange{Source: source, ID: id, Name: displayName(o), Change: "removed", State: stateOf(o, nil), Object: o})
		}
	}
	for _, id := range newOrder {
		n := newM[id]
		o, ok := oldM[id]
		if !ok {
			out = append(out, ObjectChange{Source: source, ID: id, Name: displayName(n), Change: "added", State: stateOf(nil, n), Object: n})
			continue
		}
		fields := diffValues("", o, n, ignore)
		if len(fields) == 0 {
			continue
		}
		c := ObjectChange{Source: source, ID: id, Name: displayName(n), Change: "modified"}
		// The state of a CA policy is the change people look for first; it is
		// shown on its own rather than as one field among many.
		if st := stateOf(o, n); st != nil && st.Old != st.New {
			c.State = st
			kept := fields[:0]
			for _, f := range fields {
				if f.Path != "state" {
					kept = append(kept, f)
				}
			}
			fields = kept
		}
		c.Fields = fields
		out = append(out, c)
	}
	rank := map[string]int{"added": 0, "removed": 1, "modified": 2}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Change != out[j].Change {
			return rank[out[i].Change] < rank[out[j].Change]
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func displayName(obj map[string]any) string {
	for _, k := range []string{"displayName", "name", "requested"} {
		if s, ok := obj[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// stateOf returns the state change when the objects carry a "state" (CA policies).
func stateOf(o, n map[string]any) *StateChange {
	oldSt, _ := o["state"].(string)
	newSt, _ := n["state"].(string)
	if oldSt == "" && newSt == "" {
		return nil
	}
	return &StateChange{Old: oldSt, New: newSt}
}

func decode(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep numbers exactly as Graph sent them
	return dec.Decode(v)
}

// nonEmpty is s, or fallback when s is "". A whitespace-only value is kept:
// in a diff it may be the very change (render's nonBlank differs on purpose).
func nonEmpty(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
