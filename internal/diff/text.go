package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/textcol"
	"github.com/tenantgate/tenantgate/internal/textsafe"
)

// WriteJSON writes the comparison as indented JSON (diff --format json).
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(textsafe.JSONWriter(w))
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// maxValue bounds a value printed in text output; the JSON output has it whole.
const maxValue = 160

// textWidth is the width the text output wraps findings and titles to.
const textWidth = textcol.DefaultWidth

var sourceTitle = map[string]string{
	"conditionalAccessPolicies":      "Conditional Access policies",
	"namedLocations":                 "Named locations",
	"authenticationStrengthPolicies": "Authentication strengths",
	"diagnosticSettings":             "Diagnostic settings",
	"logAnalyticsWorkspaces":         "Log Analytics workspaces",
	"deviceEnrollmentConfigurations": "Device enrollment configurations",
	"breakGlassAccounts":             "Break-glass accounts",
	"subscribedSkus":                 "Subscribed SKUs",
}

// WriteText writes the comparison for people. Everything the compared files
// hold (names, ids, paths, values, messages) passes textsafe on its way in:
// names on one line, values (JSON text) with their spaces kept so that a
// change of spacing still shows.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "tenantgate diff (%ss)\n", r.Kind)
	fmt.Fprintf(&b, "  old: %s\n  new: %s\n", sideText(r.Old), sideText(r.New))
	for _, warn := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", textsafe.Line(warn))
	}
	b.WriteString("\n")

	switch {
	case !r.ControlsCompared:
		b.WriteString(textcol.Indent("Controls: not compared (no rule engine available to audit the snapshots); settings changes only.", textWidth, 2) + "\n")
	case len(r.Controls) == 0:
		b.WriteString("Controls: no status changes.\n")
	default:
		counts := map[string]int{}
		for _, c := range r.Controls {
			counts[c.Direction]++
		}
		var parts []string
		for _, d := range []string{Regressed, Improved, Changed, Added, Removed} {
			if counts[d] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", counts[d], d))
			}
		}
		fmt.Fprintf(&b, "Controls: %s\n", strings.Join(parts, ", "))
		idW, trW := 0, 0
		for _, c := range r.Controls {
			idW = max(idW, len(c.ID))
			trW = max(trW, len([]rune(transition(c))))
		}
		for _, d := range []string{Regressed, Improved, Changed, Added, Removed} {
			for _, c := range r.Controls {
				if c.Direction != d {
					continue
				}
				tr := transition(c)
				fmt.Fprintf(&b, "  %-9s  %-*s  %-6s  %s\n", strings.ToUpper(d), idW, textsafe.Line(c.ID), textsafe.Line(c.Severity), tr)
				// Title, and for a regression why, on lines of their own
				// under the id, wrapped to 80 columns.
				indent := 2 + 9 + 2
				para := func(text string) {
					b.WriteString(strings.Repeat(" ", indent) + textcol.Indent(text, textWidth, indent) + "\n")
				}
				para(textsafe.Line(c.Title))
				if d == Regressed && c.New == report.NotAssessed {
					para("now not assessed: tenantgate lost sight of this control, which counts as a regression")
				}
				if d == Regressed && c.Finding != "" {
					para(clip(textsafe.Line(c.Finding), 2*maxValue))
				}
			}
		}
	}
	if sc := r.Score; sc != nil {
		oc, nc := sc.OldCoverage, sc.NewCoverage
		covChanged := oc != nil && nc != nil && *oc != *nc
		if sc.Old != sc.New || covChanged {
			line := fmt.Sprintf("Score: %.1f → %.1f (%+.1f)", sc.Old, sc.New, sc.New-sc.Old)
			if oc != nil && nc != nil {
				line += fmt.Sprintf(" · assessed %d/%d → %d/%d applicable controls", oc.Assessed, oc.Applicable, nc.Assessed, nc.Applicable)
			}
			b.WriteString(line + "\n")
		}
		if covChanged && nc.Assessed < oc.Assessed && sc.New >= sc.Old {
			b.WriteString("  " + textcol.Indent("The score did not fall only because fewer controls were assessed: it now covers less of the tenant.", textWidth, 2) + "\n")
		}
	}

	if r.Kind == KindSnapshot {
		if len(r.Sources) > 0 {
			b.WriteString("\nCollection status:\n")
			for _, s := range r.Sources {
				line := fmt.Sprintf("%s: %s → %s", s.Source, s.Old, s.New)
				if s.Error != "" {
					line += " (" + textsafe.Line(s.Error) + ")"
				}
				b.WriteString("  " + textcol.Indent(line+"; its data is not compared", textWidth, 4) + "\n")
			}
		}
		writeChanges(&b, r.Changes)
	}

	b.WriteString("\n")
	switch {
	case r.Regressions > 0:
		noun := "regressions"
		if r.Regressions == 1 {
			noun = "regression"
		}
		fmt.Fprintf(&b, "Result: %d %s.\n", r.Regressions, noun)
	case r.Kind == KindSnapshot && len(r.Changes) == 0 && len(r.Sources) == 0 && len(r.Controls) == 0:
		b.WriteString("Result: no changes.\n")
	default:
		b.WriteString("Result: no regressions.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func transition(c ControlChange) string {
	return nonEmpty(c.Old, "—") + " → " + nonEmpty(c.New, "—")
}

func writeChanges(b *strings.Builder, changes []ObjectChange) {
	if len(changes) == 0 {
		b.WriteString("\nSettings: no changes.\n")
		return
	}
	var cur string
	for _, c := range changes {
		if c.Source != cur {
			cur = c.Source
			title := sourceTitle[c.Source]
			if title == "" {
				title = c.Source // singletons keep their Graph name: it is what admins search for
			}
			fmt.Fprintf(b, "\n%s:\n", title)
		}
		if c.ID == "" { // singleton setting
			writeFields(b, c.Fields, "  ")
			continue
		}
		label := quoteName(c.Name) + " (" + textsafe.Line(c.ID) + ")"
		if c.Name == "" {
			label = textsafe.Line(c.ID)
		}
		// head wraps a change's first line under its label (ids stay whole).
		head := func(mark, text string) {
			b.WriteString("  " + mark + " " + textcol.Indent(text, textWidth-2-len(mark)-1, 4) + "\n")
		}
		switch c.Change {
		case "added":
			if c.State != nil {
				label += ", state " + textsafe.Line(c.State.New)
			}
			head("+ added   ", label)
		case "removed":
			if c.State != nil {
				label += ", was " + textsafe.Line(c.State.Old)
			}
			head("- removed ", label)
		default:
			head("~ modified", label)
			if c.State != nil {
				fmt.Fprintf(b, "      state: %s → %s\n", textsafe.Line(nonEmpty(c.State.Old, "null")), textsafe.Line(nonEmpty(c.State.New, "null")))
			}
			writeFields(b, c.Fields, "      ")
		}
	}
}

func writeFields(b *strings.Builder, fields []FieldChange, indent string) {
	for _, f := range fields {
		if add, rem, ok := listDelta(f.Old, f.New); ok {
			var parts []string
			for _, v := range add {
				parts = append(parts, "+"+valueText(v))
			}
			for _, v := range rem {
				parts = append(parts, "-"+valueText(v))
			}
			fmt.Fprintf(b, "%s%s: %s\n", indent, textsafe.Line(f.Path), clip(strings.Join(parts, " "), maxValue))
			continue
		}
		fmt.Fprintf(b, "%s%s: %s → %s\n", indent, textsafe.Line(f.Path), clip(valueText(f.Old), maxValue), clip(valueText(f.New), maxValue))
	}
}

// listDelta gives the items added to and removed from a list (include /
// exclude lists, IP ranges), which reads better than two whole lists.
func listDelta(o, n any) (added, removed []any, ok bool) {
	oa, ok1 := asList(o)
	na, ok2 := asList(n)
	if !ok1 || !ok2 {
		return nil, nil, false
	}
	added, removed = minus(na, oa), minus(oa, na)
	if len(added) == 0 && len(removed) == 0 {
		return nil, nil, false // same items, other order: show both lists
	}
	return added, removed, true
}

// minus is the multiset difference a − b, in a's order.
func minus(a, b []any) []any {
	left := map[string]int{}
	for _, v := range b {
		left[valueText(v)]++
	}
	var out []any
	for _, v := range a {
		if k := valueText(v); left[k] > 0 {
			left[k]--
			continue
		}
		out = append(out, v)
	}
	return out
}

func asList(v any) ([]any, bool) {
	if v == nil {
		return nil, true
	}
	arr, ok := v.([]any)
	return arr, ok
}

// valueText is v as JSON, whose escaping leaves no newline; textsafe.Text
// neutralises what JSON leaves raw (DEL, C1 and bidi controls).
func valueText(v any) string {
	if v == nil {
		return "null"
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return textsafe.Line(fmt.Sprint(v))
	}
	return textsafe.Text(string(raw))
}

func sideText(s Side) string {
	t := s.Path
	name := s.TenantName
	if name == "" {
		name = s.TenantID
	}
	if name != "" || s.CollectedAt != "" {
		t += " (" + strings.TrimSpace(strings.TrimSuffix(name+", "+s.CollectedAt, ", ")) + ")"
	}
	return textsafe.Line(t)
}

func quoteName(s string) string { return "'" + textsafe.Line(s) + "'" }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
