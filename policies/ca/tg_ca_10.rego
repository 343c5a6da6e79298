# METADATA
# title: Device code flow is blocked
# description: >-
#   Device-code phishing steals the same tokens as an AiTM proxy without one:
#   the attacker starts a device code sign-in and sends the victim the code to
#   enter on Microsoft's own sign-in page, MFA included. Few users ever need
#   the flow, so blocking it removes the attack.
# custom:
#   id: TG.CA.10
#   order: 19
#   severity: high
#   requires: [AAD_PREMIUM]
#   sources: [conditionalAccessPolicies, breakGlassAccounts]
#   exclusions: true
#   seed: "beyond the seed: device-code phishing steals the same tokens as AiTM without a proxy"
#   remediation: >-
#     Create an all-users, all-apps policy with the condition Authentication
#     flows > Device code flow and the grant Block access, excluding only the
#     break-glass accounts and what the baseline allows for this control
#     (`controls: TG.CA.10: allowed_exclusions:`, e.g. a group of meeting-room
#     devices' accounts) (`tenantgate plan` template TG.CA.10; Graph: POST
#     /identity/conditionalAccess/policies with
#     conditions.authenticationFlows.transferMethods "deviceCodeFlow" and
#     grantControls.builtInControls ["block"]). Before enforcing it, look for
#     legitimate use in the sign-in logs (authentication protocol: device code).
package tenantgate.controls.tg_ca_10

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

relevant := [p | some p in ca.policies; "deviceCodeFlow" in ca.transfer_methods(p)]

# The flows condition is the point of these policies, so it is not narrowing
# here; everything else in "Not narrowed" is. The device code flow is an
# OAuth flow, so only modern-auth clients (browser, mobile apps and desktop
# clients) can use it: a policy listing both covers every device code sign-in.
problems := {p.id: lib.flat([
	ca.state_problems(p), ca.user_problems(me, p), ca.all_apps_problems(me, p),
	ca.risk_problems(p), ca.insider_problems(p), ca.device_problems(p),
	ca.platform_problems(p), ca.location_problems(p),
	ca.client_problems(p, modern_clients), grant_problems(p),
]) | some p in relevant}

modern_clients := ["browser", "mobileAppsAndDesktopClients"]

grant_problems(p) := [] if ca.strong_grant(p, {"block"})

else := [sprintf("grants %s instead of blocking", [ca.grant_label(p)])]

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

undecided := ca.undecided(relevant, problems)

verdict := lib.pass(
	sprintf("policy %s blocks the device code flow for all users and all apps", [ca.name(qualifying[0])]),
	ca.ids(qualifying),
) if count(qualifying) > 0

else := lib.fail("no Conditional Access policy blocks the device code flow (a phished device code yields the user's tokens, MFA included, without any proxy)", []) if count(relevant) == 0

else := lib.not_assessed(ca.undecided_finding(undecided, problems)) if count(undecided) > 0

else := lib.fail(ca.explain(relevant, problems), ca.ids(relevant))
