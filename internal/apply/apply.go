package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// CAClient reads and creates Conditional Access policies, and reads what
// apply checks first: which organization the credential reaches, and the
// break-glass accounts. Implemented over Microsoft Graph by internal/collect;
// it has no way to update or delete.
type CAClient interface {
	// ListPolicies returns every CA policy as Graph returned it.
	ListPolicies(ctx context.Context) ([]json.RawMessage, error)
	// CreatePolicy POSTs body and returns the created policy.
	CreatePolicy(ctx context.Context, body []byte) (json.RawMessage, error)
	// Organization returns the organization object of the tenant the
	// credential reaches (the only element of GET /organization).
	Organization(ctx context.Context) (json.RawMessage, error)
	// User returns the user with this object id or UPN (at least id and
	// userPrincipalName), or nil when there is none (404).
	User(ctx context.Context, idOrUPN string) (json.RawMessage, error)
}

// Outcome is what happened to one plan item.
type Outcome struct {
	Control     string `json:"control"`
	DisplayName string `json:"displayName"` // the body's own displayName
	Status      string `json:"status"`      // created | exists | failed | unknown | not_attempted
	ID          string `json:"id,omitempty"`
	// Note qualifies a status, e.g. a creation confirmed by re-reading the
	// policies after an ambiguous answer.
	Note  string `json:"note,omitempty"`
	Error string `json:"error,omitempty"`
}

// Outcome statuses.
const (
	Created = "created"
	Exists  = "exists"
	Failed  = "failed"
	// Unknown: the create may or may not have been carried out, and the
	// policies could not be re-read to tell.
	Unknown = "unknown"
	// NotAttempted: not sent, because an earlier create showed it would fail
	// (403: the credential may not create policies), or the run was stopped.
	NotAttempted = "not_attempted"
)

// OK reports whether the item ended as it should: created or already there.
func (o Outcome) OK() bool { return o.Status == Created || o.Status == Exists }

// BlockedError: the plan may not be applied (break-glass accounts missing...).
type BlockedError struct{ Reason string }

func (e *BlockedError) Error() string { return "refusing to create policies: " + e.Reason }

// StaleError: the tenant's CA policies changed since the plan was made.
type StaleError struct{ Planned, Live string }

func (e *StaleError) Error() string {
	return "refusing to apply a stale plan: the tenant's Conditional Access policies changed since it was made (run plan again and review it)"
}

// WriteError is a create Graph did not confirm. CAClient implementations
// return it so apply can tell a refusal from an answer that leaves the
// outcome open.
type WriteError struct {
	Status int    // HTTP status of the answer; 0 when none came (reset, timeout)
	Code   string // Graph's error code, if any
	Text   string // the whole failure, for people
}

func (e *WriteError) Error() string { return e.Text }

// cause names an ambiguous answer briefly ("HTTP 504", "no answer").
func (e *WriteError) cause() string {
	if e.Status == 0 {
		return "no answer (" + e.Text + ")"
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

// ambiguous reports whether a create that failed may nevertheless have been
// carried out: no answer at all (a reset or timeout after the request was
// sent), a 5xx or 429 (a gateway may time out while the service goes on), a
// redirect, or a success without the created policy. A 4xx is a refusal.
func ambiguous(err error) (*WriteError, bool) {
	var we *WriteError
	if !errors.As(err, &we) {
		return &WriteError{Text: err.Error()}, true
	}
	s := we.Status
	return we, s < 400 || s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500
}

// Options are apply's checks against the live tenant.
type Options struct {
	// CheckState refuses when the live policies differ from the ones the
	// plan was built on (apply --plan).
	CheckState bool
	// BreakGlass are the baseline's break_glass entries (UPNs or object
	// ids). apply resolves them in the live tenant and sends only bodies
	// that exclude every one: a plan's own breakGlass list is never trusted.
	BreakGlass []string
}

// WrongTenantError: the credential reaches another organization than the
// one the plan (or snapshot) was made for.
type WrongTenantError struct{ Err error }

func (e *WrongTenantError) Error() string {
	return "refusing to create policies: the plan was made for another tenant than the credential reaches (" + e.Err.Error() + "); check --tenant and the credential"
}

func (e *WrongTenantError) Unwrap() error { return e.Err }

// sameTenant checks that the credential reaches the tenant the plan names,
// with the one organization check collect and audit use. Unlike them, apply
// refuses when it cannot tell: an unreadable organization, or a plan whose
// tenant is unknown, is no permission to write.
func sameTenant(ctx context.Context, c CAClient, p *Plan) error {
	org, err := c.Organization(ctx)
	if err != nil {
		return fmt.Errorf("read the organization, to check the credential reaches tenant %s: %w", p.Tenant.ID, err)
	}
	var o struct{ ID string }
	if json.Unmarshal(org, &o) != nil || o.ID == "" {
		return &WrongTenantError{errors.New("the organization Graph returned has no id")}
	}
	want := strings.TrimSpace(p.Tenant.ID)
	if want == "" || strings.EqualFold(want, "unknown") {
		return &WrongTenantError{fmt.Errorf("the plan names no tenant; the credential reaches %s", o.ID)}
	}
	if err := conn.SameTenant(want, org); err != nil {
		return &WrongTenantError{err}
	}
	return nil
}

// resolveLive looks the baseline's break-glass accounts up in the tenant
// apply writes to: their ids there are what every body must exclude.
func resolveLive(ctx context.Context, c CAClient, entries []string) ([]Account, error) {
	if len(entries) == 0 {
		return nil, &BlockedError{"the baseline names no break-glass accounts (break_glass:), so no policy can exclude them; give apply the baseline the plan was made with (--baseline)"}
	}
	out := make([]Account, 0, len(entries))
	for _, want := range entries {
		raw, err := c.User(ctx, want)
		if err != nil {
			return nil, fmt.Errorf("look up break-glass account %s: %w", want, err)
		}
		var u struct {
			ID  string `json:"id"`
			UPN string `json:"userPrincipalName"`
		}
		if raw == nil || json.Unmarshal(raw, &u) != nil || u.ID == "" {
			return nil, &BlockedError{fmt.Sprintf("break-glass account %s does not exist in the tenant (fix break_glass in the baseline)", want)}
		}
		out = append(out, Account{Requested: want, ID: u.ID, UserPrincipalName: u.UPN})
	}
	return out, nil
}

// checked is what Check established about the live tenant.
type checked struct {
	existing map[string]string // live display names -> state
	pending  []Item            // items not yet in the tenant, in plan order
}

// Check runs every check Apply runs before its first create, without
// creating anything: the credential reaches the plan's tenant, the
// baseline's break-glass accounts exist there, every body is a report-only
// policy excluding each of them (else the whole plan is refused: a tampered
// plan is not trusted in part), and with CheckState the policies have not
// changed. It returns the items Apply would create now; none means the plan
// is already applied.
func Check(ctx context.Context, c CAClient, p *Plan, opts Options) ([]Item, error) {
	st, err := check(ctx, c, p, opts)
	if err != nil {
		return nil, err
	}
	return st.pending, nil
}

func check(ctx context.Context, c CAClient, p *Plan, opts Options) (*checked, error) {
	if p.Blocked != "" {
		return nil, &BlockedError{p.Blocked}
	}
	if err := sameTenant(ctx, c, p); err != nil {
		return nil, err
	}
	bg, err := resolveLive(ctx, c, opts.BreakGlass)
	if err != nil {
		return nil, err
	}
	var bad []string
	names := make([]string, len(p.Create))
	for i, it := range p.Create {
		h, err := checkBody(it, bg)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s '%s': %v", it.Control, it.DisplayName, err))
		}
		names[i] = h.DisplayName
	}
	if len(bad) > 0 {
		return nil, &BlockedError{"the plan holds bodies apply will not send, so none is sent: " + strings.Join(bad, "; ")}
	}
	live, err := c.ListPolicies(ctx)
	if err != nil {
		return nil, fmt.Errorf("re-read Conditional Access policies: %w", err)
	}
	// The plan's own policies, created by an earlier apply of it, are no
	// change: re-applying a plan that succeeded finds nothing to do. Any
	// other difference (those policies edited included) makes it stale.
	if fp := Fingerprint(withoutOwn(live, p.Create)); opts.CheckState && fp != p.LiveState {
		return nil, &StaleError{Planned: p.LiveState, Live: fp}
	}
	st := &checked{existing: displayNames(live)}
	seen := map[string]bool{}
	for i, it := range p.Create {
		if _, ok := st.existing[names[i]]; !ok && !seen[names[i]] {
			st.pending = append(st.pending, it)
		}
		seen[names[i]] = true
	}
	return st, nil
}

// Apply re-reads the tenant (Check) and creates the plan's items that do not
// exist yet, each at most once: a create is never resent; when its answer
// leaves the outcome open, the policies are re-read and the body's
// displayName decides. It returns one outcome per item. After a 403 the
// remaining items are not attempted (the credential cannot create any).
func Apply(ctx context.Context, c CAClient, p *Plan, opts Options) ([]Outcome, error) {
	st, err := check(ctx, c, p, opts)
	if err != nil {
		return nil, err
	}
	existing := st.existing
	out := make([]Outcome, 0, len(p.Create))
	stop := "" // why no further create is attempted
	for _, it := range p.Create {
		head, _ := ParseHead(it.Body) // checked: a policy whose name is its item's
		o := Outcome{Control: it.Control, DisplayName: head.DisplayName}
		if _, ok := existing[head.DisplayName]; ok {
			o.Status = Exists
			out = append(out, o)
			continue
		}
		if stop == "" && ctx.Err() != nil {
			// The run was stopped (--timeout, Ctrl-C): nothing further is
			// sent, and an item never sent is not an open outcome.
			stop = fmt.Sprintf("not sent: the run was stopped (%v) before this create", ctx.Err())
		}
		if stop != "" {
			o.Status, o.Error = NotAttempted, stop
			out = append(out, o)
			continue
		}
		var denied bool
		if o, denied = create(ctx, c, it.Body, o); denied {
			stop = "not attempted: Graph refused an earlier create with 403 (see above)"
		}
		if o.Status != Failed {
			// Created, or perhaps created: never sent again in this run.
			existing[head.DisplayName] = ReportOnly
		}
		out = append(out, o)
	}
	return out, nil
}

// withoutOwn drops the live policies that are one of items as created: the
// same displayName, and every member of the item's body present with the
// same value (Graph adds id, timestamps and defaults, and returns a strength
// in full where the body names its id).
func withoutOwn(live []json.RawMessage, items []Item) []json.RawMessage {
	bodies := map[string][]any{}
	for _, it := range items {
		var b map[string]any
		if json.Unmarshal(it.Body, &b) == nil {
			name, _ := b["displayName"].(string)
			bodies[name] = append(bodies[name], b)
		}
	}
	out := make([]json.RawMessage, 0, len(live))
outer:
	for _, raw := range live {
		var l map[string]any
		if json.Unmarshal(raw, &l) == nil {
			name, _ := l["displayName"].(string)
			for _, b := range bodies[name] {
				if holds(l, b) {
					continue outer
				}
			}
		}
		out = append(out, raw)
	}
	return out
}

// holds reports whether have holds want: objects member by member
// (@odata.type annotations aside), arrays element by element, scalars equal.
func holds(have, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if k == "@odata.type" {
				continue
			}
			if hv, ok := h[k]; !ok || !holds(hv, v) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok || len(h) != len(w) {
			return false
		}
		for i := range w {
			if !holds(h[i], w[i]) {
				return false
			}
		}
		return true
	default:
		return have == want
	}
}

// create POSTs one body once and settles its outcome; denied reports a 403.
func create(ctx context.Context, c CAClient, body []byte, o Outcome) (_ Outcome, denied bool) {
	created, err := c.CreatePolicy(ctx, body)
	if err == nil {
		var id struct{ ID string }
		if json.Unmarshal(created, &id) == nil && id.ID != "" {
			o.Status, o.ID = Created, id.ID
			return o, false
		}
		err = &WriteError{Status: http.StatusCreated, Text: "Graph answered without the created policy"}
	}
	we, open := ambiguous(err)
	if !open {
		o.Status, o.Error = Failed, err.Error()
		if we.Status == http.StatusForbidden {
			o.Error += "; " + deniedHint()
		}
		return o, we.Status == http.StatusForbidden
	}
	// The create may have been carried out: the live list decides, by the
	// body's own displayName.
	live, lerr := c.ListPolicies(ctx)
	if lerr != nil {
		o.Status = Unknown
		o.Error = fmt.Sprintf("outcome unknown: the create got %s and the policies could not be re-read (%v); check the portal for '%s' before running apply again (it never creates a name that exists)", we.cause(), lerr, o.DisplayName)
		return o, false
	}
	for _, raw := range live {
		if h, err := ParseHead(raw); err == nil && h.DisplayName == o.DisplayName {
			o.Status, o.ID = Created, h.ID
			o.Note = "confirmed after " + we.cause() + " by re-reading the policies"
			return o, false
		}
	}
	o.Status = Failed
	o.Error = fmt.Sprintf("not created: the create got %s and the re-read policies do not list '%s'; it was not sent again (a create is never resent automatically): run apply again, which checks the names first", we.cause(), o.DisplayName)
	return o, false
}

// deniedHint names what a 403 on create means, from the permissions catalog.
func deniedHint() string {
	n, _ := permissions.For("apply")
	write := ""
	for _, p := range n.Application {
		if strings.Contains(p, "ReadWrite") {
			write = p
		}
	}
	return fmt.Sprintf("the credential may not create Conditional Access policies: it lacks the Graph permission %s (apply needs %s) or, signed in as a user, the role %s; `tenantgate permissions` shows how to grant them",
		write, strings.Join(n.Application, ", "), strings.Join(n.EntraRoles, ", "))
}

// checkBody is the last gate before a POST: whatever a plan file says, only a
// report-only policy that excludes every break-glass account goes out, and
// the item is named by its body.
func checkBody(it Item, bg []Account) (Head, error) {
	if err := inputerr.DuplicateKeys("body", it.Body); err != nil {
		return Head{}, fmt.Errorf("not sent: %w", err)
	}
	p, err := ParseHead(it.Body)
	if err != nil {
		return p, fmt.Errorf("not sent: body is not a policy: %w", err)
	}
	// The state Graph will read: the exact key, decoded on its own (ParseHead
	// matches keys case-insensitively).
	var top map[string]json.RawMessage
	var state string
	if json.Unmarshal(it.Body, &top) != nil || json.Unmarshal(top["state"], &state) != nil || state != ReportOnly || p.State != ReportOnly {
		return p, fmt.Errorf("not sent: state %q is not %s", p.State, ReportOnly)
	}
	if !strings.HasPrefix(p.DisplayName, DisplayPrefix) {
		return p, fmt.Errorf("not sent: display name %q lacks the %q prefix", p.DisplayName, DisplayPrefix)
	}
	if it.DisplayName != p.DisplayName {
		return p, fmt.Errorf("not sent: the item is named %q but its body creates %q (the plan was edited)", it.DisplayName, p.DisplayName)
	}
	if len(bg) == 0 {
		return p, errors.New("not sent: no break-glass accounts to exclude")
	}
	have := map[string]bool{}
	for _, u := range p.Conditions.Users.ExcludeUsers {
		have[u] = true
	}
	for _, a := range bg {
		if !have[a.ID] {
			return p, fmt.Errorf("not sent: break-glass account %s (%s) is not excluded", a.Requested, a.ID)
		}
	}
	return p, nil
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
	raw, err := inputerr.ReadFile(path, "plan", MaxPlanBytes)
	if err != nil {
		return nil, err
	}
	return ParsePlan(path, raw)
}

// ParsePlan is LoadPlan on bytes already read; path is used in messages.
func ParsePlan(path string, raw []byte) (*Plan, error) {
	if err := inputerr.DuplicateKeys(path, raw); err != nil {
		return nil, err
	}
	var p Plan
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, inputerr.JSON(path, raw, err, "a plan")
	}
	if dec.More() {
		line, _ := inputerr.LineCol(raw, dec.InputOffset())
		return nil, inputerr.At(path, line, "unexpected data after the plan document")
	}
	if p.Kind != PlanKind || p.SchemaVersion != 1 {
		return nil, inputerr.New(path, "not a tenantgate plan file (kind %q, schemaVersion %d)", p.Kind, p.SchemaVersion)
	}
	if p.LiveState == "" {
		return nil, inputerr.New(path, "plan has no liveState; it cannot be checked against the tenant")
	}
	return &p, nil
}

// WriteText renders the plan for people, wrapped to width columns: what will
// be created, with the exact bodies and warnings, what will not and why, and
// the manual steps. Names and messages come from the tenant and the files, so
// each passes textsafe (one line, control characters neutralised) on its way
// out. The bodies are printed as Graph gets them, unwrapped: they are data.
func WriteText(w io.Writer, p *Plan, bodies bool, width int) {
	line := textsafe.Line
	// para writes text after prefix, continuing under the text.
	para := func(prefix, text string) {
		fmt.Fprintf(w, "%s%s\n", prefix, textcol.Indent(text, width, textcol.Width(prefix)))
	}
	para("", fmt.Sprintf("Plan for %s · baseline %s", line(p.TenantLabel()), line(p.Baseline.Name+" "+p.Baseline.Version)))
	if len(p.BreakGlass) > 0 {
		var names []string
		for _, a := range p.BreakGlass {
			names = append(names, fmt.Sprintf("%s (%s)", line(a.Requested), line(a.ID)))
		}
		para("", "Break-glass accounts excluded from every policy: "+strings.Join(names, ", "))
	}
	if p.Blocked != "" {
		fmt.Fprintln(w)
		para("!! ", "apply will refuse to create anything: "+line(p.Blocked))
	}
	fmt.Fprintln(w)
	switch n := len(p.Create); n {
	case 0:
		para("", "Nothing to create: no failed Conditional Access control needs a policy apply can add.")
	case 1:
		para("", fmt.Sprintf("Will create 1 Conditional Access policy, in report-only mode (%s):", ReportOnly))
	default:
		para("", fmt.Sprintf("Will create %d Conditional Access policies, all in report-only mode (%s):", n, ReportOnly))
	}
	for _, it := range p.Create {
		closes := "closes: " + it.Title
		if it.Blocker != "" {
			closes = "does not close it yet: " + it.Blocker + " (see To do by hand)"
		}
		fmt.Fprintln(w)
		para("  + "+line(it.Control)+"  ", line(it.DisplayName))
		para("    ", line(closes))
		para("    because: ", line(it.Finding))
		for _, warn := range it.Warnings {
			para("    warning: ", line(warn))
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
			para("  - ", line(s.Control)+": "+line(s.Reason))
		}
	}
	if len(p.Manual) > 0 {
		fmt.Fprintf(w, "\nTo do by hand (apply never changes these):\n")
		for _, m := range p.Manual {
			fmt.Fprintln(w)
			para("  * ", fmt.Sprintf("%s [%s] %s", line(m.Control), line(m.Status), line(m.Title)))
			para("    now: ", line(m.Finding))
			para("    fix: ", line(m.Steps))
		}
	}
}

// TenantLabel names the plan's tenant for people: "Name (id)".
func (p *Plan) TenantLabel() string {
	if p.Tenant.DisplayName == "" {
		return p.Tenant.ID
	}
	return fmt.Sprintf("%s (%s)", p.Tenant.DisplayName, p.Tenant.ID)
}
