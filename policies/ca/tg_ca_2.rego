# METADATA
# title: Browser sessions to Exchange Online (Outlook on the web) must re-authenticate at least every hour
# description: >-
#   Outlook on the web sessions last 24 hours by default. A stolen browser
#   session is only useful until the next forced sign-in, so a short sign-in
#   frequency contains the damage.
# custom:
#   id: TG.CA.2
#   order: 2
#   severity: high
#   requires: [AAD_PREMIUM]
#   sources: [conditionalAccessPolicies, breakGlassAccounts]
#   exclusions: true
#   seed: "Containment: OWA セッション 1 時間"
#   seed_en: "Containment: one-hour Outlook on the web sessions"
#   remediation: >-
#     Create an all-users policy for Office 365 Exchange Online, client apps
#     "Browser", session control sign-in frequency 1 hour (or every time),
#     excluding only the break-glass accounts (`tenantgate plan` template TG.CA.2).
package tenantgate.controls.tg_ca_2

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

max_hours := lib.param("max_sign_in_frequency_hours")

sif(p) := p.sessionControls.signInFrequency

relevant := [p |
	some p in ca.policies
	sif(p).isEnabled == true
	ca.includes_app(p, ca.exo)
]

problems := {p.id: lib.flat([
	ca.state_problems(p), ca.user_problems(me, p),
	ca.app_problems(p, ca.exo), ca.client_problems(p, ["browser"]),
	ca.condition_narrowing(p), ca.platform_problems(p),
	ca.location_problems(p), frequency_problems(p),
]) | some p in relevant}

# hours is the re-authentication interval; everyTime counts as 0.
hours(p) := 0 if sif(p).frequencyInterval == "everyTime"

else := sif(p).value if {
	sif(p).type == "hours"
	positive(sif(p).value)
} else := sif(p).value * 24 if {
	sif(p).type == "days"
	positive(sif(p).value)
}

# A time-based interval is a positive number (Graph allows 1-24 hours or
# 1-365 days); 0 or less is not a usable interval, never "every time".
positive(v) if {
	is_number(v)
	v > 0
}

frequency_problems(p) := [] if hours(p) <= max_hours

else := [sprintf("re-authenticates every %v %s; the baseline allows at most %v", [sif(p).value, sif(p).type, max_hours])] if hours(p) > max_hours

else := ["has a sign-in frequency without a usable interval"]

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

undecided := ca.undecided(relevant, problems)

verdict := lib.pass(
	sprintf("policy %s makes Exchange Online browser sessions re-authenticate within %v hour(s)", [ca.name(qualifying[0]), max_hours]),
	ca.ids(qualifying),
) if count(qualifying) > 0

else := lib.fail(
	sprintf("no Conditional Access policy limits Exchange Online browser sessions to %v hour(s) for all users (sessions then last 24 hours)", [max_hours]),
	[],
) if count(relevant) == 0

else := lib.not_assessed(ca.undecided_finding(undecided, problems)) if count(undecided) > 0

else := lib.fail(ca.explain(relevant, problems), ca.ids(relevant))
