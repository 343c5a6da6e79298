# Shared judgement machinery: result constructors, the license -> data -> rule
# gate every control passes through (controls.md "Order of judgement"), and
# license detection from subscribedSkus.
package tenantgate.lib

import data.tenantgate.lib.ca

# Result constructors. Every control's `result` is one of these objects.
pass(finding, evidence) := {"status": "pass", "finding": finding, "evidence": evidence, "notes": []}

pass_notes(finding, evidence, notes) := {"status": "pass", "finding": finding, "evidence": evidence, "notes": notes}

fail(finding, evidence) := {"status": "fail", "finding": finding, "evidence": evidence, "notes": []}

fail_notes(finding, evidence, notes) := {"status": "fail", "finding": finding, "evidence": evidence, "notes": notes}

not_assessed(finding) := {"status": "not_assessed", "finding": finding, "evidence": [], "notes": []}

not_licensed(finding) := {"status": "not_licensed", "finding": finding, "evidence": [], "notes": []}

# arr turns a null value into an empty array, so rules can iterate Graph's
# nullable collections without special cases. (A function called with an
# undefined argument is itself undefined: read possibly-absent keys with
# get / list, never with a plain reference.)
arr(v) := v if is_array(v)

else := []

# get reads key k of o, null when o is not an object or lacks k.
get(o, k) := object.get(o, k, null) if is_object(o)

else := null

# list reads array key k of o, [] when absent or null. (One call, not
# arr(get(...)): function calls dominate evaluation time.)
list(o, k) := v if {
	is_object(o)
	v := object.get(o, k, [])
	is_array(v)
} else := []

# source_ok: the snapshot holds this source's data.
source_ok(name) if name in ok_sources

ok_sources := {name | some name, s in input.sources; s.status == "ok"; _ := input.data[name]} - {name | some name, _ in malformed}

# malformed: sources that were collected but hold data the controls cannot
# judge. Treating them as not collected keeps partial data from passing.
malformed["conditionalAccessPolicies"] := concat("; ", ca.incomplete) if count(ca.incomplete) > 0

malformed["namedLocations"] := concat("; ", ca.locations_incomplete) if count(ca.locations_incomplete) > 0

malformed["subscribedSkus"] := concat("; ", sku_incomplete) if count(sku_incomplete) > 0

# sku_incomplete lists the SKUs whose license facts the snapshot lacks. Graph
# always returns these keys; without them a license would silently read as
# absent (not_licensed, which no gate counts) instead of unknown.
sku_incomplete := [sprintf("SKU %v lacks skuPartNumber, capabilityStatus or servicePlans, or one of its service plans lacks servicePlanName or provisioningStatus", [get(sku, "skuPartNumber")]) |
	some sku in arr(input.data.subscribedSkus)
	not sku_complete(sku)
]

sku_complete(sku) if {
	is_string(sku.skuPartNumber)
	is_string(sku.capabilityStatus)
	is_array(sku.servicePlans)
	every plan in sku.servicePlans {
		is_string(plan.servicePlanName)
		is_string(plan.provisioningStatus)
	}
}

# api_version(source): the Graph API version a source was read from, as its
# request line records it ("GET /beta/..."), "unknown" otherwise. Which keys
# Graph leaves out depends on it (lib/shapes.rego).
api_version(source) := v if {
	r := input.sources[source].request
	is_string(r)
	some v in ["beta", "v1.0"]
	startswith(r, concat("", ["GET /", v, "/"]))
} else := "unknown"

# source_problem explains why a source is missing, with Graph's status,
# error code and message.
source_problem(name) := sprintf("%s was not collected (%s: %s)", [name, concat(", ", status_parts(s)), reason]) if {
	s := input.sources[name]
	s.status != "ok"
	reason := object.get(s, "error", "no error recorded")
} else := sprintf("%s is incomplete in the snapshot (%s)", [name, reason]) if {
	reason := malformed[name]
} else := sprintf("%s is missing from the snapshot", [name])

status_parts(s) := [x |
	some x in [s.status, http_text(s), object.get(s, "code", "")]
	x != ""
]

http_text(s) := sprintf("HTTP %d", [s.httpStatus]) if is_number(object.get(s, "httpStatus", null))

else := ""

# ---- license detection (controls.md "License detection") -------------------

# Service plans and SKUs that count: from SKUs whose capabilityStatus is
# Enabled or Warning (a grace period: still usable; Suspended, LockedOut and
# Deleted are not), plans whose provisioningStatus is not Disabled. Built
# once, so license checks are set lookups.
usable_sku_statuses := {"Enabled", "Warning"}

enabled_plans contains plan.servicePlanName if {
	some sku in input.data.subscribedSkus
	sku.capabilityStatus in usable_sku_statuses
	some plan in arr(sku.servicePlans)
	plan.provisioningStatus != "Disabled"
}

enabled_skus contains sku.skuPartNumber if {
	some sku in input.data.subscribedSkus
	sku.capabilityStatus in usable_sku_statuses
}

# licensed contains every capability of the baseline's license map that an
# enabled service plan (or SKU) provides.
licensed contains cap if {
	some cap, def in input.baseline.licenses
	some name in arr(def.service_plans)
	name in enabled_plans
}

licensed contains cap if {
	some cap, def in input.baseline.licenses
	some name in arr(def.skus)
	name in enabled_skus
}

# licenses is the capability map of the report; undefined when SKUs are unknown.
licenses := {cap: has | some cap, _ in input.baseline.licenses; has := cap in licensed} if source_ok("subscribedSkus")

# licensed_max(field) is the highest value of a numeric baseline license
# field (a retention) among the tenant's licenses, 0 when none has it;
# licensed_max_title names the license that gives it.
licensed_max(field) := max(array.concat([0], [d |
	some cap in licensed
	d := object.get(input.baseline.licenses[cap], field, 0)
	is_number(d)
]))

licensed_max_title(field) := license_title(sort([cap |
	some cap in licensed
	object.get(input.baseline.licenses[cap], field, 0) == licensed_max(field)
])[0])

license_title(cap) := t if {
	t := input.baseline.licenses[cap].title
	t != ""
} else := cap

# ---- the gate ----------------------------------------------------------------

# optional_source: a source of a control's METADATA the gate does not insist
# on. Break-glass resolution is only required when the baseline names
# break-glass accounts by UPN (object ids need no resolution to be
# recognised in exclusions; with none named the exclusion checks say so
# themselves).
optional_source("breakGlassAccounts") if break_glass_by_id_only

# A rule (evaluated once per query), not inlined in the function above.
break_glass_by_id_only if {
	every x in arr(input.baseline.break_glass) {
		is_guid(x)
	}
}

# gate returns the not_licensed / not_assessed result that pre-empts the
# control's rule, and is undefined when the rule may run. It reads the custom
# block of the control's package METADATA.
gate(chain) := r if {
	some entry in chain
	entry.annotations.scope == "package"
	m := entry.annotations.custom
	r := gate_for(object.get(m, "requires", []), object.get(m, "sources", []))
	r != null
}

# gate_for takes only the requirement lists, so controls that share them share
# one cached evaluation (OPA caches function results per argument; null, unlike
# undefined, is a result and is cached too).
gate_for(requires, sources) := not_assessed(sprintf("licenses could not be determined, so this control (needs %s) was not assessed: %s", [concat(" + ", [license_title(c) | some c in requires]), source_problem("subscribedSkus")])) if {
	count(requires) > 0
	not skus_ok
} else := not_licensed(sprintf("the tenant has no %s license; this control needs it", [concat(" or ", [license_title(c) | some c in missing])])) if {
	missing := [c | some c in requires; not c in licensed]
	count(missing) > 0
} else := not_assessed(concat("; ", [source_problem(s) | some s in missing])) if {
	missing := [s | some s in sources; not s in ok_sources; not optional_source(s)]
	count(missing) > 0
} else := null

skus_ok if source_ok("subscribedSkus")

# control_id reads a control's id from its package METADATA (the chain of
# rego.metadata.chain()), so controls name themselves without a second copy.
control_id(chain) := id if {
	some entry in chain
	entry.annotations.scope == "package"
	id := entry.annotations.custom.id
}

# ---- small helpers -------------------------------------------------------------

# flat joins lists in order: controls list a policy's shortfalls from many
# checks, each returning a list.
flat(lists) := [x | some l in lists; some x in l]

# quote_all renders names as 'a', 'b'.
quote_all(names) := concat(", ", [sprintf("'%s'", [n]) | some n in names])

is_guid(s) if regex.match(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`, s)

param(name) := input.baseline.parameters[name]
