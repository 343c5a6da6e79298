# Display names of the objects findings mention: users, groups, directory
# roles, applications, named locations and Conditional Access policies, from
# whatever the snapshot holds (the optional sources collect reads for them,
# the break-glass accounts and their memberships, the policies themselves).
# A name the snapshot lacks leaves the id: findings never guess.
package tenantgate.lib.names

import data.tenantgate.lib

# One object per id (lower case): type and displayName, plus
# userPrincipalName for users. Later sources win when two hold an id.
objects := object.union_n([
	{lower(a.user.id): user_object(a.user) |
		some a in lib.arr(input.data.breakGlassAccounts)
		is_object(a.user)
		is_string(a.user.id)
	},
	{lower(g.id): {"type": membership_type(g), "displayName": g.displayName} |
		some a in lib.arr(input.data.breakGlassAccounts)
		some g in lib.list(a, "transitiveMemberOf")
		is_string(g.id)
		is_string(g.displayName)
	},
	{lower(u.id): user_object(u) | some u in lib.arr(input.data.globalAdministrators); is_string(u.id)},
	{lower(u.id): user_object(u) | some u in lib.arr(input.data.directoryUsers); is_string(u.id)},
	{lower(g.id): {"type": "group", "displayName": g.displayName} | some g in lib.arr(input.data.directoryGroups); is_string(g.id); is_string(g.displayName)},
	{lower(l.id): {"type": "namedLocation", "displayName": l.displayName} | some l in lib.arr(input.data.namedLocations); is_string(l.id); is_string(l.displayName)},
	{lower(p.id): {"type": "conditionalAccessPolicy", "displayName": p.displayName} | some p in lib.arr(input.data.conditionalAccessPolicies); is_string(p.id); is_string(p.displayName)},
])

user_object(u) := {"type": "user", "displayName": object.get(u, "displayName", ""), "userPrincipalName": object.get(u, "userPrincipalName", "")}

membership_type(g) := "role" if g["@odata.type"] == "#microsoft.graph.directoryRole"

else := "group"

# Roles are named by role template id in Conditional Access policies.
roles := object.union(
	{lower(g.roleTemplateId): g.displayName |
		some a in lib.arr(input.data.breakGlassAccounts)
		some g in lib.list(a, "transitiveMemberOf")
		is_string(g.roleTemplateId)
		is_string(g.displayName)
	},
	{lower(r.templateId): r.displayName | some r in lib.arr(input.data.roleDefinitions); is_string(r.templateId); is_string(r.displayName)},
)

# Applications are named by appId.
apps := {lower(sp.appId): sp.displayName | some sp in lib.arr(input.data.caServicePrincipals); is_string(sp.appId); is_string(sp.displayName)}

# user(id): "user 'Name' (upn)", "user upn" without a display name, or
# "user <id>" when the snapshot lacks the user.
user(id) := sprintf("user '%s' (%s)", [o.displayName, o.userPrincipalName]) if {
	o := objects[lower(id)]
	o.type == "user"
	o.displayName != ""
	o.userPrincipalName != ""
} else := sprintf("user %s", [o.userPrincipalName]) if {
	o := objects[lower(id)]
	o.type == "user"
	o.userPrincipalName != ""
} else := sprintf("user %s", [id])

# group(id): "group 'Name' (id)".
group(id) := sprintf("group '%s' (%s)", [o.displayName, id]) if {
	o := objects[lower(id)]
	o.type == "group"
} else := sprintf("group %s", [id])

role(id) := sprintf("role '%s' (%s)", [roles[lower(id)], id]) if is_string(id)

else := sprintf("role %v", [id])

app(id) := sprintf("'%s' (%s)", [apps[lower(id)], id]) if is_string(id)

else := sprintf("%v", [id])

location(id) := sprintf("'%s' (%s)", [o.displayName, id]) if {
	o := objects[lower(id)]
	o.type == "namedLocation"
} else := id

# named(ids): the objects among ids the snapshot names, for the result's
# "objects" map beside its evidence ids.
named(ids) := {id: o |
	some id in ids
	is_string(id)
	o := objects[lower(id)]
}
