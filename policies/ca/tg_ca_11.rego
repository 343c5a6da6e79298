# METADATA
# title: Legacy authentication is blocked
# description: >-
#   Legacy protocols (IMAP, POP, SMTP AUTH, Exchange ActiveSync with basic
#   authentication, ...) cannot do MFA, so a phished or sprayed password alone
#   opens the mailbox and every defense above is bypassed.
# custom:
#   id: TG.CA.11
#   order: 20
#   severity: high
#   requires: []
#   sources: []
#   exclusions: true
#   seed: "beyond the seed: legacy protocols cannot do MFA, so every defense above is bypassed"
#   remediation: >-
#     Without Microsoft Entra ID P1: turn on security defaults, which block
#     legacy authentication (Entra admin center > Overview > Properties >
#     Manage security defaults; Graph: PATCH
#     /policies/identitySecurityDefaultsEnforcementPolicy {"isEnabled": true},
#     Policy.ReadWrite.SecurityDefaults). With P1: an all-users, all-apps
#     Conditional Access policy for the client apps Exchange ActiveSync clients
#     and Other clients granting Block access, excluding only the break-glass
#     accounts (`tenantgate plan` template TG.CA.11). First find who still uses
#     legacy protocols in the sign-in logs (filter Client app on the legacy
#     protocols, interactive and non-interactive).
package tenantgate.controls.tg_ca_11

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

legacy_clients := ["exchangeActiveSync", "other"]

relevant := [p | some p in ca.policies; targets_legacy(p)]

targets_legacy(p) if {
	some t in p.conditions.clientAppTypes
	t in legacy_clients
}

# The policy must cover every legacy sign-in, so "Not narrowed" applies in
# full: a platform, location, risk, device filter or authentication flows
# condition leaves legacy sign-ins outside it unblocked (a location
# exclusion, for instance, keeps SMTP AUTH open from the "trusted" office).
problems := {p.id: lib.flat([
	ca.state_problems(p), ca.user_problems(me, p), ca.all_apps_problems(me, p),
	ca.risk_problems(p), ca.other_condition_problems(p), ca.device_problems(p),
	ca.platform_problems(p), ca.location_problems(p),
	ca.client_problems(p, legacy_clients), grant_problems(p),
]) | some p in relevant}

grant_problems(p) := [] if ca.strong_grant(p, {"block"})

else := [sprintf("grants %s instead of blocking", [ca.grant_label(p)])]

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

undecided := ca.undecided(relevant, problems)

# candidates: the policies that block legacy authentication, or would if
# what they exclude is only the (unnamed) break-glass accounts.
candidates := array.concat(qualifying, undecided)

would := "would block legacy authentication"

verdict := lib.pass("security defaults are on: they block legacy authentication", ["securityDefaults"]) if ca.security_defaults_on

else := lib.pass(
	sprintf("policy %s blocks legacy authentication (Exchange ActiveSync and other clients) for all users and all apps", [ca.name(qualifying[0])]),
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

# Conditional Access needs P1 (lib/defaults.rego): without it the
# exclusions do not matter, the policy is not enforced anyway.
else := ca.p1_unknown_result(candidates, would) if {
	count(candidates) > 0
	not ca.skus_known
}

else := ca.no_p1_result(candidates, would) if {
	count(candidates) > 0
	not ca.p1
}

else := lib.not_assessed(ca.undecided_finding(undecided, problems)) if count(undecided) > 0

else := lib.fail("security defaults are off and no Conditional Access policy blocks legacy authentication (a password alone signs in over IMAP, POP, SMTP AUTH or Exchange ActiveSync)", []) if count(relevant) == 0

else := lib.fail(sprintf("security defaults are off and no policy blocks legacy authentication for everyone: %s", [ca.explain(relevant, problems)]), ca.ids(relevant))
