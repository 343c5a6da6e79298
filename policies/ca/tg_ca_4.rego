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
#   seed: "Prevent: 認証強度"
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

relevant := [p | some p in ca.policies; ca.has_strength(p)]

problems[p.id] := lib.flat([
	ca.state_problems(p), ca.user_problems(p),
	ca.all_apps_problems(p), ca.not_narrowed_problems(p),
	strength_problems(p), weaker_problems(p),
]) if some p in relevant

# combinations: from /policies/authenticationStrengthPolicies (controls.md),
# falling back to the copy Graph embeds in the policy when that source is
# missing. Only a list of strings is a readable method list.
combinations(id) := s.allowedCombinations if {
	some s in lib.arr(input.data.authenticationStrengthPolicies)
	s.id == id
	readable(s.allowedCombinations)
} else := p.grantControls.authenticationStrength.allowedCombinations if {
	some p in ca.policies
	ca.has_strength(p)
	ca.strength_id(p) == id
	readable(p.grantControls.authenticationStrength.allowedCombinations)
}

readable(cs) if {
	is_array(cs)
	every c in cs {
		is_string(c)
	}
}

# A combination like "password,sms" is phishing-resistant only when every
# method in it is.
weak_combinations(id) := {c |
	some c in combinations(id)
	some m in split(c, ",")
	not trim_space(m) in ca.phishing_resistant_methods
}

strength_problems(p) := [] if ca.strength_id(p) == ca.phishing_resistant_strength

else := [sprintf("requires authentication strength '%s', which allows phishable methods (%s)", [strength_name(p), concat(", ", weak_combinations(ca.strength_id(p)))])] if {
	count(weak_combinations(ca.strength_id(p))) > 0
} else := [sprintf("requires authentication strength '%s', which has no methods", [strength_name(p)])] if {
	count(combinations(ca.strength_id(p))) == 0
} else := [] if {
	combinations(ca.strength_id(p))
} else := [unknown_strength(p)]

# A custom strength whose methods could not be read leaves the policy open;
# it makes the control not_assessed only if nothing else is wrong with it.
unknown_strength(p) := sprintf("uses custom authentication strength '%s', whose methods could not be read (%s)", [strength_name(p), strength_source_problem])

strength_source_problem := lib.source_problem("authenticationStrengthPolicies") if not lib.source_ok("authenticationStrengthPolicies")

else := "the collected authenticationStrengthPolicies hold no readable allowedCombinations for it"

strength_name(p) := object.get(p.grantControls.authenticationStrength, "displayName", ca.strength_id(p))

weaker_problems(p) := [sprintf("OR-s the strength with weaker controls (%s)", [ca.grant_label(p)])] if ca.or_grant(p)

else := ca.operator_problems(p)

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

unknown := [p | some p in relevant; problems[p.id] == [unknown_strength(p)]]

verdict := lib.pass(
	sprintf("policy %s requires phishing-resistant authentication for every sign-in", [ca.name(qualifying[0])]),
	ca.ids(qualifying),
) if count(qualifying) > 0

else := lib.not_assessed(sprintf("policy %s uses a custom authentication strength whose methods could not be read: %s", [ca.names(unknown), strength_source_problem])) if count(unknown) > 0

else := lib.fail("no Conditional Access policy requires a phishing-resistant authentication strength (MFA by OTP or push can be relayed by an AiTM proxy)", []) if count(relevant) == 0

else := lib.fail(ca.explain(relevant, problems), ca.ids(relevant))
