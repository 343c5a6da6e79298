# Conditional Access vocabulary from controls.md "Shared definitions":
# enforced, all users with allowed exclusions, covers app, all apps, not
# narrowed, trusted-location sanity, strong grants. Each check returns the
# list of reasons a policy falls short (empty = fine), so findings can say
# exactly why a policy that looks right does not count.
package tenantgate.lib.ca

import data.tenantgate.lib

policies := lib.arr(input.data.conditionalAccessPolicies)

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

report_only(p) if p.state == "enabledForReportingButNotEnforced"

# ---- state ---------------------------------------------------------------------

state_problems(p) := [] if enforced(p)

else := ["is report-only"] if report_only(p)

else := [sprintf("is %s", [p.state])]

# ---- users ---------------------------------------------------------------------

users(p) := u if {
	u := object.get(p, ["conditions", "users"], {})
	is_object(u)
} else := {}

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
		[sprintf("user %s", [x]) | some x in lib.list(users(p), "excludeUsers"); not x in allowed_users],
		[group_label(x) | some x in lib.list(users(p), "excludeGroups"); not x in allowed_groups],
	),
	array.concat(
		[sprintf("role %s", [x]) | some x in lib.list(users(p), "excludeRoles"); not x in allowed_roles],
		guest_exclusion(p),
	),
)

guest_exclusion(p) := ["guests and external users"] if {
	lib.get(users(p), "excludeGuestsOrExternalUsers") != null
	not input.baseline.allowed_exclusions.guests_or_external_users
} else := []

user_problems(p) := array.concat(include_problem(p), exclusion_problem(p))

include_problem(p) := [] if "All" in lib.list(users(p), "includeUsers")

else := ["does not target all users"]

exclusion_problem(p) := [] if count(extra_exclusions(p)) == 0

else := [sprintf("excludes %s, which the baseline does not allow", [concat(", ", extra_exclusions(p))])]

# ---- applications -----------------------------------------------------------

apps(p) := a if {
	a := object.get(p, ["conditions", "applications"], {})
	is_object(a)
} else := {}

includes_app(p, _) if "All" in lib.list(apps(p), "includeApplications")

includes_app(p, a) if a in lib.list(apps(p), "includeApplications")

includes_app(p, a) if {
	"Office365" in lib.list(apps(p), "includeApplications")
	a in office365_apps
}

excludes_app(p, a) if a in lib.list(apps(p), "excludeApplications")

excludes_app(p, a) if {
	"Office365" in lib.list(apps(p), "excludeApplications")
	a in office365_apps
}

# An application filter in exclude mode can drop any app by its attributes;
# coverage can then not be proven from the policy alone.
app_filter_excludes(p) if apps(p).applicationFilter.mode == "exclude"

covers_app(p, a) if {
	includes_app(p, a)
	not excludes_app(p, a)
	not app_filter_excludes(p)
}

app_problems(p, a) := [] if covers_app(p, a)

else := [sprintf("does not cover %s", [app_names[a]])]

all_apps_problems(p) := array.concat(
	include_all_problem(p),
	array.concat(
		[sprintf("excludes application %s", [x]) | some x in lib.list(apps(p), "excludeApplications"); not x in allowed_apps],
		[sprintf("excludes applications by filter (%s)", [apps(p).applicationFilter.rule]) | app_filter_excludes(p)],
	),
)

include_all_problem(p) := [] if "All" in lib.list(apps(p), "includeApplications")

else := ["does not target all applications"]

# ---- narrowing ("Not narrowed") ---------------------------------------------

cond(p) := c if {
	c := object.get(p, "conditions", {})
	is_object(c)
} else := {}

platforms(p) := object.get(cond(p), "platforms", null)

locations(p) := object.get(cond(p), "locations", null)

risk_problems(p) := [sprintf("applies only to %s %s", [k, concat("/", lib.list(cond(p), k))]) |
	some k in ["signInRiskLevels", "userRiskLevels", "servicePrincipalRiskLevels"]
	count(lib.list(cond(p), k)) > 0
]

# insiderRiskLevels (a flags string) and authentication flows narrow too.
other_condition_problems(p) := array.concat(
	[sprintf("applies only to insider risk %s", [cond(p).insiderRiskLevels]) | lib.get(cond(p), "insiderRiskLevels") != null],
	[sprintf("applies only to authentication flows %s", [cond(p).authenticationFlows.transferMethods]) | lib.get(lib.get(cond(p), "authenticationFlows"), "transferMethods") != null],
)

# Any device filter narrows: exclude mode drops matching devices, include
# mode drops all the others.
device_problems(p) := [sprintf("has a device filter (%s: %s)", [f.mode, f.rule])] if {
	f := cond(p).devices.deviceFilter
	f != null
} else := []

platform_problems(p) := [] if platforms(p) == null

else := [] if {
	"all" in lib.list(platforms(p), "includePlatforms")
	count(lib.list(platforms(p), "excludePlatforms")) == 0
}

else := [sprintf("applies only to platforms %s excluding %s", [concat("/", lib.list(platforms(p), "includePlatforms")), concat("/", lib.list(platforms(p), "excludePlatforms"))])]

location_problems(p) := [] if locations(p) == null

else := [] if {
	lib.list(locations(p), "includeLocations") == ["All"]
	count(lib.list(locations(p), "excludeLocations")) == 0
}

else := [sprintf("is limited by location (include %s, exclude %s)", [concat("/", lib.list(locations(p), "includeLocations")), concat("/", lib.list(locations(p), "excludeLocations"))])]

# client_problems: clientAppTypes must be ["all"] or contain every named type.
client_problems(p, needed) := [] if lib.list(cond(p), "clientAppTypes") == ["all"]

else := [] if {
	every t in needed {
		t in lib.list(cond(p), "clientAppTypes")
	}
}

else := [sprintf("applies only to client apps %s (needs %s)", [concat("/", lib.list(cond(p), "clientAppTypes")), concat("/", needed)])]

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

grant(p) := g if {
	g := p.grantControls
	is_object(g)
} else := {}

builtins(p) := lib.list(grant(p), "builtInControls")

has_strength(p) if is_object(grant(p).authenticationStrength)

has_strength_bool(p) := true if has_strength(p)

else := false

strength_id(p) := grant(p).authenticationStrength.id

# Alternatives other than built-in controls that an OR grant may offer.
other_alternatives(p) := array.concat(lib.list(grant(p), "termsOfUse"), lib.list(grant(p), "customAuthenticationFactors"))

or_grant(p) if {
	upper(object.get(grant(p), "operator", "OR")) == "OR"
	count(builtins(p)) + count(other_alternatives(p)) + b2n(has_strength_bool(p)) > 1
}

b2n(true) := 1

b2n(false) := 0

# strong_grant(p, allowed): with OR, every alternative is one of the allowed
# built-in controls (or an authentication strength when "strength" is
# allowed); with AND, at least one is.
strong_grant(p, allowed) if {
	not or_grant(p)
	some c in builtins(p)
	c in allowed
}

strong_grant(p, allowed) if {
	not or_grant(p)
	"strength" in allowed
	has_strength(p)
}

strong_grant(p, allowed) if {
	or_grant(p)
	every c in builtins(p) {
		c in allowed
	}
	count(other_alternatives(p)) == 0
	strength_ok(p, allowed)
}

strength_ok(p, _) if not has_strength(p)

strength_ok(_, allowed) if "strength" in allowed

grant_label(p) := sprintf("%s of [%s]", [lower(object.get(grant(p), "operator", "OR")), concat(", ", array.concat(builtins(p), strength_label(p)))])

strength_label(p) := [sprintf("authentication strength '%s'", [object.get(grant(p).authenticationStrength, "displayName", strength_id(p))])] if has_strength(p)

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
trusted_exclusion_problems(p) := [] if locations(p) == null

else := [sprintf("includes locations %s instead of All", [concat("/", lib.list(locations(p), "includeLocations"))])] if {
	lib.list(locations(p), "includeLocations") != ["All"]
}

else := array.concat(
	[sprintf("excludes location %s, which is not a trusted IP location", [x]) |
		some x in lib.list(locations(p), "excludeLocations")
		x != "AllTrusted"
		not trusted_location_id(x)
	],
	insane_location_problems(excluded_trusted(p)),
)

trusted_location_id(x) if {
	some l in trusted_ip_locations
	l.id == x
}

excluded_trusted(p) := trusted_ip_locations if "AllTrusted" in lib.list(locations(p), "excludeLocations")

else := [l |
	some l in trusted_ip_locations
	l.id in lib.list(locations(p), "excludeLocations")
]

# uses_trusted_locations: the policy's verdict depends on named locations.
uses_trusted_locations(p) if count(lib.list(locations(p), "excludeLocations")) > 0

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
