# METADATA
# title: Users are notified when a device is enrolled in their name
# description: >-
#   An attacker who registers a device with a stolen session is exposed when
#   the real user gets an e-mail about the enrollment and calls IT.
# custom:
#   id: TG.DEV.1
#   order: 18
#   severity: low
#   requires: [INTUNE_A]
#   sources: [deviceEnrollmentConfigurations]
#   seed: "Detect: デバイス登録通知"
#   seed_en: "Detect: device registration notifications"
#   remediation: >-
#     Intune admin center > Devices > Enrollment > Enrollment notifications:
#     create an e-mail (and push) notification for all platforms and assign it
#     to all users. Graph (beta): POST
#     /beta/deviceManagement/deviceEnrollmentConfigurations with a
#     #microsoft.graph.deviceEnrollmentNotificationConfiguration, then POST
#     .../{id}/assign (DeviceManagementServiceConfig.ReadWrite.All).
package tenantgate.controls.tg_dev_1

import data.tenantgate.lib

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

notifications := [c |
	some c in input.data.deviceEnrollmentConfigurations
	notification(c)
]

notification(c) if c["@odata.type"] == "#microsoft.graph.deviceEnrollmentNotificationConfiguration"

notification(c) if {
	is_string(c.deviceEnrollmentConfigurationType)
	lower(c.deviceEnrollmentConfigurationType) == "enrollmentnotificationsconfiguration"
}

# Assigned means assigned to someone: an assignment that only excludes a
# group notifies nobody. An assignment without a target type is unknown.
assigned := [c | some c in notifications; some a in lib.arr(c.assignments); includes(a)]

includes(a) if {
	is_string(a.target["@odata.type"])
	a.target["@odata.type"] != "#microsoft.graph.exclusionGroupAssignmentTarget"
}

unknown_targets := [c | some c in notifications; some a in lib.arr(c.assignments); not target_known(a)]

target_known(a) if is_string(a.target["@odata.type"])

# assignments is a navigation property: absent means it was not expanded.
# (A helper, since `not is_array(c.assignments)` fails when the key is absent.)
unexpanded := [c | some c in notifications; not expanded(c)]

expanded(c) if is_array(c.assignments)

verdict := lib.pass(
	sprintf("enrollment notification '%s' is assigned", [assigned[0].displayName]),
	[c.id | some c in assigned],
) if count(assigned) > 0

else := lib.not_assessed(sprintf("enrollment notification %s exists but its assignments were not collected ($expand=assignments)", [lib.quote_all([c.displayName | some c in unexpanded])])) if count(unexpanded) > 0

else := lib.not_assessed(sprintf("enrollment notification %s has assignments without a target type", [lib.quote_all([c.displayName | some c in unknown_targets])])) if count(unknown_targets) > 0

else := lib.fail(
	sprintf("enrollment notification %s exists but is assigned to nobody", [lib.quote_all([c.displayName | some c in notifications])]),
	[c.id | some c in notifications],
) if count(notifications) > 0

else := lib.fail("no enrollment notification is configured, so users are not told when a device is enrolled in their name", [])
