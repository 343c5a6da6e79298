package tenantgate.controls.tg_dev_1_test

import data.tenantgate.controls.tg_dev_1 as c
import data.tenantgate.test.fixtures as f

all_users_target := {"target": {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}}

limit_config := {
	"@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration",
	"id": "df13d8b9_DefaultLimit", "displayName": "All users and all devices",
	"priority": 0, "limit": 5, "assignments": [all_users_target],
}

notification(over) := object.union(
	{
		"@odata.type": "#microsoft.graph.deviceEnrollmentNotificationConfiguration",
		"id": "n1", "displayName": "Enrollment e-mail",
		"deviceEnrollmentConfigurationType": "enrollmentNotificationsConfiguration",
		"platformType": "allPlatforms", "templateType": "email",
		"assignments": [all_users_target],
	},
	over,
)

with_configs(cs) := f.with_data({"deviceEnrollmentConfigurations": cs})

test_pass_assigned_notification if {
	r := c.result with input as with_configs([limit_config, notification({})])
	r.status == "pass"
	r.finding == "enrollment notification 'Enrollment e-mail' is assigned"
	r.evidence == ["n1"]
}

test_pass_matched_by_configuration_type if {
	n := json.remove(notification({"deviceEnrollmentConfigurationType": "EnrollmentNotificationsConfiguration"}), ["@odata.type"])
	r := c.result with input as with_configs([n])
	r.status == "pass"
	r.evidence == ["n1"]
}

test_pass_one_of_two_assigned if {
	r := c.result with input as with_configs([notification({"id": "n0", "displayName": "Draft", "assignments": []}), notification({})])
	r.status == "pass"
	r.evidence == ["n1"]
}

test_fail_unassigned if {
	r := c.result with input as with_configs([limit_config, notification({"assignments": []})])
	r.status == "fail"
	contains(r.finding, "enrollment notification 'Enrollment e-mail' exists but is assigned to nobody")
	r.evidence == ["n1"]
}

test_not_assessed_when_assignments_not_expanded if {
	r := c.result with input as with_configs([json.remove(notification({}), ["assignments"])])
	r.status == "not_assessed"
	contains(r.finding, "'Enrollment e-mail' exists but its assignments were not collected")
}

test_not_assessed_when_assignments_null if {
	r := c.result with input as with_configs([notification({"assignments": null})])
	r.status == "not_assessed"
	contains(r.finding, "$expand=assignments")
}

test_fail_none if {
	r := c.result with input as with_configs([limit_config])
	r.status == "fail"
	contains(r.finding, "no enrollment notification is configured")
	r.evidence == []
}

test_fail_empty_list if {
	r := c.result with input as with_configs([])
	r.status == "fail"
	contains(r.finding, "no enrollment notification")
}

test_not_licensed_without_intune if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku_o365_e3], "deviceEnrollmentConfigurations": [notification({})]})
	r.status == "not_licensed"
	contains(r.finding, "Microsoft Intune Plan 1")
}

test_not_licensed_with_intune_o365_only if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku("O365_BUSINESS_PREMIUM", ["INTUNE_O365", "EXCHANGE_S_STANDARD"])], "deviceEnrollmentConfigurations": [notification({})]})
	r.status == "not_licensed"
}

test_pass_with_intune_smbiz if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku("SPB", ["AAD_PREMIUM", "INTUNE_SMBIZ", "EXCHANGE_S_STANDARD"])], "deviceEnrollmentConfigurations": [notification({})]})
	r.status == "pass"
}

test_not_assessed_when_denied if {
	r := c.result with input as f.denied(with_configs([notification({})]), "deviceEnrollmentConfigurations")
	r.status == "not_assessed"
	contains(r.finding, "deviceEnrollmentConfigurations was not collected (denied")
}

test_not_assessed_when_skus_denied if {
	r := c.result with input as f.denied(with_configs([notification({})]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined, so this control (needs Microsoft Intune Plan 1)")
}

# An assignment that only excludes a group notifies nobody.
test_fail_exclusion_only_assignment if {
	excl := {"target": {"@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget", "groupId": "g1"}}
	r := c.result with input as with_configs([notification({"assignments": [excl]})])
	r.status == "fail"
	contains(r.finding, "exists but is assigned to nobody")
}

test_not_assessed_assignment_without_target_type if {
	r := c.result with input as with_configs([notification({"assignments": [{"id": "a1"}]})])
	r.status == "not_assessed"
	r.finding == "enrollment notification 'Enrollment e-mail' has assignments without a target type"
}

test_not_licensed_when_intune_plan_disabled if {
	s := {"skuPartNumber": "SPE_E3", "capabilityStatus": "Enabled", "servicePlans": [
		{"servicePlanName": "AAD_PREMIUM", "provisioningStatus": "Success"},
		{"servicePlanName": "INTUNE_A", "provisioningStatus": "Disabled"},
	]}
	r := c.result with input as f.with_data({"subscribedSkus": [s], "deviceEnrollmentConfigurations": [notification({})]})
	r.status == "not_licensed"
}
