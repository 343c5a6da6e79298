package tenantgate.controls.tg_app_2_test

import data.tenantgate.controls.tg_app_2 as c
import data.tenantgate.test.fixtures as f

with_assigned(list) := f.with_data({"authorizationPolicy": {
	"id": "authorizationPolicy",
	"defaultUserRolePermissions": {"allowedToCreateApps": false, "permissionGrantPoliciesAssigned": list},
}})

allow(inp, ids) := f.with_baseline(inp, {"parameters": {"allowed_user_consent_policies": ids}})

test_pass_empty_list if {
	r := c.result with input as with_assigned([])
	r.status == "pass"
	contains(r.finding, "users cannot consent to applications")
	r.evidence == ["authorizationPolicy"]
	r.notes == []
}

test_pass_owned_resource_entries_ignored if {
	r := c.result with input as with_assigned([
		"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team",
		"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat",
	])
	r.status == "pass"
	contains(r.finding, "no ManagePermissionGrantsForSelf policy is assigned")
	r.notes == []
}

test_fail_legacy if {
	r := c.result with input as with_assigned(["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"])
	r.status == "fail"
	contains(r.finding, "users can consent to applications under 'microsoft-user-default-legacy'")
	r.evidence == ["authorizationPolicy"]
}

test_fail_lower_case_prefix if {
	r := c.result with input as with_assigned(["managePermissionGrantsForSelf.microsoft-user-default-low"])
	r.status == "fail"
	contains(r.finding, "'microsoft-user-default-low'")
}

test_fail_recommended_with_default_baseline if {
	r := c.result with input as with_assigned([
		"ManagePermissionGrantsForSelf.microsoft-user-default-recommended",
		"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team",
	])
	r.status == "fail"
	contains(r.finding, "'microsoft-user-default-recommended'")
	not contains(r.finding, "dynamically-managed")
}

test_fail_names_every_offending_policy if {
	r := c.result with input as with_assigned([
		"ManagePermissionGrantsForSelf.microsoft-user-default-recommended",
		"ManagePermissionGrantsForSelf.microsoft-user-default-allow-consent-apps",
	])
	r.status == "fail"
	contains(r.finding, "'microsoft-user-default-recommended', 'microsoft-user-default-allow-consent-apps'")
}

test_pass_with_note_when_baseline_allows if {
	r := c.result with input as allow(with_assigned(["ManagePermissionGrantsForSelf.microsoft-user-default-low"]), ["microsoft-user-default-low"])
	r.status == "pass"
	contains(r.finding, "limited to policies the baseline allows")
	r.notes == ["tolerated by allowed_user_consent_policies: 'microsoft-user-default-low'"]
}

test_pass_allowed_list_compared_case_insensitively if {
	r := c.result with input as allow(with_assigned(["managePermissionGrantsForSelf.Microsoft-User-Default-Low"]), ["microsoft-user-default-LOW"])
	r.status == "pass"
	count(r.notes) == 1
}

test_fail_when_one_allowed_and_one_not if {
	r := c.result with input as allow(
		with_assigned([
			"ManagePermissionGrantsForSelf.microsoft-user-default-low",
			"ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
		]),
		["microsoft-user-default-low"],
	)
	r.status == "fail"
	contains(r.finding, "'microsoft-user-default-legacy'")
	not contains(r.finding, "microsoft-user-default-low")
}

test_pass_allowed_parameter_absent_means_nothing_tolerated if {
	inp := with_assigned(["ManagePermissionGrantsForSelf.microsoft-user-default-low"])
	r := c.result with input as object.union(inp, {"baseline": {"parameters": {"allowed_user_consent_policies": null}}})
	r.status == "fail"
}

test_not_assessed_when_list_missing if {
	r := c.result with input as f.with_data({"authorizationPolicy": {"id": "authorizationPolicy", "defaultUserRolePermissions": {"allowedToCreateApps": false}}})
	r.status == "not_assessed"
	contains(r.finding, "no defaultUserRolePermissions.permissionGrantPoliciesAssigned list")
}

test_not_assessed_when_list_null if {
	r := c.result with input as with_assigned(null)
	r.status == "not_assessed"
}

test_not_assessed_when_denied if {
	r := c.result with input as f.denied(with_assigned([]), "authorizationPolicy")
	r.status == "not_assessed"
	contains(r.finding, "authorizationPolicy was not collected (denied")
}

# Entries that are not policy names cannot be judged.
test_not_assessed_when_entries_are_not_strings if {
	r := c.result with input as with_assigned([null, 5, {}])
	r.status == "not_assessed"
	contains(r.finding, "permissionGrantPoliciesAssigned list of policy names")
}
