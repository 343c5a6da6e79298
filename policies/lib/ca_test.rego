package tenantgate.lib.ca_test

import data.tenantgate.lib.ca
import data.tenantgate.test.fixtures as f

# Graph-shaped policies take normalize's fast path; it must give exactly what
# the full normalisation gives.
test_fast_path_matches_full_normalisation if {
	shapes := [
		f.base_policy,
		f.policy({"grantControls": f.grant("OR", ["mfa"])}),
		f.policy({"grantControls": f.strength(ca.phishing_resistant_strength, "Phishing-resistant MFA")}),
		f.policy({"conditions": {"platforms": {"includePlatforms": ["windows"], "excludePlatforms": []}}}),
		f.policy({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}}),
	]
	every p in shapes {
		ca.normalize(p) == ca.full_normalize(p)
	}
}

# Null or absent lists and containers become [] / {}; platforms and locations
# stay null when absent, and get their lists when present.
test_full_normalisation_of_odd_shapes if {
	p := {
		"id": "odd",
		"conditions": {
			"users": {"includeUsers": null},
			"applications": null,
			"clientAppTypes": null,
			"platforms": {"includePlatforms": null},
		},
		"grantControls": {"operator": null, "builtInControls": "mfa"},
	}
	n := ca.normalize(p)
	n.conditions.users == {"includeUsers": [], "excludeUsers": [], "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []}
	n.conditions.applications == {"includeApplications": [], "excludeApplications": [], "includeUserActions": []}
	n.conditions.clientAppTypes == []
	n.conditions.signInRiskLevels == []
	n.conditions.platforms == {"includePlatforms": [], "excludePlatforms": []}
	n.conditions.locations == null
	n.grantControls == {"operator": "OR", "builtInControls": [], "termsOfUse": [], "customAuthenticationFactors": []}
}

test_missing_conditions_and_grant if {
	n := ca.normalize({"id": "bare", "conditions": null})
	n.conditions.users.includeUsers == []
	n.conditions.platforms == null
	n.grantControls.operator == "OR"
	n.grantControls.builtInControls == []
}

# Session-only policies (grantControls null) stay on the fast path.
test_null_grant_fast_path if {
	n := ca.normalize(f.base_policy)
	n.grantControls == {"operator": "OR", "builtInControls": [], "termsOfUse": [], "customAuthenticationFactors": []}
	n.conditions == f.base_policy.conditions
}
