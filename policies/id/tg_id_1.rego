# METADATA
# title: Every user is made to use MFA (security defaults, or an enforced all-users, all-apps CA policy requiring MFA or an authentication strength)
# description: >-
#   Without MFA a phished password alone opens the mailbox. MFA is the floor
#   the other defenses build on (AiTM relays MFA, which is why TG.CA.1-4 exist).
# custom:
#   id: TG.ID.1
#   order: 14
#   severity: high
#   requires: []
#   sources: []
#   seed: "多要素認証 in the company profile"
#   remediation: >-
#     With Entra ID P1: an all-users, all-apps Conditional Access policy granting
#     "Require MFA" (or an authentication strength), excluding only the
#     break-glass accounts. Without P1: turn on security defaults.
package tenantgate.controls.tg_id_1

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

defaults_on if input.data.securityDefaults.isEnabled == true

# A rule, not `not is_boolean(ref)`: an undefined ref would make that
# expression undefined rather than true.
defaults_known if is_boolean(input.data.securityDefaults.isEnabled)

ca_readable if {
	lib.source_ok("conditionalAccessPolicies")
	bg_ok
}

bg_ok if lib.source_ok("breakGlassAccounts")

# Break-glass accounts named by object id (or none named) need no resolution,
# as in the gate (lib.optional_source).
bg_ok if lib.optional_source("breakGlassAccounts")

# Why the security defaults branch is unknown: not collected, or collected
# without its isEnabled flag (which is never read as "off").
defaults_problem := lib.source_problem("securityDefaults") if not lib.source_ok("securityDefaults")

else := "securityDefaults holds no isEnabled value"

ca_problems := array.concat(
	[lib.source_problem("conditionalAccessPolicies") | not lib.source_ok("conditionalAccessPolicies")],
	[lib.source_problem("breakGlassAccounts") | not bg_ok],
)

relevant := [p | some p in ca.policies; requires_mfa(p)]

requires_mfa(p) if "mfa" in p.grantControls.builtInControls

requires_mfa(p) if ca.has_strength(p)

problems[p.id] := lib.flat([
	ca.state_problems(p), ca.user_problems(p),
	ca.all_apps_problems(p), ca.not_narrowed_problems(p), grant_problems(p),
]) if some p in relevant

grant_problems(p) := [] if ca.strong_grant(p, {"mfa", "strength"})

else := [sprintf("grants %s, so MFA can be skipped", [ca.grant_label(p)])]

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

# One proven branch suffices; a missing source only matters when the other
# branch does not already prove MFA.
verdict := lib.pass("security defaults are on: every user must register and use MFA", ["securityDefaults"]) if defaults_on

else := lib.pass(
	sprintf("policy %s requires MFA for all users and all apps", [ca.name(qualifying[0])]),
	ca.ids(qualifying),
) if {
	ca_readable
	count(qualifying) > 0
}

else := lib.not_assessed(concat("; ", array.concat([defaults_problem], ca_problems))) if {
	not defaults_known
}

else := lib.not_assessed(concat("; ", ca_problems)) if {
	not ca_readable
}

else := lib.fail("security defaults are off and no Conditional Access policy requires MFA for all users and all apps", []) if count(relevant) == 0

else := lib.fail(sprintf("security defaults are off and no policy makes every user use MFA: %s", [ca.explain(relevant, problems)]), ca.ids(relevant))
