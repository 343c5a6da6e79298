package tenantgate.hunt.detections.tg_hunt_15_test

import data.tenantgate.hunt.detections.tg_hunt_15 as d
import data.tenantgate.hunt.test as t

cmd(op, params) := t.replace(t.ual, {"op": op, "opk": lower(op), "detail": {"params": params}})

got(ev) := [f.facts.changes | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "UAL ingestion off", "ev": cmd("Set-AdminAuditLogConfig", {"UnifiedAuditLogIngestionEnabled": "False"}), "want": [["unified audit log ingestion disabled"]]},
	{"name": "UAL ingestion on", "ev": cmd("Set-AdminAuditLogConfig", {"UnifiedAuditLogIngestionEnabled": "True"}), "want": []},
	{"name": "mailbox auditing off", "ev": cmd("Set-Mailbox", {"Identity": "johanna", "AuditEnabled": "$false"}), "want": [["mailbox auditing disabled"]]},
	{"name": "mailbox auditing on", "ev": cmd("Set-Mailbox", {"AuditEnabled": "True"}), "want": []},
	{"name": "audit bypass", "ev": cmd("Set-MailboxAuditBypassAssociation", {"Identity": "svc", "AuditBypassEnabled": "True"}), "want": [["mailbox audit bypassed"]]},
	{"name": "retention policy removed", "ev": cmd("Remove-UnifiedAuditLogRetentionPolicy", {"Identity": "Keep 1 year"}), "want": [["audit log retention policy changed (Remove-UnifiedAuditLogRetentionPolicy Keep 1 year)"]]},
	{"name": "retention policy added", "ev": cmd("New-UnifiedAuditLogRetentionPolicy", {"Name": "Short", "RetentionDuration": "SevenDays"}), "want": [["audit log retention policy changed (New-UnifiedAuditLogRetentionPolicy Short)"]]},
	{"name": "retention policy changed, unnamed", "ev": cmd("Set-UnifiedAuditLogRetentionPolicy", {"Priority": "1"}), "want": [["audit log retention policy changed (Set-UnifiedAuditLogRetentionPolicy )"]]},
]

test_cases if {
	failures := [sprintf("%s: got %v, want %v", [c.name, got(c.ev), c.want]) | some c in cases; got(c.ev) != c.want]
	print(failures)
	failures == []
}

test_summary if {
	[f] := [f | some f in d.findings with input as t.with_events([cmd("Set-AdminAuditLogConfig", {"UnifiedAuditLogIngestionEnabled": "False"})])]
	f.severity == "high"
	f.summary == "unified audit log ingestion disabled by johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1"
}
