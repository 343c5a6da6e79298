// Package report is the canonical audit result (cli.md "Audit JSON"). Every
// renderer (table, JSON, SARIF, JUnit, Markdown, HTML) reads this model and
// nothing else, so a verdict can never differ between formats.
package report

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SchemaVersion of the audit JSON.
const SchemaVersion = 1

// Statuses, in the order reports list them.
const (
	Pass        = "pass"
	Fail        = "fail"
	NotLicensed = "not_licensed"
	NotAssessed = "not_assessed"
	Waived      = "waived"
)

// Statuses lists every status in display order.
var Statuses = []string{Fail, NotAssessed, Waived, NotLicensed, Pass}

// Severities, highest first.
var Severities = []string{"high", "medium", "low"}

// SeverityWeight is the score weight of a severity (cli.md: high 3, medium 2, low 1).
func SeverityWeight(sev string) int {
	switch sev {
	case "high":
		return 3
	case "medium":
		return 2
	case "low":
		return 1
	}
	return 0
}

// Tool names the program.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Tenant names the audited tenant.
type Tenant struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// BaselineRef names the baseline used.
type BaselineRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Summary counts results per status; Score is the weighted pass share among
// assessed, licensed controls (waived controls count as assessed, not passing).
//
// Coverage (an extension of cli.md's summary) says how much of the tenant
// the score speaks for: Applicable counts the controls the tenant is
// licensed for (everything but not_licensed), Assessed those of them with a
// verdict (pass, fail, waived), Coverage is Assessed/Applicable in percent
// (100 when nothing is applicable). A denied permission lowers coverage
// and, since fewer controls are scored, can raise the score: the two are
// always shown together.
type Summary struct {
	Pass        int     `json:"pass"`
	Fail        int     `json:"fail"`
	NotLicensed int     `json:"not_licensed"`
	NotAssessed int     `json:"not_assessed"`
	Waived      int     `json:"waived"`
	Score       float64 `json:"score"`
	Assessed    int     `json:"assessed"`
	Applicable  int     `json:"applicable"`
	Coverage    float64 `json:"coverage"`
}

// CoverageText is "17 of 18 applicable controls assessed (coverage 94.4%)".
func (s Summary) CoverageText() string {
	if s.Applicable == 0 {
		return "no applicable control (every control needs a license the tenant lacks)"
	}
	return fmt.Sprintf("%d of %d applicable controls assessed (coverage %s%%)", s.Assessed, s.Applicable, strings.TrimSuffix(fmt.Sprintf("%.1f", s.Coverage), ".0"))
}

// Waiver is the baseline waiver applied to (or found stale on) a result.
type Waiver struct {
	Reason     string `json:"reason"`
	ApprovedBy string `json:"approvedBy"`
	Expires    string `json:"expires"`
}

// Location points at the Rego file and line that implement a control.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Result is one control's verdict. Fields after Requires extend the spec.
type Result struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Severity    string   `json:"severity"`
	Status      string   `json:"status"`
	Finding     string   `json:"finding"`
	Evidence    []string `json:"evidence"`
	Remediation string   `json:"remediation"`
	Requires    []string `json:"requires"`

	// Notes are warnings that do not change the verdict (e.g. "the block
	// grant locks out users without MFA").
	Notes []string `json:"notes,omitempty"`
	// Waiver is set when status is waived.
	Waiver *Waiver `json:"waiver,omitempty"`
	// Policy is where the control's Rego lives (SARIF locations).
	Policy *Location `json:"policy,omitempty"`
	// Sources are the snapshot sources the control reads.
	Sources []string `json:"sources,omitempty"`
	// Missing, on a not_assessed result, lists the sources it needed that
	// were not read, and what to grant or do for each.
	Missing []Missing `json:"missing,omitempty"`
	// Considered lists, for a control that judges Conditional Access
	// policies, every policy it looked at and why each does (no problems)
	// or does not count. Computed by the control's own Rego (its relevant
	// policies and their problems).
	Considered []Considered `json:"considered,omitempty"`
	// Objects names the ids of Evidence and Considered that the snapshot
	// could name (evidence stays ids, cli.md's contract; names go here).
	Objects map[string]Object `json:"objects,omitempty"`
}

// Object is what a snapshot says about an id: its kind (user, group, role,
// namedLocation, conditionalAccessPolicy) and display name.
type Object struct {
	Type              string `json:"type"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
}

// EvidenceText is an evidence id with its name when known, the display name
// quoted and the UPN beside it, as findings name them:
// "4d72… 'CA003: Outlook on the web'", "4f6a… 'Break Glass 01'
// breakglass01@contoso.com".
func (r Result) EvidenceText(id string) string {
	o, ok := r.Objects[id]
	if !ok || o.DisplayName == "" && o.UserPrincipalName == "" {
		return id
	}
	var parts []string
	if o.DisplayName != "" {
		parts = append(parts, "'"+o.DisplayName+"'")
	}
	if o.UserPrincipalName != "" && o.UserPrincipalName != id {
		parts = append(parts, o.UserPrincipalName)
	}
	if len(parts) == 0 {
		return id
	}
	return id + " " + strings.Join(parts, " ")
}

// Considered is one policy a control looked at.
type Considered struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	State       string   `json:"state"`
	Problems    []string `json:"problems"`
}

// Counts reports whether the policy satisfies the control (no problems).
func (c Considered) Counts() bool { return len(c.Problems) == 0 }

// Missing is a source a not_assessed control needed and did not get.
type Missing struct {
	Source string `json:"source"`
	// Status is the source's collection status (denied, error, skipped), or
	// "absent" when the snapshot does not mention it.
	Status string `json:"status"`
	// Permissions are the Graph application permissions the source needs
	// (internal/permissions); AzureRole the Azure role for an ARM source.
	Permissions []string `json:"permissions,omitempty"`
	AzureRole   string   `json:"azureRole,omitempty"`
	// Action is what to do, in words: "grant the Graph permission
	// Policy.Read.All; `tenantgate permissions` lists it under ...".
	Action string `json:"action"`
}

// MissingText is what a not_assessed result needs done, one sentence per
// missing source; empty when nothing is known beyond the finding.
func (r Result) MissingText() string {
	var parts []string
	for _, m := range r.Missing {
		if !slices.Contains(parts, m.Action) {
			parts = append(parts, m.Action)
		}
	}
	return strings.Join(parts, "; ")
}

// SourceStatus mirrors a snapshot's per-source status in the report.
type SourceStatus struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Report is one audit of one tenant.
type Report struct {
	SchemaVersion int             `json:"schemaVersion"`
	Tool          Tool            `json:"tool"`
	GeneratedAt   time.Time       `json:"generatedAt"`
	Tenant        Tenant          `json:"tenant"`
	Baseline      BaselineRef     `json:"baseline"`
	Licenses      map[string]bool `json:"licenses"`
	Summary       Summary         `json:"summary"`
	Results       []Result        `json:"results"`

	// CollectedAt is when the snapshot was taken (extension).
	CollectedAt time.Time `json:"collectedAt,omitzero"`
	// Sources summarises collection health (extension).
	Sources map[string]SourceStatus `json:"sources,omitempty"`
	// Warnings are run-level problems: expired or stale waivers, etc. (extension).
	Warnings []string `json:"warnings,omitempty"`
}

// Summarize recomputes Summary from Results.
func (r *Report) Summarize() {
	var s Summary
	var num, den int
	for _, res := range r.Results {
		w := SeverityWeight(res.Severity)
		switch res.Status {
		case Pass:
			s.Pass++
			num += w
			den += w
		case Fail:
			s.Fail++
			den += w
		case Waived:
			s.Waived++
			den += w
		case NotLicensed:
			s.NotLicensed++
		case NotAssessed:
			s.NotAssessed++
		}
	}
	if den > 0 {
		// One decimal place keeps the JSON stable and readable.
		s.Score = float64(int(float64(num)*1000/float64(den)+0.5)) / 10
	}
	s.Assessed = s.Pass + s.Fail + s.Waived
	s.Applicable = s.Assessed + s.NotAssessed
	s.Coverage = 100
	if s.Applicable > 0 {
		s.Coverage = float64(int(float64(s.Assessed)*1000/float64(s.Applicable)+0.5)) / 10
	}
	r.Summary = s
}

// FailOn is a --fail-on threshold.
type FailOn string

// ParseFailOn validates a --fail-on value.
func ParseFailOn(s string) (FailOn, error) {
	switch s {
	case "high", "medium", "low", "never":
		return FailOn(s), nil
	}
	return "", fmt.Errorf("invalid --fail-on %q: want high, medium, low or never", s)
}

// Gates reports whether a failed control of severity sev trips the threshold.
func (f FailOn) Gates(sev string) bool {
	if f == "never" {
		return false
	}
	return SeverityWeight(sev) >= SeverityWeight(string(f))
}

// Exit codes (cli.md).
const (
	ExitOK         = 0
	ExitGate       = 1
	ExitInput      = 2
	ExitIncomplete = 3
	ExitRuntime    = 4
)

// ExitCode is the audit's exit code: 1 when a fail at or above failOn exists,
// else 3 when something was not assessed (unless allowed), else 0.
func (r *Report) ExitCode(failOn FailOn, allowIncomplete bool) int {
	incomplete := false
	for _, res := range r.Results {
		if res.Status == Fail && failOn.Gates(res.Severity) {
			return ExitGate
		}
		if res.Status == NotAssessed {
			incomplete = true
		}
	}
	if incomplete && !allowIncomplete {
		return ExitIncomplete
	}
	return ExitOK
}

// WithStatus returns the results with a status, in report order.
func (r *Report) WithStatus(status string) []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == status {
			out = append(out, res)
		}
	}
	return out
}

// TenantLabel is "displayName (id)" or just the id.
func (r *Report) TenantLabel() string {
	if strings.TrimSpace(r.Tenant.DisplayName) == "" {
		return r.Tenant.ID
	}
	return fmt.Sprintf("%s (%s)", r.Tenant.DisplayName, r.Tenant.ID)
}

// MapText returns a copy of r with f applied to every string in it (names,
// findings, messages, ids, map keys), for renderers that must display only
// neutralised text (render applies textsafe.Text this way to every format
// but JSON, which keeps the data exact). f must return a clean string as is.
func (r *Report) MapText(f func(string) string) *Report {
	c := *r
	c.Tool = Tool{Name: f(r.Tool.Name), Version: f(r.Tool.Version)}
	c.Tenant = Tenant{ID: f(r.Tenant.ID), DisplayName: f(r.Tenant.DisplayName)}
	c.Baseline = BaselineRef{Name: f(r.Baseline.Name), Version: f(r.Baseline.Version)}
	if r.Licenses != nil {
		c.Licenses = make(map[string]bool, len(r.Licenses))
		for k, v := range r.Licenses {
			c.Licenses[f(k)] = v
		}
	}
	if r.Sources != nil {
		c.Sources = make(map[string]SourceStatus, len(r.Sources))
		for k, v := range r.Sources {
			c.Sources[f(k)] = SourceStatus{Status: f(v.Status), Error: f(v.Error)}
		}
	}
	c.Warnings = mapAll(r.Warnings, f)
	c.Results = make([]Result, len(r.Results))
	for i, res := range r.Results {
		m := res
		m.ID, m.Title, m.Severity, m.Status = f(res.ID), f(res.Title), f(res.Severity), f(res.Status)
		m.Finding, m.Remediation = f(res.Finding), f(res.Remediation)
		m.Evidence, m.Requires, m.Notes, m.Sources = mapAll(res.Evidence, f), mapAll(res.Requires, f), mapAll(res.Notes, f), mapAll(res.Sources, f)
		if res.Waiver != nil {
			m.Waiver = &Waiver{Reason: f(res.Waiver.Reason), ApprovedBy: f(res.Waiver.ApprovedBy), Expires: f(res.Waiver.Expires)}
		}
		if res.Policy != nil {
			m.Policy = &Location{File: f(res.Policy.File), Line: res.Policy.Line}
		}
		if res.Considered != nil {
			m.Considered = make([]Considered, len(res.Considered))
			for j, x := range res.Considered {
				m.Considered[j] = Considered{ID: f(x.ID), DisplayName: f(x.DisplayName), State: f(x.State), Problems: mapAll(x.Problems, f)}
			}
		}
		if res.Objects != nil {
			m.Objects = make(map[string]Object, len(res.Objects))
			for k, o := range res.Objects {
				m.Objects[f(k)] = Object{Type: f(o.Type), DisplayName: f(o.DisplayName), UserPrincipalName: f(o.UserPrincipalName)}
			}
		}
		if res.Missing != nil {
			m.Missing = make([]Missing, len(res.Missing))
			for j, x := range res.Missing {
				m.Missing[j] = Missing{Source: f(x.Source), Status: f(x.Status), Permissions: mapAll(x.Permissions, f), AzureRole: f(x.AzureRole), Action: f(x.Action)}
			}
		}
		c.Results[i] = m
	}
	return &c
}

// mapAll applies f to each string of xs (nil stays nil, empty stays empty).
func mapAll(xs []string, f func(string) string) []string {
	if xs == nil {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
