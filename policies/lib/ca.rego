# Conditional Access vocabulary from controls.md "Shared definitions":
# enforced, all users with allowed exclusions, covers app, all apps, not
# narrowed, trusted-location sanity, strong grants. Each check returns the
# list of reasons a policy falls short (empty = fine), so findings can say
# exactly why a policy that looks right does not count.
package tenantgate.lib.ca

import data.tenantgate.lib

# policies are the tenant's Conditional Access policies as the controls read
# them: Graph's shape, with every list the rules consult an array ([] when
# absent or null), conditions.users / conditions.applications / grantControls
# objects ({} when absent), and conditions.platforms / conditions.locations
# either null (no such condition: not narrowed) or an object with its lists.
# Normalising once per policy lets every rule use plain references instead of
# accessor functions: in OPA a function call, even a cached one, costs several
# times a builtin, and accessor calls were a third of an audit's evaluation.
policies := [normalize(p) | some p in lib.arr(input.data.conditionalAccessPolicies)]

# normalize has a fast path for Graph's own shape, where every list is an
# array and only grantControls may be null (session-only policies): one deep
# union fills absent keys, and the checks prove nothing else needs fixing.
# Anything else (null lists, null or non-object containers) takes the full
# normalisation; lib/ca_test.rego checks both paths agree.
normalize(p) := q if {
	q := object.union(policy_defaults, object.remove(p, [k | k := "grantControls"; p[k] == null]))
	is_array(q.conditions.users.includeUsers)
	is_array(q.conditions.users.excludeUsers)
	is_array(q.conditions.users.includeGroups)
	is_array(q.conditions.users.excludeGroups)
	is_array(q.conditions.users.includeRoles)
	is_array(q.conditions.users.excludeRoles)
	is_array(q.conditions.applications.includeApplications)
	is_array(q.conditions.applications.excludeApplications)
	is_array(q.conditions.applications.includeUserActions)
	is_array(q.conditions.clientAppTypes)
	is_array(q.conditions.signInRiskLevels)
	is_array(q.conditions.userRiskLevels)
	is_array(q.conditions.servicePrincipalRiskLevels)
	is_array(q.grantControls.builtInControls)
	is_array(q.grantControls.termsOfUse)
	is_array(q.grantControls.customAuthenticationFactors)
	is_string(q.grantControls.operator)
	optional_ok(q.conditions.platforms, "includePlatforms", "excludePlatforms")
	optional_ok(q.conditions.locations, "includeLocations", "excludeLocations")
} else := full_normalize(p)

policy_defaults := {
	"conditions": {
		"users": {k: [] | some k in user_lists},
		"applications": {k: [] | some k in app_lists},
		"clientAppTypes": [],
		"signInRiskLevels": [],
		"userRiskLevels": [],
		"servicePrincipalRiskLevels": [],
		"platforms": null,
		"locations": null,
	},
	"grantControls": object.union({k: [] | some k in grant_lists}, {"operator": "OR"}),
}

optional_ok(null, _, _)

optional_ok(o, a, b) if {
	is_array(o[a])
	is_array(o[b])
}

full_normalize(p) := object.union(p, {"conditions": conditions, "grantControls": grant}) if {
	c := object_at(p, "conditions")
	u := object_at(c, "users")
	a := object_at(c, "applications")
	g := object_at(p, "grantControls")
	conditions := object.union(c, object.union({k: [] | some k in condition_lists; not is_array(object.get(c, k, null))}, {
		"users": object.union(u, {k: [] | some k in user_lists; not is_array(object.get(u, k, null))}),
		"applications": object.union(a, {k: [] | some k in app_lists; not is_array(object.get(a, k, null))}),
		"platforms": optional_condition(c, "platforms", ["includePlatforms", "excludePlatforms"]),
		"locations": optional_condition(c, "locations", ["includeLocations", "excludeLocations"]),
	}))
	grant := object.union(g, object.union({k: [] | some k in grant_lists; not is_array(object.get(g, k, null))}, {"operator": operator(g)}))
}

condition_lists := ["clientAppTypes", "signInRiskLevels", "userRiskLevels", "servicePrincipalRiskLevels"]

user_lists := ["includeUsers", "excludeUsers", "includeGroups", "excludeGroups", "includeRoles", "excludeRoles"]

app_lists := ["includeApplications", "excludeApplications", "includeUserActions"]

grant_lists := ["builtInControls", "termsOfUse", "customAuthenticationFactors"]

object_at(o, k) := v if {
	v := o[k]
	is_object(v)
} else := {}

# An absent or null platforms / locations condition does not narrow; any
# other value is a condition (a malformed one with empty lists).
optional_condition(c, k, lists) := null if object.get(c, k, null) == null

else := object.union(o, {l: [] | some l in lists; not is_array(object.get(o, l, null))}) if {
	o := object_at(c, k)
}

operator(g) := o if {
	o := g.operator
	is_string(o)
} else := "OR"

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

# Break-glass object ids: resolved from the snapshot, plus baseline entries
# that already are object ids.
break_glass_ids contains a.user.id if {
	some a in lib.arr(input.data.breakGlassAccounts)
	is_object(a.user)
}

break_glass_ids contains x if {
	some x in lib.arr(input.baseline.break_glass)
	lib.is_guid(x)
}

# Groups (and directory roles) the break-glass accounts are members of, by id.
break_glass_groups[g.id] := g if {
	some a in lib.arr(input.data.breakGlassAccounts)
	some g in lib.arr(a.transitiveMemberOf)
	g["@odata.type"] == "#microsoft.graph.group"
}

allowed_users := break_glass_ids | {x | some x in lib.arr(input.baseline.allowed_exclusions.users)}

allowed_groups := {x | some x in lib.arr(input.baseline.allowed_exclusions.groups)}

allowed_roles := {x | some x in lib.arr(input.baseline.allowed_exclusions.roles)}

allowed_apps := {x | some x in lib.arr(input.baseline.allowed_exclusions.applications)}

group_label(id) := sprintf("group '%s' (%s, holds break-glass accounts: list it under allowed_exclusions.groups if it holds nothing else)", [g.displayName, id]) if {
	g := break_glass_groups[id]
} else := sprintf("group %s", [id])

# extra_exclusions lists every exclusion the baseline does not allow.
extra_exclusions(p) := array.concat(
	array.concat(
		[sprintf("user %s", [x]) | some x in p.conditions.users.excludeUsers; not x in allowed_users],
		[group_label(x) | some x in p.conditions.users.excludeGroups; not x in allowed_groups],
	),
	array.concat(
		[sprintf("role %s", [x]) | some x in p.conditions.users.excludeRoles; not x in allowed_roles],
		guest_exclusion(p),
	),
)

guest_exclusion(p) := ["guests and external users"] if {
	object.get(p.conditions.users, "excludeGuestsOrExternalUsers", null) != null
	not input.baseline.allowed_exclusions.guests_or_external_users
} else := []

user_problems(p) := array.concat(include_problem, exclusion_problem) if {
	include_problem := [x | x := "does not target all users"; not "All" in p.conditions.users.includeUsers]
	extra := extra_exclusions(p)
	exclusion_problem := [sprintf("excludes %s, which the baseline does not allow", [concat(", ", extra)]) | count(extra) > 0]
}

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

all_apps_problems(p) := array.concat(
	[x | x := "does not target all applications"; not "All" in p.conditions.applications.includeApplications],
	array.concat(
		[sprintf("excludes application %s", [x]) | some x in p.conditions.applications.excludeApplications; not x in allowed_apps],
		[sprintf("excludes applications by filter (%s)", [p.conditions.applications.applicationFilter.rule]) | app_filter_excludes(p)],
	),
)

# ---- narrowing ("Not narrowed") ---------------------------------------------

risk_problems(p) := [sprintf("applies only to %s %s", [k, concat("/", p.conditions[k])]) |
	some k in ["signInRiskLevels", "userRiskLevels", "servicePrincipalRiskLevels"]
	count(p.conditions[k]) > 0
]

# insiderRiskLevels (a flags string) and authentication flows narrow too.
other_condition_problems(p) := array.concat(
	[sprintf("applies only to insider risk %s", [p.conditions.insiderRiskLevels]) | object.get(p.conditions, "insiderRiskLevels", null) != null],
	[sprintf("applies only to authentication flows %s", [p.conditions.authenticationFlows.transferMethods]) | object.get(p.conditions, ["authenticationFlows", "transferMethods"], null) != null],
)

# Any device filter narrows: exclude mode drops matching devices, include
# mode drops all the others.
device_problems(p) := [sprintf("has a device filter (%s: %s)", [f.mode, f.rule])] if {
	f := p.conditions.devices.deviceFilter
	f != null
} else := []

platform_problems(p) := [] if p.conditions.platforms == null

else := [] if {
	"all" in p.conditions.platforms.includePlatforms
	count(p.conditions.platforms.excludePlatforms) == 0
}

else := [sprintf("applies only to platforms %s excluding %s", [concat("/", p.conditions.platforms.includePlatforms), concat("/", p.conditions.platforms.excludePlatforms)])]

location_problems(p) := [] if p.conditions.locations == null

else := [] if {
	p.conditions.locations.includeLocations == ["All"]
	count(p.conditions.locations.excludeLocations) == 0
}

else := [sprintf("is limited by location (include %s, exclude %s)", [concat("/", p.conditions.locations.includeLocations), concat("/", p.conditions.locations.excludeLocations)])]

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
condition_narrowing(p) := array.concat(array.concat(risk_problems(p), other_condition_problems(p)), device_problems(p))

# not_narrowed_problems: the full "Not narrowed" definition for controls that
# must apply to every sign-in.
not_narrowed_problems(p) := array.concat(
	array.concat(condition_narrowing(p), platform_problems(p)),
	array.concat(location_problems(p), client_problems(p, every_client)),
)

# ---- grants -----------------------------------------------------------------

has_strength(p) if is_object(p.grantControls.authenticationStrength)

strength_id(p) := p.grantControls.authenticationStrength.id

# Alternatives other than built-in controls that an OR grant may offer.
other_alternatives(p) := array.concat(p.grantControls.termsOfUse, p.grantControls.customAuthenticationFactors)

or_grant(p) if {
	upper(p.grantControls.operator) == "OR"
	count(p.grantControls.builtInControls) + count(p.grantControls.termsOfUse) + count(p.grantControls.customAuthenticationFactors) + count([1 | has_strength(p)]) > 1
}

# strong_grant(p, allowed): with OR, every alternative is one of the allowed
# built-in controls (or an authentication strength when "strength" is
# allowed); with AND, at least one is.
strong_grant(p, allowed) if {
	not or_grant(p)
	some c in p.grantControls.builtInControls
	c in allowed
}

strong_grant(p, allowed) if {
	not or_grant(p)
	"strength" in allowed
	has_strength(p)
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

strength_ok(_, allowed) if "strength" in allowed

grant_label(p) := sprintf("%s of [%s]", [lower(p.grantControls.operator), concat(", ", array.concat(p.grantControls.builtInControls, strength_label(p)))])

strength_label(p) := [sprintf("authentication strength '%s'", [object.get(p.grantControls.authenticationStrength, "displayName", strength_id(p))])] if has_strength(p)

else := []

# ---- trusted locations ------------------------------------------------------

named_locations := lib.arr(input.data.namedLocations)

trusted_ip_locations := [l |
	some l in named_locations
	l["@odata.type"] == "#microsoft.graph.ipNamedLocation"
	l.isTrusted == true
]

# insane_ranges: CIDRs that make a trusted location cover (nearly) everything.
insane_ranges(l) := [r.cidrAddress |
	some r in lib.arr(l.ipRanges)
	too_broad(r.cidrAddress)
]

too_broad(cidr) if cidr in {"0.0.0.0/0", "::/0"}

too_broad(cidr) if {
	indexof(cidr, ":") == -1
	parts := split(cidr, "/")
	count(parts) == 2
	to_number(parts[1]) < 8
}

insane_location_problems(ls) := [sprintf("relies on trusted location '%s', which contains %s (wider than /8), so \"outside trusted locations\" means nothing", [l.displayName, concat(", ", insane_ranges(l))]) |
	some l in ls
	count(insane_ranges(l)) > 0
]

# trusted_exclusion_problems: locations must be absent, or include All and
# exclude only trusted locations that pass the sanity rule.
trusted_exclusion_problems(p) := [] if p.conditions.locations == null

else := [sprintf("includes locations %s instead of All", [concat("/", p.conditions.locations.includeLocations)])] if {
	p.conditions.locations.includeLocations != ["All"]
}

else := array.concat(
	[sprintf("excludes location %s, which is not a trusted IP location", [x]) |
		some x in p.conditions.locations.excludeLocations
		x != "AllTrusted"
		not trusted_location_id(x)
	],
	insane_location_problems(excluded_trusted(p)),
)

trusted_location_id(x) if {
	some l in trusted_ip_locations
	l.id == x
}

excluded_trusted(p) := trusted_ip_locations if "AllTrusted" in p.conditions.locations.excludeLocations

else := [l |
	some l in trusted_ip_locations
	l.id in p.conditions.locations.excludeLocations
]

# uses_trusted_locations: the policy's verdict depends on named locations.
uses_trusted_locations(p) if count(p.conditions.locations.excludeLocations) > 0

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
