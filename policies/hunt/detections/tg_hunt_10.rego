# METADATA
# title: Mail sent in an attacker session
# description: >-
#   Mail sent (Send, SendAs, SendOnBehalf) by activity attributed to the
#   attacker: the spam and the fake invoices the talk's attacker sent from
#   the victim's mailbox.
# custom:
#   id: TG.HUNT.10
#   order: 10
#   severity: high
#   technique: "T1534 Internal Spearphishing; T1566 Phishing"
#   seed: "攻撃の痕跡⑤ スパム送信"
#   response: >-
#     Warn the recipients of the mail the attacker sent (subjects and message
#     ids below) and recall or purge it where possible.
#   phase: attributed
#   prefilter:
#     - kinds: [unifiedAuditLog]
#       operations: [send, sendas, sendonbehalf]
package tenantgate.hunt.detections.tg_hunt_10

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

findings contains f if {
	some ev in input.events
	ev.opk in ops
	lib.attacker(ev)
	items := lib.detail(ev, "items", [])
	subject := lib.first([s | some it in items; s := object.get(it, "subject", "")], "")
	f := lib.finding(ev, "high", sprintf("mail sent by the attacker from %s's mailbox (%s)%s: %q", [lib.who(ev), ev.op, lib.from(ev), subject]), lib.hour(ev), "no", {
		"subject": subject,
		"internetMessageId": lib.first([m | some it in items; m := object.get(it, "internetMessageId", "")], ""),
	})
}
