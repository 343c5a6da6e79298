package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// CAClient reads and creates Conditional Access policies. Implemented over
// Microsoft Graph by internal/collect; it has no way to update or delete.
type CAClient interface {
	// ListPolicies returns every CA policy as Graph returned it.
	ListPolicies(ctx context.Context) ([]json.RawMessage, error)
	// CreatePolicy POSTs body and returns the created policy.
	CreatePolicy(ctx context.Context, body []byte) (json.RawMessage, error)
}

// Outcome is what happened to one plan item.
type Outcome struct {
	Control     string `json:"control"`
	DisplayName string `json:"displayName"`
	Status      string `json:"status"` // created | exists | failed
	ID          string `json:"id,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Outcome statuses.
const (
	Created = "created"
	Exists  = "exists"
	Failed  = "failed"
)

// BlockedError: the plan may not be applied (break-glass accounts missing...).
type BlockedError struct{ Reason string }

func (e *BlockedError) Error() string { return "refusing to create policies: " + e.Reason }

// StaleError: the tenant's CA policies changed since the plan was made.
type StaleError struct{ Planned, Live string }

func (e *StaleError) Error() string {
	return "refusing to apply a stale plan: the tenant's Conditional Access policies changed since it was made (run plan again and review it)"
}

// Apply re-reads the live policies and creates the plan's items that do not
// exist yet. With checkState it refuses when the live policies differ from
// the ones the plan was built on. It returns one outcome per item; failures
// of single items do not stop the others.
func Apply(ctx context.Context, c CAClient, p *Plan, checkState bool) ([]Outcome, error) {
	if p.Blocked != "" {
		return nil, &BlockedError{p.Blocked}
	}
	live, err := c.ListPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("re-read Conditional Access policies: %w", err)
	}
	if fp := Fingerprint(live); checkState && fp != p.LiveState {
		return nil, &StaleError{Planned: p.LiveState, Live: fp}
	}
	existing := displayNames(live)
	out := make([]Outcome, 0, len(p.Create))
	for _, it := range p.Create {
		o := Outcome{Control: it.Control, DisplayName: it.DisplayName}
		if _, ok := existing[it.DisplayName]; ok {
			o.Status = Exists
			out = append(out, o)
			continue
		}
		if err := checkBody(it.Body, p.BreakGlass); err != nil {
			o.Status, o.Error = Failed, err.Error()
			out = append(out, o)
			continue
		}
		created, err := c.CreatePolicy(ctx, it.Body)
		if err != nil {
			o.Status, o.Error = Failed, err.Error()
			out = append(out, o)
			continue
		}
		var id struct{ ID string }
		_ = json.Unmarshal(created, &id)
		o.Status, o.ID = Created, id.ID
		existing[it.DisplayName] = ReportOnly
		out = append(out, o)
	}
	return out, nil
}

// checkBody is the last gate before a POST: whatever a plan file says, only a
// report-only policy that excludes every break-glass account goes out.
func checkBody(body []byte, bg []Account) error {
	p, err := ParseHead(body)
	if err != nil {
		return fmt.Errorf("not sent: body is not a policy: %w", err)
	}
	if p.State != ReportOnly {
		return fmt.Errorf("not sent: state %q is not %s", p.State, ReportOnly)
	}
	if !strings.HasPrefix(p.DisplayName, DisplayPrefix) {
		return fmt.Errorf("not sent: display name %q lacks the %q prefix", p.DisplayName, DisplayPrefix)
	}
	if len(bg) == 0 {
		return errors.New("not sent: no break-glass accounts to exclude")
	}
	have := map[string]bool{}
	for _, u := range p.Conditions.Users.ExcludeUsers {
		have[u] = true
	}
	for _, a := range bg {
		if !have[a.ID] {
			return fmt.Errorf("not sent: break-glass account %s (%s) is not excluded", a.Requested, a.ID)
		}
	}
	return nil
}

// WritePlan writes the plan file.
func WritePlan(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

// LoadPlan reads a plan file written by plan --output.
func LoadPlan(path string) (*Plan, error) {
	raw, err := inputerr.ReadFile(path, "plan")
	if err != nil {
		return nil, err
	}
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, inputerr.JSON(path, raw, err, "a plan")
	}
	if p.Kind != PlanKind || p.SchemaVersion != 1 {
		return nil, inputerr.New(path, "not a tenantgate plan file (kind %q, schemaVersion %d)", p.Kind, p.SchemaVersion)
	}
	if p.LiveState == "" {
		return nil, inputerr.New(path, "plan has no liveState; it cannot be checked against the tenant")
	}
	return &p, nil
}

// WriteText renders the plan for people: what will be created, with the
// exact bodies and warnings, what will not and why, and the manual steps.
// Names and messages come from the tenant and the files, so each passes
// textsafe (one line, control characters neutralised) on its way out.
func WriteText(w io.Writer, p *Plan, bodies bool) {
	line := textsafe.Line
	fmt.Fprintf(w, "Plan for %s · baseline %s\n", line(tenantLabel(p)), line(p.Baseline.Name+" "+p.Baseline.Version))
	if len(p.BreakGlass) > 0 {
		var names []string
		for _, a := range p.BreakGlass {
			names = append(names, fmt.Sprintf("%s (%s)", line(a.Requested), line(a.ID)))
		}
		fmt.Fprintf(w, "Break-glass accounts excluded from every policy: %s\n", strings.Join(names, ", "))
	}
	if p.Blocked != "" {
		fmt.Fprintf(w, "\n!! apply will refuse to create anything: %s\n", textsafe.Text(p.Blocked))
	}
	fmt.Fprintf(w, "\nWill create %d Conditional Access policies, all in report-only mode (%s):\n", len(p.Create), ReportOnly)
	for _, it := range p.Create {
		fmt.Fprintf(w, "\n  + %s  %s\n    closes: %s\n    because: %s\n", line(it.Control), line(it.DisplayName), line(it.Title), line(it.Finding))
		for _, warn := range it.Warnings {
			fmt.Fprintf(w, "    warning: %s\n", line(warn))
		}
		if bodies {
			var buf bytes.Buffer
			if json.Indent(&buf, it.Body, "      ", "  ") == nil {
				fmt.Fprintf(w, "    POST /v1.0/identity/conditionalAccess/policies\n      %s\n", textsafe.Text(buf.String()))
			}
		}
	}
	if len(p.Skipped) > 0 {
		fmt.Fprintf(w, "\nWill not create:\n")
		for _, s := range p.Skipped {
			fmt.Fprintf(w, "  - %s: %s\n", line(s.Control), line(s.Reason))
		}
	}
	if len(p.Manual) > 0 {
		fmt.Fprintf(w, "\nTo do by hand (apply never changes these):\n")
		for _, m := range p.Manual {
			fmt.Fprintf(w, "\n  * %s [%s] %s\n    now: %s\n    fix: %s\n", line(m.Control), line(m.Status), line(m.Title), line(m.Finding), line(m.Steps))
		}
	}
}

func tenantLabel(p *Plan) string {
	if p.Tenant.DisplayName == "" {
		return p.Tenant.ID
	}
	return fmt.Sprintf("%s (%s)", p.Tenant.DisplayName, p.Tenant.ID)
}
