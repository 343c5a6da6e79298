# METADATA
# title: Audit logging switched off
# description: >-
#   Unified audit log ingestion disabled (Set-AdminAuditLogConfig
#   -UnifiedAuditLogIngestionEnabled $false), mailbox auditing disabled
#   (Set-Mailbox -AuditEnabled $false) or audit bypassed, or unified audit
#   log retention policies changed: an attacker (or an admin) blinding the
#   investigation.
# custom:
#   id: TG.HUNT.15
#   order: 15
#   severity: high
#   technique: "T1562.008 Impair Defenses: Disable or Modify Cloud Logs"
#   seed: "ログの収集: ログが保管されていない"
#   response: >-
#     Turn auditing back on (Set-AdminAuditLogConfig
#     -UnifiedAuditLogIngestionEnabled $true; Set-Mailbox -AuditEnabled $true),
#     restore the retention policy, and treat the gap as a blind spot.
#   phase: detect
#   detail: true
#   prefilter:
#     - kinds: [unifiedAuditLog]
#       operations: [set-adminauditlogconfig, set-mailbox, set-mailboxauditbypassassociation, new-unifiedauditlogretentionpolicy, set-unifiedauditlogretentionpolicy, remove-unifiedauditlogretentionpolicy]
package tenantgate.hunt.detections.tg_hunt_15

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

retention := {"new-unifiedauditlogretentionpolicy", "set-unifiedauditlogretentionpolicy", "remove-unifiedauditlogretentionpolicy"}

reasons(ev) := {"unified audit log ingestion disabled" |
	ev.opk == "set-adminauditlogconfig"
	lib.falsy(lib.param(ev, "UnifiedAuditLogIngestionEnabled"))
} | {"mailbox auditing disabled" |
	ev.opk == "set-mailbox"
	lib.falsy(lib.param(ev, "AuditEnabled"))
} | {"mailbox audit bypassed" |
	ev.opk == "set-mailboxauditbypassassociation"
	lib.truthy(lib.param(ev, "AuditBypassEnabled"))
} | {r |
	ev.opk in retention
	r := sprintf("audit log retention policy changed (%s %s)", [ev.op, lib.first([n | n := lib.param(ev, "Identity")], lib.first([n | n := lib.param(ev, "Name")], ""))])
}

findings contains f if {
	some ev in input.events
	ev.opk in ops
	rs := reasons(ev)
	count(rs) > 0
	f := lib.finding(ev, "high", sprintf("%s by %s%s", [concat("; ", sort(rs)), lib.who(ev), lib.from(ev)]), ev.i, "no", {"changes": sort(rs)})
}
