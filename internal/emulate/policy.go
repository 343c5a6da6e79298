package emulate

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
