package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Control is one catalog entry, read from its Rego package's METADATA.
type Control struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    string   `json:"severity"`
	Requires    []string `json:"requires"`
	Sources     []string `json:"sources"`
	// Exclusions marks a control that judges "all users, allowed
	// exclusions" and so honours the baseline's per-control
	// allowed_exclusions (METADATA custom exclusions: true).
	Exclusions bool   `json:"exclusions,omitempty"`
	Seed       string `json:"seed"`
	// SeedEnglish translates the seed slide's Japanese title (METADATA
	// seed_en); empty when the seed reference is English already.
	SeedEnglish string `json:"seedEnglish,omitempty"`
	Remediation string `json:"remediation"`
	Order       int    `json:"-"`
	Package     string `json:"package"` // data.tenantgate.controls.tg_ca_1
	File        string `json:"file"`    // policies/ca/tg_ca_1.rego
	Line        int    `json:"line"`    // line of the package statement
}

const controlsPrefix = "data.tenantgate.controls."

// catalogFrom reads the package-scope METADATA of every control module.
func catalogFrom(mods map[string]*ast.Module) ([]Control, error) {
	var out []Control
	seen := map[string]string{}
	for name, m := range mods {
		pkg := m.Package.Path.String()
		if !strings.HasPrefix(pkg, controlsPrefix) {
			continue
		}
		var a *ast.Annotations
		for _, ann := range m.Annotations {
			if ann.Scope == "package" {
				a = ann
			}
		}
		if a == nil {
			return nil, fmt.Errorf("%s: control package %s has no package METADATA", name, pkg)
		}
		c := Control{Title: a.Title, Description: strings.TrimSpace(a.Description), Package: pkg, File: name, Line: m.Package.Location.Row}
		cu := a.Custom
		str := func(k string) string { s, _ := cu[k].(string); return strings.TrimSpace(s) }
		c.ID, c.Severity, c.Seed, c.Remediation = str("id"), str("severity"), str("seed"), str("remediation")
		c.SeedEnglish = str("seed_en")
		c.Requires, c.Sources = strList(cu["requires"]), strList(cu["sources"])
		c.Exclusions, _ = cu["exclusions"].(bool)
		switch o := cu["order"].(type) {
		case int:
			c.Order = o
		case float64:
			c.Order = int(o)
		}
		if c.ID == "" || c.Title == "" || c.Order == 0 || c.Remediation == "" {
			return nil, fmt.Errorf("%s: METADATA needs title and custom id, order, remediation", name)
		}
		switch c.Severity {
		case "high", "medium", "low":
		default:
			return nil, fmt.Errorf("%s: severity %q is not high, medium or low", name, c.Severity)
		}
		if other, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("control id %s is defined twice (%s, %s)", c.ID, other, name)
		}
		seen[c.ID] = name
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, nil
}

// SeedText is the seed reference a reader understands: the English
// translation with the slide's own title beside it.
func (c Control) SeedText() string {
	if c.SeedEnglish == "" {
		return c.Seed
	}
	return c.SeedEnglish + " (slide: " + c.Seed + ")"
}

func strList(v any) []string {
	out := []string{}
	if xs, ok := v.([]any); ok {
		for _, x := range xs {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}
