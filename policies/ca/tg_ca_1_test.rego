package tenantgate.controls.tg_ca_1_test

import data.tenantgate.controls.tg_ca_1 as c
import data.tenantgate.test.fixtures as f

tp(over) := f.policy(object.union(
	{
		"id": "tp", "displayName": "Token protection",
		"conditions": {
			"applications": {"includeApplications": [f.exo, f.spo]},
			"platforms": {"includePlatforms": ["windows"], "excludePlatforms": []},
			"clientAppTypes": ["mobileAppsAndDesktopClients"],
		},
		"sessionControls": {"secureSignInSession": {"isEnabled": true}},
	},
	over,
))

test_pass_one_policy_for_both_apps if {
	r := c.result with input as f.with_policies([tp({})])
	r.status == "pass"
	r.evidence == ["tp"]
}

test_pass_two_policies_together if {
	r := c.result with input as f.with_policies([
		tp({"id": "a", "conditions": {"applications": {"includeApplications": [f.exo]}}}),
		tp({"id": "b", "conditions": {"applications": {"includeApplications": [f.spo]}}}),
	])
	r.status == "pass"
	r.evidence == ["a", "b"]
}

test_pass_platform_all_and_all_clients if {
	r := c.result with input as f.with_policies([tp({"conditions": {"platforms": {"includePlatforms": ["all"]}, "clientAppTypes": ["all"]}})])
	r.status == "pass"
}

test_pass_office365_group_covers_both if {
	r := c.result with input as f.with_policies([tp({"conditions": {"applications": {"includeApplications": ["Office365"]}}})])
	r.status == "pass"
}

test_pass_device_filter_allowed if {
	r := c.result with input as f.with_policies([tp({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.trustType -eq \"AzureAD\""}}}})])
	r.status == "pass"
	# The filter may narrow the policy: the pass names it.
	r.notes == ["policy 'Token protection' applies only to devices its device filter lets through (exclude: device.trustType -eq \"AzureAD\"); check that it drops only devices token protection does not support"]
}

test_fail_no_policy if {
	r := c.result with input as f.with_policies([])
	r.status == "fail"
	contains(r.finding, "no Conditional Access policy requires token protection")
}

test_fail_report_only_named if {
	r := c.result with input as f.with_policies([tp({"state": "enabledForReportingButNotEnforced"})])
	r.status == "fail"
	contains(r.finding, "policy 'Token protection' would satisfy this control but is report-only")
	r.evidence == ["tp"]
}

test_fail_disabled if {
	r := c.result with input as f.with_policies([tp({"state": "disabled"})])
	r.status == "fail"
	contains(r.finding, "is disabled")
}

test_fail_only_exchange if {
	r := c.result with input as f.with_policies([tp({"conditions": {"applications": {"includeApplications": [f.exo]}}})])
	r.status == "fail"
	contains(r.finding, "SharePoint Online")
	contains(r.finding, "covers only Exchange Online")
}

test_fail_extra_exclusion if {
	r := c.result with input as f.with_policies([tp({"conditions": {"users": {"excludeUsers": [f.bg1, f.bg2, f.other_user]}}})])
	r.status == "fail"
	contains(r.finding, sprintf("user %s", [f.other_user]))
}

test_fail_excluded_group_even_if_it_holds_break_glass if {
	r := c.result with input as f.with_policies([tp({"conditions": {"users": {"excludeUsers": [], "excludeGroups": [f.bg_group]}}})])
	r.status == "fail"
	contains(r.finding, "holds break-glass accounts")
}

test_pass_excluded_group_when_allowed if {
	inp := f.with_baseline(
		f.with_policies([tp({"conditions": {"users": {"excludeUsers": [], "excludeGroups": [f.bg_group]}}})]),
		{"allowed_exclusions": {"groups": [f.bg_group]}},
	)
	r := c.result with input as inp
	r.status == "pass"
}

test_fail_group_scope if {
	r := c.result with input as f.with_policies([tp({"conditions": {"users": {"includeUsers": [], "includeGroups": [f.other_group]}}})])
	r.status == "fail"
	contains(r.finding, "does not target all users")
}

test_fail_narrowed_platform if {
	r := c.result with input as f.with_policies([tp({"conditions": {"platforms": {"includePlatforms": ["iOS"]}}})])
	r.status == "fail"
	contains(r.finding, "does not apply to Windows")
}

test_fail_windows_excluded if {
	r := c.result with input as f.with_policies([tp({"conditions": {"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["windows"]}}})])
	r.status == "fail"
}

test_fail_browser_only if {
	r := c.result with input as f.with_policies([tp({"conditions": {"clientAppTypes": ["browser"]}})])
	r.status == "fail"
	contains(r.finding, "mobile apps and desktop clients")
}

test_fail_exchange_excluded if {
	r := c.result with input as f.with_policies([tp({"conditions": {"applications": {"includeApplications": ["All"], "excludeApplications": [f.exo]}}})])
	r.status == "fail"
	contains(r.finding, "Exchange Online")
}

test_fail_risk_narrowed if {
	r := c.result with input as f.with_policies([tp({"conditions": {"signInRiskLevels": ["high"]}})])
	r.status == "fail"
	contains(r.finding, "signInRiskLevels")
}

test_fail_location_narrowed if {
	r := c.result with input as f.with_policies([tp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}})])
	r.status == "fail"
	contains(r.finding, "limited by location")
}

test_fail_session_control_off if {
	r := c.result with input as f.with_policies([tp({"sessionControls": {"secureSignInSession": {"isEnabled": false}}})])
	r.status == "fail"
}

test_not_licensed_without_p1 if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [tp({})]})
	r.status == "not_licensed"
	contains(r.finding, "Microsoft Entra ID P1")
}

test_not_assessed_when_policies_denied if {
	r := c.result with input as f.denied(f.with_policies([tp({})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "Insufficient privileges")
}

test_not_assessed_when_skus_denied if {
	r := c.result with input as f.denied(f.with_policies([tp({})]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined")
}

test_not_assessed_when_break_glass_unresolved if {
	r := c.result with input as f.denied(f.with_policies([tp({})]), "breakGlassAccounts")
	r.status == "not_assessed"
}

test_break_glass_by_object_id_needs_no_resolution if {
	inp := f.with_baseline(f.denied(f.with_policies([tp({})]), "breakGlassAccounts"), {"break_glass": [f.bg1, f.bg2]})
	r := c.result with input as inp
	r.status == "pass"
}

# Report-only coverage of one app does not complete the union.
test_fail_other_app_only_report_only if {
	exo := tp({"id": "tp-exo", "displayName": "TP Exchange", "conditions": {"applications": {"includeApplications": [f.exo]}}})
	spo := tp({"id": "tp-spo", "displayName": "TP SharePoint", "state": "enabledForReportingButNotEnforced", "conditions": {"applications": {"includeApplications": [f.spo]}}})
	r := c.result with input as f.with_policies([exo, spo])
	r.status == "fail"
	contains(r.finding, "not enforced for all users of SharePoint Online")
	contains(r.finding, "policy 'TP SharePoint' would satisfy this control but is report-only")
}

test_fail_office365_excluded if {
	r := c.result with input as f.with_policies([tp({"conditions": {"applications": {"includeApplications": ["All"], "excludeApplications": ["Office365"]}}})])
	r.status == "fail"
}

test_fail_app_filter_excludes if {
	r := c.result with input as f.with_policies([tp({"conditions": {"applications": {"applicationFilter": {"mode": "exclude", "rule": "CustomSecurityAttribute.x -eq \"y\""}}}})])
	r.status == "fail"
}
