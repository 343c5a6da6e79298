// Package apply plans and creates the Conditional Access policies that close
// failed controls TG.CA.1–TG.CA.7, TG.CA.10 and TG.CA.11, in report-only mode
// only. It never imports
// msgraph-sdk-go: Graph is reached through CAClient, which internal/collect
// implements, so the safety logic here is tested without a network.
//
// Safety rules, enforced here and not only in templates: every body POSTed
// has state enabledForReportingButNotEnforced and excludes every break-glass
// account; nothing is PATCHed or DELETEd; a policy whose display name already
// exists in any state is never created again.
package apply

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// ReportOnly is the only state apply ever creates.
const ReportOnly = "enabledForReportingButNotEnforced"

// DisplayPrefix starts every display name apply creates.
const DisplayPrefix = "tenantgate "

//go:embed templates/*.json
var embedded embed.FS

// Template is one policy to create for a failed control.
type Template struct {
	Control string `json:"control"`
	// Requires lists license capabilities (the baseline's licenses keys)
	// the template needs beyond its control's own: TG.CA.11 is a Free
	// control (security defaults), but its template is a Conditional Access
	// policy, which needs Entra ID P1. Without them the control's
	// remediation is listed as a manual step instead.
	Requires []string        `json:"requires,omitempty"`
	Warnings []string        `json:"warnings"`
	Body     json.RawMessage `json:"body"`

	displayName string
	file        string
}

// DisplayName is the body's display name.
func (t Template) DisplayName() string { return t.displayName }

// LoadTemplates returns the embedded templates, with files of dir (if not "")
// replacing the embedded template of the same control or adding more.
func LoadTemplates(dir string) ([]Template, error) {
	byName := map[string]Template{}
	if err := loadFS(embedded, "templates", "templates/", byName); err != nil {
		return nil, err
	}
	if dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, inputerr.New(dir, "cannot read templates directory: %v", err)
		}
		over := map[string]Template{}
		if err := loadFS(os.DirFS(dir), ".", dir+string(filepath.Separator), over); err != nil {
			return nil, err
		}
		// A directory's templates for a control replace the embedded ones.
		for _, t := range over {
			for k, e := range byName {
				if e.Control == t.Control {
					delete(byName, k)
				}
			}
		}
		for k, t := range over {
			byName[k] = t
		}
	}
	out := make([]Template, 0, len(byName))
	for _, t := range byName {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Control != out[j].Control {
			return controlLess(out[i].Control, out[j].Control)
		}
		return out[i].displayName < out[j].displayName
	})
	return out, nil
}

var caControl = regexp.MustCompile(`^TG\.CA\.([1-7]|10|11)$`)

func loadFS(fsys fs.FS, root, label string, into map[string]Template) error {
	entries, err := fs.ReadDir(fsys, root)
	if err != nil {
		return fmt.Errorf("read templates: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
			continue
		}
		name := label + e.Name()
		raw, err := readTemplate(fsys, path(root, e.Name()), name)
		if err != nil {
			return err
		}
		t, err := parseTemplate(name, raw)
		if err != nil {
			return err
		}
		into[name] = t
	}
	return nil
}

// Limits of apply's input files (README "Safety"): a plan holds at most a
// dozen policy bodies and the manual steps, a template one body.
const (
	MaxPlanBytes     = 4 << 20
	MaxTemplateBytes = 1 << 20
)

// readTemplate reads one template file, bounded by MaxTemplateBytes.
func readTemplate(fsys fs.FS, p, name string) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, inputerr.New(name, "cannot read template: %v", err)
	}
	defer f.Close()
	return inputerr.ReadAll(name, "template", f, MaxTemplateBytes)
}

func path(root, name string) string {
	if root == "." {
		return name
	}
	return root + "/" + name
}

func parseTemplate(name string, raw []byte) (Template, error) {
	var t Template
	if err := inputerr.DuplicateKeys(name, raw); err != nil {
		return t, err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return t, inputerr.JSON(name, raw, err, "a template")
	}
	if dec.More() {
		line, _ := inputerr.LineCol(raw, dec.InputOffset())
		return t, inputerr.At(name, line, "unexpected data after the template document")
	}
	if !caControl.MatchString(t.Control) {
		return t, inputerr.New(name, "control %q: templates exist only for TG.CA.1 to TG.CA.7, TG.CA.10 and TG.CA.11", t.Control)
	}
	var body map[string]any
	if err := json.Unmarshal(t.Body, &body); err != nil || body == nil {
		return t, inputerr.New(name, "body must be a JSON object (a conditionalAccessPolicy)")
	}
	dn, _ := body["displayName"].(string)
	if !strings.HasPrefix(dn, DisplayPrefix) || !strings.Contains(dn, t.Control+" ") {
		return t, inputerr.New(name, "displayName %q must start with %q and name the control (%s) so apply stays idempotent", dn, DisplayPrefix, t.Control)
	}
	if st, ok := body["state"]; ok && st != ReportOnly {
		return t, inputerr.New(name, "state %v: apply only creates report-only policies (%s)", st, ReportOnly)
	}
	for _, k := range []string{"id", "createdDateTime", "modifiedDateTime"} {
		if _, ok := body[k]; ok {
			return t, inputerr.New(name, "body must not set %s", k)
		}
	}
	t.displayName, t.file = dn, name
	return t, nil
}

// controlLess orders control ids numerically (TG.CA.2 < TG.CA.10).
func controlLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if len(pa) == 3 && len(pb) == 3 && pa[1] == pb[1] {
		var na, nb int
		fmt.Sscanf(pa[2], "%d", &na)
		fmt.Sscanf(pb[2], "%d", &nb)
		return na < nb
	}
	return a < b
}

// Account is a resolved break-glass account.
type Account struct {
	Requested         string `json:"requested"`
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
}

// Item is one policy the plan creates.
type Item struct {
	Control     string          `json:"control"`
	Title       string          `json:"title"`
	DisplayName string          `json:"displayName"`
	Finding     string          `json:"finding"`
	Warnings    []string        `json:"warnings"`
	Body        json.RawMessage `json:"body"`
	// Blocker says why the policy, once created, still cannot close its
	// control (a trusted location it relies on fails the sanity rule).
	Blocker string `json:"blocker,omitempty"`
}

// Skip is a CA control the plan does not act on, and why.
type Skip struct {
	Control string `json:"control"`
	Reason  string `json:"reason"`
}

// Manual is a failed control apply cannot fix: the steps to do by hand.
type Manual struct {
	Control string `json:"control"`
	Title   string `json:"title"`
	Status  string `json:"status"`
	Finding string `json:"finding"`
	Steps   string `json:"steps"`
}

// Plan is what apply would do. It is also the plan file (plan --output).
type Plan struct {
	SchemaVersion int                `json:"schemaVersion"`
	Kind          string             `json:"kind"`
	CreatedAt     time.Time          `json:"createdAt"`
	Tool          report.Tool        `json:"tool"`
	Tenant        report.Tenant      `json:"tenant"`
	Baseline      report.BaselineRef `json:"baseline"`
	BreakGlass    []Account          `json:"breakGlass"`
	// Blocked says why nothing may be created (no or unknown break-glass
	// accounts, CA policies unreadable). Create is still listed for review.
	Blocked string `json:"blocked,omitempty"`
	// LiveState fingerprints the CA policies the plan was made from; apply
	// --plan refuses when the tenant's policies no longer match it.
	LiveState string   `json:"liveState"`
	Create    []Item   `json:"create"`
	Skipped   []Skip   `json:"skipped"`
	Manual    []Manual `json:"manual"`
}

// PlanKind marks a plan file.
const PlanKind = "tenantgate-plan"

// Build makes the plan from an audit of snap under baseline b.
func Build(rep *report.Report, snap *snapshot.Snapshot, b *baseline.Baseline, tpls []Template, now time.Time) (*Plan, error) {
	p := &Plan{
		SchemaVersion: 1, Kind: PlanKind, CreatedAt: now.UTC(), Tool: rep.Tool,
		Tenant: rep.Tenant, Baseline: rep.Baseline,
		BreakGlass: []Account{}, Create: []Item{}, Skipped: []Skip{}, Manual: []Manual{},
	}
	var policies []json.RawMessage
	if snap.OK("conditionalAccessPolicies") {
		if err := json.Unmarshal(snap.Data["conditionalAccessPolicies"], &policies); err != nil {
			return nil, fmt.Errorf("read conditionalAccessPolicies: %w", err)
		}
		p.LiveState = Fingerprint(policies)
	} else {
		p.Blocked = "the Conditional Access policies could not be read (" + sourceError(snap, "conditionalAccessPolicies") + "), so existing policies cannot be checked"
	}
	existing := displayNames(policies)
	var blocked string
	p.BreakGlass, blocked = resolveBreakGlass(snap, b)
	if p.Blocked == "" {
		p.Blocked = blocked
	}
	results := map[string]report.Result{}
	for _, r := range rep.Results {
		results[r.ID] = r
	}
	templated := map[string]bool{}
	// unlicensed: failed controls whose templates the tenant cannot use; their
	// remediation becomes a manual step.
	unlicensed := map[string]bool{}
	for _, t := range tpls {
		templated[t.Control] = true
		r, ok := results[t.Control]
		if !ok {
			p.Skipped = append(p.Skipped, Skip{t.Control, "the control is disabled in the baseline"})
			continue
		}
		if reason := skipReason(r); reason != "" {
			p.Skipped = append(p.Skipped, Skip{t.Control, reason})
			continue
		}
		if reason := licenseGap(t, rep.Licenses, b); reason != "" {
			unlicensed[t.Control] = true
			p.Skipped = append(p.Skipped, Skip{t.Control, reason + "; see the manual steps"})
			continue
		}
		if state, ok := existing[t.displayName]; ok {
			p.Skipped = append(p.Skipped, Skip{t.Control, fmt.Sprintf("a policy named '%s' already exists (%s); it is not created again", t.displayName, state)})
			continue
		}
		body, err := Render(t, p.BreakGlass)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", t.file, err)
		}
		p.Create = append(p.Create, Item{Control: t.Control, Title: r.Title, DisplayName: t.displayName, Finding: r.Finding, Warnings: t.Warnings, Body: body})
	}
	for _, r := range rep.Results {
		if (templated[r.ID] && !unlicensed[r.ID]) || (r.Status != report.Fail && r.Status != report.Waived) {
			continue
		}
		p.Manual = append(p.Manual, Manual{Control: r.ID, Title: r.Title, Status: r.Status, Finding: r.Finding, Steps: r.Remediation})
	}
	return p, nil
}

// MarkInsaneLocations marks the items whose body excludes trusted locations
// failing the sanity rule (locs: the policies' own verdict,
// engine.InsaneTrustedLocations). Created, such a policy cannot close its
// control until the location is fixed, so it is not counted as closing it,
// and the fix is added as a manual step.
func (p *Plan) MarkInsaneLocations(locs []engine.Location) {
	for i := range p.Create {
		it := &p.Create[i]
		var head struct {
			Conditions struct {
				Locations *struct {
					ExcludeLocations []string `json:"excludeLocations"`
				} `json:"locations"`
			} `json:"conditions"`
		}
		if json.Unmarshal(it.Body, &head) != nil || head.Conditions.Locations == nil {
			continue
		}
		var names []string
		for _, l := range locs {
			for _, x := range head.Conditions.Locations.ExcludeLocations {
				if x != "AllTrusted" && x != l.ID {
					continue
				}
				names = append(names, "'"+l.DisplayName+"'")
				p.Manual = append(p.Manual, Manual{
					Control: it.Control, Title: fmt.Sprintf("Fix trusted location '%s' (the policy '%s' relies on it)", l.DisplayName, it.DisplayName), Status: report.Fail,
					Finding: fmt.Sprintf("%s, so \"outside trusted locations\" means nothing: %s cannot pass until it is fixed", l.Reason, it.Control),
					Steps:   fmt.Sprintf("Entra admin center > Protection > Conditional Access > Named locations > '%s': list only your own egress ranges, or clear \"Mark as trusted location\". Graph: PATCH /v1.0/identity/conditionalAccess/namedLocations/%s with the corrected ipRanges (or \"isTrusted\": false) and its \"@odata.type\" (Policy.ReadWrite.ConditionalAccess). Then run plan again.", l.DisplayName, l.ID),
				})
				break
			}
		}
		if len(names) > 0 {
			it.Blocker = fmt.Sprintf("cannot close %s until trusted location %s is fixed", it.Control, strings.Join(names, ", "))
		}
	}
}

func skipReason(r report.Result) string {
	switch r.Status {
	case report.Fail:
		return ""
	case report.Pass:
		return "the control passes"
	case report.NotLicensed:
		return "not licensed: " + r.Finding
	case report.NotAssessed:
		return "not assessed, so tenantgate will not guess: " + r.Finding
	case report.Waived:
		if r.Waiver != nil {
			return fmt.Sprintf("waived until %s by %s (%s)", r.Waiver.Expires, r.Waiver.ApprovedBy, r.Waiver.Reason)
		}
		return "waived"
	}
	return "status " + r.Status
}

// licenseGap says why the tenant cannot use template t: a license it
// requires is missing, or the licenses are unknown; "" when it can.
func licenseGap(t Template, has map[string]bool, b *baseline.Baseline) string {
	if len(t.Requires) == 0 {
		return ""
	}
	var missing []string
	for _, c := range t.Requires {
		if !has[c] {
			title := c
			if l, ok := b.Licenses[c]; ok && l.Title != "" {
				title = l.Title
			}
			missing = append(missing, title)
		}
	}
	switch {
	case len(missing) == 0:
		return ""
	case has == nil:
		return "the template needs " + strings.Join(missing, " and ") + ", and the tenant's licenses could not be read"
	}
	return "the template needs " + strings.Join(missing, " and ") + ", which the tenant lacks"
}

func sourceError(s *snapshot.Snapshot, name string) string {
	src, ok := s.Sources[name]
	if !ok {
		return "not collected"
	}
	return strings.TrimSpace(src.Status + ": " + strings.TrimSpace(src.Code+" "+src.Error))
}

// resolveBreakGlass maps the baseline's break-glass entries to object ids
// through the snapshot, and says why apply must refuse when it cannot.
func resolveBreakGlass(s *snapshot.Snapshot, b *baseline.Baseline) ([]Account, string) {
	if len(b.BreakGlass) == 0 {
		return []Account{}, fmt.Sprintf("the baseline (%s) names no break-glass accounts: add their UPNs or object ids under break_glass, e.g.\n  break_glass:\n    - breakglass1@contoso.onmicrosoft.com\nso every created policy excludes them", b.File)
	}
	if !s.OK("breakGlassAccounts") {
		return []Account{}, "the break-glass accounts could not be resolved (" + sourceError(s, "breakGlassAccounts") + "); grant User.Read.All and GroupMember.Read.All and collect again"
	}
	var accounts []snapshot.BreakGlassAccount
	if err := json.Unmarshal(s.Data["breakGlassAccounts"], &accounts); err != nil {
		return []Account{}, "the snapshot's breakGlassAccounts are malformed: " + err.Error()
	}
	byReq := map[string]snapshot.BreakGlassAccount{}
	for _, a := range accounts {
		byReq[strings.ToLower(a.Requested)] = a
	}
	out := []Account{}
	var problems []string
	for _, want := range b.BreakGlass {
		a, ok := byReq[strings.ToLower(want)]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s was not resolved when the snapshot was collected (collect again with this baseline)", want))
			continue
		}
		var u struct {
			ID  string `json:"id"`
			UPN string `json:"userPrincipalName"`
		}
		if len(a.User) == 0 || string(a.User) == "null" || json.Unmarshal(a.User, &u) != nil || u.ID == "" {
			problems = append(problems, fmt.Sprintf("%s does not exist in the tenant (fix break_glass in the baseline)", want))
			continue
		}
		out = append(out, Account{Requested: want, ID: u.ID, UserPrincipalName: u.UPN})
	}
	if len(problems) > 0 {
		return out, "break-glass account " + strings.Join(problems, "; ")
	}
	return out, ""
}

// Render returns the template's body with every break-glass account added to
// conditions.users.excludeUsers and the state forced to report-only.
func Render(t Template, bg []Account) (json.RawMessage, error) {
	var body map[string]any
	if err := json.Unmarshal(t.Body, &body); err != nil {
		return nil, err
	}
	body["state"] = ReportOnly
	conds, _ := body["conditions"].(map[string]any)
	if conds == nil {
		return nil, errors.New("body has no conditions")
	}
	users, _ := conds["users"].(map[string]any)
	if users == nil {
		return nil, errors.New("body has no conditions.users")
	}
	seen := map[string]bool{}
	excl := []any{}
	if xs, ok := users["excludeUsers"].([]any); ok {
		for _, x := range xs {
			if s, ok := x.(string); ok && !seen[s] {
				seen[s] = true
				excl = append(excl, s)
			}
		}
	}
	for _, a := range bg {
		if !seen[a.ID] {
			seen[a.ID] = true
			excl = append(excl, a.ID)
		}
	}
	users["excludeUsers"] = excl
	return json.Marshal(body)
}

// Head is the part of a Conditional Access policy apply reasons about.
type Head struct {
	ID               string `json:"id"`
	DisplayName      string `json:"displayName"`
	State            string `json:"state"`
	ModifiedDateTime string `json:"modifiedDateTime"`
	Conditions       struct {
		Users struct {
			ExcludeUsers []string `json:"excludeUsers"`
		} `json:"users"`
	} `json:"conditions"`
}

// ParseHead decodes a policy's Head.
func ParseHead(raw []byte) (Head, error) {
	var h Head
	err := json.Unmarshal(raw, &h)
	return h, err
}

// Fingerprint summarises a tenant's CA policies (id, name, state, last
// modification) so a saved plan can tell whether they changed since.
func Fingerprint(policies []json.RawMessage) string {
	lines := make([]string, 0, len(policies))
	for _, raw := range policies {
		p, _ := ParseHead(raw)
		lines = append(lines, strings.Join([]string{p.ID, p.DisplayName, p.State, p.ModifiedDateTime}, "\x1f"))
	}
	sort.Strings(lines)
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return "sha256:" + hex.EncodeToString(h[:])
}

func displayNames(policies []json.RawMessage) map[string]string {
	out := map[string]string{}
	for _, raw := range policies {
		if p, err := ParseHead(raw); err == nil && p.DisplayName != "" {
			out[p.DisplayName] = p.State
		}
	}
	return out
}
