package tenantgate.starter_test

import data.tenantgate.starter
import data.tenantgate.test.fixtures as f

ga := "62e90394-69f5-4237-9190-012177145e10"

admin(id, synced) := {"id": id, "userPrincipalName": sprintf("%s@contoso.com", [id]), "displayName": id, "accountEnabled": true, "createdDateTime": "2024-01-02T03:04:05Z", "onPremisesSyncEnabled": synced}

pol(id, users) := f.policy({"id": id, "displayName": id, "conditions": {"users": object.union({"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []}, users)}})

tenant(ps, extra) := f.with_data(object.union({
	"conditionalAccessPolicies": ps,
	"globalAdministrators": [admin("bg", null), admin("forgot", null), admin("synced", true), admin("plain", null)],
	"signInActivity": [{"id": "bg", "signInActivity": {"lastSignInDateTime": "2026-08-04T01:12:09Z"}}],
	"groupMembers": [{"group": "g-bg", "members": [{"id": "bg"}]}],
}, extra))

policies := [
	pol("p1", {"excludeUsers": ["bg", "forgot", "synced"]}),
	pol("p2", {"excludeGroups": ["g-bg"], "excludeUsers": ["synced"]}),
	pol("p3", {"excludeUsers": ["bg", "synced"], "excludeRoles": [ga]}),
	object.union(pol("off", {}), {"state": "disabled"}),
]

test_candidates_are_cloud_only_admins_excluded_everywhere if {
	p := starter.proposal with input as tenant(policies, {})
	[a.id | some a in p.candidates] == ["bg"]
	p.candidates[0].excludedBy == ["p1", "p2", "p3"] # p2 through its group
	p.candidates[0].lastSignIn == "2026-08-04T01:12:09Z"
	p.candidates[0].createdDateTime == "2024-01-02T03:04:05Z"
	p.policies == 3
}

# Excluded from some policies only (p2 forgot it; an excluded role does not
# count): listed apart, with the policies that do not exclude it.
test_partly_excluded_admins_are_listed_apart if {
	p := starter.proposal with input as tenant(policies, {})
	[a.id | some a in p.partial] == ["forgot"]
	p.partial[0].notExcludedBy == ["p2", "p3"]
}

# A synced account is no break-glass account, however excluded; an admin
# excluded from nothing is no candidate.
test_synced_and_unexcluded_admins_are_not_proposed if {
	p := starter.proposal with input as tenant(policies, {})
	every a in array.concat(p.candidates, p.partial) {
		not a.id in {"synced", "plain"}
	}
}

test_policies_including_the_ga_role_or_the_user_apply if {
	ps := [
		pol("roles", {"includeUsers": [], "includeRoles": [ga], "excludeUsers": []}),
		pol("direct", {"includeUsers": ["bg"], "excludeUsers": ["bg"]}),
	]
	p := starter.proposal with input as tenant(ps, {})
	[a.id | some a in p.partial] == ["bg"]
	p.partial[0].notExcludedBy == ["roles"]
}

test_excluded_groups_with_members_and_policies if {
	p := starter.proposal with input as tenant(policies, {"directoryGroups": [{"id": "g-bg", "displayName": "BG"}]})
	p.excludedGroups == [{"id": "g-bg", "displayName": "BG", "excludedBy": ["p2"], "members": 1}]
	p2 := starter.proposal with input as tenant(policies, {"groupMembers": []})
	p2.excludedGroups == [{"id": "g-bg", "displayName": "", "excludedBy": ["p2"], "members": null}]
}

test_gaps_are_said if {
	inp := f.denied(f.denied(f.denied(tenant([pol("grp", {"includeUsers": [], "includeGroups": ["x"]})], {}), "signInActivity"), "groupMembers"), "globalAdministrators")
	p := starter.proposal with input as inp
	count(p.gaps) == 4
	p.candidates == []
	p2 := starter.proposal with input as f.denied(tenant(policies, {}), "conditionalAccessPolicies")
	some g in p2.gaps
	startswith(g, "Conditional Access policies: conditionalAccessPolicies was not collected")
}

test_licenses_come_from_the_baseline_map if {
	p := starter.proposal with input as tenant(policies, {})
	p.licenses.AAD_PREMIUM == true
}
