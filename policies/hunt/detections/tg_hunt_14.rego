# METADATA
# title: Outlook on the web through a proxy
# description: >-
#   Exchange records whose client is "Client=OWA;Action=ViaProxy" from an
#   address outside the trusted networks: the talk's attacker read and sent
#   mail this way. OWA writes it for some ordinary sessions too, so on its own
#   it is medium; attributed to the attacker it is high.
# custom:
#   id: TG.HUNT.14
#   order: 14
#   severity: high
#   base_severity: medium
#   technique: "T1114.002 Email Collection: Remote Email Collection"
#   seed: "攻撃者アクティビティ例 (ClientInfoString: Client=OWA;Action=ViaProxy)"
#   response: >-
#     Check the sessions and addresses of these records against the user's
#     own; limit Outlook on the web sessions (sign-in frequency 1 hour).
#   phase: detect
#   reads: [user, target, op, rt, ip, ipClass, clientInfo]
#   prefilter:
#     - kinds: [unifiedAuditLog]
#       record_types: [1, 2, 3, 50]
#       values: [clientInfo]
package tenantgate.hunt.detections.tg_hunt_14

import data.tenantgate.hunt.lib

via_proxy(ci) if contains(lower(ci), "client=owa;action=viaproxy")

keep contains v if {
	some v in input.values
	via_proxy(v)
}

findings contains f if {
	some ev in input.events
	ev.rt in {1, 2, 3, 50}
	via_proxy(ev.clientInfo)
	ev.ip != ""
	not lib.never_indicator(ev)
	sev := severity(ev)
	f := lib.finding(ev, sev, sprintf("Outlook on the web through a proxy (%s) for %s from %s: %s%s", [ev.clientInfo, lib.who(ev), ev.ip, ev.op, attributed_text(ev)]), ev.ip, "no", {})
}

severity(ev) := "high" if lib.attacker(ev)

else := "medium"

attributed_text(ev) := ", attributed to the attacker" if lib.attacker(ev)

else := ""
