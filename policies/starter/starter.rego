# What `tenantgate init` proposes for a starter baseline: break-glass
# candidates, the groups Conditional Access policies already exclude, and
# the licences found. Nothing here is a verdict: an attacker's backdoor
# account looks exactly like a break-glass account (excluded from every
# policy, Global Administrator, cloud-only), so init writes every candidate
# commented out, with the facts a person needs to choose.
package tenantgate.starter

import data.tenantgate.lib
import data.tenantgate.lib.names

ga_template := "62e90394-69f5-4237-9190-012177145e10"

# Policies that are not disabled: the ones a break-glass account must be
# excluded from (as TG.CA.8 judges).
active := [p |
	some p in lib.arr(input.data.conditionalAccessPolicies)
	is_object(p)
	object.get(p, "state", "") != "disabled"
]

users_of(p) := object.get(p, ["conditions", "users"], {})

list(o, k) := lib.list(o, k)

# A policy applies to an account when it includes all users, the account, or
# the Global Administrator role (every candidate holds it). Policies that
# include only groups are not counted: the members of included groups are
# not collected, which the proposal says.
applies(p, _) if "All" in list(users_of(p), "includeUsers")

applies(p, u) if lower(u.id) in {lower(x) | some x in list(users_of(p), "includeUsers")}

applies(p, _) if ga_template in list(users_of(p), "includeRoles")

group_members[lower(gm.group)] := {lower(m.id) | some m in lib.list(gm, "members"); is_string(m.id)} if {
	some gm in lib.arr(input.data.groupMembers)
	is_string(gm.group)
}

# Excluded directly, or through an excluded group it is a member of. An
# excluded role does not count (TG.CA.8: assignments change).
excluded(p, u) if lower(u.id) in {lower(x) | some x in list(users_of(p), "excludeUsers")}

excluded(p, u) if {
	some g in list(users_of(p), "excludeGroups")
	lower(u.id) in object.get(group_members, lower(g), set())
}

sign_ins := {lower(x.id): x.signInActivity | some x in lib.arr(input.data.signInActivity); is_string(x.id)}

last_sign_in(u) := object.get(a, "lastSignInDateTime", null) if {
	a := sign_ins[lower(u.id)]
	is_object(a)
} else := null

admins := [u |
	some u in lib.arr(input.data.globalAdministrators)
	is_string(u.id)
]

account(u) := {
	"id": u.id,
	"userPrincipalName": object.get(u, "userPrincipalName", ""),
	"displayName": object.get(u, "displayName", ""),
	"accountEnabled": object.get(u, "accountEnabled", null),
	"createdDateTime": object.get(u, "createdDateTime", null),
	"lastSignIn": last_sign_in(u),
	"cloudOnly": object.get(u, "onPremisesSyncEnabled", null) != true,
	"excludedBy": [p.displayName | some p in active; applies(p, u); excluded(p, u)],
	"notExcludedBy": [p.displayName | some p in active; applies(p, u); not excluded(p, u)],
}

accounts := [account(u) | some u in admins]

# Candidates: cloud-only Global Administrators excluded from every policy
# that applies to them (and from at least one).
candidates := [a |
	some a in accounts
	a.cloudOnly
	count(a.excludedBy) > 0
	count(a.notExcludedBy) == 0
]

# Near misses: excluded from some policies only. A break-glass account that
# one policy forgot looks like this (the demo's second account does).
partial := [a |
	some a in accounts
	a.cloudOnly
	count(a.excludedBy) > 0
	count(a.notExcludedBy) > 0
]

excluded_groups := [{"id": g, "displayName": group_name(g), "excludedBy": by, "members": group_size(g)} |
	some g in sort({x | some p in active; some x in list(users_of(p), "excludeGroups")})
	by := [p.displayName | some p in active; g in list(users_of(p), "excludeGroups")]
]

group_name(g) := names.objects[lower(g)].displayName if names.objects[lower(g)].type == "group"

else := ""

group_size(g) := count(group_members[lower(g)]) if group_members[lower(g)]

else := null

# What the proposal could not see, in words.
gaps contains sprintf("Conditional Access policies: %s", [lib.source_problem("conditionalAccessPolicies")]) if not lib.source_ok("conditionalAccessPolicies")

gaps contains sprintf("Global Administrators: %s; no break-glass candidate can be proposed", [lib.source_problem("globalAdministrators")]) if not lib.source_ok("globalAdministrators")

gaps contains "last sign-ins are unknown: the sign-in activity needs AuditLog.Read.All and Microsoft Entra ID P1 or P2" if not lib.source_ok("signInActivity")

gaps contains "members of excluded groups are unknown, so exclusion through a group is not seen" if not lib.source_ok("groupMembers")

gaps contains "policies that include only specific groups were not counted (the members of included groups are not collected)" if {
	some p in active
	not "All" in list(users_of(p), "includeUsers")
	count(list(users_of(p), "includeGroups")) > 0
}

proposal := {
	"candidates": candidates,
	"partial": partial,
	"excludedGroups": excluded_groups,
	"policies": count(active),
	"licenses": licenses,
	"gaps": sort(gaps),
}

# The license map, null when the SKUs are unknown (lib.licenses undefined).
licenses := l if {
	l := lib.licenses
} else := null
