# METADATA
# title: Entra ID sign-in (interactive and non-interactive) and audit logs are streamed to a SIEM
# description: >-
#   The talk's detections (sign-ins from two countries within minutes, new
#   security info, consent to an app, device registration) run in a SIEM on
#   the Entra logs, including non-interactive sign-ins where replayed tokens show.
# custom:
#   id: TG.LOG.2
#   order: 16
#   severity: medium
#   requires: []
#   sources: [diagnosticSettings]
#   seed: "Detect: SIEM に出力し監視"
#   seed_en: "Detect: send to a SIEM and monitor"
#   remediation: >-
#     Entra admin center > Monitoring > Diagnostic settings: enable SignInLogs,
#     NonInteractiveUserSignInLogs and AuditLogs to a Log Analytics / Microsoft
#     Sentinel workspace or an event hub feeding your SIEM. ARM: PUT
#     /providers/microsoft.aadiam/diagnosticSettings/{name}?api-version=2017-04-01
#     with properties.workspaceId (or eventHubAuthorizationRuleId) and logs
#     [{category: SignInLogs, enabled: true}, {category:
#     NonInteractiveUserSignInLogs, enabled: true}, {category: AuditLogs,
#     enabled: true}] (Security Administrator, or Contributor on
#     /providers/Microsoft.aadiam).
package tenantgate.controls.tg_log_2

import data.tenantgate.lib
import data.tenantgate.lib.logs

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

needed := {"SignInLogs", "NonInteractiveUserSignInLogs", "AuditLogs"}

streaming := [s |
	some s in logs.settings
	logs.sends(s, needed)
	siem(s)
]

siem(s) if logs.has_workspace(s)

siem(s) if logs.has_event_hub(s)

partial := [sprintf("diagnostic setting '%s' lacks %s", [s.name, concat(", ", needed - logs.enabled_categories(s))]) |
	some s in logs.settings
	not logs.sends(s, needed)
]

storage_only := [no_siem_text(s) |
	some s in logs.settings
	logs.sends(s, needed)
	not siem(s)
]

no_siem_text(s) := sprintf("diagnostic setting '%s' sends to a storage account only, which no SIEM watches", [s.name]) if logs.has_storage(s)

else := sprintf("diagnostic setting '%s' has no destination", [s.name])

verdict := lib.pass(
	sprintf("diagnostic setting '%s' streams sign-in, non-interactive sign-in and audit logs to a SIEM destination", [streaming[0].name]),
	[s.id | some s in streaming],
) if count(streaming) > 0

else := lib.fail("no diagnostic setting exports Entra ID logs, so nothing watches them", []) if count(logs.settings) == 0

else := lib.fail(
	sprintf("no diagnostic setting streams SignInLogs, NonInteractiveUserSignInLogs and AuditLogs to a workspace or event hub: %s", [concat("; ", array.concat(partial, storage_only))]),
	[s.id | some s in logs.settings],
)
