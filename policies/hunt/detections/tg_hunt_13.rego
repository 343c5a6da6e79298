# METADATA
# title: Files accessed in an attacker session
# description: >-
#   SharePoint or OneDrive files downloaded, opened or synchronised by
#   activity attributed to the attacker.
# custom:
#   id: TG.HUNT.13
#   order: 13
#   severity: high
#   technique: "T1530 Data from Cloud Storage"
#   seed: "攻撃の痕跡⑤ ファイル窃取"
#   response: >-
#     Review the documents the attacker downloaded (names and sites below) and
#     warn the parties they concern.
#   phase: attributed
#   prefilter:
#     - kinds: [unifiedAuditLog]
#       operations: [filedownloaded, fileaccessed, filesyncdownloadedfull]
package tenantgate.hunt.detections.tg_hunt_13

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

findings contains f if {
	some ev in input.events
	ev.opk in ops
	lib.attacker(ev)
	file := lib.detail(ev, "file", {})
	name := lib.first([n | n := object.get(file, "name", ""); n != ""], lib.detail(ev, "objectId", ""))
	site := object.get(file, "site", "")
	f := lib.finding(ev, "high", sprintf("file %q %s by the attacker%s (%s)", [name, verb(ev), lib.from(ev), site]), lib.hour(ev), "no", {"name": name, "site": site})
}

verb(ev) := "downloaded" if ev.opk == "filedownloaded"

else := "synchronised" if ev.opk == "filesyncdownloadedfull"

else := "opened"
