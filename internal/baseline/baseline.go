// Package baseline decodes the baseline YAML (cli.md "Baseline YAML") strictly:
// unknown keys, wrong types, unknown control ids and waivers without expires
// are errors naming the file and line. A user baseline inherits every setting
// it leaves out (parameters, license mapping, allowed exclusions) from the
// embedded default baseline, so a three-line baseline is complete.
package baseline

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/baselines"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/yamldoc"
)

// DefaultName is the embedded default baseline's file name.
const DefaultName = "aitm-defense.yaml"

// MaxFileBytes is the largest baseline read: 4 MiB (a baseline with 10,000
// waivers or allowed exclusions is under 2 MB).
const MaxFileBytes = 4 << 20

// Date is a waiver's expires: a calendar date (YYYY-MM-DD) or an RFC 3339
// date and time.
//
// A date alone is valid through the end of that day in UTC, wherever the
// audit runs: "2026-03-31" still holds at 2026-03-31T23:59:59Z and has
// expired from 2026-04-01T00:00:00Z on. A date and time is an instant in the
// zone it names: "2026-03-31T23:00:00-05:00" holds until then (04:00 UTC on
// April 1st), not until the end of March 31st in UTC.
type Date struct {
	time.Time
	instant bool // a date and time, not a date alone
}

// UnmarshalYAML accepts an unquoted YAML date or a quoted YYYY-MM-DD, or an
// RFC 3339 date and time.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expires must be a date (YYYY-MM-DD)", n.Line)
	}
	if t, err := time.Parse("2006-01-02", n.Value); err == nil {
		*d = Date{Time: t}
		return nil
	}
	t, err := time.Parse(time.RFC3339, n.Value)
	if err != nil {
		return fmt.Errorf("line %d: expires %q is not a date (YYYY-MM-DD)", n.Line, n.Value)
	}
	*d = Date{Time: t, instant: true}
	return nil
}

// Expired reports whether a waiver with this expires no longer holds at now.
func (d Date) Expired(now time.Time) bool {
	end := d.Time
	if !d.instant {
		end = end.AddDate(0, 0, 1) // a date alone parses as its midnight UTC
	}
	return !now.Before(end)
}

// String formats a date alone as YYYY-MM-DD and a date and time as RFC 3339
// in the zone it was written in.
func (d Date) String() string {
	if d.instant {
		return d.Format(time.RFC3339Nano)
	}
	return d.Format("2006-01-02")
}

// AllowedExclusions are CA exclusions that do not disqualify a policy, beyond
// the break-glass accounts themselves. Values are object ids (role template ids
// for roles, appIds for applications).
type AllowedExclusions struct {
	Users                 []string `yaml:"users" json:"users"`
	Groups                []string `yaml:"groups" json:"groups"`
	Roles                 []string `yaml:"roles" json:"roles"`
	Applications          []string `yaml:"applications" json:"applications"`
	GuestsOrExternalUsers *bool    `yaml:"guests_or_external_users" json:"guests_or_external_users"`
}

// Parameters tune pass rules. Pointers distinguish "unset" (inherit) from 0.
type Parameters struct {
	MaxSignInFrequencyHours    *float64  `yaml:"max_sign_in_frequency_hours" json:"max_sign_in_frequency_hours"`
	LogRetentionDays           *int      `yaml:"log_retention_days" json:"log_retention_days"`
	UALRetentionDays           *int      `yaml:"ual_retention_days" json:"ual_retention_days"`
	AllowedUserConsentPolicies *[]string `yaml:"allowed_user_consent_policies" json:"allowed_user_consent_policies"`
}

// License maps a capability (AAD_PREMIUM, ...) to the service plans or SKUs
// that provide it (controls.md "License detection").
type License struct {
	Title        string   `yaml:"title" json:"title"`
	ServicePlans []string `yaml:"service_plans" json:"service_plans"`
	SKUs         []string `yaml:"skus" json:"skus"`
	// RetentionDays is the unified audit log retention this capability buys
	// (TG.LOG.3), when it buys any.
	AuditRetentionDays int `yaml:"audit_retention_days,omitempty" json:"audit_retention_days,omitempty"`
	// SignInLogRetentionDays is the Entra sign-in/audit log retention it buys (TG.LOG.1).
	SignInLogRetentionDays int `yaml:"signin_log_retention_days,omitempty" json:"signin_log_retention_days,omitempty"`
}

// ControlSetting disables or re-grades one control, and may allow
// Conditional Access exclusions for that control only (cli.md: `controls:
// TG.CA.10: allowed_exclusions: {groups: [...]}`), in addition to the global
// allowed_exclusions. Every control that judges "all users, allowed
// exclusions" honours its own list (see Engine.JudgesExclusions).
type ControlSetting struct {
	Enabled           *bool              `yaml:"enabled"`
	Severity          string             `yaml:"severity"`
	AllowedExclusions *AllowedExclusions `yaml:"allowed_exclusions"`
}

// Waiver accepts a failing control until Expires.
type Waiver struct {
	Control    string `yaml:"control"`
	Reason     string `yaml:"reason"`
	ApprovedBy string `yaml:"approved_by"`
	Expires    *Date  `yaml:"expires"`
	Line       int    `yaml:"-"`
}

// Attestations are facts Graph cannot tell, stated by the baseline's owner.
type Attestations struct {
	UnifiedAuditLogEnabled *bool `yaml:"unified_audit_log_enabled" json:"unified_audit_log_enabled"`
}

// Baseline is a decoded, defaulted baseline.
type Baseline struct {
	Name              string                    `yaml:"name"`
	Version           string                    `yaml:"version"`
	Description       string                    `yaml:"description"`
	BreakGlass        []string                  `yaml:"break_glass"`
	AllowedExclusions AllowedExclusions         `yaml:"allowed_exclusions"`
	Parameters        Parameters                `yaml:"parameters"`
	Licenses          map[string]License        `yaml:"licenses"`
	Controls          map[string]ControlSetting `yaml:"controls"`
	Waivers           []Waiver                  `yaml:"waivers"`
	Attestations      Attestations              `yaml:"attestations"`
	Hunt              Hunt                      `yaml:"hunt"`

	// File is where the baseline came from (for messages).
	File string `yaml:"-"`
	// controlLines maps a control id under controls: to its line.
	controlLines map[string]int
}

// Default returns the embedded default baseline.
func Default() (*Baseline, error) {
	raw, err := baselines.FS.ReadFile(DefaultName)
	if err != nil {
		return nil, fmt.Errorf("embedded baseline: %w", err)
	}
	return decode("baselines/"+DefaultName, raw)
}

// Load reads a baseline file and fills what it leaves out from the default.
func Load(path string) (*Baseline, error) {
	raw, err := inputerr.ReadFile(path, "baseline", MaxFileBytes)
	if err != nil {
		return nil, err
	}
	return Parse(path, raw)
}

// Parse decodes baseline YAML and fills what it leaves out from the default.
func Parse(name string, raw []byte) (*Baseline, error) {
	b, err := decode(name, raw)
	if err != nil {
		return nil, err
	}
	def, err := Default()
	if err != nil {
		return nil, err
	}
	b.inherit(def)
	return b, nil
}

// yamlTypes names the baseline's Go types in messages.
var yamlTypes = map[string]string{
	"baseline.Baseline":          "the baseline",
	"baseline.Parameters":        "parameters",
	"baseline.AllowedExclusions": "allowed_exclusions",
	"baseline.ControlSetting":    "a controls entry",
	"baseline.Waiver":            "a waiver",
	"[]baseline.Waiver":          "waivers",
	"baseline.Attestations":      "attestations",
	"baseline.License":           "a licenses entry",
	"baseline.Hunt":              "hunt",
}

func decode(name string, raw []byte) (*Baseline, error) {
	var b Baseline
	root, err := yamldoc.Decode(name, raw, &b, "a baseline", yamlTypes)
	if err != nil {
		return nil, err
	}
	b.File = name
	b.controlLines = yamldoc.KeyLines(yamldoc.Value(root, "controls"))
	if w := yamldoc.Value(root, "waivers"); w != nil && w.Kind == yaml.SequenceNode {
		for i, item := range w.Content {
			if i < len(b.Waivers) {
				b.Waivers[i].Line = item.Line
			}
		}
	}
	if err := b.check(name, root); err != nil {
		return nil, err
	}
	return &b, nil
}

func (b *Baseline) check(name string, root *yaml.Node) error {
	line := func(key string) int {
		if n := yamldoc.Key(root, key); n != nil {
			return n.Line
		}
		return 0
	}
	if strings.TrimSpace(b.Name) == "" {
		return inputerr.At(name, 1, "name is required")
	}
	for id, c := range b.Controls {
		if c.Severity != "" && c.Severity != "high" && c.Severity != "medium" && c.Severity != "low" {
			return inputerr.At(name, b.controlLines[id], "controls.%s.severity: %q is not high, medium or low", id, c.Severity)
		}
	}
	for i, w := range b.Waivers {
		if w.Control == "" {
			return inputerr.At(name, w.Line, "waivers[%d]: control is required", i)
		}
		if w.Expires == nil {
			return inputerr.At(name, w.Line, "waivers[%d] (%s): expires is required; a waiver without an end date is a permanent hole", i, w.Control)
		}
		if strings.TrimSpace(w.Reason) == "" {
			return inputerr.At(name, w.Line, "waivers[%d] (%s): reason is required", i, w.Control)
		}
		if strings.TrimSpace(w.ApprovedBy) == "" {
			return inputerr.At(name, w.Line, "waivers[%d] (%s): approved_by is required", i, w.Control)
		}
	}
	p := b.Parameters
	params := yamldoc.KeyLines(yamldoc.Value(root, "parameters"))
	at := func(key string) int {
		if l, ok := params[key]; ok {
			return l
		}
		return line("parameters")
	}
	// YAML's .nan and .inf are numbers to the decoder, but no policy can
	// compare with them (and JSON, the policies' input, cannot hold them).
	if v := p.MaxSignInFrequencyHours; v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0) || *v <= 0) {
		return inputerr.At(name, at("max_sign_in_frequency_hours"), "parameters.max_sign_in_frequency_hours must be a positive number of hours, not %v", *v)
	}
	if p.LogRetentionDays != nil && *p.LogRetentionDays <= 0 {
		return inputerr.At(name, at("log_retention_days"), "parameters.log_retention_days must be positive")
	}
	if p.UALRetentionDays != nil && *p.UALRetentionDays <= 0 {
		return inputerr.At(name, at("ual_retention_days"), "parameters.ual_retention_days must be positive")
	}
	if err := b.Hunt.check(name, root); err != nil {
		return err
	}
	return nil
}

// CheckControls verifies that every control id the baseline names (under
// controls: and waivers:) exists in the catalog, and that per-control
// allowed_exclusions are given only to controls that judge Conditional Access
// exclusions (elsewhere they would silently mean nothing).
func (b *Baseline) CheckControls(known, judgesExclusions func(id string) bool) error {
	ids := make([]string, 0, len(b.Controls))
	for id := range b.Controls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !known(id) {
			return inputerr.At(b.File, b.controlLines[id], "controls: unknown control id %q (see `tenantgate controls`)", id)
		}
		if b.Controls[id].AllowedExclusions != nil && !judgesExclusions(id) {
			return inputerr.At(b.File, b.controlLines[id], "controls.%s.allowed_exclusions: %s judges no Conditional Access exclusions, so the list would mean nothing (only controls that require all users accept it)", id, id)
		}
	}
	for i, w := range b.Waivers {
		if !known(w.Control) {
			return inputerr.At(b.File, w.Line, "waivers[%d]: unknown control id %q (see `tenantgate controls`)", i, w.Control)
		}
	}
	return nil
}

func (b *Baseline) inherit(def *Baseline) {
	p, d := &b.Parameters, def.Parameters
	if p.MaxSignInFrequencyHours == nil {
		p.MaxSignInFrequencyHours = d.MaxSignInFrequencyHours
	}
	if p.LogRetentionDays == nil {
		p.LogRetentionDays = d.LogRetentionDays
	}
	if p.UALRetentionDays == nil {
		p.UALRetentionDays = d.UALRetentionDays
	}
	if p.AllowedUserConsentPolicies == nil {
		p.AllowedUserConsentPolicies = d.AllowedUserConsentPolicies
	}
	if b.Licenses == nil {
		b.Licenses = map[string]License{}
	}
	for k, v := range def.Licenses {
		if _, ok := b.Licenses[k]; !ok {
			b.Licenses[k] = v
		}
	}
	if b.AllowedExclusions.GuestsOrExternalUsers == nil {
		b.AllowedExclusions.GuestsOrExternalUsers = def.AllowedExclusions.GuestsOrExternalUsers
	}
	if b.AllowedExclusions.Roles == nil {
		b.AllowedExclusions.Roles = def.AllowedExclusions.Roles
	}
	b.Hunt.inherit(def.Hunt)
}

// Enabled reports whether a control is enabled (controls are on unless disabled).
func (b *Baseline) Enabled(id string) bool {
	c, ok := b.Controls[id]
	return !ok || c.Enabled == nil || *c.Enabled
}

// Severity returns the baseline's re-grade of a control, or def.
func (b *Baseline) Severity(id, def string) string {
	if c, ok := b.Controls[id]; ok && c.Severity != "" {
		return c.Severity
	}
	return def
}

// PolicyInput is the baseline as the Rego policies see it (input.baseline).
func (b *Baseline) PolicyInput() map[string]any {
	str := func(s []string) []any {
		out := make([]any, 0, len(s))
		for _, v := range s {
			out = append(out, v)
		}
		return out
	}
	lic := map[string]any{}
	for k, v := range b.Licenses {
		lic[k] = map[string]any{
			"title":                     v.Title,
			"service_plans":             str(v.ServicePlans),
			"skus":                      str(v.SKUs),
			"audit_retention_days":      v.AuditRetentionDays,
			"signin_log_retention_days": v.SignInLogRetentionDays,
		}
	}
	params := map[string]any{}
	if v := b.Parameters.MaxSignInFrequencyHours; v != nil {
		params["max_sign_in_frequency_hours"] = *v
	}
	if v := b.Parameters.LogRetentionDays; v != nil {
		params["log_retention_days"] = *v
	}
	if v := b.Parameters.UALRetentionDays; v != nil {
		params["ual_retention_days"] = *v
	}
	if v := b.Parameters.AllowedUserConsentPolicies; v != nil {
		params["allowed_user_consent_policies"] = str(*v)
	} else {
		params["allowed_user_consent_policies"] = []any{}
	}
	att := map[string]any{}
	if v := b.Attestations.UnifiedAuditLogEnabled; v != nil {
		att["unified_audit_log_enabled"] = *v
	}
	excl := func(a AllowedExclusions) map[string]any {
		guests := false
		if g := a.GuestsOrExternalUsers; g != nil {
			guests = *g
		}
		return map[string]any{
			"users":                    str(a.Users),
			"groups":                   str(a.Groups),
			"roles":                    str(a.Roles),
			"applications":             str(a.Applications),
			"guests_or_external_users": guests,
		}
	}
	// controls: only what the policies read (per-control exclusions);
	// enabled and severity are applied in Go.
	controls := map[string]any{}
	for id, c := range b.Controls {
		if c.AllowedExclusions != nil {
			controls[id] = map[string]any{"allowed_exclusions": excl(*c.AllowedExclusions)}
		}
	}
	return map[string]any{
		"name":               b.Name,
		"break_glass":        str(b.BreakGlass),
		"allowed_exclusions": excl(b.AllowedExclusions),
		"controls":           controls,
		"parameters":         params,
		"licenses":           lic,
		"attestations":       att,
	}
}
