# METADATA
# title: AiTM sign-in to OfficeHome / Office.com
# description: >-
#   The sign-in an Adversary-in-the-Middle phishing proxy leaves: a browser
#   without a device id signs in to OfficeHome or Office.com from an address
#   the user never signed in from successfully, outside the trusted networks,
#   and is accepted or interrupted by MFA. A home user on a personal browser
#   looks the same, so on its own it is medium; corroborated (the same
#   session or token shows a replay, a tooling user agent or any other
#   detection, or the address is a responder's IOC) it is high and an entry
#   indicator.
# custom:
#   id: TG.HUNT.1
#   order: 1
#   severity: high
#   base_severity: medium
#   technique: "T1557 Adversary-in-the-Middle; T1539 Steal Web Session Cookie"
#   seed: "インシデント発生！ / 不審なサインイン (Entra ID Sign-in logs)"
#   response: >-
#     Revoke the user's sessions (Entra admin center > Users > Revoke sessions,
#     or Graph POST /users/{id}/revokeSignInSessions) and reset the password;
#     then review everything the session and its address did.
#   phase: detect
#   reads: [kind, user, ip, ipClass, app, appName, resource, error, clientApp, ua, deviceId, signIn, country, asn, detail]
#   prefilter:
#     - kinds: [signIns]
#       values: [app, resource]
#     - kinds: [unifiedAuditLog]
#       operations: [userloggedin, userloginfailed]
#       record_types: [15]
#       values: [app, resource]
package tenantgate.hunt.detections.tg_hunt_1

import data.tenantgate.hunt.lib

# OfficeHome and Office 365 (office.com): where AiTM kits land their victims.
apps := {"4765445b-32c6-49b0-83e6-1d93765276ca", "72782ba9-4490-4f03-8d82-562370ea3566"}

keep contains v if {
	some v in input.values
	lower(v) in apps
}

office(ev) if lower(ev.app) in apps

office(ev) if lower(ev.resource) in apps

# new_ip: no successful sign-in of this user from this address earlier in
# the inputs (the correlation's fact ipSeenBefore; failed attempts do not
# count).
new_ip(ev) if not object.get(ev, "ipSeenBefore", false)

candidate(ev) if {
	ev.signIn
	lib.accepted(ev)
	office(ev)
	lib.is_browser(ev)
	ev.deviceId == ""
	ev.ip != ""
	not lib.never_indicator(ev)
	new_ip(ev)
}

findings contains f if {
	some ev in input.events
	candidate(ev)
	corroborated := object.get(ev, "corroborated", false)
	f := lib.finding(ev, severity(corroborated), summary(ev, corroborated), ev.ip, "corroborated", {})
}

severity(true) := "high"

severity(false) := "medium"

outcome(ev) := "successful" if ev.error == 0

else := sprintf("MFA-interrupted (%d)", [ev.error])

place(ev) := sprintf(" (%s, AS%d)", [ev.country, ev.asn]) if {
	ev.country != ""
	ev.asn != 0
} else := sprintf(" (%s)", [ev.country]) if ev.country != ""

else := ""

summary(ev, corroborated) := sprintf("%s browser sign-in of %s to %s from %s%s, an address the user never signed in from before, with no device id; user agent %q%s%s", [
	outcome(ev), lib.who(ev), app_name(ev), ev.ip, place(ev), ev.ua, auth_text(ev),
	corroboration(corroborated),
])

# auth_text: how the sign-in authenticated (AuthDetails): a relayed MFA, or
# "satisfied by claim in the token" for a replayed cookie.
auth_text(ev) := sprintf("; authentication: %s", [concat(", ", steps)]) if {
	steps := [s |
		some st in lib.detail(ev, "auth", [])
		s := trim_space(concat(" ", [object.get(st, "method", ""), result(st)]))
		s != ""
	]
	count(steps) > 0
} else := ""

result(st) := sprintf("(%s)", [st.result]) if object.get(st, "result", "") != ""

else := ""

app_name(ev) := ev.appName if ev.appName != ""

else := "OfficeHome" if lower(ev.app) == "4765445b-32c6-49b0-83e6-1d93765276ca"

else := "OfficeHome" if lower(ev.resource) == "4765445b-32c6-49b0-83e6-1d93765276ca"

else := "Office 365"

corroboration(true) := "; corroborated by other attacker activity in the same session or token, or a responder's IOC"

corroboration(false) := ""
