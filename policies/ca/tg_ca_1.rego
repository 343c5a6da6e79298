# METADATA
# title: Token protection (sign-in session bound to the device) is enforced for Exchange Online and SharePoint Online
# description: >-
#   An AiTM proxy steals the session cookie and replays it from the attacker's
#   machine. Token protection binds the sign-in session to the device it was
#   issued to, so a replayed token is refused.
# custom:
#   id: TG.CA.1
#   order: 1
#   severity: high
#   requires: [AAD_PREMIUM]
#   sources: [conditionalAccessPolicies, breakGlassAccounts]
#   exclusions: true
#   seed: "Prevent: トークン保護"
#   seed_en: "Prevent: token protection"
#   remediation: >-
#     Create an all-users policy for Office 365 Exchange Online and Office 365
#     SharePoint Online, platform Windows, client apps "Mobile apps and desktop
#     clients", session control "Require token protection for sign-in sessions",
#     excluding only the break-glass accounts (`tenantgate plan` template TG.CA.1).
#     Start in report-only mode and watch the sign-in logs' token protection status.
package tenantgate.controls.tg_ca_1

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

targets := [ca.exo, ca.spo]

relevant := [p |
	some p in ca.policies
	p.sessionControls.secureSignInSession.isEnabled == true
]

problems := {p.id: lib.flat([
	ca.state_problems(p), ca.user_problems(me, p),
	client_problems(p), platform_problems(p),
	ca.risk_problems(p), ca.other_condition_problems(p),
	ca.device_state_problems(p), ca.location_problems(p), app_problems(p),
]) | some p in relevant}

# Token protection only works for desktop clients on Windows, so the policy
# may (and should) be limited to those; it must not be limited further. A
# device filter is allowed: Microsoft's recipe uses one to skip unsupported
# join types.
client_problems(p) := [] if {
	some t in p.conditions.clientAppTypes
	t in {"all", "mobileAppsAndDesktopClients"}
} else := ["does not apply to mobile apps and desktop clients"]

platform_problems(p) := [] if {
	ca.platforms(p) == null
} else := [] if {
	some t in p.conditions.platforms.includePlatforms
	t in {"all", "windows"}
	not "windows" in p.conditions.platforms.excludePlatforms
} else := ["does not apply to Windows"]

app_problems(p) := [] if {
	some a in targets
	ca.covers_app(p, a)
} else := ["covers neither Exchange Online nor SharePoint Online"]

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

covered_by[a] := [p | some p in qualifying; ca.covers_app(p, a)] if some a in targets

missing := [ca.app_names[a] | some a in targets; count(covered_by[a]) == 0]

shortfalls := [p | some p in relevant; count(problems[p.id]) > 0]

undecided := ca.undecided(relevant, problems)

# still_missing: the apps left uncovered even if the undecided policies
# exclude only the (unnamed) break-glass accounts. When none is left, the
# verdict depends on those exclusions: not_assessed, never fail.
still_missing := [a |
	some a in targets
	count([p | some p in array.concat(qualifying, undecided); ca.covers_app(p, a)]) == 0
]

# A device filter is accepted (controls.md does not list it for TG.CA.1) but
# can narrow the policy to few devices: the pass says so.
filter_notes := [sprintf("policy %s applies only to devices its device filter lets through (%s: %s); check that it drops only devices token protection does not support", [ca.name(p), p.conditions.devices.deviceFilter.mode, p.conditions.devices.deviceFilter.rule]) |
	some p in qualifying
	is_object(p.conditions.devices.deviceFilter)
]

verdict := lib.pass_notes(
	sprintf("token protection is enforced for Exchange Online and SharePoint Online on Windows desktop clients by %s", [ca.names(qualifying)]),
	ca.ids(qualifying),
	filter_notes,
) if count(missing) == 0

else := lib.not_assessed(ca.undecided_finding(undecided, problems)) if {
	count(undecided) > 0
	count(still_missing) == 0
}

else := lib.fail(
	sprintf("no Conditional Access policy requires token protection for all users of %s", [concat(" and ", missing)]),
	[],
) if count(relevant) == 0

else := lib.fail(
	sprintf("token protection is not enforced for all users of %s: %s", [concat(" and ", [ca.app_names[a] | some a in still_missing]), concat("; ", array.concat(
		[sprintf("policy %s covers only %s", [ca.name(p), concat(" and ", [ca.app_names[a] | some a in targets; ca.covers_app(p, a)])]) | some p in qualifying],
		[ca.explain([p], problems) | some p in shortfalls],
	))]),
	ca.ids(relevant),
)
