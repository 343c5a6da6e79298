// Package detect evaluates hunt's detections (policies/hunt) on events. It
// compiles only the hunt policies. Each detection's METADATA declares, besides
// its catalog entry, the prefilter that picks its candidates (log kinds,
// operations, record types, and fields whose distinct values the detection
// itself keeps), so Go sends Rego only the events it could decide on, in
// batches; every condition is stated once, in the Rego.
package detect

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// Phases of a detection.
const (
	// PhaseDetect: evaluated on its candidates before correlation (entry
	// indicators, and what corroborates them), and judged again afterwards
	// with the correlation's facts.
	PhaseDetect = "detect"
	// PhaseAttributed: evaluated only on candidates the correlation
	// attributed to the attacker (mail sent, read, deleted; files).
	PhaseAttributed = "attributed"
	// PhaseSessions: evaluated on session and token keys (TG.HUNT.2).
	PhaseSessions = "sessions"
)

// Detection is one catalog entry, read from its package METADATA.
type Detection struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Description  string   `json:"description"`
	Severity     string   `json:"severity"`               // when its condition fully holds
	BaseSeverity string   `json:"baseSeverity,omitempty"` // on its own, when lower
	Technique    string   `json:"technique"`
	Seed         string   `json:"seed"`
	Response     string   `json:"response"`
	Phase        string   `json:"phase"`
	Filters      []Filter `json:"prefilter,omitempty"`
	// Detail: its condition reads Detail, so candidates keep it on the
	// first read.
	Detail bool `json:"-"`
	// RuleWords: also judged on candidates of mailboxes with a hiding rule
	// (TG.HUNT.11).
	RuleWords bool `json:"-"`
	// Reads, when set, are all the event fields the detection's condition
	// and findings read (METADATA "reads"): events alike in them (and in
	// the correlation's facts) are judged once, the finding citing them all.
	Reads   []string `json:"-"`
	Order   int      `json:"-"`
	Package string   `json:"package"`
	File    string   `json:"file"`
	Line    int      `json:"line"`
}

// Filter is one alternative of a prefilter: every non-empty part must match.
type Filter struct {
	Kinds       []string `json:"kinds,omitempty"`
	Operations  []string `json:"operations,omitempty"`
	RecordTypes []int    `json:"recordTypes,omitempty"`
	// Values are event fields (app, resource, ua, clientInfo) whose
	// distinct values the package's `keep` rule filters.
	Values []string `json:"values,omitempty"`

	kinds map[event.Kind]bool
	ops   map[string]bool
	rts   map[int16]bool
}

const detectionsPrefix = "data.tenantgate.hunt.detections."

// readableFields are the event fields a detection may declare it reads.
var readableFields = map[string]bool{
	"kind": true, "user": true, "target": true, "op": true, "opk": true, "rt": true, "userType": true, "ip": true, "ipClass": true,
	"ua": true, "session": true, "session2": true, "token": true, "app": true, "appName": true, "resource": true, "clientApp": true,
	"clientInfo": true, "country": true, "asn": true, "deviceId": true, "error": true, "signIn": true, "success": true, "byUser": true,
	"byApp": true, "detail": true,
}

// valueFields are the event fields a prefilter may filter by value.
var valueFields = map[string]bool{"app": true, "resource": true, "ua": true, "clientInfo": true}

func catalogFrom(mods map[string]*ast.Module) ([]Detection, *Detection, error) {
	var out []Detection
	var response *Detection
	seen := map[string]string{}
	for name, m := range mods {
		pkg := m.Package.Path.String()
		isResp := pkg == "data.tenantgate.hunt.response"
		if !strings.HasPrefix(pkg, detectionsPrefix) && !isResp {
			continue
		}
		var a *ast.Annotations
		for _, ann := range m.Annotations {
			if ann.Scope == "package" {
				a = ann
			}
		}
		if a == nil {
			return nil, nil, fmt.Errorf("%s: package %s has no package METADATA", name, pkg)
		}
		cu := a.Custom
		str := func(k string) string { s, _ := cu[k].(string); return strings.TrimSpace(s) }
		d := Detection{
			ID: str("id"), Title: a.Title, Description: strings.TrimSpace(a.Description), Severity: str("severity"),
			BaseSeverity: str("base_severity"), Technique: str("technique"), Seed: str("seed"), Response: str("response"),
			Phase: str("phase"), Package: pkg, File: name, Line: m.Package.Location.Row,
		}
		d.Detail, _ = cu["detail"].(bool)
		d.RuleWords, _ = cu["rule_words"].(bool)
		if rs, ok := cu["reads"].([]any); ok {
			for _, x := range rs {
				f := fmt.Sprint(x)
				if !readableFields[f] {
					return nil, nil, fmt.Errorf("%s: reads: %q is not an event field", name, f)
				}
				d.Reads = append(d.Reads, f)
			}
		}
		switch o := cu["order"].(type) {
		case int:
			d.Order = o
		case float64:
			d.Order = int(o)
		}
		filters, err := parseFilters(name, cu["prefilter"])
		if err != nil {
			return nil, nil, err
		}
		d.Filters = filters
		if isResp {
			d.Phase = PhaseDetect
			response = &d
			continue
		}
		if d.ID == "" || d.Title == "" || d.Order == 0 || d.Response == "" || d.Technique == "" || d.Seed == "" {
			return nil, nil, fmt.Errorf("%s: METADATA needs title and custom id, order, technique, seed, response", name)
		}
		for _, s := range []string{d.Severity, d.BaseSeverity} {
			switch s {
			case "high", "medium", "low":
			case "":
				if s == d.Severity {
					return nil, nil, fmt.Errorf("%s: severity is required", name)
				}
			default:
				return nil, nil, fmt.Errorf("%s: severity %q is not high, medium or low", name, s)
			}
		}
		switch d.Phase {
		case PhaseDetect, PhaseAttributed:
			if len(d.Filters) == 0 {
				return nil, nil, fmt.Errorf("%s: a %s detection needs a prefilter", name, d.Phase)
			}
		case PhaseSessions:
		default:
			return nil, nil, fmt.Errorf("%s: phase %q is not detect, attributed or sessions", name, d.Phase)
		}
		if other, dup := seen[d.ID]; dup {
			return nil, nil, fmt.Errorf("detection id %s is defined twice (%s, %s)", d.ID, other, name)
		}
		seen[d.ID] = name
		out = append(out, d)
	}
	if response == nil {
		return nil, nil, fmt.Errorf("policies/hunt: no tenantgate.hunt.response package")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, response, nil
}

func parseFilters(file string, v any) ([]Filter, error) {
	list, _ := v.([]any)
	var out []Filter
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: prefilter entries must be objects", file)
		}
		f := Filter{kinds: map[event.Kind]bool{}, ops: map[string]bool{}, rts: map[int16]bool{}}
		for k, val := range m {
			items, _ := val.([]any)
			switch k {
			case "kinds":
				for _, it := range items {
					s := fmt.Sprint(it)
					kind, ok := event.ParseKind(s)
					if !ok {
						return nil, fmt.Errorf("%s: prefilter kind %q is not a log kind", file, s)
					}
					f.Kinds = append(f.Kinds, s)
					f.kinds[kind] = true
				}
			case "operations":
				for _, it := range items {
					s := fmt.Sprint(it)
					if event.NormOp(s) != s {
						return nil, fmt.Errorf("%s: prefilter operation %q must be written as compared: %q", file, s, event.NormOp(s))
					}
					f.Operations = append(f.Operations, s)
					f.ops[s] = true
				}
			case "record_types":
				for _, it := range items {
					n, ok := toInt(it)
					if !ok {
						return nil, fmt.Errorf("%s: prefilter record type %v is not a number", file, it)
					}
					f.RecordTypes = append(f.RecordTypes, n)
					f.rts[int16(n)] = true
				}
			case "values":
				for _, it := range items {
					s := fmt.Sprint(it)
					if !valueFields[s] {
						return nil, fmt.Errorf("%s: prefilter value field %q is not one of app, resource, ua, clientInfo", file, s)
					}
					f.Values = append(f.Values, s)
				}
			default:
				return nil, fmt.Errorf("%s: unknown prefilter key %q", file, k)
			}
		}
		if len(f.kinds) == 0 {
			return nil, fmt.Errorf("%s: a prefilter entry needs kinds", file)
		}
		out = append(out, f)
	}
	return out, nil
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case float64:
		return int(n), n == float64(int(n))
	case int64:
		return int(n), true
	}
	return 0, false
}

// matches reports whether an event passes a filter's kind, operation and
// record type parts (values are checked by the caller).
func (f *Filter) matches(e *event.Event, opKey string) bool {
	if !f.kinds[e.Kind] {
		return false
	}
	if len(f.ops) > 0 && !f.ops[opKey] {
		return false
	}
	if len(f.rts) > 0 && !f.rts[e.RecordType] {
		return false
	}
	return true
}
