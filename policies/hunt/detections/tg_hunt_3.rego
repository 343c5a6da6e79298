# METADATA
# title: Attacker tooling user agent
# description: >-
#   A sign-in that was accepted (or interrupted by MFA), or any other record,
#   whose user agent is a scripting or attack tool's (the baseline's
#   hunt.tooling_user_agents). Failed sign-ins with such agents are password
#   spraying: listed as notable, not as entry indicators.
# custom:
#   id: TG.HUNT.3
#   order: 3
#   severity: high
#   technique: "T1078.004 Valid Accounts: Cloud Accounts; T1110.003 Password Spraying"
#   seed: "不審なサインイン: UserAgent"
#   response: >-
#     Revoke the user's sessions and reset the password; block legacy and
#     scripted authentication (Conditional Access) and look for the same
#     agent in other users' sign-ins.
#   phase: detect
#   prefilter:
#     - kinds: [signIns, directoryAudits, unifiedAuditLog]
#       values: [ua]
package tenantgate.hunt.detections.tg_hunt_3

import data.tenantgate.hunt.lib

tooling(ua) := t if {
	some t in input.params.tooling_user_agents
	contains(lower(ua), lower(t))
}

keep contains v if {
	some v in input.values
	tooling(v)
}

findings contains f if {
	some ev in input.events
	t := tooling(ev.ua)
	accepted_or_activity(ev)
	f := lib.finding(ev, "high", sprintf("%s of %s%s with the tooling user agent %q (%s)", [what(ev), lib.who(ev), lib.from(ev), ev.ua, t]), concat("|", [ev.ip, ev.ua]), "yes", {"tool": t})
}

findings contains f if {
	some ev in input.events
	t := tooling(ev.ua)
	ev.signIn
	not lib.accepted(ev)
	f := lib.finding(ev, "low", sprintf("failed sign-in (%d) of %s%s with the tooling user agent %q (%s): password spraying or guessing; not an entry indicator", [ev.error, lib.who(ev), lib.from(ev), ev.ua, t]), concat("|", [ev.ip, ev.ua]), "no", {"tool": t})
}

accepted_or_activity(ev) if not ev.signIn

accepted_or_activity(ev) if {
	ev.signIn
	lib.accepted(ev)
}

what(ev) := "sign-in" if ev.signIn

else := sprintf("%s", [ev.op])
