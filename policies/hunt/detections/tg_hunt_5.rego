# METADATA
# title: Device registered or joined
# description: >-
#   A device registered to the user or the user added as its owner: the
#   attacker's way to reach resources that require a registered device.
#   High when it comes from an attacker indicator or within the followup
#   window after a TG.HUNT.1, 2 or 3 event of the same user.
# custom:
#   id: TG.HUNT.5
#   order: 5
#   severity: high
#   base_severity: medium
#   technique: "T1098.005 Account Manipulation: Device Registration"
#   seed: "攻撃の痕跡② 端末の登録"
#   response: >-
#     Disable, then after the investigation delete, the device (Entra admin
#     center > Devices); require a trusted location or MFA to register or join
#     devices, and notify users of new enrollments.
#   phase: detect
#   detail: true
#   prefilter:
#     - kinds: [directoryAudits, unifiedAuditLog]
#       operations: [register device, add registered owner to device, add registered users to device]
package tenantgate.hunt.detections.tg_hunt_5

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

findings contains f if {
	some ev in input.events
	ev.opk in ops
	d := device(ev)
	sev := severity(ev)
	f := lib.finding(ev, sev, sprintf("device %q registered for %s (%s)%s%s", [d, lib.who(ev), ev.op, lib.from(ev), lib.escalation_text(ev)]), concat("|", [d, substring(ev.time, 0, 19)]), "no", {"device": d})
}

severity(ev) := "high" if lib.escalated(ev)

else := "medium"

device(ev) := lib.first(
	array.concat(
		[n | some t in lib.detail(ev, "targets", []); lower(object.get(t, "type", "")) == "device"; n := object.get(t, "name", object.get(t, "id", "")); n != ""],
		[n | some k in ["Device Name", "DeviceName", "Device Id"]; n := lib.additional(ev, k); n != ""],
	),
	"unknown device",
)
