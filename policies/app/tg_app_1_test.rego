package tenantgate.controls.tg_app_1_test

import data.tenantgate.controls.tg_app_1 as c
import data.tenantgate.test.fixtures as f

with_perms(perms) := f.with_data({"authorizationPolicy": {"id": "authorizationPolicy", "defaultUserRolePermissions": perms}})

test_pass_apps_off if {
	r := c.result with input as with_perms({"allowedToCreateApps": false, "allowedToCreateTenants": true})
	r.status == "pass"
	contains(r.finding, "allowedToCreateApps = false")
	r.evidence == ["authorizationPolicy"]
}

test_fail_apps_on if {
	r := c.result with input as with_perms({"allowedToCreateApps": true})
	r.status == "fail"
	contains(r.finding, "any user can register applications")
	contains(r.finding, "allowedToCreateApps = true")
	r.evidence == ["authorizationPolicy"]
}

test_not_assessed_field_missing if {
	r := c.result with input as with_perms({"allowedToCreateTenants": false})
	r.status == "not_assessed"
	contains(r.finding, "no defaultUserRolePermissions.allowedToCreateApps value")
}

test_not_assessed_field_null if {
	r := c.result with input as with_perms({"allowedToCreateApps": null})
	r.status == "not_assessed"
	contains(r.finding, "allowedToCreateApps")
}

test_not_assessed_no_default_permissions if {
	r := c.result with input as f.with_data({"authorizationPolicy": {"id": "authorizationPolicy"}})
	r.status == "not_assessed"
}

test_not_assessed_when_denied if {
	r := c.result with input as f.denied(with_perms({"allowedToCreateApps": false}), "authorizationPolicy")
	r.status == "not_assessed"
	contains(r.finding, "authorizationPolicy was not collected (denied")
	contains(r.finding, "Insufficient privileges")
	r.evidence == []
}

test_not_assessed_when_source_absent_from_snapshot if {
	r := c.result with input as f.with_data({})
	r.status == "not_assessed"
	contains(r.finding, "authorizationPolicy is missing from the snapshot")
}
