# METADATA
# title: Phishing-resistant authentication strength is required for all apps
# description: >-
#   OTP codes and push approvals are relayed by an AiTM proxy. FIDO2 keys,
#   passkeys, Windows Hello for Business and certificate MFA are bound to the
#   real site's origin and cannot be relayed.
# custom:
#   id: TG.CA.4
#   order: 4
#   severity: high
#   requires: [AAD_PREMIUM]
#   sources: [conditionalAccessPolicies, breakGlassAccounts]
#   exclusions: true
#   seed: "Prevent: 認証強度"
#   seed_en: "Prevent: authentication strength"
#   remediation: >-
#     Roll out FIDO2 security keys / passkeys or Windows Hello for Business, then
#     create an all-users, all-apps policy requiring the built-in
#     "Phishing-resistant MFA" authentication strength (without OR-ing "Require
#     MFA"), excluding only the break-glass accounts (`tenantgate plan` template TG.CA.4).
package tenantgate.controls.tg_ca_4

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

relevant := [p | some p in ca.policies; ca.has_strength(p)]

problems := {p.id: lib.flat([
	ca.state_problems(p), ca.user_problems(me, p),
	ca.all_apps_problems(me, p), ca.not_narrowed_problems(p),
	strength_problems(p), weaker_problems(p),
]) | some p in relevant}

# A combination like "password,sms" is phishing-resistant only when every
# method in it is. The method lists come from lib.ca's strength definitions
# (the source, else the copy embedded in the policy).
weak_combinations(id) := {c |
	some c in ca.strength_combinations(id)
	some m in ca.methods(c)
	not m in ca.phishing_resistant_methods
}

strength_problems(p) := [] if ca.strength_id(p) == ca.phishing_resistant_strength

else := [sprintf("requires authentication strength '%s', which allows phishable methods (%s)", [ca.strength_name(p), concat(", ", weak_combinations(ca.strength_id(p)))])] if {
	count(weak_combinations(ca.strength_id(p))) > 0
} else := [sprintf("requires authentication strength '%s', which has no methods", [ca.strength_name(p)])] if {
	count(ca.strength_combinations(ca.strength_id(p))) == 0
} else := [] if {
	ca.strength_combinations(ca.strength_id(p))
} else := [ca.unknown_strength(p)]

weaker_problems(p) := [sprintf("OR-s the strength with weaker controls (%s)", [ca.grant_label(p)])] if ca.or_grant(p)

else := ca.operator_problems(p)

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

unknown := ca.undecided(relevant, problems)

verdict := lib.pass(
	sprintf("policy %s requires phishing-resistant authentication for every sign-in", [ca.name(qualifying[0])]),
	ca.ids(qualifying),
) if count(qualifying) > 0

else := lib.not_assessed(ca.undecided_finding(unknown, problems)) if count(unknown) > 0

else := lib.fail("no Conditional Access policy requires a phishing-resistant authentication strength (MFA by OTP or push can be relayed by an AiTM proxy)", []) if count(relevant) == 0

else := lib.fail(ca.explain(relevant, problems), ca.ids(relevant))
