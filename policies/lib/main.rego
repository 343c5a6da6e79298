# One entry point for the engine: every control's result in one evaluation,
# so the shared helpers (normalised policies, licenses, exclusions) are
# computed once per snapshot instead of once per control.
package tenantgate.main

import data.tenantgate.lib
import data.tenantgate.lib.names

results[pkg] := with_objects(with_considered(pkg, r)) if {
	some pkg
	r := data.tenantgate.controls[pkg].result
}

# objects names the result's evidence ids (and the policies considered):
# evidence stays ids, as cli.md's JSON says; names go beside them.
with_objects(r) := object.union(r, {"objects": o}) if {
	ids := array.concat(lib.arr(object.get(r, "evidence", [])), [c.id | some c in lib.arr(object.get(r, "considered", []))])
	o := names.named(ids)
	count(o) > 0
} else := r

# The policies considered are shown only when the rule itself judged
# readable policies (not when the gate pre-empted it for a license).
with_considered(pkg, r) := object.union(r, {"considered": considered(pkg)}) if {
	r.status in {"pass", "fail", "not_assessed"}
	lib.source_ok("conditionalAccessPolicies")
} else := r

# considered lists, for a control that judges Conditional Access policies
# (one defining relevant and problems), every policy it looked at and why
# each does or does not count: the same problems its finding is built from,
# so `tenantgate explain` needs no second implementation.
#
# problems is bound whole first: looking a partial object rule up by key for
# each policy would evaluate its body once per policy (quadratic).
considered(pkg) := [{"id": p.id, "displayName": p.displayName, "state": p.state, "problems": problems[p.id]} |
	some p in relevant
] if {
	relevant := data.tenantgate.controls[pkg].relevant
	problems := data.tenantgate.controls[pkg].problems
}

licenses := lib.licenses
