# METADATA
# title: Mail deleted in an attacker session
# description: >-
#   Mail deleted (SoftDelete, HardDelete, MoveToDeletedItems) by activity
#   attributed to the attacker, or whose subject matches the words of a
#   hiding rule (TG.HUNT.8) of the same mailbox: the replies to the
#   attacker's mail, hidden from the victim. Their message ids let them be
#   restored.
# custom:
#   id: TG.HUNT.11
#   order: 11
#   severity: high
#   technique: "T1070.008 Indicator Removal: Clear Mailbox Data"
#   seed: "攻撃の痕跡④ 侵害痕跡の削除 (メール削除, AffectedItems)"
#   response: >-
#     Restore the deleted messages (Recoverable Items; subjects and
#     InternetMessageIds below) and read them: they are often replies from
#     people who noticed the attacker's mail.
#   phase: attributed
#   rule_words: true
#   prefilter:
#     - kinds: [unifiedAuditLog]
#       operations: [softdelete, harddelete, movetodeleteditems]
package tenantgate.hunt.detections.tg_hunt_11

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

# matches: the subjects of the record that contain a word of a hiding
# rule of the mailbox (input.context.rule_words[mailbox]).
matches(ev) := {s |
	mailbox := lib.first([m | m := lib.detail(ev, "mailbox", ""); m != ""], ev.user)
	some w in object.get(object.get(input, "context", {}), "rule_words", {})[mailbox]
	some it in lib.detail(ev, "items", [])
	s := object.get(it, "subject", "")
	contains(lower(s), lower(w))
}

why(ev) := "by the attacker" if lib.attacker(ev)

else := sprintf("matching the words of a hiding inbox rule (%s)", [concat(", ", sort(matches(ev)))])

findings contains f if {
	some ev in input.events
	ev.opk in ops
	deleted(ev)
	items := lib.detail(ev, "items", [])
	f := lib.finding(ev, "high", sprintf("%s deleted from %s's mailbox (%s) %s%s: %s", [lib.count_text(count(items), "message", "messages"), lib.who(ev), ev.op, why(ev), lib.from(ev), concat("; ", [sprintf("%q", [object.get(it, "subject", "")]) | some it in items])]), lib.hour(ev), "no", {"items": [{"subject": object.get(it, "subject", ""), "internetMessageId": object.get(it, "internetMessageId", "")} | some it in items]})
}

deleted(ev) if lib.attacker(ev)

deleted(ev) if count(matches(ev)) > 0
