# METADATA
# title: Mail read in an attacker session
# description: >-
#   Mail read (MailItemsAccessed, Bind or Sync) by activity attributed to the
#   attacker: the messages the attacker saw. A throttled record means
#   Exchange stopped logging the reads: more may have been read.
# custom:
#   id: TG.HUNT.12
#   order: 12
#   severity: high
#   technique: "T1114.002 Email Collection: Remote Email Collection"
#   seed: "攻撃の痕跡⑤ メール窃取"
#   response: >-
#     Review the messages read (InternetMessageIds below) for what they expose
#     (invoices, payment details, credentials) and warn whom they concern.
#   phase: attributed
#   prefilter:
#     - kinds: [unifiedAuditLog]
#       operations: [mailitemsaccessed]
#       record_types: [2, 50]
package tenantgate.hunt.detections.tg_hunt_12

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

findings contains f if {
	some ev in input.events
	ev.opk in ops
	ev.rt in {2, 50}
	access := lib.detail(ev, "mailAccess", "")
	lower(access) in {"bind", "sync", ""}
	lib.attacker(ev)
	items := lib.detail(ev, "items", [])
	throttled := lib.detail(ev, "throttled", false)
	f := lib.finding(ev, "high", sprintf("mail read by the attacker in %s's mailbox (%s %s)%s: %s%s", [lib.who(ev), ev.op, access, lib.from(ev), what(items, ev), throttled_text(throttled)]), lib.hour(ev), "no", {
		"items": [{"internetMessageId": object.get(it, "internetMessageId", ""), "folder": object.get(it, "folder", "")} | some it in items],
		"folders": lib.detail(ev, "folders", []),
		"throttled": throttled,
		"access": access,
	})
}

what(items, ev) := lib.count_text(count(items), "message", "messages") if count(items) > 0

else := sprintf("%s %s synchronised", [folder_word(lib.detail(ev, "folders", [])), concat(", ", lib.detail(ev, "folders", []))])

folder_word(fs) := "folder" if count(fs) == 1

else := "folders"

throttled_text(true) := "; throttled: Exchange stopped recording reads, more may have been read"

throttled_text(false) := ""
