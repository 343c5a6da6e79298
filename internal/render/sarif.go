package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

func init() { Register("sarif", writeSARIF) }

// SARIF output for GitHub code scanning (style-anchors §5).
//
// Mapping of statuses to results:
//   - fail: a result at the severity's level.
//   - not_assessed: a "warning" result whose message starts "Not assessed:".
//     Missing data must never close an alert, just as it must never make a
//     control pass: without a result, code scanning would mark an open alert
//     for the control as fixed when a permission is revoked.
//   - waived: a result carrying an accepted external suppression with the
//     reason, approver and expiry, so consumers that honour suppressions hide
//     it and the acceptance is on record; when the waiver expires the same
//     fingerprint turns into a plain failure.
//   - pass, not_licensed: no result (code scanning closes the alert).
//
// Run warnings (expired or stale waivers, sources that could not be read) are
// tool execution notifications of the invocation.

const (
	sarifSchemaURI   = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion     = "2.1.0"
	toolInfoURI      = "https://github.com/tenantgate/tenantgate"
	fingerprintKey   = "tenantgateControl/v1"
	maxDescription   = 1024 // GitHub's limit for short and full descriptions
	sarifSrcRootBase = "%SRCROOT%"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool              `json:"tool"`
	AutomationDetails sarifAutomationDetails `json:"automationDetails"`
	Invocations       []sarifInvocation      `json:"invocations"`
	Results           []sarifResult          `json:"results"`
	Properties        map[string]any         `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifHelp          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	SecuritySeverity string   `json:"security-severity"`
	Precision        string   `json:"precision"`
	Tags             []string `json:"tags"`
}

type sarifAutomationDetails struct {
	ID string `json:"id"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []sarifSuppress   `json:"suppressions,omitempty"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifSuppress struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// securitySeverity is GitHub's numeric severity: >=7 high, >=4 medium, >0 low.
func securitySeverity(sev string) string {
	switch sev {
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	case "low":
		return "2.0"
	}
	return "0.0"
}

// sarifLevel maps a control's severity to a SARIF level.
func sarifLevel(sev string) string {
	switch sev {
	case "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

func writeSARIF(w io.Writer, r *report.Report, _ Options) error {
	log := buildSARIF(r)
	enc := json.NewEncoder(textsafe.JSONWriter(w))
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func buildSARIF(r *report.Report) sarifLog {
	rules := make([]sarifRule, 0, len(r.Results))
	results := []sarifResult{}
	for i, res := range r.Results {
		rules = append(rules, sarifRuleFor(res, r))
		msg := ""
		level := sarifLevel(res.Severity)
		var sup []sarifSuppress
		switch res.Status {
		case report.Fail:
			msg = res.Finding
		case report.NotAssessed:
			msg = "Not assessed: " + res.Finding
			if t := res.MissingText(); t != "" {
				msg += " To assess it: " + t + "."
			}
			level = "warning"
		case report.Waived:
			msg = capitalize(waiverText(res.Waiver)) + ". Finding: " + res.Finding
			sup = []sarifSuppress{{Kind: "external", Status: "accepted", Justification: waiverText(res.Waiver)}}
		default:
			continue
		}
		fp := controlFingerprint(r.Tenant.ID, res.ID)
		loc := policyLocation(res)
		props := map[string]any{
			"tenantgate/status":   res.Status,
			"tenantgate/severity": res.Severity,
			"tenantgate/tenant":   r.Tenant.ID,
		}
		if len(res.Evidence) > 0 {
			props["tenantgate/evidence"] = res.Evidence
		}
		results = append(results, sarifResult{
			RuleID:    res.ID,
			RuleIndex: i,
			Level:     level,
			Message:   sarifText{Text: nonBlank(textsafe.Line(msg), res.Title)},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: loc.File, URIBaseID: sarifSrcRootBase},
				Region:           sarifRegion{StartLine: loc.Line},
			}}},
			// primaryLocationLineHash is the fingerprint GitHub matches on. Set
			// it ourselves: computed from the Rego line it would move alerts
			// whenever a policy file is edited, and it cannot be computed at
			// all when the repository running the audit does not contain the
			// policies.
			PartialFingerprints: map[string]string{
				fingerprintKey:            fp,
				"primaryLocationLineHash": fp[:16] + ":1",
			},
			Suppressions: sup,
			Properties:   props,
		})
	}

	var notes []sarifNotification
	for _, warn := range r.Warnings {
		notes = append(notes, sarifNotification{Level: "warning", Message: sarifText{Text: textsafe.Line(warn)}})
	}
	inv := sarifInvocation{ExecutionSuccessful: true, ToolExecutionNotifications: notes}
	if !r.GeneratedAt.IsZero() {
		inv.EndTimeUTC = r.GeneratedAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	return sarifLog{
		Schema:  sarifSchemaURI,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:           nonBlank(r.Tool.Name, "tenantgate"),
				Version:        r.Tool.Version,
				InformationURI: toolInfoURI,
				Rules:          rules,
			}},
			// One category per tenant: code scanning keeps each tenant's
			// alerts apart and closes only that tenant's alerts.
			AutomationDetails: sarifAutomationDetails{ID: "tenantgate/" + r.Tenant.ID + "/"},
			Invocations:       []sarifInvocation{inv},
			Results:           results,
			Properties: map[string]any{
				"tenant":   r.Tenant,
				"baseline": r.Baseline,
				"summary":  r.Summary,
			},
		}},
	}
}

func sarifRuleFor(res report.Result, r *report.Report) sarifRule {
	title := nonBlank(textsafe.Line(res.Title), res.ID)
	full := fmt.Sprintf("%s (%s, %s severity; requires %s).", strings.TrimSuffix(title, "."), res.ID, nonBlank(res.Severity, "unknown"), requiresText(res.Requires))
	remediation := nonBlank(strings.TrimSpace(res.Remediation), "No change needed while the control passes; see the finding of a failing run for the exact change.")

	var md strings.Builder
	fmt.Fprintf(&md, "**%s** — %s\n\n", res.ID, title)
	fmt.Fprintf(&md, "**Remediation:** %s\n\n", remediation)
	fmt.Fprintf(&md, "**Severity:** %s · **License:** %s", nonBlank(res.Severity, "unknown"), requiresText(res.Requires))
	if r.Baseline.Name != "" {
		fmt.Fprintf(&md, " · **Baseline:** %s", baselineText(r))
	}
	md.WriteString("\n")

	tags := []string{"security", "tenantgate", "entra-id", strings.ToLower(controlFamily(res.ID))}
	if strings.HasPrefix(res.ID, "TG.CA.") {
		tags = append(tags, "conditional-access")
	}
	return sarifRule{
		ID:                   res.ID,
		Name:                 ruleName(res.ID, title),
		ShortDescription:     sarifText{Text: truncate(title, maxDescription)},
		FullDescription:      sarifText{Text: truncate(full, maxDescription)},
		Help:                 sarifHelp{Text: "Remediation: " + remediation, Markdown: md.String()},
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(res.Severity)},
		Properties: sarifRuleProps{
			SecuritySeverity: securitySeverity(res.Severity),
			// Verdicts are computed from the tenant's configuration, not
			// guessed from heuristics.
			Precision: "very-high",
			Tags:      tags,
		},
	}
}

// controlFingerprint identifies one control of one tenant across runs.
func controlFingerprint(tenantID, controlID string) string {
	sum := sha256.Sum256([]byte(tenantID + "/" + controlID))
	return hex.EncodeToString(sum[:])
}

// policyLocation is the control's Rego file and line; without one it falls
// back to the conventional path policies/<family>/<id>.rego, line 1.
func policyLocation(res report.Result) report.Location {
	loc := report.Location{Line: 1}
	if res.Policy != nil {
		loc = *res.Policy
	}
	if loc.File == "" {
		fam := strings.ToLower(strings.TrimPrefix(controlFamily(res.ID), "TG."))
		loc.File = "policies/" + fam + "/" + strings.ToLower(strings.ReplaceAll(res.ID, ".", "_")) + ".rego"
	}
	if loc.Line < 1 {
		loc.Line = 1
	}
	return loc
}

// controlFamily is the id without its number: "TG.CA.2" -> "TG.CA".
func controlFamily(id string) string {
	if i := strings.LastIndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return id
}

// ruleName is a PascalCase identifier from the title's first words
// (SARIF: "understandable to an end user", not localised).
func ruleName(id, title string) string {
	words := strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	var b strings.Builder
	n := 0
	for _, wd := range words {
		if n == 6 {
			break
		}
		if ruleNameFiller[strings.ToLower(wd)] {
			continue
		}
		n++
		rs := []rune(wd)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	if b.Len() == 0 {
		return strings.ReplaceAll(id, ".", "")
	}
	return b.String()
}

var ruleNameFiller = map[string]bool{
	"a": true, "an": true, "the": true, "to": true, "of": true, "and": true, "or": true,
	"is": true, "are": true, "be": true, "by": true, "for": true, "from": true, "in": true,
	"on": true, "at": true, "with": true, "must": true, "every": true, "any": true, "s": true,
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	rs := []rune(s)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

// nonBlank is s, or fallback when s is empty or only whitespace (a blank
// tenant or tool name would render as nothing). Unlike diff's nonEmpty, which
// must show a whitespace-only value as it is, since it may be the change.
func nonBlank(s, fallback string) string {
	if strings.TrimSpace(s) == "" {
		return fallback
	}
	return s
}
