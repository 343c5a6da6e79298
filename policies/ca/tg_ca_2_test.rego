package tenantgate.controls.tg_ca_2_test

import data.tenantgate.controls.tg_ca_2 as c
import data.tenantgate.test.fixtures as f

sif(over) := f.policy(object.union(
	{
		"id": "owa", "displayName": "OWA 1h",
		"conditions": {"applications": {"includeApplications": [f.exo]}, "clientAppTypes": ["browser"]},
		"sessionControls": {"signInFrequency": {"isEnabled": true, "value": 1, "type": "hours", "frequencyInterval": "timeBased", "authenticationType": "primaryAndSecondaryAuthentication"}},
	},
	over,
))

test_pass_one_hour if {
	r := c.result with input as f.with_policies([sif({})])
	r.status == "pass"
	r.evidence == ["owa"]
}

test_pass_every_time if {
	r := c.result with input as f.with_policies([sif({"sessionControls": {"signInFrequency": {"frequencyInterval": "everyTime", "type": null, "value": null}}})])
	r.status == "pass"
}

test_pass_all_apps_all_clients if {
	r := c.result with input as f.with_policies([sif({"conditions": {"applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]}})])
	r.status == "pass"
}

test_pass_office365_group if {
	r := c.result with input as f.with_policies([sif({"conditions": {"applications": {"includeApplications": ["Office365"]}}})])
	r.status == "pass"
}

test_pass_larger_baseline_limit if {
	inp := f.with_baseline(
		f.with_policies([sif({"sessionControls": {"signInFrequency": {"value": 4}}})]),
		{"parameters": {"max_sign_in_frequency_hours": 4}},
	)
	r := c.result with input as inp
	r.status == "pass"
}

test_fail_four_hours_names_values if {
	r := c.result with input as f.with_policies([sif({"displayName": "OWA 4h", "sessionControls": {"signInFrequency": {"value": 4}}})])
	r.status == "fail"
	r.finding == "policy 'OWA 4h' re-authenticates every 4 hours; the baseline allows at most 1"
	r.evidence == ["owa"]
}

test_fail_one_day if {
	r := c.result with input as f.with_policies([sif({"sessionControls": {"signInFrequency": {"value": 1, "type": "days"}}})])
	r.status == "fail"
	contains(r.finding, "every 1 days")
}

test_fail_no_interval if {
	r := c.result with input as f.with_policies([sif({"sessionControls": {"signInFrequency": {"value": null, "type": null, "frequencyInterval": "timeBased"}}})])
	r.status == "fail"
	contains(r.finding, "without a usable interval")
}

# 0 or a negative number is no interval (Graph never sends one): it must not
# read as "at most 1 hour".
test_fail_zero_or_negative_interval if {
	every v in [[0, "hours"], [-5, "days"]] {
		p := sif({"sessionControls": {"signInFrequency": {"value": v[0], "type": v[1], "frequencyInterval": "timeBased"}}})
		r := c.result with input as f.with_policies([p])
		r.status == "fail"
		contains(r.finding, "without a usable interval")
	}
}

test_pass_days_within_limit if {
	inp := f.with_baseline(f.with_policies([sif({"sessionControls": {"signInFrequency": {"value": 1, "type": "days"}}})]), {"parameters": {"max_sign_in_frequency_hours": 24}})
	r := c.result with input as inp
	r.status == "pass"
}

test_fail_report_only if {
	r := c.result with input as f.with_policies([sif({"state": "enabledForReportingButNotEnforced"})])
	r.status == "fail"
	contains(r.finding, "would satisfy this control but is report-only")
}

test_fail_desktop_clients_only if {
	r := c.result with input as f.with_policies([sif({"conditions": {"clientAppTypes": ["mobileAppsAndDesktopClients"]}})])
	r.status == "fail"
	contains(r.finding, "applies only to client apps mobileAppsAndDesktopClients")
}

test_fail_exchange_excluded if {
	r := c.result with input as f.with_policies([sif({"conditions": {"applications": {"includeApplications": ["All"], "excludeApplications": ["Office365"]}}})])
	r.status == "fail"
}

test_fail_sharepoint_only_is_not_relevant if {
	r := c.result with input as f.with_policies([sif({"conditions": {"applications": {"includeApplications": [f.spo]}}})])
	r.status == "fail"
	contains(r.finding, "no Conditional Access policy limits Exchange Online browser sessions")
}

test_fail_extra_exclusion_and_guests if {
	r := c.result with input as f.with_policies([sif({"conditions": {"users": {"excludeGroups": [f.other_group], "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest"}}}})])
	r.status == "fail"
	contains(r.finding, sprintf("group %s", [f.other_group]))
	contains(r.finding, "guests and external users")
}

test_pass_guest_exclusion_when_allowed if {
	inp := f.with_baseline(
		f.with_policies([sif({"conditions": {"users": {"excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest"}}}})]),
		{"allowed_exclusions": {"guests_or_external_users": true}},
	)
	r := c.result with input as inp
	r.status == "pass"
}

test_fail_narrowed_by_platform if {
	r := c.result with input as f.with_policies([sif({"conditions": {"platforms": {"includePlatforms": ["windows"], "excludePlatforms": []}}})])
	r.status == "fail"
	contains(r.finding, "applies only to platforms windows")
}

test_fail_narrowed_by_location if {
	r := c.result with input as f.with_policies([sif({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}})])
	r.status == "fail"
}

test_fail_narrowed_by_device_filter if {
	r := c.result with input as f.with_policies([sif({"conditions": {"devices": {"deviceFilter": {"mode": "include", "rule": "device.isCompliant -ne True"}}}})])
	r.status == "fail"
	contains(r.finding, "device filter")
}

test_fail_narrowed_by_insider_risk_and_flows if {
	r := c.result with input as f.with_policies([sif({"conditions": {"insiderRiskLevels": "elevated", "authenticationFlows": {"transferMethods": "deviceCodeFlow"}}})])
	r.status == "fail"
	contains(r.finding, "insider risk elevated")
	contains(r.finding, "authentication flows deviceCodeFlow")
}

test_fail_no_policy if {
	r := c.result with input as f.with_policies([])
	r.status == "fail"
	r.evidence == []
}

test_not_licensed if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku_o365_e3]})
	r.status == "not_licensed"
}

test_not_assessed_denied if {
	r := c.result with input as f.denied(f.with_policies([sif({})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
}

test_fail_frequency_disabled_or_unknown_type if {
	off := sif({"sessionControls": {"signInFrequency": {"isEnabled": false}}})
	r1 := c.result with input as f.with_policies([off])
	r1.status == "fail"
	weeks := sif({"sessionControls": {"signInFrequency": {"value": 1, "type": "weeks"}}})
	r2 := c.result with input as f.with_policies([weeks])
	r2.status == "fail"
	contains(r2.finding, "without a usable interval")
}
