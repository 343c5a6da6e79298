# One entry point for the engine: every control's result in one evaluation,
# so the shared helpers (normalised policies, licenses, exclusions) are
# computed once per snapshot instead of once per control.
package tenantgate.main

import data.tenantgate.lib

results[pkg] := r if {
	some pkg
	r := data.tenantgate.controls[pkg].result
}

licenses := lib.licenses
