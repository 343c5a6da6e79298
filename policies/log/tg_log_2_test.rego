package tenantgate.controls.tg_log_2_test

import data.tenantgate.controls.tg_log_2 as c
import data.tenantgate.test.fixtures as f

all_three := ["SignInLogs", "NonInteractiveUserSignInLogs", "AuditLogs"]

setting(name, dest, cats) := f.diag_setting(name, dest, cats)

ws := {"workspaceId": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"}

eh := {"eventHubAuthorizationRuleId": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns/authorizationrules/r", "eventHubName": "entra"}

sa := {"storageAccountId": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa"}

with_settings(ss) := f.with_data({"diagnosticSettings": ss})

test_pass_workspace if {
	r := c.result with input as with_settings([setting("sentinel", ws, all_three)])
	r.status == "pass"
	r.finding == "diagnostic setting 'sentinel' streams sign-in, non-interactive sign-in and audit logs to a SIEM destination"
	r.evidence == ["providers/Microsoft.Aadiam/diagnosticSettings/sentinel"]
}

test_pass_event_hub if {
	r := c.result with input as with_settings([setting("archive", sa, all_three), setting("splunk", eh, all_three)])
	r.status == "pass"
	contains(r.finding, "'splunk' streams")
	r.evidence == ["providers/Microsoft.Aadiam/diagnosticSettings/splunk"]
}

test_fail_storage_only if {
	r := c.result with input as with_settings([setting("archive", sa, all_three)])
	r.status == "fail"
	contains(r.finding, "diagnostic setting 'archive' sends to a storage account only, which no SIEM watches")
	r.evidence == ["providers/Microsoft.Aadiam/diagnosticSettings/archive"]
}

test_fail_missing_non_interactive if {
	r := c.result with input as with_settings([setting("sentinel", ws, ["SignInLogs", "AuditLogs"])])
	r.status == "fail"
	contains(r.finding, "diagnostic setting 'sentinel' lacks NonInteractiveUserSignInLogs")
}

test_fail_disabled_category_counts_as_missing if {
	s := setting("sentinel", ws, ["SignInLogs", "NonInteractiveUserSignInLogs"])
	off := object.union(s, {"properties": {"logs": array.concat(s.properties.logs, [{"category": "AuditLogs", "enabled": false}])}})
	r := c.result with input as with_settings([off])
	r.status == "fail"
	contains(r.finding, "'sentinel' lacks AuditLogs")
}

test_fail_lists_every_setting if {
	r := c.result with input as with_settings([setting("a", ws, ["AuditLogs"]), setting("b", sa, all_three)])
	r.status == "fail"
	contains(r.finding, "'a' lacks NonInteractiveUserSignInLogs, SignInLogs; diagnostic setting 'b' sends to a storage account only")
}

test_fail_no_settings if {
	r := c.result with input as with_settings([])
	r.status == "fail"
	r.finding == "no diagnostic setting exports Entra ID logs, so nothing watches them"
	r.evidence == []
}

test_not_assessed_when_denied if {
	r := c.result with input as f.denied(with_settings([setting("sentinel", ws, all_three)]), "diagnosticSettings")
	r.status == "not_assessed"
	contains(r.finding, "diagnosticSettings was not collected (denied")
}

test_fail_setting_without_destination if {
	s := setting("empty", {"workspaceId": "", "storageAccountId": ""}, ["SignInLogs", "NonInteractiveUserSignInLogs", "AuditLogs"])
	r := c.result with input as f.with_data({"diagnosticSettings": [s]})
	r.status == "fail"
	contains(r.finding, "diagnostic setting 'empty' has no destination")
	not contains(r.finding, "storage account")
}
