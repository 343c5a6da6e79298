# Conditional Access vocabulary from controls.md "Shared definitions":
# enforced, all users with allowed exclusions, covers app, all apps, not
# narrowed, trusted-location sanity, strong grants. Each check returns the
# list of reasons a policy falls short (empty = fine), so findings can say
# exactly why a policy that looks right does not count.
package tenantgate.lib.ca

import data.tenantgate.lib
import data.tenantgate.lib.names
import data.tenantgate.lib.shapes

# policies are the tenant's Conditional Access policies as the controls read
# them. Graph returns every key of a policy that its API version always sends
# (lists as arrays, unset conditions as null), so rules read fields
# directly: no accessor functions, which in OPA cost several times a builtin
# even when cached. Two normalisations only: a key the version leaves out
# when unset (lib/shapes.rego, from real responses) gets its unset value,
# and Graph's "grantControls": null for session-only policies becomes an
# empty OR grant. A snapshot policy that still lacks a key, or holds one
# with another type, cannot be judged (an absent exclusion list is not an
# empty one): `incomplete` names it, and the source is then not ok
# (lib.malformed), so no control reads these policies and every control that
# needs them is not_assessed.
policies := [normalize(p) | some p in lib.arr(input.data.conditionalAccessPolicies)]

# unset_keys: what an absent optional key means in the version the policies
# were read from ({} when the request names no known version: strict).
unset_keys := object.get(shapes.optional.conditionalAccessPolicy, lib.api_version("conditionalAccessPolicies"), {})

normalize(p) := with_grant(object.union(unset_keys, p)) if {
	is_object(p)
	count(unset_keys) > 0
} else := with_grant(p)

with_grant(p) := object.union(p, {"grantControls": no_grant}) if p.grantControls == null

else := p

no_grant := {"operator": "OR", "builtInControls": [], "termsOfUse": [], "customAuthenticationFactors": [], "authenticationStrength": null}

# incomplete lists each policy that lacks keys the controls read. The cheap
# complete() check runs on every policy; missing_fields only on the others.
incomplete := [sprintf("policy %s lacks %s", [label(p), concat(", ", missing_fields(p))]) |
	some p in policies
	not complete(p)
]

label(p) := sprintf("'%v'", [object.get(p, "displayName", object.get(p, "id", "(no id)"))]) if is_object(p)

else := sprintf("%v", [p])

# The keys the controls read: path, the class of JSON types Graph gives them
# (see allowed), and how an absent key reads: false, which no class allows,
# where Graph always sends the key. controls.md itself lets platforms and
# locations be absent (no such condition); inside them, as everywhere else,
# lists must be present.
fields := [
	[["id"], "string", false],
	[["displayName"], "string", false],
	[["state"], "string", false],
	[["conditions", "users", "includeUsers"], "array", false],
	[["conditions", "users", "excludeUsers"], "array", false],
	[["conditions", "users", "includeGroups"], "array", false],
	[["conditions", "users", "excludeGroups"], "array", false],
	[["conditions", "users", "includeRoles"], "array", false],
	[["conditions", "users", "excludeRoles"], "array", false],
	[["conditions", "users", "excludeGuestsOrExternalUsers"], "null_or_object", false],
	[["conditions", "applications", "includeApplications"], "array", false],
	[["conditions", "applications", "excludeApplications"], "array", false],
	[["conditions", "applications", "includeUserActions"], "array", false],
	[["conditions", "applications", "applicationFilter"], "null_or_object", false],
	[["conditions", "clientAppTypes"], "array", false],
	[["conditions", "signInRiskLevels"], "array", false],
	[["conditions", "userRiskLevels"], "array", false],
	[["conditions", "servicePrincipalRiskLevels"], "array", false],
	[["conditions", "insiderRiskLevels"], "null_or_string", false],
	[["conditions", "authenticationFlows"], "null_or_object", false],
	[["conditions", "platforms"], "null_or_object", null],
	[["conditions", "locations"], "null_or_object", null],
	[["conditions", "devices"], "null_or_object", false],
	[["grantControls"], "null_or_object", false],
	[["sessionControls"], "null_or_object", false],
]

# Keys inside the optional objects above, checked when the object is there.
inner_fields := [
	[["conditions", "applications", "applicationFilter"], "mode", "string"],
	[["conditions", "applications", "applicationFilter"], "rule", "string"],
	[["conditions", "authenticationFlows"], "transferMethods", "null_or_string"],
	[["conditions", "platforms"], "includePlatforms", "array"],
	[["conditions", "platforms"], "excludePlatforms", "array"],
	[["conditions", "locations"], "includeLocations", "array"],
	[["conditions", "locations"], "excludeLocations", "array"],
	[["conditions", "devices"], "deviceFilter", "null_or_object"],
	[["conditions", "devices", "deviceFilter"], "mode", "string"],
	[["conditions", "devices", "deviceFilter"], "rule", "string"],
	[["grantControls"], "operator", "string"],
	[["grantControls"], "builtInControls", "array"],
	[["grantControls"], "termsOfUse", "array"],
	[["grantControls"], "customAuthenticationFactors", "array"],
	[["grantControls"], "authenticationStrength", "null_or_object"],
	[["grantControls", "authenticationStrength"], "id", "string"],
]

# JSON types (type_name) each class of field allows.
allowed := {
	"array": {"array"},
	"string": {"string"},
	"null_or_object": {"null", "object"},
	"null_or_string": {"null", "string"},
}

# complete(p): the checks of fields and inner_fields written out, because
# this runs on every policy of every audit and straight-line builtins are
# about four times cheaper than iterating the tables (which missing_fields
# does, only for the policies that fail this). lib/ca_test.rego removes each
# table entry in turn to prove the two agree.
complete(p) if {
	is_string(p.id)
	is_string(p.displayName)
	is_string(p.state)
	c := p.conditions
	u := c.users
	is_array(u.includeUsers)
	is_array(u.excludeUsers)
	is_array(u.includeGroups)
	is_array(u.excludeGroups)
	is_array(u.includeRoles)
	is_array(u.excludeRoles)
	type_name(object.get(u, "excludeGuestsOrExternalUsers", false)) in {"null", "object"}
	a := c.applications
	is_array(a.includeApplications)
	is_array(a.excludeApplications)
	is_array(a.includeUserActions)
	optional_ok(object.get(a, "applicationFilter", false), {"mode": "string", "rule": "string"})
	is_array(c.clientAppTypes)
	is_array(c.signInRiskLevels)
	is_array(c.userRiskLevels)
	is_array(c.servicePrincipalRiskLevels)
	type_name(object.get(c, "insiderRiskLevels", false)) in {"null", "string"}
	optional_ok(object.get(c, "authenticationFlows", false), {"transferMethods": "null_or_string"})
	optional_ok(object.get(c, "platforms", null), {"includePlatforms": "array", "excludePlatforms": "array"})
	optional_ok(object.get(c, "locations", null), {"includeLocations": "array", "excludeLocations": "array"})
	devices_ok(object.get(c, "devices", false))
	grant_ok(object.get(p, "grantControls", false))
	type_name(object.get(p, "sessionControls", false)) in {"null", "object"}
}

# optional_ok(o, keys): o is null, or an object whose keys have their class.
optional_ok(null, _)

optional_ok(o, keys) if {
	is_object(o)
	every k, class in keys {
		type_name(object.get(o, k, false)) in allowed[class]
	}
}

devices_ok(null)

devices_ok(d) if {
	is_object(d)
	optional_ok(object.get(d, "deviceFilter", false), {"mode": "string", "rule": "string"})
}

grant_ok(null)

grant_ok(g) if {
	is_string(g.operator)
	is_array(g.builtInControls)
	is_array(g.termsOfUse)
	is_array(g.customAuthenticationFactors)
	optional_ok(object.get(g, "authenticationStrength", false), {"id": "string"})
}

missing_fields(p) := ["every key (not an object)"] if not is_object(p)

else := array.concat(
	[concat(".", path) | some [path, class, absent] in fields; not type_name(object.get(p, path, absent)) in allowed[class]],
	[concat(".", array.concat(path, [k])) |
		some [path, k, class] in inner_fields
		o := object.get(p, path, null)
		is_object(o)
		not type_name(object.get(o, k, false)) in allowed[class]
	],
)

# platforms / locations: null when absent or null (no such condition).
platforms(p) := object.get(p.conditions, "platforms", null)

locations(p) := object.get(p.conditions, "locations", null)

exo := "00000002-0000-0ff1-ce00-000000000000"

spo := "00000003-0000-0ff1-ce00-000000000000"

teams := "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe"

app_names := {exo: "Exchange Online", spo: "SharePoint Online", teams: "Microsoft Teams Services"}

# Apps the literal "Office365" app group stands for (the ones controls name).
office365_apps := {exo, spo, teams}

phishing_resistant_strength := "00000000-0000-0000-0000-000000000004"

phishing_resistant_methods := {"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"}

# Client app types a control that must cover every sign-in needs.
every_client := ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"]

name(p) := sprintf("'%s'", [p.displayName])

enforced(p) if p.state == "enabled"

# ---- state ---------------------------------------------------------------------

state_problems(p) := [] if p.state == "enabled"

else := ["is report-only"] if p.state == "enabledForReportingButNotEnforced"

else := [sprintf("is %s", [p.state])]

# ---- users ---------------------------------------------------------------------

# break_glass_accounts: the snapshot's break-glass entries the baseline names
# now. A snapshot collected with another baseline may hold other accounts,
# which must neither be allowed as exclusions nor be checked.
break_glass_accounts := [a |
	some a in lib.arr(input.data.breakGlassAccounts)
	is_string(a.requested)
	lower(a.requested) in baseline_break_glass
]

baseline_break_glass := {lower(x) | some x in lib.arr(input.baseline.break_glass); is_string(x)}

# Break-glass object ids: resolved from the snapshot, plus baseline entries
# that already are object ids.
break_glass_ids contains a.user.id if {
	some a in break_glass_accounts
	is_object(a.user)
}

break_glass_ids contains x if {
	some x in lib.arr(input.baseline.break_glass)
	lib.is_guid(x)
}

# Groups (and directory roles) the break-glass accounts are members of, by id.
break_glass_groups[g.id] := g if {
	some a in break_glass_accounts
	some g in lib.arr(a.transitiveMemberOf)
	g["@odata.type"] == "#microsoft.graph.group"
}

# allowed_for(ctl, kind): the exclusions of one kind (users, groups, roles,
# applications) that do not disqualify a policy for control ctl: the global
# allowed_exclusions (and, for users, the break-glass accounts), plus the
# control's own (`controls: ID: allowed_exclusions:`), which apply to that
# control only. Every control judging "all users, allowed exclusions" honours
# its own list, not only TG.CA.10 for which controls.md introduces it.
allowed_for(ctl, "users") := break_glass_ids | global_allowed("users") | own_allowed(ctl, "users")

allowed_for(ctl, kind) := global_allowed(kind) | own_allowed(ctl, kind) if kind != "users"

global_allowed(kind) := {x | some x in lib.arr(object.get(input.baseline, ["allowed_exclusions", kind], []))}

own_allowed(ctl, kind) := {x | some x in lib.arr(object.get(input.baseline, ["controls", ctl, "allowed_exclusions", kind], []))}

guests_allowed(_) if input.baseline.allowed_exclusions.guests_or_external_users == true

guests_allowed(ctl) if input.baseline.controls[ctl].allowed_exclusions.guests_or_external_users == true

group_label(id) := sprintf("group '%s' (%s, holds break-glass accounts: list it under allowed_exclusions.groups if it holds nothing else)", [g.displayName, id]) if {
	g := break_glass_groups[id]
} else := names.group(id)

# extra_members: the excluded users and groups the baseline does not allow
# for control ctl; extra_others: the excluded roles, and guests.
extra_members(ctl, p) := array.concat(
	[names.user(x) | some x in p.conditions.users.excludeUsers; x != all_guests; not x in allowed_for(ctl, "users")],
	[group_label(x) | some x in p.conditions.users.excludeGroups; not x in allowed_for(ctl, "groups")],
)

extra_others(ctl, p) := array.concat(
	[names.role(x) | some x in p.conditions.users.excludeRoles; not x in allowed_for(ctl, "roles")],
	guest_exclusion(ctl, p),
)

guest_exclusion(ctl, p) := ["guests and external users"] if {
	excludes_guests(p)
	not guests_allowed(ctl)
} else := []

# Guests are excluded by excludeGuestsOrExternalUsers, or by the value
# "GuestsOrExternalUsers" that excludeUsers also takes (every guest): never
# a break-glass account, so controls.md's exception does not cover it.
all_guests := "GuestsOrExternalUsers"

excludes_guests(p) if object.get(p.conditions.users, "excludeGuestsOrExternalUsers", null) != null

excludes_guests(p) if all_guests in p.conditions.users.excludeUsers

# user_problems(ctl, p): "All users, allowed exclusions" for control ctl.
user_problems(ctl, p) := array.concat(
	[x | x := "does not target all users"; not "All" in p.conditions.users.includeUsers],
	exclusion_problems(extra_members(ctl, p), extra_others(ctl, p)),
)

# controls.md "Exception": with no break-glass account named at all, excluded
# users and groups may be exactly the break-glass accounts. That shortfall is
# unknown data, not a certain one (unknown_problem): a policy with no other
# problem makes the control not_assessed, never fail (see undecided).
exclusion_problems(members, others) := [] if {
	count(members) + count(others) == 0
} else := [concat("", ["excludes ", concat(", ", members), unnamed_break_glass_suffix])] if {
	count(others) == 0
	no_break_glass
} else := [sprintf("excludes %s, which the baseline does not allow", [concat(", ", array.concat(members, others))])]

no_break_glass if count(lib.arr(input.baseline.break_glass)) == 0

unnamed_break_glass_suffix := ", which may be the break-glass accounts, but the baseline names none to check them against"

# ---- applications -----------------------------------------------------------

includes_app(p, _) if "All" in p.conditions.applications.includeApplications

includes_app(p, a) if a in p.conditions.applications.includeApplications

includes_app(p, a) if {
	"Office365" in p.conditions.applications.includeApplications
	a in office365_apps
}

excludes_app(p, a) if a in p.conditions.applications.excludeApplications

excludes_app(p, a) if {
	"Office365" in p.conditions.applications.excludeApplications
	a in office365_apps
}

# An application filter in exclude mode can drop any app by its attributes;
# coverage can then not be proven from the policy alone.
app_filter_excludes(p) if p.conditions.applications.applicationFilter.mode == "exclude"

covers_app(p, a) if {
	includes_app(p, a)
	not excludes_app(p, a)
	not app_filter_excludes(p)
}

app_problems(p, a) := [] if covers_app(p, a)

else := [sprintf("does not cover %s", [app_names[a]])]

all_apps_problems(ctl, p) := lib.flat([
	[x | x := "does not target all applications"; not "All" in p.conditions.applications.includeApplications],
	[sprintf("excludes application %s", [names.app(x)]) | some x in p.conditions.applications.excludeApplications; not x in allowed_for(ctl, "applications")],
	[sprintf("excludes applications by filter (%s)", [p.conditions.applications.applicationFilter.rule]) | app_filter_excludes(p)],
])

# ---- narrowing ("Not narrowed") ---------------------------------------------

risk_problems(p) := [sprintf("applies only to %s %s", [k, concat("/", p.conditions[k])]) |
	some k in ["signInRiskLevels", "userRiskLevels", "servicePrincipalRiskLevels"]
	count(p.conditions[k]) > 0
]

# insiderRiskLevels (a flags string) and authentication flows narrow too.
other_condition_problems(p) := array.concat(insider_problems(p), flow_problems(p))

insider_problems(p) := [sprintf("applies only to insider risk %s", [p.conditions.insiderRiskLevels]) | object.get(p.conditions, "insiderRiskLevels", null) != null]

# Only TG.CA.10, whose policies target the device code flow on purpose, does
# not count the flows condition as narrowing.
flow_problems(p) := [sprintf("applies only to authentication flows %s", [concat("/", transfer_methods(p))]) | count(transfer_methods(p)) > 0]

# transfer_methods: the flags of conditions.authenticationFlows.transferMethods
# (Graph sends one comma-joined string, "deviceCodeFlow,authenticationTransfer").
# An absent or null authenticationFlows, or a null transferMethods, is no
# flows condition: Graph beta leaves the key out when it is unset.
transfer_methods(p) := [trim_space(m) | some m in split(f, ","); trim_space(m) != ""] if {
	f := object.get(p.conditions, ["authenticationFlows", "transferMethods"], null)
	is_string(f)
} else := []

# Any device filter narrows: exclude mode drops matching devices, include
# mode drops all the others.
device_problems(p) := array.concat(device_filter_problems(p), device_state_problems(p))

device_filter_problems(p) := [sprintf("has a device filter (%s: %s)", [f.mode, f.rule])] if {
	f := p.conditions.devices.deviceFilter
	f != null
} else := []

# The deprecated device state condition (beta only: includeDeviceStates /
# excludeDeviceStates, before them includeDevices / excludeDevices; real
# beta exports still carry the keys, empty) narrows like a filter wherever
# an old policy still holds it: "All" except Compliant / DomainJoined lets
# managed devices skip the policy. Absent, null or empty keys, or an include
# of exactly ["All"], are no condition.
device_state_keys := ["includeDeviceStates", "excludeDeviceStates", "includeDevices", "excludeDevices"]

device_state_problems(p) := [sprintf("has a device state condition (%s)", [concat(", ", parts)])] if {
	d := p.conditions.devices
	is_object(d)
	parts := [sprintf("%s %s", [k, value_text(v)]) |
		some k in device_state_keys
		v := object.get(d, k, null)
		narrows_devices(k, v)
	]
	count(parts) > 0
} else := []

narrows_devices(k, v) if {
	startswith(k, "exclude")
	not v in {null, []}
}

narrows_devices(k, v) if {
	startswith(k, "include")
	not v in {null, [], ["All"]}
}

value_text(v) := concat("/", [sprintf("%v", [x]) | some x in v]) if is_array(v)

else := sprintf("%v", [v])

platform_problems(p) := [] if platforms(p) == null

else := [] if {
	"all" in p.conditions.platforms.includePlatforms
	count(p.conditions.platforms.excludePlatforms) == 0
}

else := [sprintf("applies only to platforms %s%s", [concat("/", p.conditions.platforms.includePlatforms), but_text(" excluding", p.conditions.platforms.excludePlatforms)])]

location_problems(p) := [] if locations(p) == null

else := [] if {
	p.conditions.locations.includeLocations == ["All"]
	count(p.conditions.locations.excludeLocations) == 0
}

else := [sprintf("is limited by location (include %s%s)", [concat("/", p.conditions.locations.includeLocations), but_text(", exclude", p.conditions.locations.excludeLocations)])]

# but_text(word, xs) is " <word> a/b", or "" for an empty list: a finding
# never ends in a dangling "excluding ".
but_text(word, xs) := sprintf("%s %s", [word, concat("/", xs)]) if count(xs) > 0

else := ""

# client_problems: clientAppTypes must be ["all"] or contain every named type.
client_problems(p, needed) := [] if p.conditions.clientAppTypes == ["all"]

else := [] if {
	every t in needed {
		t in p.conditions.clientAppTypes
	}
}

else := [sprintf("applies only to client apps %s (needs %s)", [concat("/", p.conditions.clientAppTypes), concat("/", needed)])]

# narrowing_problems: every narrowing except locations and client apps, which
# controls check with their own rules.
condition_narrowing(p) := lib.flat([risk_problems(p), other_condition_problems(p), device_problems(p)])

# not_narrowed_problems: the full "Not narrowed" definition for controls that
# must apply to every sign-in.
not_narrowed_problems(p) := array.concat(risk_problems(p), narrowing_besides_risk(p))

# narrowing_besides_risk: "Not narrowed" without the risk conditions, for
# TG.CA.7, whose policies are scoped by sign-in risk on purpose.
narrowing_besides_risk(p) := lib.flat([
	other_condition_problems(p), device_problems(p),
	platform_problems(p), location_problems(p), client_problems(p, every_client),
])

# ---- grants -----------------------------------------------------------------

has_strength(p) if is_object(p.grantControls.authenticationStrength)

strength_id(p) := p.grantControls.authenticationStrength.id

# Alternatives other than built-in controls that an OR grant may offer.
other_alternatives(p) := array.concat(p.grantControls.termsOfUse, p.grantControls.customAuthenticationFactors)

or_grant(p) if {
	upper(p.grantControls.operator) == "OR"
	count(p.grantControls.builtInControls) + count(p.grantControls.termsOfUse) + count(p.grantControls.customAuthenticationFactors) + count([1 | has_strength(p)]) > 1
}

# and_grant: every listed control is required (AND, or OR over a single
# control). A grant whose operator is neither AND nor OR is neither and_grant
# nor or_grant, so it satisfies no control.
and_grant(p) if upper(p.grantControls.operator) == "AND"

and_grant(p) if {
	upper(p.grantControls.operator) == "OR"
	not or_grant(p)
}

operator_problems(p) := [] if and_grant(p)

else := [] if or_grant(p)

else := [sprintf("has grant operator '%s', which is neither AND nor OR", [p.grantControls.operator])]

# strong_grant(p, allowed): with OR, every alternative is one of the allowed
# built-in controls (or an authentication strength that counts); with AND,
# at least one is. In allowed, "strength" admits an MFA authentication
# strength (controls.md "MFA authentication strength"), and
# "unknown_strength" also one whose definition the snapshot lacks: the
# controls ask both ways to tell a verdict that depends on the unknown
# strength (not_assessed) from one that does not.
strong_grant(p, allowed) if {
	and_grant(p)
	some c in p.grantControls.builtInControls
	c in allowed
}

strong_grant(p, allowed) if {
	and_grant(p)
	strength_counts(p, allowed)
}

strong_grant(p, allowed) if {
	or_grant(p)
	every c in p.grantControls.builtInControls {
		c in allowed
	}
	count(other_alternatives(p)) == 0
	strength_ok(p, allowed)
}

strength_ok(p, _) if not has_strength(p)

strength_ok(p, allowed) if strength_counts(p, allowed)

strength_counts(p, allowed) if {
	"strength" in allowed
	has_strength(p)
	strength_class(strength_id(p)) == "mfa"
}

strength_counts(p, allowed) if {
	"unknown_strength" in allowed
	has_strength(p)
	strength_class(strength_id(p)) == "unknown"
}

# mfa_grant_problems(p, allowed, shortfall): [] when the grant is strong
# enough; the unknown-strength problem when it would be with the unknown
# strength counted as MFA (the verdict depends on it); else [shortfall].
mfa_grant_problems(p, allowed, shortfall) := [] if strong_grant(p, allowed)

else := [unknown_strength(p)] if strong_grant(p, allowed | {"unknown_strength"})

else := [sprintf(shortfall, [grant_label(p)])]

grant_label(p) := sprintf("%s of [%s]", [lower(p.grantControls.operator), concat(", ", array.concat(p.grantControls.builtInControls, strength_label(p)))])

strength_label(p) := [sprintf("authentication strength '%s'%s", [strength_name(p), strength_note(p)])] if has_strength(p)

else := []

strength_name(p) := object.get(p.grantControls.authenticationStrength, "displayName", strength_id(p))

# strength_note says why a strength does not count as MFA.
strength_note(p) := sprintf(" (not MFA: allows %s)", [concat(", ", sort(single_factor_combinations(strength_id(p))))]) if {
	count(single_factor_combinations(strength_id(p))) > 0
} else := " (not MFA: allows no method)" if {
	count(strength_combinations(strength_id(p))) == 0
} else := ""

# ---- authentication strengths (controls.md "MFA authentication strength") ---

# strength_definitions: /policies/authenticationStrengthPolicies first, then
# the copy Graph embeds in each policy's grant (used when that source is
# missing or lacks the strength).
strength_definition(id) := strength_candidates(id)[0]

# Candidates in order of preference: a readable method list from the source,
# then from an embedded copy; then whatever else either holds (for
# requirementsSatisfied). Embedded copies of one strength differ between
# policies (their @odata.context names the policy), so the first is taken.
strength_candidates(id) := array.concat(
	array.concat(
		[s | some s in source_strengths; s.id == id; string_list(object.get(s, "allowedCombinations", null))],
		[e | some e in embedded_strengths; e.id == id; string_list(object.get(e, "allowedCombinations", null))],
	),
	array.concat(
		[s | some s in source_strengths; s.id == id],
		[e | some e in embedded_strengths; e.id == id],
	),
)

source_strengths := [s | some s in lib.arr(input.data.authenticationStrengthPolicies); is_object(s)]

embedded_strengths := [p.grantControls.authenticationStrength | some p in policies; has_strength(p)]

# strength_combinations(id): the strength's method combinations, undefined
# when no readable list is known. Only a list of strings (string_list) is readable.
strength_combinations(id) := strength_definition(id).allowedCombinations if string_list(object.get(strength_definition(id), "allowedCombinations", null))

string_list(cs) if {
	is_array(cs)
	every c in cs {
		is_string(c)
	}
}

methods(c) := [trim_space(m) | some m in split(c, ",")]

# Methods that are multifactor on their own, and single-factor ones.
multifactor_methods := {
	"windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush",
	"temporaryAccessPassOneTime", "temporaryAccessPassMultiUse", "federatedMultiFactor",
}

single_factor_methods := {
	"password", "sms", "voice", "email", "x509CertificateSingleFactor", "federatedSingleFactor",
	"softwareOath", "hardwareOath", "microsoftAuthenticatorPush",
}

# A combination is multifactor when it joins two or more methods, or is one
# method that is multifactor by itself.
multifactor_combination(c) if count(methods(c)) > 1

multifactor_combination(c) if methods(c)[0] in multifactor_methods

single_factor_combinations(id) := {c |
	some c in strength_combinations(id)
	count(methods(c)) == 1
	methods(c)[0] in single_factor_methods
}

# strength_class(id): "mfa" when the strength is known to satisfy MFA,
# "not_mfa" when it allows a single-factor way in (or no way at all), and
# "unknown" when the snapshot does not hold enough of its definition.
strength_class(id) := "not_mfa" if count(single_factor_combinations(id)) > 0

else := "mfa" if {
	cs := strength_combinations(id)
	count(cs) > 0
	every c in cs {
		multifactor_combination(c)
	}
}

else := "not_mfa" if count(strength_combinations(id)) == 0

else := "mfa" if strength_definition(id).requirementsSatisfied == "mfa"

else := "unknown"

unknown_strength_prefix := "uses authentication strength "

# unknown_strength(p): the problem of a policy whose strength is unknown.
unknown_strength(p) := sprintf("%s'%s', whose definition could not be read (%s)", [unknown_strength_prefix, strength_name(p), strength_source_problem])

strength_source_problem := lib.source_problem("authenticationStrengthPolicies") if not lib.source_ok("authenticationStrengthPolicies")

else := "neither the collected authenticationStrengthPolicies nor the policy hold its allowedCombinations"

# unknown_problem(x): a problem that says data is missing, not that the
# policy falls short.
unknown_problem(x) if startswith(x, unknown_strength_prefix)

unknown_problem(x) if x == unknown_trusted_locations

unknown_problem(x) if endswith(x, unnamed_break_glass_suffix)

# undecided: the policies whose only problems are missing data. A control
# with no qualifying policy is not_assessed when one of these remains: the
# policy might satisfy it.
undecided(ps, problems) := [p |
	some p in ps
	count(problems[p.id]) > 0
	every x in problems[p.id] {
		unknown_problem(x)
	}
]

undecided_finding(ps, problems) := sprintf("name your break-glass accounts in the baseline; `tenantgate init` proposes them: %s", [explain(ps, problems)]) if {
	some p in ps
	some x in problems[p.id]
	endswith(x, unnamed_break_glass_suffix)
} else := sprintf("the verdict depends on data the snapshot lacks: %s", [explain(ps, problems)])

# ---- trusted locations ------------------------------------------------------

named_locations := lib.arr(input.data.namedLocations)

ip_location := "#microsoft.graph.ipNamedLocation"

# A Global Secure Access compliant network can be marked trusted too; it is
# no IP range, so the sanity rule has nothing to count in it.
compliant_network_location := "#microsoft.graph.compliantNetworkNamedLocation"

trustable_types := {ip_location, compliant_network_location}

trusted_locations := [l |
	some l in named_locations
	l["@odata.type"] in trustable_types
	l.isTrusted == true
]

# locations_incomplete lists the named locations the trusted-location checks
# cannot judge. Graph always sends these keys; without them a trusted
# location covering everything could read as untrusted or as empty, and a
# policy excluding it would pass. lib.malformed then makes the source not ok.
locations_incomplete := [sprintf("named location %s lacks an @odata.type, id or displayName, or (an IP or compliant-network location) isTrusted, or (an IP location) an ipRanges list, or ranges with a valid cidrAddress or lowerAddress and upperAddress", [label(l)]) |
	some l in named_locations
	not location_complete(l)
]

location_complete(l) if {
	is_string(l.id)
	is_string(l.displayName)
	is_string(l["@odata.type"])
	not l["@odata.type"] in trustable_types
}

location_complete(l) if {
	is_string(l.id)
	is_string(l.displayName)
	l["@odata.type"] == compliant_network_location
	is_boolean(l.isTrusted)
}

location_complete(l) if {
	is_string(l.id)
	is_string(l.displayName)
	l["@odata.type"] == ip_location
	is_boolean(l.isTrusted)
	is_array(l.ipRanges)
	every r in l.ipRanges {
		range_valid(r)
	}
}

range_valid(r) if {
	r["@odata.type"] in {"#microsoft.graph.iPv4CidrRange", "#microsoft.graph.iPv6CidrRange"}
	is_string(r.cidrAddress)
	net.cidr_is_valid(r.cidrAddress)
}

range_valid(r) if {
	r["@odata.type"] == "#microsoft.graph.iPv4Range"
	is_string(r.lowerAddress)
	is_string(r.upperAddress)
	net.cidr_is_valid(concat("", [r.lowerAddress, "/32"]))
	net.cidr_is_valid(concat("", [r.upperAddress, "/32"]))
}

# An IPv6 range's bounds must be countable (ipv6_number): one that cannot be
# counted could hide any number of addresses.
range_valid(r) if {
	r["@odata.type"] == "#microsoft.graph.iPv6Range"
	is_string(r.lowerAddress)
	is_string(r.upperAddress)
	ipv6_number(r.lowerAddress)
	ipv6_number(r.upperAddress)
}

# ---- trusted-location sanity (controls.md) ------------------------------------

# Trusted IP locations whose ranges together cover more than 2^24 IPv4
# addresses (a /8's worth: Entra refuses a single /8, but many /9s pass) or
# more than a /32 of IPv6 make "outside trusted locations" meaningless.
# Counted over the union of the ranges of the locations a policy relies on
# (CIDRs merged, so an overlap counts once).
ipv4_limit := 16777216

ipv6_limit := bits.lsh(1, 96)

# covered(ls): how many IPv4 and IPv6 addresses the ranges of locations ls
# cover together.
covered(ls) := {"ipv4": sum(array.concat(
	[cidr_size(c) | some c in cidrs; not contains(c, ":")],
	[interval_size(ipv4_number(r.lowerAddress), ipv4_number(r.upperAddress)) | some r in rs; r["@odata.type"] == "#microsoft.graph.iPv4Range"],
)), "ipv6": sum(array.concat(
	[cidr_size(c) | some c in cidrs; contains(c, ":")],
	[interval_size(ipv6_number(r.lowerAddress), ipv6_number(r.upperAddress)) | some r in rs; r["@odata.type"] == "#microsoft.graph.iPv6Range"],
))} if {
	rs := [r | some l in ls; some r in lib.list(l, "ipRanges"); range_valid(r)]
	cidrs := net.cidr_merge([r.cidrAddress | some r in rs; is_string(r.cidrAddress)])
}

cidr_size(c) := bits.lsh(1, 128 - to_number(split(c, "/")[1])) if contains(c, ":")

else := bits.lsh(1, 32 - to_number(split(c, "/")[1]))

interval_size(lo, hi) := (hi - lo) + 1 if hi >= lo

else := 0

ipv4_number(ip) := n if {
	parts := [to_number(x) | some x in split(ip, ".")]
	n := (((parts[0] * 256) + parts[1]) * 256 + parts[2]) * 256 + parts[3]
}

# ipv6_number(ip): the address as an integer; undefined unless written as
# eight (or, with "::", fewer) groups of hex digits.
ipv6_number(ip) := sum([bits.lsh(hex_value(g), 16 * (7 - i)) | some i, g in gs]) if {
	gs := ipv6_groups(lower(ip))
	count(gs) == 8
	every g in gs {
		regex.match(`^[0-9a-f]{1,4}$`, g)
	}
}

ipv6_groups(ip) := array.concat(array.concat(head, ["0" | some k in numbers.range(1, 8); k <= (8 - count(head)) - count(tail)]), tail) if {
	parts := split(ip, "::")
	count(parts) == 2
	head := [g | some g in split(parts[0], ":"); g != ""]
	tail := [g | some g in split(parts[1], ":"); g != ""]
} else := split(ip, ":")

hex_value(g) := sum([(hex_digits[d] * bits.lsh(1, 4 * ((count(g) - 1) - i))) | some i, d in split(g, "")])

hex_digits := {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "a": 10, "b": 11, "c": 12, "d": 13, "e": 14, "f": 15}

too_wide(c) if c.ipv4 > ipv4_limit

too_wide(c) if c.ipv6 > ipv6_limit

# insane_groups(ls): the trusted locations to blame, in groups, when the
# ranges of ls together cover too much: each location that does so alone,
# else all of those holding ranges together. Empty when ls is sane.
insane_groups(ls) := [[l] | some l in ls; too_wide(covered([l]))] if {
	some l in ls
	too_wide(covered([l]))
} else := [[l | some l in ls; count(lib.list(l, "ipRanges")) > 0]] if {
	too_wide(covered(ls))
} else := []

# sanity_text(g) names the locations of a group and what they cover.
sanity_text(g) := sprintf("trusted location '%s', whose ranges cover %s", [g[0].displayName, coverage_text(covered(g))]) if {
	count(g) == 1
} else := sprintf("trusted locations %s, whose ranges together cover %s", [lib.quote_all([l.displayName | some l in g]), coverage_text(covered(g))])

coverage_text(c) := concat(" and ", array.concat(
	[sprintf("%s IPv4 addresses (more than a /8's %s)", [grouped(c.ipv4), grouped(ipv4_limit)]) | c.ipv4 > ipv4_limit],
	[sprintf("%s IPv6 addresses (more than a /32's %s)", [grouped(c.ipv6), grouped(ipv6_limit)]) | c.ipv6 > ipv6_limit],
))

# grouped(n) writes a count with thousands separators: 4,294,967,296 is read
# at a glance as "all of IPv4"; 4294967296 is not.
grouped(n) := concat(",", array.concat([substring(s, 0, head)], [substring(s, i, 3) | some i in numbers.range_step(head, count(s) - 1, 3)])) if {
	s := sprintf("%d", [n])
	count(s) > 3
	head := ((count(s) - 1) % 3) + 1
} else := sprintf("%d", [n])

range_text(r) := r.cidrAddress if is_string(r.cidrAddress)

else := sprintf("%s-%s", [r.lowerAddress, r.upperAddress])

# insane_trusted_locations: the trusted locations failing the sanity rule
# for a policy that excludes AllTrusted (as plan's templates do), with their
# ranges and the reason, for plan, which must not count such a policy as
# closing a control (the Go side reads this verdict; it does not judge
# ranges itself).
insane_trusted_locations := [{"id": l.id, "displayName": l.displayName, "ranges": [range_text(r) | some r in lib.list(l, "ipRanges")], "reason": sanity_text(g)} |
	some g in insane_groups(trusted_locations)
	some l in g
]

insane_location_problems(ls) := [sprintf("relies on %s, so \"outside trusted locations\" means nothing", [sanity_text(g)]) | some g in insane_groups(ls)]

# trusted_exclusion_problems: locations must be absent, or include All and
# exclude only trusted locations that pass the sanity rule.
trusted_exclusion_problems(p) := [] if locations(p) == null

else := [sprintf("includes locations %s instead of All", [concat("/", p.conditions.locations.includeLocations)])] if {
	p.conditions.locations.includeLocations != ["All"]
}

else := array.concat(
	[sprintf("excludes location %s, which is not a trusted location", [names.location(x)]) |
		some x in p.conditions.locations.excludeLocations
		x != "AllTrusted"
		not trusted_location_id(x)
	],
	insane_location_problems(excluded_trusted(p)),
)

trusted_location_id(x) if {
	some l in trusted_locations
	l.id == x
}

excluded_trusted(p) := trusted_locations if "AllTrusted" in p.conditions.locations.excludeLocations

else := [l |
	some l in trusted_locations
	l.id in p.conditions.locations.excludeLocations
]

# legacy_trusted_ips(p): controls.md says AllTrusted also includes the legacy
# MFA service's "trusted IPs", which Graph cannot read, and that a finding
# relying on AllTrusted says so (appended to a pass that rests on p).
legacy_trusted_ips(p) := "; AllTrusted also includes the legacy MFA service's trusted IPs, which Graph cannot read: check them (Entra admin center > Protection > Multifactor authentication > Additional cloud-based multifactor authentication settings)" if {
	"AllTrusted" in object.get(p.conditions, ["locations", "excludeLocations"], [])
} else := ""

# uses_trusted_locations: the policy's verdict depends on named locations.
uses_trusted_locations(p) if count(p.conditions.locations.excludeLocations) > 0

# ---- user actions (TG.CA.5, TG.CA.6) ----------------------------------------

action_policies(action) := [p |
	some p in policies
	action in p.conditions.applications.includeUserActions
]

# action_problems: why a policy on a user action falls short, grant aside. A
# registration outside trusted locations is one sign-in like any other, so
# the policy must not be narrowed; its locations follow TG.CA.5's rule.
action_problems(ctl, p) := lib.flat([
	state_problems(p), user_problems(ctl, p),
	condition_narrowing(p), platform_problems(p),
	client_problems(p, every_client), action_location_problems(p),
])

# Named locations are needed only to judge which locations are excluded.
# When they could not be read, a policy that excludes locations is judged on
# everything else: it makes the control not_assessed only if nothing else is
# wrong with it (see unknown_location_policies), and a certain shortfall,
# such as included locations other than All, still fails.
unknown_trusted_locations := sprintf("excludes trusted locations, which could not be checked (%s)", [lib.source_problem("namedLocations")])

action_location_problems(p) := [unknown_trusted_locations] if {
	p.conditions.locations.includeLocations == ["All"]
	uses_trusted_locations(p)
	not lib.source_ok("namedLocations")
} else := trusted_exclusion_problems(p)


# ---- finding text -----------------------------------------------------------

# explain renders "policy 'X' <reasons>" lines for policies that look
# intended for a control but fall short; report-only ones are named as such.
explain(ps, problems) := concat("; ", [line |
	some p in ps
	line := policy_line(p, problems[p.id])
])

policy_line(p, probs) := sprintf("policy %s would satisfy this control but is report-only", [name(p)]) if {
	probs == ["is report-only"]
} else := sprintf("policy %s %s", [name(p), concat(", ", probs)])

ids(ps) := [p.id | some p in ps]

names(ps) := concat(", ", [name(p) | some p in ps])
