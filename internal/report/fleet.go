package report

import "time"

// Fleet is the combined result of auditing many snapshots in one run.
type Fleet struct {
	SchemaVersion int          `json:"schemaVersion"`
	Kind          string       `json:"kind"` // "tenantgate-fleet"
	Tool          Tool         `json:"tool"`
	GeneratedAt   time.Time    `json:"generatedAt"`
	Baseline      BaselineRef  `json:"baseline"`
	Shard         string       `json:"shard,omitempty"` // K/N when the run audited one shard of the snapshots
	Summary       FleetSummary `json:"summary"`
	// Controls are the control ids of the baseline in catalog order: the
	// columns of the tenant x control matrix (extension).
	Controls []string   `json:"controls,omitempty"`
	Tenants  []FleetRow `json:"tenants"`
}

// FleetKind marks a fleet summary document.
const FleetKind = "tenantgate-fleet"

// FleetSummary counts tenants by outcome; Exit is the run's exit code.
type FleetSummary struct {
	Tenants    int `json:"tenants"`
	Passed     int `json:"passed"`     // exit 0
	GateFailed int `json:"gateFailed"` // exit 1
	Incomplete int `json:"incomplete"` // exit 3
	Errors     int `json:"errors"`     // exit 2 or 4: not audited
	// Duplicates counts rows whose tenant an earlier row already audited
	// (the same tenant's snapshot twice); they are flagged, and left out of
	// MeanScore so one tenant does not count twice.
	Duplicates int     `json:"duplicates,omitempty"`
	MeanScore  float64 `json:"meanScore"`
	Exit       int     `json:"exit"`
}

// FleetRow is one tenant of a fleet run: its verdict summary, not the full
// report (which goes to the report directory), so a large fleet stays small
// in memory.
type FleetRow struct {
	File        string    `json:"file"`
	Tenant      Tenant    `json:"tenant"`
	Exit        int       `json:"exit"`
	Outcome     string    `json:"outcome"` // passed | gate_failed | incomplete | error
	Summary     *Summary  `json:"summary,omitempty"`
	Failed      []string  `json:"failed,omitempty"`      // failed control ids, highest severity first
	NotAssessed []string  `json:"notAssessed,omitempty"` // not_assessed control ids
	Error       string    `json:"error,omitempty"`
	Reports     []string  `json:"reports,omitempty"`
	CollectedAt time.Time `json:"collectedAt,omitzero"`
	// Statuses maps each control id to the tenant's status (the matrix row).
	Statuses map[string]string `json:"statuses,omitempty"`
	// DuplicateOf is the file of an earlier row with the same tenant id.
	DuplicateOf string `json:"duplicateOf,omitempty"`
}

// Fleet outcomes.
const (
	OutcomePassed     = "passed"
	OutcomeGateFailed = "gate_failed"
	OutcomeIncomplete = "incomplete"
	OutcomeError      = "error"
)

// exitRank orders exit codes from best to worst for a fleet: a tenant that
// could not be audited at all (4, 2) outranks a failed gate (1), which
// outranks an incomplete audit (3).
var exitRank = map[int]int{ExitOK: 0, ExitIncomplete: 1, ExitGate: 2, ExitInput: 3, ExitRuntime: 4}

// WorseExit returns the worse of two exit codes by exitRank.
func WorseExit(a, b int) int {
	if exitRank[b] > exitRank[a] {
		return b
	}
	return a
}

// MapText is Report.MapText for a fleet summary.
func (fl *Fleet) MapText(f func(string) string) *Fleet {
	c := *fl
	c.Kind = f(fl.Kind)
	c.Tool = Tool{Name: f(fl.Tool.Name), Version: f(fl.Tool.Version)}
	c.Baseline = BaselineRef{Name: f(fl.Baseline.Name), Version: f(fl.Baseline.Version)}
	c.Shard = f(fl.Shard)
	c.Controls = mapAll(fl.Controls, f)
	c.Tenants = make([]FleetRow, len(fl.Tenants))
	for i, r := range fl.Tenants {
		m := r
		m.File, m.Outcome, m.Error = f(r.File), f(r.Outcome), f(r.Error)
		m.Tenant = Tenant{ID: f(r.Tenant.ID), DisplayName: f(r.Tenant.DisplayName)}
		m.Failed, m.NotAssessed, m.Reports = mapAll(r.Failed, f), mapAll(r.NotAssessed, f), mapAll(r.Reports, f)
		m.DuplicateOf = f(r.DuplicateOf)
		if r.Statuses != nil {
			m.Statuses = make(map[string]string, len(r.Statuses))
			for k, v := range r.Statuses {
				m.Statuses[f(k)] = f(v)
			}
		}
		c.Tenants[i] = m
	}
	return &c
}
