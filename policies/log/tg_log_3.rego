# METADATA
# title: The unified audit log is kept at least ual_retention_days (default 180)
# description: >-
#   The unified audit log shows what the attacker did with the mailbox: inbox
#   rules, mail read and sent, files downloaded. Its retention is set by the
#   Purview Audit license.
# custom:
#   id: TG.LOG.3
#   order: 17
#   severity: high
#   requires: [AUDIT_STANDARD]
#   sources: [subscribedSkus]
#   seed: "ログ種類別の保持期間"
#   seed_en: "retention per log type"
#   remediation: >-
#     Keep auditing on (Exchange Online PowerShell: Get-AdminAuditLogConfig |
#     Format-List UnifiedAuditLogIngestionEnabled; turn on with
#     Set-AdminAuditLogConfig -UnifiedAuditLogIngestionEnabled $true). For more
#     than 180 days, license Audit (Premium) (365 days) or the 10-year add-on, or
#     export the log to a SIEM.
package tenantgate.controls.tg_log_3

import data.tenantgate.lib

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

target := lib.param("ual_retention_days")

days := lib.licensed_max("audit_retention_days")

source := lib.licensed_max_title("audit_retention_days")

attested := input.baseline.attestations.unified_audit_log_enabled

ingestion_note := "the unified audit log's ingestion state cannot be read from Graph; attest it in the baseline (attestations.unified_audit_log_enabled) after checking Get-AdminAuditLogConfig"

verdict := lib.fail("the baseline attests that the unified audit log is turned off (attestations.unified_audit_log_enabled: false), so nothing is recorded", []) if {
	attested == false
}

else := lib.fail_notes(
	sprintf("the unified audit log is kept %d days (%s); the baseline needs %d", [days, source, target]),
	[],
	[ingestion_note | not attested],
) if days < target

else := lib.pass_notes(
	sprintf("the unified audit log is kept %d days (%s), meeting the target of %d; ingestion attested on in the baseline", [days, source, target]),
	[],
	[],
) if attested == true

else := lib.pass_notes(
	sprintf("the unified audit log is kept %d days (%s), meeting the target of %d", [days, source, target]),
	[],
	[ingestion_note],
)
