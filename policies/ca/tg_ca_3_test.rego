package tenantgate.controls.tg_ca_3_test

import data.tenantgate.controls.tg_ca_3 as c
import data.tenantgate.test.fixtures as f

dev(over) := f.policy(object.union({"id": "dev", "displayName": "Compliant device", "grantControls": f.grant("OR", ["compliantDevice", "domainJoinedDevice"])}, over))

test_pass_compliant_or_hybrid if {
	r := c.result with input as f.with_policies([dev({})])
	r.status == "pass"
	r.evidence == ["dev"]
}

test_pass_compliant_alone if {
	r := c.result with input as f.with_policies([dev({"grantControls": f.grant("OR", ["compliantDevice"])})])
	r.status == "pass"
}

test_pass_and_with_mfa if {
	r := c.result with input as f.with_policies([dev({"grantControls": f.grant("AND", ["mfa", "compliantDevice"])})])
	r.status == "pass"
}

test_pass_directory_sync_role_allowed_by_baseline if {
	inp := f.with_baseline(
		f.with_policies([dev({"conditions": {"users": {"excludeRoles": ["d29b2b05-8046-44ba-8758-1e26182fcf32"]}}})]),
		{"allowed_exclusions": {"roles": ["d29b2b05-8046-44ba-8758-1e26182fcf32"]}},
	)
	r := c.result with input as inp
	r.status == "pass"
}

test_fail_or_with_mfa if {
	r := c.result with input as f.with_policies([dev({"grantControls": f.grant("OR", ["mfa", "compliantDevice"])})])
	r.status == "fail"
	contains(r.finding, "so a sign-in can skip the device requirement")
}

test_fail_or_with_approved_app if {
	r := c.result with input as f.with_policies([dev({"grantControls": f.grant("OR", ["compliantDevice", "approvedApplication"])})])
	r.status == "fail"
}

test_fail_report_only if {
	r := c.result with input as f.with_policies([dev({"state": "enabledForReportingButNotEnforced"})])
	r.status == "fail"
	r.finding == "policy 'Compliant device' would satisfy this control but is report-only"
}

test_fail_role_exclusion_not_allowed if {
	r := c.result with input as f.with_policies([dev({"conditions": {"users": {"excludeRoles": [f.ga_role]}}})])
	r.status == "fail"
	contains(r.finding, sprintf("role %s", [f.ga_role]))
}

test_fail_not_all_apps if {
	r := c.result with input as f.with_policies([dev({"conditions": {"applications": {"includeApplications": ["Office365"]}}})])
	r.status == "fail"
	contains(r.finding, "does not target all applications")
}

test_fail_excluded_app if {
	r := c.result with input as f.with_policies([dev({"conditions": {"applications": {"excludeApplications": [f.spo]}}})])
	r.status == "fail"
	contains(r.finding, sprintf("excludes application %s", [f.spo]))
}

test_pass_excluded_app_allowed if {
	inp := f.with_baseline(
		f.with_policies([dev({"conditions": {"applications": {"excludeApplications": ["d4ebce55-015a-49b5-a083-c84d1797ae8c"]}}})]),
		{"allowed_exclusions": {"applications": ["d4ebce55-015a-49b5-a083-c84d1797ae8c"]}},
	)
	r := c.result with input as inp
	r.status == "pass"
}

test_fail_app_filter_exclude if {
	r := c.result with input as f.with_policies([dev({"conditions": {"applications": {"applicationFilter": {"mode": "exclude", "rule": "CustomSecurityAttribute.x -eq \"y\""}}}})])
	r.status == "fail"
	contains(r.finding, "excludes applications by filter")
}

test_fail_client_apps_narrowed if {
	r := c.result with input as f.with_policies([dev({"conditions": {"clientAppTypes": ["browser", "mobileAppsAndDesktopClients"]}})])
	r.status == "fail"
	contains(r.finding, "applies only to client apps")
}

test_pass_every_client_type_listed if {
	r := c.result with input as f.with_policies([dev({"conditions": {"clientAppTypes": ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"]}})])
	r.status == "pass"
}

test_fail_platform_narrowed if {
	r := c.result with input as f.with_policies([dev({"conditions": {"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS", "android"]}}})])
	r.status == "fail"
	contains(r.finding, "excluding iOS/android")
}

test_fail_location_narrowed if {
	r := c.result with input as f.with_policies([dev({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}})])
	r.status == "fail"
	contains(r.finding, "limited by location")
}

test_fail_user_risk_narrowed if {
	r := c.result with input as f.with_policies([dev({"conditions": {"userRiskLevels": ["high"]}})])
	r.status == "fail"
	contains(r.finding, "userRiskLevels high")
}

test_not_licensed_without_intune if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku("AAD_PREMIUM", ["AAD_PREMIUM"])], "conditionalAccessPolicies": [dev({})]})
	r.status == "not_licensed"
	contains(r.finding, "Microsoft Intune Plan 1")
}

test_fail_no_policy if {
	r := c.result with input as f.with_policies([f.policy({"grantControls": f.grant("OR", ["mfa"])})])
	r.status == "fail"
	contains(r.finding, "no Conditional Access policy requires a compliant or hybrid-joined device")
}
