# METADATA
# title: Break-glass accounts exist and every Conditional Access policy excludes them
# description: >-
#   Every policy in the talk excludes the emergency-access accounts, so a
#   mistaken or hostile policy cannot lock every administrator out.
# custom:
#   id: TG.CA.8
#   order: 8
#   severity: high
#   requires: [AAD_PREMIUM]
#   sources: [conditionalAccessPolicies, breakGlassAccounts]
#   seed: "every policy slide (Break glass account は対象外)"
#   seed_en: "every policy slide (break-glass accounts are excluded)"
#   remediation: >-
#     Keep two cloud-only emergency-access accounts, name them under
#     break_glass in the baseline, and exclude them (directly or through an
#     excluded group) from every Conditional Access policy that is not disabled.
#     Graph: PATCH /identity/conditionalAccess/policies/{id} adding the account
#     ids to conditions.users.excludeUsers (Policy.ReadWrite.ConditionalAccess);
#     tenantgate never edits existing policies itself.
package tenantgate.controls.tg_ca_8

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := lib.not_assessed("the baseline names no break-glass accounts: list their UPNs or object ids under break_glass (e.g. break_glass: [breakglass1@contoso.onmicrosoft.com]) and collect again") if {
	count(lib.arr(input.baseline.break_glass)) == 0
} else := lib.not_assessed(lib.source_problem("breakGlassAccounts")) if {
	not lib.source_ok("breakGlassAccounts")
} else := verdict

accounts := ca.break_glass_accounts

requested := {lower(a.requested) | some a in lib.arr(input.data.breakGlassAccounts); is_string(a.requested)}

# Entries of the baseline the snapshot never tried to resolve (it was
# collected with another baseline).
unresolved := [x | some x in input.baseline.break_glass; not lower(x) in requested]

absent := [a.requested | some a in accounts; not is_object(lib.get(a, "user"))]

found := [a | some a in accounts; is_object(a.user)]

# Accounts whose memberships were not collected: without them a policy that
# includes the account through a group or role cannot be seen, so the
# control must not pass.
no_memberships := [a.requested | some a in found; not is_array(object.get(a, "transitiveMemberOf", null))]

member_ids(a) := {g.id | some g in lib.list(a, "transitiveMemberOf")}

# Graph returns directory roles with only their id when the reader may not
# read roles (no RoleManagement.Read.Directory); a membership without its
# type or ids cannot be matched, so role-based inclusion cannot be seen.
unknown_memberships := [a.requested |
	some a in found
	some g in lib.list(a, "transitiveMemberOf")
	not membership_known(g)
]

membership_known(g) if {
	g["@odata.type"] == "#microsoft.graph.directoryRole"
	is_string(g.id)
	is_string(g.roleTemplateId)
}

membership_known(g) if {
	is_string(g["@odata.type"])
	g["@odata.type"] != "#microsoft.graph.directoryRole"
	is_string(g.id)
}

role_ids(a) := {g.roleTemplateId | some g in lib.list(a, "transitiveMemberOf"); g["@odata.type"] == "#microsoft.graph.directoryRole"}

could_include(p, _) if "All" in p.conditions.users.includeUsers

could_include(p, a) if a.user.id in p.conditions.users.includeUsers

could_include(p, a) if {
	some g in p.conditions.users.includeGroups
	g in member_ids(a)
}

could_include(p, a) if {
	some r in p.conditions.users.includeRoles
	r in role_ids(a)
}

excluded(p, a) if a.user.id in p.conditions.users.excludeUsers

excluded(p, a) if {
	some g in p.conditions.users.excludeGroups
	g in member_ids(a)
}

# controls.md: excluded "directly or through an excluded group it is a member
# of". An excluded role does not count: role assignments are often eligible
# (PIM) or removed, and the account is then no longer excluded.
only_role_excluded(p, a) if {
	some r in p.conditions.users.excludeRoles
	r in role_ids(a)
}

active := [p | some p in ca.policies; p.state != "disabled"]

gaps := [{"policy": p, "account": a} |
	some p in active
	some a in found
	could_include(p, a)
	not excluded(p, a)
]

# relevant are the policies that could apply to a break-glass account (the
# ones that must exclude it); problems names, per policy, the accounts it
# does not exclude. The engine reports both as the policies considered.
relevant := [p | some p in active; targets_break_glass(p)]

targets_break_glass(p) if {
	some a in found
	could_include(p, a)
}

problems[p.id] := [sprintf("does not exclude %s%s", [a.user.userPrincipalName, role_hint({"policy": p, "account": a})]) |
	some a in found
	could_include(p, a)
	not excluded(p, a)
] if some p in relevant

gap_text := concat("; ", [sprintf("policy %s (%s) does not exclude %s%s", [ca.name(g.policy), g.policy.state, g.account.user.userPrincipalName, role_hint(g)]) | some g in gaps])

role_hint(g) := " (only through an excluded role, which does not count: exclude the account or a group it is in)" if only_role_excluded(g.policy, g.account)

else := ""

verdict := lib.not_assessed(sprintf("break-glass account(s) %s were not resolved when the snapshot was collected; collect again with this baseline", [concat(", ", unresolved)])) if {
	count(unresolved) > 0
}

else := lib.not_assessed(sprintf("the group and role memberships of break-glass account(s) %s were not collected, so policies that include them through a group or role cannot be checked", [concat(", ", no_memberships)])) if {
	count(no_memberships) > 0
}

else := lib.not_assessed(sprintf("the group and role memberships of break-glass account(s) %s were read without their type or ids (the collecting identity may not read directory roles: RoleManagement.Read.Directory), so policies that include them through a role cannot be checked", [concat(", ", sort({x | some x in unknown_memberships}))])) if {
	count(unknown_memberships) > 0
	some p in active
	count(p.conditions.users.includeRoles) > 0
}

else := lib.fail(
	concat("; ", array.concat(
		[sprintf("break-glass account %s does not exist in the tenant", [x]) | some x in absent],
		[gap_text | count(gaps) > 0],
	)),
	sort({g.policy.id | some g in gaps}),
) if {
	count(absent) + count(gaps) > 0
}

else := lib.pass(
	sprintf("%s excluded from every Conditional Access policy that could apply to them (%d of the %d policies that are not disabled)", [accounts_exist, count(relevant), count(active)]),
	[a.user.id | some a in found],
)

accounts_exist := "1 break-glass account exists and is" if count(found) == 1

else := sprintf("%d break-glass accounts exist and are", [count(found)])
