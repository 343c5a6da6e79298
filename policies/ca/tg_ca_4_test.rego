package tenantgate.controls.tg_ca_4_test

import data.tenantgate.controls.tg_ca_4 as c
import data.tenantgate.test.fixtures as f

pr := "00000000-0000-0000-0000-000000000004"

mfa_strength := "00000000-0000-0000-0000-000000000002"

custom := "99999999-9999-9999-9999-999999999999"

strengths := [
	{"id": mfa_strength, "displayName": "Multifactor authentication", "allowedCombinations": ["password,sms", "password,microsoftAuthenticatorPush", "fido2"]},
	{"id": pr, "displayName": "Phishing-resistant MFA", "allowedCombinations": ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]},
	{"id": custom, "displayName": "Keys only", "allowedCombinations": ["fido2", "x509CertificateMultiFactor"]},
]

st(id, name, over) := f.policy(object.union({"id": "st", "displayName": "Phishing-resistant", "grantControls": f.strength(id, name)}, over))

inp(ps) := f.with_data({"conditionalAccessPolicies": ps, "authenticationStrengthPolicies": strengths})

test_pass_builtin if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {})])
	r.status == "pass"
	r.evidence == ["st"]
}

test_pass_custom_strength if {
	r := c.result with input as inp([st(custom, "Keys only", {})])
	r.status == "pass"
}

test_pass_and_with_compliant_device if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"grantControls": {"operator": "AND", "builtInControls": ["compliantDevice"]}})])
	r.status == "pass"
}

test_fail_or_with_mfa if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})])
	r.status == "fail"
	contains(r.finding, "OR-s the strength with weaker controls")
}

test_fail_weak_builtin_strength if {
	r := c.result with input as inp([st(mfa_strength, "Multifactor authentication", {})])
	r.status == "fail"
	contains(r.finding, "'Multifactor authentication', which allows phishable methods")
	contains(r.finding, "password,sms")
}

test_fail_weak_custom_strength if {
	weak := array.concat(strengths, [{"id": "w", "displayName": "Mixed", "allowedCombinations": ["fido2", "softwareOath,password"]}])
	r := c.result with input as f.with_data({"conditionalAccessPolicies": [st("w", "Mixed", {})], "authenticationStrengthPolicies": weak})
	r.status == "fail"
	contains(r.finding, "softwareOath,password")
}

test_fail_empty_custom_strength if {
	empty := array.concat(strengths, [{"id": "e", "displayName": "Empty", "allowedCombinations": []}])
	r := c.result with input as f.with_data({"conditionalAccessPolicies": [st("e", "Empty", {})], "authenticationStrengthPolicies": empty})
	r.status == "fail"
	contains(r.finding, "has no methods")
}

test_custom_strength_from_embedded_copy_when_source_denied if {
	p := st(custom, "Keys only", {"grantControls": {"authenticationStrength": {"allowedCombinations": ["fido2"]}}})
	r := c.result with input as f.denied(inp([p]), "authenticationStrengthPolicies")
	r.status == "pass"
}

test_not_assessed_custom_strength_unknown if {
	r := c.result with input as f.denied(inp([st(custom, "Keys only", {})]), "authenticationStrengthPolicies")
	r.status == "not_assessed"
	contains(r.finding, "uses authentication strength 'Keys only', whose definition could not be read (authenticationStrengthPolicies was not collected")
}

test_builtin_needs_no_strength_source if {
	r := c.result with input as f.denied(inp([st(pr, "Phishing-resistant MFA", {})]), "authenticationStrengthPolicies")
	r.status == "pass"
}

test_fail_report_only if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"state": "enabledForReportingButNotEnforced"})])
	r.status == "fail"
	contains(r.finding, "would satisfy this control but is report-only")
}

test_fail_admins_only if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"conditions": {"users": {"includeUsers": [], "includeRoles": [f.ga_role]}}})])
	r.status == "fail"
	contains(r.finding, "does not target all users")
}

test_fail_extra_exclusion if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"conditions": {"users": {"excludeUsers": [f.bg1, f.bg2, f.other_user]}}})])
	r.status == "fail"
}

test_fail_narrowed_platform if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"conditions": {"platforms": {"includePlatforms": ["windows", "macOS"], "excludePlatforms": []}}})])
	r.status == "fail"
}

test_fail_narrowed_client_app if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"conditions": {"clientAppTypes": ["browser"]}})])
	r.status == "fail"
}

test_fail_narrowed_location if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}})])
	r.status == "fail"
}

test_fail_narrowed_risk if {
	r := c.result with input as inp([st(pr, "Phishing-resistant MFA", {"conditions": {"signInRiskLevels": ["medium", "high"]}})])
	r.status == "fail"
}

test_fail_no_policy if {
	r := c.result with input as inp([f.policy({"grantControls": f.grant("OR", ["mfa"])})])
	r.status == "fail"
	contains(r.finding, "no Conditional Access policy requires a phishing-resistant authentication strength")
}

test_not_licensed if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku_o365_e3]})
	r.status == "not_licensed"
}

test_fail_report_only_even_when_custom_strength_unknown if {
	r := c.result with input as f.denied(inp([st(custom, "Keys only", {"state": "enabledForReportingButNotEnforced"})]), "authenticationStrengthPolicies")
	r.status == "fail"
	contains(r.finding, "is report-only")
	contains(r.finding, "whose definition could not be read")
}

# A method list that is not a list of strings cannot be judged: not_assessed,
# never a pass.
test_not_assessed_unreadable_allowed_combinations if {
	cases := [null, "password,sms", [null], [1]]
	every bad in cases {
		list := array.concat(strengths, [{"id": "u", "displayName": "Odd", "allowedCombinations": bad}])
		r := c.result with input as f.with_data({"conditionalAccessPolicies": [st("u", "Odd", {})], "authenticationStrengthPolicies": list})
		r.status == "not_assessed"
		contains(r.finding, "neither the collected authenticationStrengthPolicies nor the policy hold its allowedCombinations")
	}
}

test_not_assessed_strength_missing_from_collected_list if {
	r := c.result with input as inp([st("not-there", "Ghost", {})])
	r.status == "not_assessed"
	contains(r.finding, "neither the collected authenticationStrengthPolicies nor the policy hold its allowedCombinations")
	not contains(r.finding, "missing from the snapshot")
}
