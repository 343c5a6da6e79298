# One entry point for the engine: every control's result in one evaluation,
# so the shared helpers (normalised policies, licenses, exclusions) are
# computed once per snapshot instead of once per control.
package tenantgate.main

import data.tenantgate.lib

results[pkg] := with_considered(pkg, r) if {
	some pkg
	r := data.tenantgate.controls[pkg].result
}

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
