package tenantgate.controls.tg_id_1_test

import data.tenantgate.controls.tg_id_1 as c
import data.tenantgate.test.fixtures as f

defaults_off := {"id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults", "isEnabled": false}

defaults_on := object.union(defaults_off, {"isEnabled": true})

mfa(over) := f.policy(object.union(
	{"id": "mfa", "displayName": "Require MFA", "grantControls": f.grant("OR", ["mfa"])},
	over,
))

# tenant with security defaults off and the given CA policies.
off_with(ps) := f.with_data({"securityDefaults": defaults_off, "conditionalAccessPolicies": ps})

test_pass_security_defaults_on if {
	r := c.result with input as f.with_data({"securityDefaults": defaults_on})
	r.status == "pass"
	contains(r.finding, "security defaults are on")
	r.evidence == ["securityDefaults"]
}

test_pass_security_defaults_on_even_when_ca_denied if {
	r := c.result with input as f.denied(f.with_data({"securityDefaults": defaults_on}), "conditionalAccessPolicies")
	r.status == "pass"
	r.evidence == ["securityDefaults"]
}

test_pass_mfa_policy if {
	r := c.result with input as off_with([mfa({})])
	r.status == "pass"
	r.finding == "policy 'Require MFA' requires MFA for all users and all apps"
	r.evidence == ["mfa"]
}

test_pass_mfa_policy_when_security_defaults_denied if {
	r := c.result with input as f.denied(off_with([mfa({})]), "securityDefaults")
	r.status == "pass"
	r.evidence == ["mfa"]
}

test_pass_authentication_strength if {
	r := c.result with input as off_with([mfa({"id": "str", "grantControls": f.strength("00000000-0000-0000-0000-000000000002", "Multifactor authentication")})])
	r.status == "pass"
	r.evidence == ["str"]
}

test_pass_mfa_and_compliant_device if {
	r := c.result with input as off_with([mfa({"grantControls": f.grant("AND", ["mfa", "compliantDevice"])})])
	r.status == "pass"
	r.evidence == ["mfa"]
}

test_pass_mfa_and_strength_listed_once if {
	g := object.union(f.grant("AND", ["mfa"]), {"authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002", "displayName": "MFA"}})
	r := c.result with input as off_with([mfa({"grantControls": g})])
	r.status == "pass"
	r.evidence == ["mfa"]
}

test_pass_every_client_type_listed if {
	r := c.result with input as off_with([mfa({"conditions": {"clientAppTypes": ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"]}})])
	r.status == "pass"
}

test_pass_platforms_all if {
	r := c.result with input as off_with([mfa({"conditions": {"platforms": {"includePlatforms": ["all"], "excludePlatforms": []}}})])
	r.status == "pass"
}

test_pass_one_qualifying_among_others if {
	r := c.result with input as off_with([
		mfa({"id": "ro", "displayName": "Pilot", "state": "enabledForReportingButNotEnforced"}),
		mfa({}),
	])
	r.status == "pass"
	r.evidence == ["mfa"]
}

test_fail_mfa_or_compliant_device if {
	r := c.result with input as off_with([mfa({"grantControls": f.grant("OR", ["mfa", "compliantDevice"])})])
	r.status == "fail"
	contains(r.finding, "policy 'Require MFA' grants or of [mfa, compliantDevice], so MFA can be skipped")
	r.evidence == ["mfa"]
}

test_fail_strength_or_compliant_device if {
	g := object.union(f.grant("OR", ["compliantDevice"]), {"authenticationStrength": {"id": "00000000-0000-0000-0000-000000000002", "displayName": "MFA"}})
	r := c.result with input as off_with([mfa({"grantControls": g})])
	r.status == "fail"
	contains(r.finding, "so MFA can be skipped")
}

test_fail_report_only if {
	r := c.result with input as off_with([mfa({"state": "enabledForReportingButNotEnforced"})])
	r.status == "fail"
	contains(r.finding, "policy 'Require MFA' would satisfy this control but is report-only")
	r.evidence == ["mfa"]
}

test_fail_disabled if {
	r := c.result with input as off_with([mfa({"state": "disabled"})])
	r.status == "fail"
	contains(r.finding, "policy 'Require MFA' is disabled")
}

test_fail_extra_exclusion if {
	r := c.result with input as off_with([mfa({"conditions": {"users": {"excludeUsers": [f.bg1, f.bg2, f.other_user]}}})])
	r.status == "fail"
	contains(r.finding, sprintf("excludes user %s, which the baseline does not allow", [f.other_user]))
}

test_fail_guests_excluded if {
	r := c.result with input as off_with([mfa({"conditions": {"users": {"excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest"}}}})])
	r.status == "fail"
	contains(r.finding, "guests and external users")
}

test_fail_group_scope if {
	r := c.result with input as off_with([mfa({"conditions": {"users": {"includeUsers": [], "includeGroups": [f.other_group]}}})])
	r.status == "fail"
	contains(r.finding, "does not target all users")
}

test_fail_not_all_apps if {
	r := c.result with input as off_with([mfa({"conditions": {"applications": {"includeApplications": [f.exo, f.spo]}}})])
	r.status == "fail"
	contains(r.finding, "does not target all applications")
}

test_fail_app_excluded if {
	r := c.result with input as off_with([mfa({"conditions": {"applications": {"excludeApplications": [f.spo]}}})])
	r.status == "fail"
	contains(r.finding, sprintf("excludes application %s", [f.spo]))
}

test_pass_app_excluded_when_allowed if {
	inp := f.with_baseline(off_with([mfa({"conditions": {"applications": {"excludeApplications": [f.spo]}}})]), {"allowed_exclusions": {"applications": [f.spo]}})
	r := c.result with input as inp
	r.status == "pass"
}

test_fail_narrowed_platform if {
	r := c.result with input as off_with([mfa({"conditions": {"platforms": {"includePlatforms": ["android", "iOS"], "excludePlatforms": []}}})])
	r.status == "fail"
	contains(r.finding, "applies only to platforms android/iOS")
}

test_fail_platform_excluded if {
	r := c.result with input as off_with([mfa({"conditions": {"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["linux"]}}})])
	r.status == "fail"
	contains(r.finding, "excluding linux")
}

test_fail_narrowed_location if {
	r := c.result with input as off_with([mfa({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}})])
	r.status == "fail"
	contains(r.finding, "is limited by location (include All, exclude AllTrusted)")
}

test_fail_browser_only if {
	r := c.result with input as off_with([mfa({"conditions": {"clientAppTypes": ["browser"]}})])
	r.status == "fail"
	contains(r.finding, "applies only to client apps browser")
}

test_fail_sign_in_risk if {
	r := c.result with input as off_with([mfa({"conditions": {"signInRiskLevels": ["medium", "high"]}})])
	r.status == "fail"
	contains(r.finding, "applies only to signInRiskLevels medium/high")
}

test_fail_device_filter if {
	r := c.result with input as off_with([mfa({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}})])
	r.status == "fail"
	contains(r.finding, "has a device filter")
}

test_fail_no_policy_defaults_off if {
	r := c.result with input as off_with([])
	r.status == "fail"
	r.finding == "security defaults are off and no Conditional Access policy requires MFA for all users and all apps"
	r.evidence == []
}

test_fail_only_block_or_device_policies if {
	r := c.result with input as off_with([mfa({"grantControls": f.grant("OR", ["compliantDevice"])})])
	r.status == "fail"
	contains(r.finding, "no Conditional Access policy requires MFA")
}

test_fail_lists_every_relevant_policy if {
	r := c.result with input as off_with([
		mfa({"id": "a", "displayName": "A", "state": "enabledForReportingButNotEnforced"}),
		mfa({"id": "b", "displayName": "B", "conditions": {"clientAppTypes": ["browser"]}}),
	])
	r.status == "fail"
	contains(r.finding, "policy 'A' would satisfy this control but is report-only; policy 'B' applies only to client apps browser")
	r.evidence == ["a", "b"]
}

test_not_assessed_when_security_defaults_denied_and_no_qualifying_policy if {
	r := c.result with input as f.denied(off_with([mfa({"state": "enabledForReportingButNotEnforced"})]), "securityDefaults")
	r.status == "not_assessed"
	contains(r.finding, "securityDefaults was not collected (denied")
	not contains(r.finding, "conditionalAccessPolicies")
}

test_not_assessed_when_both_denied if {
	inp := f.denied(f.denied(off_with([]), "securityDefaults"), "conditionalAccessPolicies")
	r := c.result with input as inp
	r.status == "not_assessed"
	contains(r.finding, "securityDefaults was not collected")
	contains(r.finding, "conditionalAccessPolicies was not collected")
}

test_not_assessed_when_ca_denied_and_defaults_off if {
	r := c.result with input as f.denied(off_with([mfa({})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies was not collected (denied")
}

test_not_assessed_when_break_glass_unresolved if {
	r := c.result with input as f.denied(off_with([mfa({})]), "breakGlassAccounts")
	r.status == "not_assessed"
	contains(r.finding, "breakGlassAccounts was not collected (denied")
}

test_break_glass_by_object_id_needs_no_resolution if {
	inp := f.with_baseline(f.denied(off_with([mfa({})]), "breakGlassAccounts"), {"break_glass": [f.bg1, f.bg2]})
	r := c.result with input as inp
	r.status == "pass"
	r.evidence == ["mfa"]
}

test_pass_without_break_glass_named if {
	inp := object.union(
		f.denied(off_with([mfa({"conditions": {"users": {"excludeUsers": []}}})]), "breakGlassAccounts"),
		{"baseline": {"break_glass": []}},
	)
	r := c.result with input as inp
	r.status == "pass"
}

fake_gate(_) := {"status": "not_assessed", "finding": "gate", "evidence": [], "notes": []}

test_gate_result_preempts_verdict if {
	r := c.result with input as f.with_data({"securityDefaults": defaults_on}) with data.tenantgate.lib.gate as fake_gate
	r.status == "not_assessed"
	r.finding == "gate"
}

# Absent platforms / locations keys mean "no condition" (regression: they
# used to make the helpers undefined and the explanation empty).
test_pass_platforms_and_locations_keys_absent if {
	p := json.remove(mfa({}), ["conditions/platforms", "conditions/locations"])
	r := c.result with input as off_with([p])
	r.status == "pass"
}

# An account the snapshot resolved for another baseline is not an allowed
# exclusion under this one.
test_fail_exclusion_of_account_the_baseline_does_not_name if {
	p := mfa({"conditions": {"users": {"excludeUsers": [f.bg1, f.bg2]}}})
	inp := f.with_baseline(off_with([p]), {"break_glass": ["bg1@contoso.com"]})
	r := c.result with input as inp
	r.status == "fail"
	contains(r.finding, "excludes user bg2@contoso.com, which the baseline does not allow")
	not contains(r.finding, f.bg1)
}

# Security defaults collected without isEnabled are unknown, not off.
test_not_assessed_when_is_enabled_absent if {
	every sd in [{"id": "x"}, {"id": "x", "isEnabled": null}] {
		r := c.result with input as f.with_data({"securityDefaults": sd, "conditionalAccessPolicies": []})
		r.status == "not_assessed"
		r.finding == "securityDefaults holds no isEnabled value"
	}
}

test_pass_by_policy_when_is_enabled_absent if {
	r := c.result with input as f.with_data({"securityDefaults": {"id": "x"}, "conditionalAccessPolicies": [mfa({})]})
	r.status == "pass"
}

# ---- MFA authentication strength (controls.md) --------------------------------

password_only := {"id": "pw", "displayName": "Password only", "policyType": "custom", "requirementsSatisfied": "mfa", "allowedCombinations": ["password"]}

with_strength(g) := f.with_data({
	"securityDefaults": defaults_off,
	"conditionalAccessPolicies": [mfa({"grantControls": g})],
	"authenticationStrengthPolicies": array.concat(f.builtin_strengths, [password_only]),
})

test_fail_strength_allowing_password_alone if {
	r := c.result with input as with_strength(f.strength("pw", "Password only"))
	r.status == "fail"
	contains(r.finding, "grants or of [authentication strength 'Password only' (not MFA: allows password)], so MFA can be skipped")
}

test_not_assessed_unknown_strength if {
	r := c.result with input as with_strength(f.strength("ghost", "Ghost"))
	r.status == "not_assessed"
	contains(r.finding, "uses authentication strength 'Ghost', whose definition could not be read")
}

test_not_assessed_unknown_strength_when_source_denied if {
	r := c.result with input as f.denied(with_strength(f.strength("00000000-0000-0000-0000-000000000002", "Multifactor authentication")), "authenticationStrengthPolicies")
	r.status == "not_assessed"
	contains(r.finding, "authenticationStrengthPolicies was not collected")
}

# The verdict does not depend on an unknown strength AND-ed with mfa.
test_pass_unknown_strength_and_mfa if {
	g := object.union(f.grant("AND", ["mfa"]), {"authenticationStrength": {"id": "ghost", "displayName": "Ghost"}})
	r := c.result with input as with_strength(g)
	r.status == "pass"
}

test_not_assessed_unknown_strength_or_mfa if {
	g := object.union(f.grant("OR", ["mfa"]), {"authenticationStrength": {"id": "ghost", "displayName": "Ghost"}})
	r := c.result with input as with_strength(g)
	r.status == "not_assessed"
}

test_pass_security_defaults_despite_unknown_strength if {
	inp := object.union(with_strength(f.strength("ghost", "Ghost")), {"data": {"securityDefaults": defaults_on}})
	r := c.result with input as inp
	r.status == "pass"
	r.evidence == ["securityDefaults"]
}

test_fail_unknown_strength_on_a_policy_that_falls_short_anyway if {
	r := c.result with input as f.with_data({
		"securityDefaults": defaults_off,
		"conditionalAccessPolicies": [mfa({"state": "disabled", "grantControls": f.strength("ghost", "Ghost")})],
	})
	r.status == "fail"
	contains(r.finding, "is disabled")
}

# Graph's beta endpoint leaves servicePrincipalRiskLevels, insiderRiskLevels
# and authenticationFlows out when unset (issue 10's minimal case).
test_pass_beta_policy_without_unset_keys if {
	p := json.remove(mfa({}), ["conditions/servicePrincipalRiskLevels", "conditions/insiderRiskLevels", "conditions/authenticationFlows"])
	r := c.result with input as off_with([p])
	r.status == "pass"
}

# ---- licenses: the Conditional Access branch needs P1 ---------------------------

# Without Entra ID P1 a tenant's CA policies are still listed but not
# enforced (as for TG.CA.11): a policy proves nothing, security defaults do.
test_fail_policy_without_p1 if {
	inp := f.with_data({"securityDefaults": defaults_off, "subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [mfa({})]})
	r := c.result with input as inp
	r.status == "fail"
	r.finding == "security defaults are off and policy 'Require MFA' would require MFA for all users and all apps, but the tenant has no Microsoft Entra ID P1 license, without which Conditional Access policies are not enforced: turn on security defaults"
	r.evidence == ["mfa"]
}

# Without P1 the exclusions do not matter (unnamed break-glass accounts
# included): the policy is not enforced anyway.
test_fail_undecided_policy_without_p1 if {
	p := mfa({"conditions": {"users": {"excludeUsers": [f.other_user]}}})
	inp := f.with_baseline(
		f.with_data({"securityDefaults": defaults_off, "subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [p]}),
		{"break_glass": []},
	)
	r := c.result with input as inp
	r.status == "fail"
	contains(r.finding, "no Microsoft Entra ID P1 license")
}

test_not_assessed_policy_with_licenses_unknown if {
	r := c.result with input as f.denied(off_with([mfa({})]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined, so whether Conditional Access is enforced (it needs Microsoft Entra ID P1) is unknown: subscribedSkus was not collected (denied")
}

# A licence list missing keys is unknown too, never "no P1".
test_not_assessed_policy_with_licenses_incomplete if {
	inp := f.with_data({"securityDefaults": defaults_off, "subscribedSkus": [object.remove(f.sku_e3, ["capabilityStatus"])], "conditionalAccessPolicies": [mfa({})]})
	r := c.result with input as inp
	r.status == "not_assessed"
	contains(r.finding, "subscribedSkus is incomplete")
}

test_fail_without_policy_when_licenses_unknown if {
	r := c.result with input as f.denied(off_with([]), "subscribedSkus")
	r.status == "fail"
	r.finding == "security defaults are off and no Conditional Access policy requires MFA for all users and all apps"
}

test_pass_security_defaults_on_without_p1 if {
	r := c.result with input as f.with_data({"securityDefaults": defaults_on, "subscribedSkus": [f.sku_o365_e3]})
	r.status == "pass"
	r.evidence == ["securityDefaults"]
}

test_pass_policy_with_p2 if {
	r := c.result with input as f.with_data({"securityDefaults": defaults_off, "subscribedSkus": [f.sku_e5], "conditionalAccessPolicies": [mfa({})]})
	r.status == "pass"
	r.evidence == ["mfa"]
}

# A licence in its grace period still enforces the policy.
test_pass_policy_with_p1_in_grace_period if {
	sku := object.union(f.sku_e3, {"capabilityStatus": "Warning"})
	r := c.result with input as f.with_data({"securityDefaults": defaults_off, "subscribedSkus": [sku], "conditionalAccessPolicies": [mfa({})]})
	r.status == "pass"
}

test_fail_policy_with_p1_suspended if {
	sku := object.union(f.sku_e3, {"capabilityStatus": "Suspended"})
	r := c.result with input as f.with_data({"securityDefaults": defaults_off, "subscribedSkus": [sku], "conditionalAccessPolicies": [mfa({})]})
	r.status == "fail"
	contains(r.finding, "no Microsoft Entra ID P1 license")
}
