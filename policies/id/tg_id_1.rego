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
#   exclusions: true
#   seed: "多要素認証 in the company profile"
#   seed_en: "multi-factor authentication in the company profile"
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

me := lib.control_id(rego.metadata.chain())

relevant := [p | some p in ca.policies; requires_mfa(p)]

requires_mfa(p) if "mfa" in p.grantControls.builtInControls

requires_mfa(p) if ca.has_strength(p)

problems := {p.id: lib.flat([
	ca.state_problems(p), ca.user_problems(me, p),
	ca.all_apps_problems(me, p), ca.not_narrowed_problems(p), grant_problems(p),
]) | some p in relevant}

grant_problems(p) := ca.mfa_grant_problems(p, {"mfa", "strength"}, "grants %s, so MFA can be skipped")

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

undecided := ca.undecided(relevant, problems)

# candidates: the policies that require MFA of everyone, or would if what
# they exclude is only the (unnamed) break-glass accounts.
candidates := array.concat(qualifying, undecided)

would := "would require MFA for all users and all apps"

# One proven branch suffices; a missing source only matters when the other
# branch does not already prove MFA.
verdict := lib.pass("security defaults are on: every user must register and use MFA", ["securityDefaults"]) if ca.security_defaults_on

else := lib.pass(
	sprintf("policy %s requires MFA for all users and all apps", [ca.name(qualifying[0])]),
	ca.ids(qualifying),
) if {
	ca.readable
	count(qualifying) > 0
	ca.skus_known
	ca.p1
}

else := lib.not_assessed(concat("; ", array.concat([ca.security_defaults_problem], ca.unreadable_problems))) if {
	not ca.security_defaults_known
}

else := lib.not_assessed(concat("; ", ca.unreadable_problems)) if {
	not ca.readable
}

# Conditional Access needs P1 (lib/defaults.rego), as for TG.CA.11: without
# it the policy is not enforced, whatever it excludes.
else := ca.p1_unknown_result(candidates, would) if {
	count(candidates) > 0
	not ca.skus_known
}

else := ca.no_p1_result(candidates, would) if {
	count(candidates) > 0
	not ca.p1
}

else := lib.fail("security defaults are off and no Conditional Access policy requires MFA for all users and all apps", []) if count(relevant) == 0

else := lib.not_assessed(sprintf("security defaults are off; %s", [ca.undecided_finding(undecided, problems)])) if count(undecided) > 0

else := lib.fail(sprintf("security defaults are off and no policy makes every user use MFA: %s", [ca.explain(relevant, problems)]), ca.ids(relevant))
