# METADATA
# title: Entra ID sign-in and audit logs are kept at least log_retention_days (default 90)
# description: >-
#   AiTM compromises are found weeks later. Entra keeps sign-in and audit logs
#   7 days (Free) or 30 days (P1/P2); the investigation needs them longer.
# custom:
#   id: TG.LOG.1
#   order: 15
#   severity: high
#   requires: []
#   sources: [diagnosticSettings]
#   seed: "ログ種類別の保持期間 / ライセンスとログ保持期間の事前把握"
#   seed_en: "retention per log type / knowing licences and log retention in advance"
#   remediation: >-
#     Entra admin center > Monitoring > Diagnostic settings: send SignInLogs and
#     AuditLogs to a Log Analytics workspace whose retention is at least the
#     target (or to a storage account / event hub that keeps them long enough).
#     ARM: PUT /providers/microsoft.aadiam/diagnosticSettings/{name}?api-version=2017-04-01.
package tenantgate.controls.tg_log_1

import data.tenantgate.lib
import data.tenantgate.lib.logs

# TG.LOG.1 judges the diagnostic settings itself: when they cannot be read
# the finding must still state the built-in retention.
result := lib.not_assessed(sprintf("%s; without export the tenant keeps sign-in and audit logs %s", [lib.source_problem("diagnosticSettings"), logs.builtin_text])) if {
	not lib.source_ok("diagnosticSettings")
} else := verdict

target := lib.param("log_retention_days")

needed := {"SignInLogs", "AuditLogs"}

exporting := [s | some s in logs.settings; logs.sends(s, needed)]

# Destinations that keep the logs long enough, or whose retention is
# decided outside Entra (storage account, event hub).
good := [s | some s in exporting; logs.workspace_retention(s) >= target]

elsewhere := [s | some s in exporting; logs.non_workspace(s)]

unknown := [s | some s in exporting; logs.has_workspace(s); not logs.workspace_retention(s)]

short := [s | some s in exporting; logs.workspace_retention(s) < target]

# Why a workspace's retention is unknown: the source failed, or it was read
# but holds no retentionInDays for that workspace.
workspace_problem := lib.source_problem("logAnalyticsTables") if not lib.source_ok("logAnalyticsTables")

else := "the collected logAnalyticsTables hold no totalRetentionInDays for its SigninLogs and AuditLogs tables"

short_notes := [sprintf("diagnostic setting '%s' sends them to workspace %s, which keeps them %d days (%s)", [s.name, s.properties.workspaceId, logs.workspace_retention(s), logs.tables_text(s)]) | some s in short]

# workspace_name is the last segment of a workspace's resource id.
workspace_name(s) := parts[count(parts) - 1] if {
	parts := split(trim_right(s.properties.workspaceId, "/"), "/")
}

# The longest retention the tenant really has (controls.md: the finding
# states it): a short workspace may still keep logs longer than Entra does.
best_short := max([logs.workspace_retention(s) | some s in short])

kept_text := sprintf("%d days (in Log Analytics workspace '%s', which keeps them %d days, through diagnostic setting '%s'; built in: %s)", [best_short, workspace_name(longest), best_short, longest.name, logs.builtin_text]) if {
	best_short > logs.builtin_days
	longest := [s | some s in short; logs.workspace_retention(s) == best_short][0]
}

else := logs.builtin_text

verdict := lib.pass(
	sprintf("diagnostic setting '%s' sends sign-in and audit logs to a Log Analytics workspace that keeps them %d days (target %d): %s", [good[0].name, logs.workspace_retention(good[0]), target, logs.tables_text(good[0])]),
	[s.id | some s in good],
) if count(good) > 0

else := lib.pass_notes(
	sprintf("diagnostic setting '%s' sends sign-in and audit logs to %s", [elsewhere[0].name, logs.destination(elsewhere[0])]),
	[s.id | some s in elsewhere],
	[sprintf("retention is decided by the destination; make sure it keeps them at least %d days", [target])],
) if count(elsewhere) > 0

# The built-in retention alone meets the target: no workspace matters.
else := lib.pass_notes(
	sprintf("the tenant keeps sign-in and audit logs %s, which meets the target of %d days", [logs.builtin_text, target]),
	[],
	short_notes,
) if {
	lib.source_ok("subscribedSkus")
	logs.builtin_days >= target
}

else := lib.not_assessed(sprintf("diagnostic setting '%s' sends sign-in and audit logs to workspace %s, whose table retention could not be read (%s)", [unknown[0].name, unknown[0].properties.workspaceId, workspace_problem])) if count(unknown) > 0

else := lib.not_assessed(sprintf("sign-in and audit logs are not exported with enough retention and the built-in retention depends on the license: %s", [lib.source_problem("subscribedSkus")])) if {
	not lib.source_ok("subscribedSkus")
}

else := lib.fail_notes(
	sprintf("sign-in and audit logs are kept only %s and are not exported to a destination that keeps them longer; the baseline needs %d days", [kept_text, target]),
	[s.id | some s in short],
	short_notes,
)
