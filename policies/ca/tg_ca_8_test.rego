package tenantgate.controls.tg_ca_8_test

import data.tenantgate.controls.tg_ca_8 as c
import data.tenantgate.test.fixtures as f

# pol is an enforced all-users policy; f.policy already excludes both
# break-glass accounts by object id.
pol(id, over) := f.policy(object.union(
	{"id": id, "displayName": sprintf("Policy %s", [id]), "grantControls": f.grant("OR", ["mfa"])},
	over,
))

users(over) := {"conditions": {"users": over}}

# with_accounts replaces the snapshot's resolved break-glass accounts.
with_accounts(ps, accounts) := f.with_data({"conditionalAccessPolicies": ps, "breakGlassAccounts": accounts})

bg2_missing := [
	f.bg_accounts[0],
	{"requested": "bg2@contoso.com", "user": null, "transitiveMemberOf": []},
]

# ---- not_assessed / not_licensed -------------------------------------------------

test_not_assessed_when_baseline_names_no_break_glass if {
	r := c.result with input as f.with_baseline(f.with_policies([pol("a", {})]), {"break_glass": []})
	r.status == "not_assessed"
	contains(r.finding, "the baseline names no break-glass accounts: list their UPNs or object ids under break_glass")
	r.evidence == []
}

test_not_assessed_when_baseline_break_glass_null if {
	r := c.result with input as f.with_baseline(f.with_policies([pol("a", {})]), {"break_glass": null})
	r.status == "not_assessed"
	contains(r.finding, "the baseline names no break-glass accounts")
}

test_not_assessed_when_break_glass_denied if {
	r := c.result with input as f.denied(f.with_policies([pol("a", {})]), "breakGlassAccounts")
	r.status == "not_assessed"
	contains(r.finding, "breakGlassAccounts was not collected (denied: Authorization_RequestDenied")
}

test_not_assessed_when_break_glass_denied_even_by_object_id if {
	# Group and role memberships are needed to see indirect exclusions.
	inp := f.with_baseline(f.denied(f.with_policies([pol("a", {})]), "breakGlassAccounts"), {"break_glass": [f.bg1, f.bg2]})
	r := c.result with input as inp
	r.status == "not_assessed"
	contains(r.finding, "breakGlassAccounts was not collected (denied")
}

test_not_assessed_when_baseline_entry_unresolved if {
	inp := f.with_baseline(f.with_policies([pol("a", {})]), {"break_glass": ["bg1@contoso.com", "bg2@contoso.com", "bg3@contoso.com"]})
	r := c.result with input as inp
	r.status == "not_assessed"
	r.finding == "break-glass account(s) bg3@contoso.com were not resolved when the snapshot was collected; collect again with this baseline"
}

test_resolution_is_case_insensitive if {
	inp := f.with_baseline(f.with_policies([pol("a", {})]), {"break_glass": ["BG1@contoso.com", "Bg2@Contoso.com"]})
	r := c.result with input as inp
	r.status == "pass"
}

test_not_assessed_when_policies_denied if {
	r := c.result with input as f.denied(f.with_policies([pol("a", {})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies was not collected (denied")
}

test_not_licensed_without_p1 if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [pol("a", {})]})
	r.status == "not_licensed"
	contains(r.finding, "the tenant has no Microsoft Entra ID P1 license")
}

# ---- pass ----------------------------------------------------------------------

test_pass_excluded_directly if {
	r := c.result with input as f.with_policies([pol("a", {}), pol("b", {"state": "enabledForReportingButNotEnforced"})])
	r.status == "pass"
	r.finding == "2 break-glass accounts exist and are excluded from every Conditional Access policy that could apply to them (2 of the 2 policies that are not disabled)"
	r.evidence == [f.bg1, f.bg2]
}

test_pass_no_policies if {
	r := c.result with input as f.with_policies([])
	r.status == "pass"
	contains(r.finding, "(0 of the 0 policies that are not disabled)")
}

# A policy that targets only a group the accounts are not in never applied to
# them: the pass must not claim they are excluded from it.
test_pass_counts_only_policies_that_target_them if {
	inp := f.with_policies([pol("a", {}), pol("b", users({"includeUsers": [], "includeGroups": ["other-group"], "excludeUsers": []}))])
	r := c.result with input as inp
	r.status == "pass"
	contains(r.finding, "(1 of the 2 policies that are not disabled)")
	[x.id | some x in c.relevant] == ["a"] with input as inp
	c.problems == {"a": []} with input as inp
}

test_problems_name_each_missing_exclusion if {
	r := c.result with input as f.with_policies([pol("a", users({"excludeUsers": [f.bg1]}))])
	r.status == "fail"
	c.problems.a == ["does not exclude bg2@contoso.com"] with input as f.with_policies([pol("a", users({"excludeUsers": [f.bg1]}))])
}

test_pass_excluded_through_group if {
	r := c.result with input as f.with_policies([pol("a", users({"excludeUsers": [], "excludeGroups": [f.bg_group]}))])
	r.status == "pass"
	contains(r.finding, "2 break-glass accounts exist")
}

# controls.md: excluded "directly or through an excluded group it is a member
# of"; an excluded role (often eligible only, or removed) does not count.
test_fail_excluded_only_through_role if {
	# bg1 holds Global Administrator; bg2 does not and is excluded directly.
	r := c.result with input as f.with_policies([pol("a", users({"excludeUsers": [f.bg2], "excludeRoles": [f.ga_role]}))])
	r.status == "fail"
	contains(r.finding, "policy 'Policy a' (enabled) does not exclude bg1@contoso.com (only through an excluded role, which does not count: exclude the account or a group it is in)")
	not contains(r.finding, "bg2@contoso.com")
}

# A directory role read without its roleTemplateId (the collecting identity
# may not read roles) hides inclusion through that role.
test_not_assessed_when_role_memberships_unreadable if {
	limited := [object.union(f.bg_accounts[0], {"transitiveMemberOf": [
		f.bg_accounts[0].transitiveMemberOf[0],
		{"@odata.type": "#microsoft.graph.directoryRole", "id": "r1"},
	]}), f.bg_accounts[1]]
	p := pol("a", users({"includeUsers": [], "includeRoles": [f.ga_role], "excludeUsers": []}))
	r := c.result with input as with_accounts([p], limited)
	r.status == "not_assessed"
	contains(r.finding, "break-glass account(s) bg1@contoso.com were read without their type or ids")
	# With no policy including roles, the roles do not matter.
	r2 := c.result with input as with_accounts([pol("b", {})], limited)
	r2.status == "pass"
}

# A snapshot collected with another baseline may hold accounts this baseline
# does not name: they are not checked.
test_accounts_the_baseline_does_not_name_are_ignored if {
	inp := f.with_baseline(f.with_policies([pol("a", users({"excludeUsers": [f.bg1]}))]), {"break_glass": ["bg1@contoso.com"]})
	r := c.result with input as inp
	r.status == "pass"
	contains(r.finding, "1 break-glass account exists and is excluded")
}

test_pass_disabled_policy_ignored if {
	r := c.result with input as f.with_policies([pol("a", {}), pol("off", object.union({"state": "disabled"}, users({"excludeUsers": []})))])
	r.status == "pass"
	contains(r.finding, "(1 of the 1 policies that are not disabled)")
}

test_pass_policy_for_other_users_only if {
	r := c.result with input as f.with_policies([pol("a", users({"includeUsers": [f.other_user], "includeGroups": [f.other_group], "includeRoles": ["d29b2b05-8046-44ba-8758-1e26182fcf32"], "excludeUsers": []}))])
	r.status == "pass"
}

test_pass_by_object_id_in_baseline if {
	inp := f.with_baseline(
		f.with_data({"conditionalAccessPolicies": [pol("a", {})], "breakGlassAccounts": [
			object.union(f.bg_accounts[0], {"requested": f.bg1}),
			object.union(f.bg_accounts[1], {"requested": f.bg2}),
		]}),
		{"break_glass": [f.bg1, f.bg2]},
	)
	r := c.result with input as inp
	r.status == "pass"
}

# ---- fail ----------------------------------------------------------------------

test_fail_names_policy_and_account if {
	r := c.result with input as f.with_policies([pol("a", users({"excludeUsers": [f.bg1]}))])
	r.status == "fail"
	r.finding == "policy 'Policy a' (enabled) does not exclude bg2@contoso.com"
	r.evidence == ["a"]
}

test_fail_lists_every_pair if {
	r := c.result with input as f.with_policies([
		pol("b", users({"excludeUsers": []})),
		pol("a", users({"excludeUsers": [f.bg2]})),
		pol("ok", {}),
	])
	r.status == "fail"
	contains(r.finding, "policy 'Policy b' (enabled) does not exclude bg1@contoso.com")
	contains(r.finding, "policy 'Policy b' (enabled) does not exclude bg2@contoso.com")
	contains(r.finding, "policy 'Policy a' (enabled) does not exclude bg1@contoso.com")
	not contains(r.finding, "'Policy a' (enabled) does not exclude bg2")
	not contains(r.finding, "Policy ok")
	r.evidence == ["a", "b"]
}

test_fail_report_only_policy_counts if {
	r := c.result with input as f.with_policies([pol("ro", object.union({"state": "enabledForReportingButNotEnforced"}, users({"excludeUsers": [f.bg2]})))])
	r.status == "fail"
	r.finding == "policy 'Policy ro' (enabledForReportingButNotEnforced) does not exclude bg1@contoso.com"
}

test_fail_included_directly if {
	r := c.result with input as f.with_policies([pol("a", users({"includeUsers": [f.bg1, f.other_user], "excludeUsers": []}))])
	r.status == "fail"
	r.finding == "policy 'Policy a' (enabled) does not exclude bg1@contoso.com"
}

test_fail_included_through_group if {
	r := c.result with input as f.with_policies([pol("a", users({"includeUsers": [], "includeGroups": [f.bg_group], "excludeUsers": []}))])
	r.status == "fail"
	contains(r.finding, "policy 'Policy a' (enabled) does not exclude bg1@contoso.com")
	contains(r.finding, "policy 'Policy a' (enabled) does not exclude bg2@contoso.com")
}

test_fail_included_through_role if {
	r := c.result with input as f.with_policies([pol("a", users({"includeUsers": [], "includeRoles": [f.ga_role], "excludeUsers": []}))])
	r.status == "fail"
	r.finding == "policy 'Policy a' (enabled) does not exclude bg1@contoso.com"
	r.evidence == ["a"]
}

test_fail_excluding_other_group_does_not_help if {
	r := c.result with input as f.with_policies([pol("a", users({"excludeUsers": [f.bg1], "excludeGroups": [f.other_group]}))])
	r.status == "fail"
	contains(r.finding, "does not exclude bg2@contoso.com")
}

test_fail_account_does_not_exist if {
	r := c.result with input as with_accounts([pol("a", {})], bg2_missing)
	r.status == "fail"
	r.finding == "break-glass account bg2@contoso.com does not exist in the tenant"
	r.evidence == []
}

test_fail_missing_account_and_gap if {
	r := c.result with input as with_accounts([pol("a", users({"excludeUsers": [f.bg2]}))], bg2_missing)
	r.status == "fail"
	r.finding == "break-glass account bg2@contoso.com does not exist in the tenant; policy 'Policy a' (enabled) does not exclude bg1@contoso.com"
	r.evidence == ["a"]
}

# Partial data: an account whose memberships were not collected could be
# included through a group or role, so the control must not pass.
test_not_assessed_when_memberships_missing if {
	no_groups := [f.bg_accounts[0], object.remove(f.bg_accounts[1], ["transitiveMemberOf"])]
	r := c.result with input as with_accounts([pol("a", {})], no_groups)
	r.status == "not_assessed"
	contains(r.finding, "memberships of break-glass account(s) bg2@contoso.com were not collected")
}
