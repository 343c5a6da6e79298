package tenantgate.controls.tg_log_1_test

import data.tenantgate.controls.tg_log_1 as c
import data.tenantgate.test.fixtures as f

ws_id := "/subscriptions/0000/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/law-sec"

sa_id := "/subscriptions/0000/resourceGroups/rg-sec/providers/Microsoft.Storage/storageAccounts/salogs"

eh_rule := "/subscriptions/0000/resourceGroups/rg-sec/providers/Microsoft.EventHub/namespaces/ns/authorizationrules/RootManageSharedAccessKey"


# setting builds an ARM diagnostic setting; dest overrides the destinations.
setting(name, dest, cats) := f.diag_setting(name, dest, cats)

to_ws(name) := setting(name, {"workspaceId": lower(ws_id)}, ["AuditLogs", "SignInLogs"])

# workspace as ARM returns it (canonical case, unlike the setting's lower-case id).
workspace(days) := {"id": ws_id, "name": "law-sec", "properties": {"retentionInDays": days, "sku": {"name": "PerGB2018"}}}

# with_logs also gives each workspace with a retention its SigninLogs and
# AuditLogs tables at that retention (the tables API reflects the workspace
# default when a table sets none).
with_logs(settings, workspaces) := f.with_data({
	"diagnosticSettings": settings,
	"logAnalyticsWorkspaces": workspaces,
	"logAnalyticsTables": [t |
		some ws in workspaces
		is_number(ws.properties.retentionInDays)
		some name in ["SigninLogs", "AuditLogs"]
		t := table(ws.id, name, ws.properties.retentionInDays, ws.properties.retentionInDays)
	],
})

# table as GET .../tables/{name}?api-version=2022-10-01 returns it (the keys
# TG.LOG.1 reads; azure-rest-api-specs TablesGet.json shows the whole shape).
table(ws, name, interactive, total) := {
	"id": sprintf("%s/tables/%s", [ws, name]), "name": name,
	"properties": {
		"retentionInDays": interactive, "totalRetentionInDays": total, "archiveRetentionInDays": total - interactive,
		"retentionInDaysAsDefault": false, "totalRetentionInDaysAsDefault": false, "plan": "Analytics",
	},
}

free(inp) := object.union(inp, {"data": {"subscribedSkus": [f.sku_o365_e3]}})

test_pass_workspace_keeps_enough if {
	r := c.result with input as with_logs([to_ws("sentinel")], [workspace(90)])
	r.status == "pass"
	r.finding == "diagnostic setting 'sentinel' sends sign-in and audit logs to a Log Analytics workspace that keeps them 90 days (target 90): SigninLogs 90 days interactive, 90 total; AuditLogs 90 days interactive, 90 total"
	r.evidence == ["providers/Microsoft.Aadiam/diagnosticSettings/sentinel"]
}

test_pass_workspace_even_when_skus_denied if {
	r := c.result with input as f.denied(with_logs([to_ws("sentinel")], [workspace(730)]), "subscribedSkus")
	r.status == "pass"
	contains(r.finding, "keeps them 730 days")
}

test_fail_workspace_keeps_30_days if {
	r := c.result with input as with_logs([to_ws("sentinel")], [workspace(30)])
	r.status == "fail"
	r.finding == "sign-in and audit logs are kept only 30 days (built-in retention with Microsoft Entra ID P1) and are not exported to a destination that keeps them longer; the baseline needs 90 days"
	r.notes == [sprintf("diagnostic setting 'sentinel' sends them to workspace %s, which keeps them 30 days (SigninLogs 30 days interactive, 30 total; AuditLogs 30 days interactive, 30 total)", [lower(ws_id)])]
	r.evidence == ["providers/Microsoft.Aadiam/diagnosticSettings/sentinel"]
}

test_pass_built_in_enough_with_short_workspace_noted if {
	inp := f.with_baseline(with_logs([to_ws("sentinel")], [workspace(14)]), {"parameters": {"log_retention_days": 30}})
	r := c.result with input as inp
	r.status == "pass"
	contains(r.finding, "30 days (built-in retention with Microsoft Entra ID P1), which meets the target of 30 days")
	contains(r.notes[0], "which keeps them 14 days")
}

test_pass_storage_account_with_note if {
	r := c.result with input as with_logs([setting("archive", {"storageAccountId": sa_id}, ["SignInLogs", "AuditLogs"])], [])
	r.status == "pass"
	r.finding == sprintf("diagnostic setting 'archive' sends sign-in and audit logs to storage account %s", [sa_id])
	r.notes == ["retention is decided by the destination; make sure it keeps them at least 90 days"]
	r.evidence == ["providers/Microsoft.Aadiam/diagnosticSettings/archive"]
}

test_pass_event_hub_with_note if {
	r := c.result with input as with_logs([setting("siem", {"eventHubAuthorizationRuleId": eh_rule, "eventHubName": "entra-logs"}, ["SignInLogs", "AuditLogs"])], [])
	r.status == "pass"
	contains(r.finding, "to event hub entra-logs")
	count(r.notes) == 1
}

test_not_assessed_workspace_not_collected if {
	r := c.result with input as with_logs([to_ws("sentinel")], [])
	r.status == "not_assessed"
	r.finding == sprintf("diagnostic setting 'sentinel' sends sign-in and audit logs to workspace %s, whose table retention could not be read (the collected logAnalyticsTables hold no totalRetentionInDays for its SigninLogs and AuditLogs tables)", [lower(ws_id)])
}

test_not_assessed_workspace_retention_null if {
	r := c.result with input as with_logs([to_ws("sentinel")], [{"id": ws_id, "properties": {"retentionInDays": null}}])
	r.status == "not_assessed"
	contains(r.finding, "whose table retention could not be read")
}

# The tables API alone decides; the workspace object is not needed.
test_pass_on_tables_when_workspaces_denied if {
	r := c.result with input as f.denied(with_logs([to_ws("sentinel")], [workspace(365)]), "logAnalyticsWorkspaces")
	r.status == "pass"
	contains(r.finding, "keeps them 365 days")
}

test_fail_no_settings_e3 if {
	r := c.result with input as with_logs([], [])
	r.status == "fail"
	contains(r.finding, "kept only 30 days (built-in retention with Microsoft Entra ID P1)")
	contains(r.finding, "the baseline needs 90 days")
	r.evidence == []
	r.notes == []
}

test_fail_no_settings_e5_still_30_days if {
	r := c.result with input as object.union(with_logs([], []), {"data": {"subscribedSkus": [f.sku_e5]}})
	r.status == "fail"
	contains(r.finding, "kept only 30 days (built-in retention with Microsoft Entra ID P1)")
}

test_fail_no_settings_free if {
	r := c.result with input as free(with_logs([], []))
	r.status == "fail"
	contains(r.finding, "kept only 7 days (built-in retention with Microsoft Entra ID Free)")
}

test_pass_no_settings_free_target_7 if {
	inp := f.with_baseline(free(with_logs([], [])), {"parameters": {"log_retention_days": 7}})
	r := c.result with input as inp
	r.status == "pass"
	r.finding == "the tenant keeps sign-in and audit logs 7 days (built-in retention with Microsoft Entra ID Free), which meets the target of 7 days"
}

test_audit_logs_disabled_does_not_count if {
	s := setting("sentinel", {"workspaceId": ws_id}, ["SignInLogs", "NonInteractiveUserSignInLogs"])
	off := object.union(s, {"properties": {"logs": array.concat(s.properties.logs, [{"category": "AuditLogs", "enabled": false}])}})
	r := c.result with input as with_logs([off], [workspace(365)])
	r.status == "fail"
	contains(r.finding, "kept only 30 days")
	r.evidence == []
}

test_setting_without_destination_does_not_count if {
	r := c.result with input as with_logs([setting("empty", {"workspaceId": "", "storageAccountId": ""}, ["SignInLogs", "AuditLogs"])], [])
	r.status == "fail"
	contains(r.finding, "kept only 30 days")
}

test_not_assessed_when_diagnostic_settings_denied if {
	r := c.result with input as f.denied(with_logs([to_ws("sentinel")], [workspace(365)]), "diagnosticSettings")
	r.status == "not_assessed"
	contains(r.finding, "diagnosticSettings was not collected (denied")
	contains(r.finding, "without export the tenant keeps sign-in and audit logs 30 days (built-in retention with Microsoft Entra ID P1)")
}

test_not_assessed_when_diagnostic_settings_and_skus_denied if {
	inp := f.denied(f.denied(with_logs([], []), "diagnosticSettings"), "subscribedSkus")
	r := c.result with input as inp
	r.status == "not_assessed"
	contains(r.finding, "7 days (Free) or up to 30 days with a license built in; the license could not be read")
	# The numbers come from the baseline's license map, not from the code.
	inp90 := f.with_baseline(inp, {"licenses": {"AAD_PREMIUM": {"signin_log_retention_days": 90}}})
	r90 := c.result with input as inp90
	contains(r90.finding, "7 days (Free) or up to 90 days with a license built in")
}

test_not_assessed_when_skus_denied_and_nothing_exported if {
	r := c.result with input as f.denied(with_logs([], []), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "the built-in retention depends on the license: subscribedSkus was not collected (denied")
}

# When the built-in retention meets the target, a workspace whose retention
# was not read does not matter.
test_pass_built_in_enough_with_unknown_workspace if {
	inp := f.with_baseline(with_logs([to_ws("sentinel")], []), {"parameters": {"log_retention_days": 30}})
	r := c.result with input as inp
	r.status == "pass"
	contains(r.finding, "keeps sign-in and audit logs 30 days (built-in retention with Microsoft Entra ID P1), which meets the target of 30 days")
}

# The finding states the days the tenant really has: a workspace keeping
# more than the built-in retention (but less than the target) counts.
test_fail_states_longest_real_retention if {
	r := c.result with input as with_logs([to_ws("sentinel")], [workspace(60)])
	r.status == "fail"
	r.finding == sprintf("sign-in and audit logs are kept only 60 days (in Log Analytics workspace '%s', which keeps them 60 days, through diagnostic setting 'sentinel'; built in: 30 days (built-in retention with Microsoft Entra ID P1)) and are not exported to a destination that keeps them longer; the baseline needs 90 days", ["law-sec"])
}

# A workspace listed twice with different retentions counts with the shorter.
test_duplicate_workspace_counts_shorter_retention if {
	r := c.result with input as with_logs([to_ws("sentinel")], [workspace(90), workspace(60)])
	r.status == "fail"
	contains(r.finding, "kept only 60 days")
}

# ---- per-table retention (workspace tables API) --------------------------------

tables_only(ts) := f.with_data({"diagnosticSettings": [to_ws("sentinel")], "logAnalyticsWorkspaces": [workspace(730)], "logAnalyticsTables": ts})

test_pass_on_table_totals_with_archive if {
	r := c.result with input as tables_only([table(ws_id, "SigninLogs", 30, 365), table(ws_id, "AuditLogs", 90, 180)])
	r.status == "pass"
	contains(r.finding, "keeps them 180 days (target 90): SigninLogs 30 days interactive, 365 total; AuditLogs 90 days interactive, 180 total")
}

# A table may keep less than the workspace default: the table counts.
test_fail_when_one_table_overrides_below_target if {
	r := c.result with input as tables_only([table(ws_id, "SigninLogs", 30, 30), table(ws_id, "AuditLogs", 730, 730)])
	r.status == "fail"
	contains(r.notes[0], "keeps them 30 days (SigninLogs 30 days interactive, 30 total; AuditLogs 730 days interactive, 730 total)")
}

test_not_assessed_when_a_table_is_missing if {
	r := c.result with input as tables_only([table(ws_id, "SigninLogs", 90, 365)])
	r.status == "not_assessed"
	contains(r.finding, "whose table retention could not be read")
}

test_not_assessed_when_tables_denied if {
	r := c.result with input as f.denied(tables_only([table(ws_id, "SigninLogs", 90, 365), table(ws_id, "AuditLogs", 90, 365)]), "logAnalyticsTables")
	r.status == "not_assessed"
	contains(r.finding, "logAnalyticsTables was not collected (denied")
}

test_workspace_retention_alone_is_not_enough if {
	r := c.result with input as tables_only([])
	r.status == "not_assessed"
}

test_table_ids_compare_case_insensitively if {
	r := c.result with input as tables_only([table(upper(ws_id), "SIGNINLOGS", 90, 90), table(ws_id, "AuditLogs", 90, 90)])
	r.status == "pass"
}
