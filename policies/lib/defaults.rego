# Controls that pass either on security defaults or on a Conditional Access
# policy (TG.ID.1, TG.CA.11): what each branch needs to be judged. One proven
# branch suffices; a missing source only matters when the other branch does
# not already pass.
package tenantgate.lib.ca

import data.tenantgate.lib

security_defaults_on if input.data.securityDefaults.isEnabled == true

# A rule, not `not is_boolean(ref)`: an undefined ref would make that
# expression undefined rather than true.
security_defaults_known if is_boolean(input.data.securityDefaults.isEnabled)

# Why the security defaults branch is unknown: not collected, or collected
# without its isEnabled flag (which is never read as "off").
security_defaults_problem := lib.source_problem("securityDefaults") if not lib.source_ok("securityDefaults")

else := "securityDefaults holds no isEnabled value"

# readable: the CA branch can be judged (policies read, break-glass accounts
# resolved or named by object id only, as in the gate).
readable if {
	lib.source_ok("conditionalAccessPolicies")
	break_glass_ok
}

break_glass_ok if lib.source_ok("breakGlassAccounts")

break_glass_ok if lib.optional_source("breakGlassAccounts")

unreadable_problems := array.concat(
	[lib.source_problem("conditionalAccessPolicies") | not lib.source_ok("conditionalAccessPolicies")],
	[lib.source_problem("breakGlassAccounts") | not break_glass_ok],
)

# Conditional Access needs Microsoft Entra ID P1: without it Graph still
# returns a tenant's policies, but they are not enforced, so for a "Free"
# control that security defaults can satisfy (TG.ID.1, TG.CA.11) a policy
# alone proves nothing. With licenses unknown the CA branch is unknown too.
p1 if "AAD_PREMIUM" in lib.licensed

skus_known if lib.source_ok("subscribedSkus")

# The results of the CA branch when P1 is unknown or absent; ps are the
# policies that would satisfy the control, would says what they would do.
p1_unknown_result(ps, would) := lib.not_assessed(sprintf("security defaults are off and policy %s %s, but licenses could not be determined, so whether Conditional Access is enforced (it needs Microsoft Entra ID P1) is unknown: %s", [names(ps), would, lib.source_problem("subscribedSkus")]))

no_p1_result(ps, would) := lib.fail(
	sprintf("security defaults are off and policy %s %s, but the tenant has no %s license, without which Conditional Access policies are not enforced: turn on security defaults", [names(ps), would, lib.license_title("AAD_PREMIUM")]),
	ids(ps),
)
