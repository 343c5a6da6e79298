# METADATA
# title: Medium- and high-risk sign-ins must satisfy MFA (or are blocked)
# description: >-
#   Identity Protection flags AiTM sign-ins (anomalous token, unfamiliar
#   location, attacker IP). A sign-in risk policy makes those sign-ins prove
#   themselves again or blocks them.
# custom:
#   id: TG.CA.7
#   order: 7
#   severity: high
#   requires: [AAD_PREMIUM_P2]
#   sources: [conditionalAccessPolicies, breakGlassAccounts]
#   exclusions: true
#   seed: "Detect: Identity Protection"
#   remediation: >-
#     Create an all-users, all-apps policy with sign-in risk Medium and High
#     granting "Require MFA" (or an authentication strength, or block), with
#     sign-in frequency "every time", excluding only the break-glass accounts
#     (`tenantgate plan` template TG.CA.7). Needs Microsoft Entra ID P2.
package tenantgate.controls.tg_ca_7

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

levels(p) := p.conditions.signInRiskLevels

relevant := [p | some p in ca.policies; count(levels(p)) > 0]

problems := {p.id: lib.flat([
	ca.state_problems(p), ca.user_problems(me, p),
	ca.all_apps_problems(me, p), level_problems(p),
	narrowing(p), grant_problems(p),
]) | some p in relevant}

level_problems(p) := [] if {
	"medium" in levels(p)
	"high" in levels(p)
} else := [sprintf("applies only to sign-in risk %s (needs medium and high)", [concat("/", levels(p))])]

# Everything in "Not narrowed" except the sign-in risk condition itself.
narrowing(p) := array.concat(
	[sprintf("also requires %s %s", [k, concat("/", p.conditions[k])]) |
		some k in ["userRiskLevels", "servicePrincipalRiskLevels"]
		count(p.conditions[k]) > 0
	],
	ca.narrowing_besides_risk(p),
)

grant_problems(p) := ca.mfa_grant_problems(p, {"mfa", "block", "strength"}, "grants %s instead of MFA, an MFA authentication strength or block")

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

undecided := ca.undecided(relevant, problems)

verdict := lib.pass(
	sprintf("policy %s makes medium- and high-risk sign-ins satisfy %s", [ca.name(qualifying[0]), ca.grant_label(qualifying[0])]),
	ca.ids(qualifying),
) if count(qualifying) > 0

else := lib.fail("no Conditional Access policy acts on sign-in risk (risky sign-ins are only logged)", []) if count(relevant) == 0

else := lib.not_assessed(ca.undecided_finding(undecided, problems)) if count(undecided) > 0

else := lib.fail(ca.explain(relevant, problems), ca.ids(relevant))
