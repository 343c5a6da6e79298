package tenantgate.lib.logs_test

import data.tenantgate.lib.logs
import data.tenantgate.test.fixtures as f

ws_id := "/subscriptions/0000/resourceGroups/RG/providers/Microsoft.OperationalInsights/workspaces/LAW"

s(props) := {"id": "providers/microsoft.aadiam/diagnosticSettings/s", "name": "s", "properties": props}

test_enabled_categories_and_sends if {
	x := s({"logs": [{"category": "SignInLogs", "enabled": true}, {"category": "AuditLogs", "enabled": false}, {"category": "RiskyUsers", "enabled": "true"}]})
	logs.enabled_categories(x) == {"SignInLogs"}
	logs.sends(x, {"SignInLogs"})
	not logs.sends(x, {"SignInLogs", "AuditLogs"})
	logs.enabled_categories(s({"logs": null})) == set()
}

test_destinations if {
	w := s({"workspaceId": ws_id, "storageAccountId": "", "eventHubAuthorizationRuleId": null})
	logs.has_workspace(w)
	not logs.has_storage(w)
	not logs.has_event_hub(w)
	not logs.non_workspace(w)
	e := s({"eventHubAuthorizationRuleId": "rule", "eventHubName": "hub", "storageAccountId": "sa"})
	logs.non_workspace(e)
	logs.destination(e) == "event hub hub"
	st := s({"storageAccountId": "sa", "workspaceId": ""})
	logs.non_workspace(st)
	not logs.has_workspace(st)
	logs.destination(st) == "storage account sa"
}

tbl(id, name, total) := {"id": sprintf("%s/tables/%s", [id, name]), "name": name, "properties": {"retentionInDays": 30, "totalRetentionInDays": total}}

# Table ids compare case-insensitively; a table listed twice counts with its
# shorter retention; the workspace keeps the logs as long as its shorter table.
test_workspace_retention_from_tables if {
	inp := f.with_data({"logAnalyticsTables": [
		tbl("/other", "SigninLogs", 7), tbl("/other", "AuditLogs", 7),
		tbl(lower(ws_id), "SigninLogs", 400), tbl(ws_id, "SIGNINLOGS", 365), tbl(upper(ws_id), "AuditLogs", 120),
	]})
	logs.workspace_retention(s({"workspaceId": upper(ws_id)})) == 120 with input as inp
	logs.tables_text(s({"workspaceId": ws_id})) == "SigninLogs 30 days interactive, 365 total; AuditLogs 30 days interactive, 120 total" with input as inp
}

test_workspace_retention_undefined if {
	inp := f.with_data({"logAnalyticsTables": [tbl(ws_id, "SigninLogs", "90"), tbl(ws_id, "AuditLogs", 90)]})
	not logs.workspace_retention(s({"workspaceId": ws_id})) with input as inp
	not logs.workspace_retention(s({"workspaceId": "/elsewhere"})) with input as inp
	not logs.workspace_retention(s({"workspaceId": ws_id})) with input as f.with_data({})
	not logs.workspace_retention(s({"workspaceId": ws_id})) with input as f.with_data({"logAnalyticsWorkspaces": [{"id": ws_id, "properties": {"retentionInDays": 90}}]})
}

test_settings_default_empty if {
	logs.settings == [] with input as f.with_data({"diagnosticSettings": null})
}

test_builtin_retention if {
	logs.builtin_days == 30 with input as f.with_data({})
	logs.builtin_text == "30 days (built-in retention with Microsoft Entra ID P1)" with input as f.with_data({})
	logs.builtin_text == "30 days (built-in retention with Microsoft Entra ID P1)" with input as f.with_data({"subscribedSkus": [f.sku("AAD_PREMIUM_P2", ["AAD_PREMIUM_P2"])]})
	logs.builtin_days == 7 with input as f.with_data({"subscribedSkus": [f.sku_o365_e3]})
	logs.builtin_text == "7 days (built-in retention with Microsoft Entra ID Free)" with input as f.with_data({"subscribedSkus": []})
	logs.builtin_text == "7 days (Free) or up to 30 days with a license built in; the license could not be read" with input as f.denied(f.with_data({}), "subscribedSkus")
}

test_builtin_retention_follows_baseline_map if {
	inp := f.with_baseline(f.with_data({"subscribedSkus": [f.sku_e5]}), {"licenses": {"AAD_PREMIUM_P2": {"signin_log_retention_days": 90}}})
	logs.builtin_days == 90 with input as inp
	logs.builtin_text == "90 days (built-in retention with Microsoft Entra ID P2)" with input as inp
}

test_retention_for_evidence if {
	r := logs.retention with input as f.with_data({})
	r == {"signInDays": 30, "signInLicense": "Microsoft Entra ID P1", "ualDays": 180, "ualLicense": "Microsoft Purview Audit (Standard)", "known": true}
	e5 := logs.retention with input as f.with_data({"subscribedSkus": [f.sku_e5]})
	e5.ualDays == 365
	none := logs.retention with input as f.with_data({"subscribedSkus": [f.sku("FLOW_FREE", ["FLOW_P2_VIRAL"])]})
	none == {"signInDays": 7, "signInLicense": "Microsoft Entra ID Free", "ualDays": 0, "ualLicense": "no Purview Audit license", "known": true}
	unknown := logs.retention with input as f.denied(f.with_data({}), "subscribedSkus")
	unknown.known == false
}
