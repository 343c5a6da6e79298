# Entra diagnostic settings (ARM microsoft.aadiam) and retention arithmetic
# shared by TG.LOG.1 and TG.LOG.2.
package tenantgate.lib.logs

import data.tenantgate.lib

settings := lib.arr(input.data.diagnosticSettings)

enabled_categories(s) := {l.category | some l in lib.arr(s.properties.logs); l.enabled == true}

sends(s, cats) if {
	every c in cats {
		c in enabled_categories(s)
	}
}

set(v) if {
	is_string(v)
	v != ""
}

has_workspace(s) if set(s.properties.workspaceId)

has_event_hub(s) if set(s.properties.eventHubAuthorizationRuleId)

has_storage(s) if set(s.properties.storageAccountId)

non_workspace(s) if has_event_hub(s)

non_workspace(s) if has_storage(s)

destination(s) := sprintf("event hub %s", [s.properties.eventHubName]) if has_event_hub(s)

else := sprintf("storage account %s", [s.properties.storageAccountId])

# ARM resource ids are case-insensitive. Were a workspace listed twice with
# different retentions, the shorter one counts (never overstate retention).
workspace_retention(s) := min(days) if {
	has_workspace(s)
	days := [ws.properties.retentionInDays |
		some ws in lib.arr(input.data.logAnalyticsWorkspaces)
		is_string(ws.id)
		lower(ws.id) == lower(s.properties.workspaceId)
		is_number(ws.properties.retentionInDays)
	]
	count(days) > 0
}

# Built-in Entra sign-in/audit log retention: what the licenses buy
# (baseline licenses.*.signin_log_retention_days), else the Free tier's 7 days.
free_days := 7

field := "signin_log_retention_days"

builtin_days := max([lib.licensed_max(field), free_days])

builtin_source := lib.licensed_max_title(field) if lib.licensed_max(field) == builtin_days

else := "Microsoft Entra ID Free"

builtin_text := sprintf("%d days (built-in retention with %s)", [builtin_days, builtin_source]) if lib.source_ok("subscribedSkus")

else := sprintf("%d days (Free) or up to %d days with a license built in; the license could not be read", [free_days, max([free_days, baseline_max_days])])

baseline_max_days := max([d | some def in input.baseline.licenses; d := object.get(def, field, 0); is_number(d)])
