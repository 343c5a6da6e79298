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

# Retention comes from the workspace tables API (controls.md TG.LOG.1): each
# of SigninLogs and AuditLogs has its own totalRetentionInDays, which already
# reflects the workspace default when the table sets none, and includes the
# archive a responder can still search or restore. The workspace's own
# retentionInDays is not used: a table may override it either way.
log_tables := ["SigninLogs", "AuditLogs"]

# tables[workspace id, lower case][table name] lists the table objects read
# (ARM ids are case-insensitive).
tables[ws][name] := ts if {
	some t in lib.arr(input.data.logAnalyticsTables)
	is_string(t.id)
	parts := split(lower(t.id), "/tables/")
	count(parts) == 2
	ws := trim_right(parts[0], "/")
	some name in log_tables
	lower(name) == parts[1]
	ts := [x |
		some x in lib.arr(input.data.logAnalyticsTables)
		is_string(x.id)
		lower(x.id) == lower(t.id)
	]
}

workspace_key(s) := trim_right(lower(s.properties.workspaceId), "/")

# table_days(s, name): the shortest totalRetentionInDays read for that table
# of the setting's workspace (were it listed twice, never overstate).
table_days(s, name) := min(days) if {
	days := [d | some t in tables[workspace_key(s)][name]; d := t.properties.totalRetentionInDays; is_number(d)]
	count(days) > 0
}

interactive_days(s, name) := min(days) if {
	days := [d | some t in tables[workspace_key(s)][name]; d := t.properties.retentionInDays; is_number(d)]
	count(days) > 0
} else := "an unknown number of"

# workspace_retention(s): how long the setting's workspace keeps both log
# tables, undefined unless both were read.
workspace_retention(s) := min([table_days(s, name) | some name in log_tables]) if {
	has_workspace(s)
	every name in log_tables {
		table_days(s, name)
	}
}

# tables_text(s) states interactive and total days per table.
tables_text(s) := concat("; ", [sprintf("%s %v days interactive, %d total", [name, interactive_days(s, name), table_days(s, name)]) | some name in log_tables])

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

# retention is what the tenant keeps, for `tenantgate evidence`'s warning
# that the window asked for is older than the logs go back: the Entra
# sign-in/audit days (TG.LOG.1's built-in retention) and the unified audit
# log's (TG.LOG.3's licence). known is false when the licences are unread.
retention := {
	"signInDays": builtin_days,
	"signInLicense": builtin_source,
	"ualDays": lib.licensed_max("audit_retention_days"),
	"ualLicense": ual_license,
	"known": skus_known,
}

skus_known := true if lib.source_ok("subscribedSkus")

else := false

ual_license := lib.licensed_max_title("audit_retention_days") if lib.licensed_max("audit_retention_days") > 0

else := "no Purview Audit license"
