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

test_workspace_retention_case_insensitive if {
	inp := f.with_data({"logAnalyticsWorkspaces": [
		{"id": "/other", "properties": {"retentionInDays": 7}},
		{"id": lower(ws_id), "properties": {"retentionInDays": 120}},
	]})
	logs.workspace_retention(s({"workspaceId": upper(ws_id)})) == 120 with input as inp
}

test_workspace_retention_undefined if {
	inp := f.with_data({"logAnalyticsWorkspaces": [{"id": ws_id, "properties": {"retentionInDays": "90"}}]})
	not logs.workspace_retention(s({"workspaceId": ws_id})) with input as inp
	not logs.workspace_retention(s({"workspaceId": "/elsewhere"})) with input as inp
	not logs.workspace_retention(s({"workspaceId": ws_id})) with input as f.with_data({})
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
