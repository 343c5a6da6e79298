# METADATA
# title: Mailbox forwarding
# description: >-
#   Mail forwarded out of the mailbox: Set-Mailbox with ForwardingSmtpAddress,
#   ForwardingAddress or DeliverToMailboxAndForward, or a transport rule that
#   redirects or blind-copies mail.
# custom:
#   id: TG.HUNT.9
#   order: 9
#   severity: high
#   technique: "T1114.003 Email Collection: Email Forwarding Rule"
#   seed: "攻撃の痕跡④ 侵害痕跡の削除〜情報窃取"
#   response: >-
#     Remove the forwarding (Set-Mailbox -ForwardingSmtpAddress $null
#     -DeliverToMailboxAndForward $false) or the transport rule; block
#     automatic external forwarding in the outbound spam policy.
#   phase: detect
#   detail: true
#   prefilter:
#     - kinds: [unifiedAuditLog]
#       operations: [set-mailbox, new-transportrule, set-transportrule]
package tenantgate.hunt.detections.tg_hunt_9

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

reasons(ev) := {r |
	ev.opk == "set-mailbox"
	some p in ["ForwardingSmtpAddress", "ForwardingAddress"]
	lib.has_param(ev, p)
	r := sprintf("%s %s", [p, lib.param(ev, p)])
} | {"DeliverToMailboxAndForward" |
	ev.opk == "set-mailbox"
	lib.truthy(lib.param(ev, "DeliverToMailboxAndForward"))
} | {r |
	ev.opk in {"new-transportrule", "set-transportrule"}
	some p in ["RedirectMessageTo", "BlindCopyTo"]
	lib.has_param(ev, p)
	r := sprintf("%s %s", [p, lib.param(ev, p)])
}

findings contains f if {
	some ev in input.events
	ev.opk in ops
	rs := reasons(ev)
	count(rs) > 0
	f := lib.finding(ev, "high", sprintf("%s by %s%s: %s", [ev.op, lib.who(ev), lib.from(ev), concat("; ", sort(rs))]), ev.i, "no", {"forwarding": sort(rs), "identity": lib.first([i | i := lib.param(ev, "Identity")], "")})
}
