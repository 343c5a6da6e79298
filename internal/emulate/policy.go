package emulate

import "encoding/json"

// CompletePolicy gives a Conditional Access policy every key Graph returns
// for it, as Graph does when it stores a created policy: collections absent
// from the request read back as [], unset complex properties as null
// (graph-api.md §3.3 shows the full shape). Keys already present are kept.
// The audit refuses policies that lack these keys (an absent exclusion list is
// not an empty one), so an emulator that echoed the request body would make
// every policy it created unreadable.
func CompletePolicy(p map[string]any) {
	fill(p, map[string]any{"description": nil, "templateId": nil, "grantControls": nil, "sessionControls": nil})
	c, ok := p["conditions"].(map[string]any)
	if !ok {
		return
	}
	fill(c, map[string]any{
		"clientAppTypes": []any{}, "signInRiskLevels": []any{}, "userRiskLevels": []any{},
		"servicePrincipalRiskLevels": []any{}, "insiderRiskLevels": nil, "authenticationFlows": nil,
		"clientApplications": nil, "devices": nil, "locations": nil, "platforms": nil,
		"users": map[string]any{}, "applications": map[string]any{},
	})
	fillObject(c, "users", map[string]any{
		"includeUsers": []any{}, "excludeUsers": []any{}, "includeGroups": []any{}, "excludeGroups": []any{},
		"includeRoles": []any{}, "excludeRoles": []any{},
		"includeGuestsOrExternalUsers": nil, "excludeGuestsOrExternalUsers": nil,
	})
	fillObject(c, "applications", map[string]any{
		"includeApplications": []any{}, "excludeApplications": []any{}, "includeUserActions": []any{},
		"includeAuthenticationContextClassReferences": []any{}, "applicationFilter": nil,
	})
	fillObject(c, "platforms", map[string]any{"includePlatforms": []any{}, "excludePlatforms": []any{}})
	fillObject(c, "locations", map[string]any{"includeLocations": []any{}, "excludeLocations": []any{}})
	fillObject(p, "grantControls", map[string]any{
		"builtInControls": []any{}, "customAuthenticationFactors": []any{}, "termsOfUse": []any{},
		"authenticationStrength": nil,
	})
}

func fill(o map[string]any, defaults map[string]any) {
	for k, v := range defaults {
		if _, ok := o[k]; !ok {
			o[k] = v
		}
	}
}

// fillObject fills o[k] when it is an object (null stays null).
func fillObject(o map[string]any, k string, defaults map[string]any) {
	if m, ok := o[k].(map[string]any); ok {
		fill(m, defaults)
	}
}

// betaOmitted are the condition keys Graph's beta endpoint leaves out of a
// Conditional Access policy while they are unset, with the value v1.0 sends
// for them instead (policies/lib/shapes.rego holds the same facts, checked
// against real responses in internal/conformance).
var betaOmitted = map[string]any{"servicePrincipalRiskLevels": []any{}, "insiderRiskLevels": nil, "authenticationFlows": nil}

// BetaOnly are policy keys that exist in beta only: v1.0 refuses a body
// carrying them (path of object keys).
var BetaOnly = [][]string{{"sessionControls", "continuousAccessEvaluation"}}

// ShapePolicy rewrites a stored policy into the shape Graph returns from
// version: beta omits the unset condition keys above and sends
// sessionControls.continuousAccessEvaluation (null when unset) whenever the
// session controls object exists; v1.0 sends the condition keys as [] / null
// and knows nothing of continuousAccessEvaluation. A policy known only from
// v1.0 (knowsBeta false) cannot tell beta's continuousAccessEvaluation, so
// it is not invented. ShapePolicy reports whether it changed anything.
func ShapePolicy(p map[string]any, version string, knowsBeta bool) bool {
	changed := false
	cond, _ := p["conditions"].(map[string]any)
	sc, _ := p["sessionControls"].(map[string]any)
	switch version {
	case "beta":
		for k := range betaOmitted {
			v, ok := cond[k]
			if !ok {
				continue
			}
			if l, isList := v.([]any); v == nil || isList && len(l) == 0 {
				delete(cond, k)
				changed = true
			}
		}
		if _, ok := sc["continuousAccessEvaluation"]; knowsBeta && sc != nil && !ok {
			sc["continuousAccessEvaluation"] = nil
			changed = true
		}
	case "v1.0":
		for k, unset := range betaOmitted {
			if _, ok := cond[k]; cond != nil && !ok {
				cond[k] = unset
				changed = true
			}
		}
		if _, ok := sc["continuousAccessEvaluation"]; ok {
			delete(sc, "continuousAccessEvaluation")
			changed = true
		}
	}
	return changed
}

// betaOnlyField returns the first beta-only key a request body carries.
func betaOnlyField(body map[string]any) string {
	for _, path := range BetaOnly {
		var v any = body
		found := true
		for _, k := range path {
			m, ok := v.(map[string]any)
			if !ok {
				found = false
				break
			}
			if v, ok = m[k]; !ok {
				found = false
				break
			}
		}
		if found {
			return path[len(path)-1]
		}
	}
	return ""
}

// shapedPolicy serves a stored policy in version's shape; raw is kept as is
// (key order and all) when the shape already matches.
func shapedPolicy(raw json.RawMessage, version string, knowsBeta bool) json.RawMessage {
	var p map[string]any
	if json.Unmarshal(raw, &p) != nil || !ShapePolicy(p, version, knowsBeta) {
		return raw
	}
	out, err := marshal(p)
	if err != nil {
		return raw
	}
	return out
}
