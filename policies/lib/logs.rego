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

# ARM resource ids are case-insensitive.
workspace_retention(s) := ws.properties.retentionInDays if {
	has_workspace(s)
	some ws in lib.arr(input.data.logAnalyticsWorkspaces)
	lower(ws.id) == lower(s.properties.workspaceId)
	is_number(ws.properties.retentionInDays)
}

# Built-in Entra sign-in/audit log retention: what the licenses buy
# (baseline licenses.*.signin_log_retention_days), else the Free tier's 7 days.
free_days := 7

licensed_days := [d |
	some cap in lib.licensed
	d := input.baseline.licenses[cap].signin_log_retention_days
	d > 0
]

builtin_days := max(array.concat(licensed_days, [free_days]))

builtin_caps := sort([cap |
	some cap in lib.licensed
	input.baseline.licenses[cap].signin_log_retention_days == builtin_days
])

builtin_source := lib.license_title(builtin_caps[0]) if count(builtin_caps) > 0

else := "Microsoft Entra ID Free"

builtin_text := sprintf("%d days (built-in retention with %s)", [builtin_days, builtin_source]) if lib.source_ok("subscribedSkus")

else := "7 days (Free) or 30 days (P1/P2) built in; the license could not be read"
