package tenantgate.controls.tg_ca_7_test

import data.tenantgate.controls.tg_ca_7 as c
import data.tenantgate.test.fixtures as f

# rp is a policy that satisfies TG.CA.7: all users, all apps, sign-in risk
# medium and high, require MFA.
rp(over) := f.policy(object.union(
	{
		"id": "rp", "displayName": "Risky sign-ins",
		"conditions": {"signInRiskLevels": ["medium", "high"]},
		"grantControls": f.grant("OR", ["mfa"]),
		"sessionControls": {"signInFrequency": {"isEnabled": true, "frequencyInterval": "everyTime", "authenticationType": "primaryAndSecondaryAuthentication", "type": null, "value": null}},
	},
	over,
))

# e5 is a tenant with Entra ID P2.
e5(ps) := f.with_data({"subscribedSkus": [f.sku_e5], "conditionalAccessPolicies": ps})

# ---- licensing -----------------------------------------------------------------

test_not_licensed_with_e3_even_with_perfect_policy if {
	r := c.result with input as f.with_policies([rp({})])
	r.status == "not_licensed"
	r.finding == "the tenant has no Microsoft Entra ID P2 license; this control needs it"
	r.evidence == []
}

test_not_licensed_when_p2_plan_disabled if {
	sku := f.sku("SPE_E5", ["AAD_PREMIUM", "INTUNE_A"])
	p2_off := object.union(sku, {"servicePlans": array.concat(sku.servicePlans, [{"servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Disabled"}])})
	r := c.result with input as f.with_data({"subscribedSkus": [p2_off], "conditionalAccessPolicies": [rp({})]})
	r.status == "not_licensed"
	contains(r.finding, "Microsoft Entra ID P2")
}

test_not_licensed_when_e5_sku_suspended if {
	r := c.result with input as f.with_data({"subscribedSkus": [object.union(f.sku_e5, {"capabilityStatus": "Suspended"})], "conditionalAccessPolicies": [rp({})]})
	r.status == "not_licensed"
}

test_not_assessed_when_skus_denied if {
	r := c.result with input as f.denied(e5([rp({})]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined, so this control (needs Microsoft Entra ID P2) was not assessed")
	contains(r.finding, "subscribedSkus was not collected (denied")
}

test_not_assessed_when_policies_denied if {
	r := c.result with input as f.denied(e5([rp({})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies was not collected (denied: Authorization_RequestDenied")
}

test_not_assessed_when_break_glass_unresolved if {
	r := c.result with input as f.denied(e5([rp({})]), "breakGlassAccounts")
	r.status == "not_assessed"
	contains(r.finding, "breakGlassAccounts was not collected")
}

# ---- pass ----------------------------------------------------------------------

test_pass_mfa if {
	r := c.result with input as e5([rp({})])
	r.status == "pass"
	r.finding == "policy 'Risky sign-ins' makes medium- and high-risk sign-ins satisfy or of [mfa]"
	r.evidence == ["rp"]
}

test_pass_block if {
	r := c.result with input as e5([rp({"grantControls": f.grant("OR", ["block"])})])
	r.status == "pass"
	contains(r.finding, "satisfy or of [block]")
}

test_pass_authentication_strength if {
	g := f.strength("00000000-0000-0000-0000-000000000004", "Phishing-resistant MFA")
	r := c.result with input as e5([rp({"grantControls": g})])
	r.status == "pass"
	contains(r.finding, "satisfy or of [authentication strength 'Phishing-resistant MFA']")
}

test_pass_mfa_and_password_change if {
	# AND-ed with MFA, any other control only adds to it.
	r := c.result with input as e5([rp({"grantControls": f.grant("AND", ["mfa", "passwordChange"])})])
	r.status == "pass"
	contains(r.finding, "satisfy and of [mfa, passwordChange]")
}

test_pass_mfa_or_block if {
	r := c.result with input as e5([rp({"grantControls": f.grant("OR", ["mfa", "block"])})])
	r.status == "pass"
}

test_pass_low_medium_high if {
	r := c.result with input as e5([rp({"conditions": {"signInRiskLevels": ["low", "medium", "high"]}})])
	r.status == "pass"
}

test_pass_every_client_type_listed if {
	r := c.result with input as e5([rp({"conditions": {"clientAppTypes": ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"]}})])
	r.status == "pass"
}

test_pass_allowed_application_exclusion if {
	inp := f.with_baseline(
		e5([rp({"conditions": {"applications": {"excludeApplications": [f.spo]}}})]),
		{"allowed_exclusions": {"applications": [f.spo]}},
	)
	r := c.result with input as inp
	r.status == "pass"
}

test_pass_split_levels_need_one_policy_with_both if {
	r := c.result with input as e5([
		rp({"id": "h", "displayName": "High", "conditions": {"signInRiskLevels": ["high"]}}),
		rp({}),
	])
	r.status == "pass"
	r.evidence == ["rp"]
}

# ---- fail ----------------------------------------------------------------------

test_fail_no_risk_policy if {
	r := c.result with input as e5([f.policy({"grantControls": f.grant("OR", ["mfa"])})])
	r.status == "fail"
	r.finding == "no Conditional Access policy acts on sign-in risk (risky sign-ins are only logged)"
	r.evidence == []
}

test_fail_only_high if {
	r := c.result with input as e5([rp({"conditions": {"signInRiskLevels": ["high"]}})])
	r.status == "fail"
	r.finding == "policy 'Risky sign-ins' applies only to sign-in risk high (needs medium and high)"
	r.evidence == ["rp"]
}

test_fail_high_and_medium_in_separate_policies if {
	r := c.result with input as e5([
		rp({"id": "h", "displayName": "High", "conditions": {"signInRiskLevels": ["high"]}}),
		rp({"id": "m", "displayName": "Medium", "conditions": {"signInRiskLevels": ["medium"]}}),
	])
	r.status == "fail"
	contains(r.finding, "policy 'High' applies only to sign-in risk high (needs medium and high); policy 'Medium' applies only to sign-in risk medium")
	r.evidence == ["h", "m"]
}

test_fail_report_only if {
	r := c.result with input as e5([rp({"state": "enabledForReportingButNotEnforced"})])
	r.status == "fail"
	r.finding == "policy 'Risky sign-ins' would satisfy this control but is report-only"
	r.evidence == ["rp"]
}

test_fail_disabled if {
	r := c.result with input as e5([rp({"state": "disabled"})])
	r.status == "fail"
	contains(r.finding, "policy 'Risky sign-ins' is disabled")
}

test_fail_not_all_apps if {
	r := c.result with input as e5([rp({"conditions": {"applications": {"includeApplications": ["Office365"]}}})])
	r.status == "fail"
	contains(r.finding, "does not target all applications")
}

test_fail_excluded_application if {
	r := c.result with input as e5([rp({"conditions": {"applications": {"excludeApplications": [f.exo]}}})])
	r.status == "fail"
	contains(r.finding, sprintf("excludes application %s", [f.exo]))
}

test_fail_application_filter_excludes if {
	r := c.result with input as e5([rp({"conditions": {"applications": {"applicationFilter": {"mode": "exclude", "rule": "CustomSecurityAttribute.Tier -eq \"Low\""}}}})])
	r.status == "fail"
	contains(r.finding, "excludes applications by filter (CustomSecurityAttribute.Tier -eq \"Low\")")
}

test_fail_extra_exclusion if {
	r := c.result with input as e5([rp({"conditions": {"users": {"excludeRoles": [f.ga_role]}}})])
	r.status == "fail"
	contains(r.finding, sprintf("excludes role %s, which the baseline does not allow", [f.ga_role]))
}

test_fail_not_all_users if {
	r := c.result with input as e5([rp({"conditions": {"users": {"includeUsers": [], "includeRoles": [f.ga_role]}}})])
	r.status == "fail"
	contains(r.finding, "does not target all users")
}

test_fail_also_user_risk if {
	r := c.result with input as e5([rp({"conditions": {"userRiskLevels": ["high"]}})])
	r.status == "fail"
	contains(r.finding, "also requires userRiskLevels high")
}

test_fail_also_service_principal_risk if {
	r := c.result with input as e5([rp({"conditions": {"servicePrincipalRiskLevels": ["high"]}})])
	r.status == "fail"
	contains(r.finding, "also requires servicePrincipalRiskLevels high")
}

test_fail_narrowed_by_platform if {
	r := c.result with input as e5([rp({"conditions": {"platforms": {"includePlatforms": ["windows", "macOS"], "excludePlatforms": []}}})])
	r.status == "fail"
	contains(r.finding, "applies only to platforms windows/macOS")
}

test_fail_narrowed_by_location if {
	r := c.result with input as e5([rp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}})])
	r.status == "fail"
	contains(r.finding, "is limited by location (include All, exclude AllTrusted)")
}

test_pass_all_locations_without_exclusions if {
	r := c.result with input as e5([rp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": []}}})])
	r.status == "pass"
}

test_fail_narrowed_by_client_app if {
	r := c.result with input as e5([rp({"conditions": {"clientAppTypes": ["browser", "mobileAppsAndDesktopClients"]}})])
	r.status == "fail"
	contains(r.finding, "applies only to client apps browser/mobileAppsAndDesktopClients (needs browser/mobileAppsAndDesktopClients/exchangeActiveSync/other)")
}

test_fail_narrowed_by_device_filter if {
	r := c.result with input as e5([rp({"conditions": {"devices": {"deviceFilter": {"mode": "include", "rule": "device.trustType -eq \"ServerAD\""}}}})])
	r.status == "fail"
	contains(r.finding, "has a device filter (include: device.trustType -eq \"ServerAD\")")
}

test_fail_narrowed_by_insider_risk if {
	r := c.result with input as e5([rp({"conditions": {"insiderRiskLevels": "elevated"}})])
	r.status == "fail"
	contains(r.finding, "applies only to insider risk elevated")
}

test_fail_narrowed_by_authentication_flow if {
	r := c.result with input as e5([rp({"conditions": {"authenticationFlows": {"transferMethods": "deviceCodeFlow"}}})])
	r.status == "fail"
	contains(r.finding, "applies only to authentication flows deviceCodeFlow")
}

test_fail_compliant_device_only if {
	r := c.result with input as e5([rp({"grantControls": f.grant("OR", ["compliantDevice"])})])
	r.status == "fail"
	contains(r.finding, "policy 'Risky sign-ins' grants or of [compliantDevice] instead of MFA, an MFA authentication strength or block")
}

test_fail_mfa_or_compliant_device if {
	r := c.result with input as e5([rp({"grantControls": f.grant("OR", ["mfa", "compliantDevice"])})])
	r.status == "fail"
	contains(r.finding, "grants or of [mfa, compliantDevice] instead of MFA")
}

test_fail_strength_or_terms_of_use if {
	g := object.union(f.strength("00000000-0000-0000-0000-000000000002", "Multifactor authentication"), {"termsOfUse": ["tou-1"]})
	r := c.result with input as e5([rp({"grantControls": g})])
	r.status == "fail"
	contains(r.finding, "grants or of [authentication strength 'Multifactor authentication'] instead of MFA")
}

test_fail_password_change_only if {
	r := c.result with input as e5([rp({"grantControls": f.grant("OR", ["passwordChange"])})])
	r.status == "fail"
	contains(r.finding, "grants or of [passwordChange]")
}

test_fail_lists_several_reasons if {
	r := c.result with input as e5([rp({
		"state": "enabledForReportingButNotEnforced",
		"conditions": {"signInRiskLevels": ["high"]},
		"grantControls": f.grant("OR", ["compliantDevice"]),
	})])
	r.status == "fail"
	r.finding == "policy 'Risky sign-ins' is report-only, applies only to sign-in risk high (needs medium and high), grants or of [compliantDevice] instead of MFA, an MFA authentication strength or block"
}

# A risk policy with only a session control ("grantControls": null) is named
# in the finding (regression: it used to drop out).
test_fail_session_control_only if {
	r := c.result with input as e5([rp({"grantControls": null})])
	r.status == "fail"
	contains(r.finding, "policy 'Risky sign-ins' grants or of [] instead of MFA")
}

test_pass_with_e5_in_grace_period if {
	r := c.result with input as f.with_data({"subscribedSkus": [object.union(f.sku_e5, {"capabilityStatus": "Warning"})], "conditionalAccessPolicies": [rp({})]})
	r.status == "pass"
}

test_fail_strength_allowing_sms_alone if {
	sms := {"id": "sms", "displayName": "SMS", "allowedCombinations": ["sms", "fido2"]}
	inp := f.with_data({
		"subscribedSkus": [f.sku_e5],
		"conditionalAccessPolicies": [rp({"grantControls": f.strength("sms", "SMS")})],
		"authenticationStrengthPolicies": array.concat(f.builtin_strengths, [sms]),
	})
	r := c.result with input as inp
	r.status == "fail"
	contains(r.finding, "authentication strength 'SMS' (not MFA: allows sms)] instead of MFA")
}

test_not_assessed_unknown_strength if {
	r := c.result with input as e5([rp({"grantControls": f.strength("ghost", "Ghost")})])
	r.status == "not_assessed"
	contains(r.finding, "uses authentication strength 'Ghost', whose definition could not be read")
}
