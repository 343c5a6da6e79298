package tenantgate.controls.tg_ca_6_test

import data.tenantgate.controls.tg_ca_6 as c
import data.tenantgate.test.fixtures as f

# dp is a policy that satisfies TG.CA.6: all users, the user action "Register
# or join devices", all locations except trusted ones, require MFA.
dp(over) := f.policy(object.union(
	{
		"id": "dp", "displayName": "Device registration",
		"conditions": {
			"applications": {"includeApplications": [], "includeUserActions": ["urn:user:registerdevice"]},
			"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
		},
		"grantControls": f.grant("OR", ["mfa"]),
	},
	over,
))

drp(setting) := {
	"id": "deviceRegistrationPolicy", "displayName": "Device Registration Policy",
	"userDeviceQuota": 50, "multiFactorAuthConfiguration": setting,
	"azureADRegistration": {"isAdminConfigurable": false, "allowedToRegister": {"@odata.type": "#microsoft.graph.allDeviceRegistrationMembership"}},
	"azureADJoin": {"isAdminConfigurable": true, "allowedToJoin": {"@odata.type": "#microsoft.graph.allDeviceRegistrationMembership"}},
	"localAdminPassword": {"isEnabled": false},
}

office := {
	"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "loc-office", "displayName": "Office", "isTrusted": true,
	"ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "203.0.113.0/24"}],
}

anywhere := {
	"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "loc-any", "displayName": "Anywhere", "isTrusted": true,
	"ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "0.0.0.0/0"}],
}

tenant(ps, setting) := f.with_data({
	"conditionalAccessPolicies": ps,
	"deviceRegistrationPolicy": drp(setting),
	"namedLocations": [office],
})

# ---- pass ----------------------------------------------------------------------

test_pass_mfa_and_setting_not_required if {
	r := c.result with input as tenant([dp({})], "notRequired")
	r.status == "pass"
	contains(r.finding, "policy 'Device registration' requires MFA to register or join devices outside trusted locations, and the tenant setting is notRequired")
	r.evidence == ["dp"]
	r.notes == []
}

test_pass_authentication_strength if {
	g := f.strength("00000000-0000-0000-0000-000000000002", "Multifactor authentication")
	r := c.result with input as tenant([dp({"grantControls": g})], "notRequired")
	r.status == "pass"
	r.evidence == ["dp"]
}

test_pass_locations_absent if {
	r := c.result with input as tenant([dp({"conditions": {"locations": null}})], "notRequired")
	r.status == "pass"
}

test_pass_excludes_trusted_location_by_id if {
	r := c.result with input as tenant([dp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-office"]}}})], "notRequired")
	r.status == "pass"
}

test_pass_with_warning_when_setting_still_required if {
	r := c.result with input as tenant([dp({})], "required")
	r.status == "pass"
	contains(r.finding, "policy 'Device registration' requires MFA to register or join devices outside trusted locations")
	not contains(r.finding, "notRequired")
	r.evidence == ["dp"]
	count(r.notes) == 1
	contains(r.notes[0], "\"Require MFA to register or join devices\" is still required")
	contains(r.notes[0], "set it to notRequired")
}

test_pass_tenant_setting_without_policy if {
	r := c.result with input as tenant([], "required")
	r.status == "pass"
	r.finding == "the tenant setting requires MFA to register or join devices (deviceRegistrationPolicy.multiFactorAuthConfiguration = required)"
	r.evidence == ["deviceRegistrationPolicy"]
	count(r.notes) == 1
	contains(r.notes[0], "a Conditional Access policy on the user action gives location-aware control")
}

test_pass_tenant_setting_names_policy_shortfall if {
	r := c.result with input as tenant([dp({"state": "enabledForReportingButNotEnforced"})], "required")
	r.status == "pass"
	contains(r.finding, "deviceRegistrationPolicy.multiFactorAuthConfiguration = required) (policy 'Device registration' would satisfy this control but is report-only)")
	r.evidence == ["deviceRegistrationPolicy"]
}

test_pass_tenant_setting_when_named_locations_denied if {
	r := c.result with input as f.denied(tenant([dp({})], "required"), "namedLocations")
	r.status == "pass"
	contains(r.finding, "the tenant setting requires MFA")
	contains(r.finding, "excludes trusted locations, which could not be checked")
}

# ---- fail ----------------------------------------------------------------------

test_fail_no_policy_setting_not_required if {
	r := c.result with input as tenant([], "notRequired")
	r.status == "fail"
	r.finding == "device registration needs no MFA: no Conditional Access policy covers the user action \"Register or join devices\" and the tenant setting is notRequired"
	r.evidence == ["deviceRegistrationPolicy"]
}

test_fail_security_info_action_is_not_enough if {
	r := c.result with input as tenant([dp({"conditions": {"applications": {"includeUserActions": ["urn:user:registersecurityinfo"]}}})], "notRequired")
	r.status == "fail"
	contains(r.finding, "no Conditional Access policy covers the user action \"Register or join devices\"")
}

test_fail_report_only_setting_not_required if {
	r := c.result with input as tenant([dp({"state": "enabledForReportingButNotEnforced"})], "notRequired")
	r.status == "fail"
	contains(r.finding, "device registration needs no MFA (tenant setting notRequired): policy 'Device registration' would satisfy this control but is report-only")
	r.evidence == ["dp", "deviceRegistrationPolicy"]
}

test_fail_block_grant if {
	r := c.result with input as tenant([dp({"grantControls": f.grant("OR", ["block"])})], "notRequired")
	r.status == "fail"
	contains(r.finding, "policy 'Device registration' grants or of [block] instead of requiring MFA or an MFA authentication strength")
}

test_fail_compliant_device_grant if {
	r := c.result with input as tenant([dp({"grantControls": f.grant("OR", ["compliantDevice"])})], "notRequired")
	r.status == "fail"
	contains(r.finding, "grants or of [compliantDevice] instead of requiring MFA")
}

test_fail_mfa_or_compliant_device if {
	r := c.result with input as tenant([dp({"grantControls": f.grant("OR", ["mfa", "compliantDevice"])})], "notRequired")
	r.status == "fail"
	contains(r.finding, "grants or of [mfa, compliantDevice]")
}

test_fail_not_all_users if {
	r := c.result with input as tenant([dp({"conditions": {"users": {"includeUsers": [f.other_user]}}})], "notRequired")
	r.status == "fail"
	contains(r.finding, "policy 'Device registration' does not target all users")
}

test_fail_extra_exclusion if {
	r := c.result with input as tenant([dp({"conditions": {"users": {"excludeGroups": [f.other_group]}}})], "notRequired")
	r.status == "fail"
	contains(r.finding, sprintf("excludes group %s, which the baseline does not allow", [f.other_group]))
}

test_fail_narrowed_by_sign_in_risk if {
	r := c.result with input as tenant([dp({"conditions": {"signInRiskLevels": ["medium", "high"]}})], "notRequired")
	r.status == "fail"
	contains(r.finding, "applies only to signInRiskLevels medium/high")
}

test_fail_trusted_location_contains_everything if {
	inp := f.with_data({
		"conditionalAccessPolicies": [dp({})],
		"deviceRegistrationPolicy": drp("notRequired"),
		"namedLocations": [office, anywhere],
	})
	r := c.result with input as inp
	r.status == "fail"
	contains(r.finding, "relies on trusted location 'Anywhere', whose ranges cover 4,294,967,296 IPv4 addresses (more than a /8's 16,777,216)")
}

test_fail_include_locations_not_all if {
	r := c.result with input as tenant([dp({"conditions": {"locations": {"includeLocations": ["loc-office"], "excludeLocations": []}}})], "notRequired")
	r.status == "fail"
	contains(r.finding, "includes locations loc-office instead of All")
}

test_fail_report_only_even_when_named_locations_denied if {
	r := c.result with input as f.denied(tenant([dp({"state": "enabledForReportingButNotEnforced"})], "notRequired"), "namedLocations")
	r.status == "fail"
	contains(r.finding, "policy 'Device registration' is report-only, excludes trusted locations, which could not be checked")
}

# ---- not_assessed / not_licensed -------------------------------------------------

test_not_assessed_named_locations_denied if {
	r := c.result with input as f.denied(tenant([dp({})], "notRequired"), "namedLocations")
	r.status == "not_assessed"
	contains(r.finding, "the verdict depends on data the snapshot lacks: policy 'Device registration' excludes trusted locations, which could not be checked")
	contains(r.finding, "namedLocations was not collected (denied")
}

test_pass_named_locations_denied_without_location_condition if {
	r := c.result with input as f.denied(tenant([dp({"conditions": {"locations": null}})], "notRequired"), "namedLocations")
	r.status == "pass"
}

test_not_assessed_when_device_registration_policy_denied if {
	r := c.result with input as f.denied(tenant([dp({})], "notRequired"), "deviceRegistrationPolicy")
	r.status == "not_assessed"
	contains(r.finding, "deviceRegistrationPolicy was not collected (denied: Authorization_RequestDenied")
}

test_not_assessed_when_device_registration_policy_missing if {
	r := c.result with input as f.with_policies([dp({})])
	r.status == "not_assessed"
	contains(r.finding, "deviceRegistrationPolicy is missing from the snapshot")
}

test_not_assessed_when_policies_denied if {
	r := c.result with input as f.denied(tenant([dp({})], "notRequired"), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies was not collected")
}

test_not_licensed_without_p1 if {
	inp := f.with_data({"subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [dp({})], "deviceRegistrationPolicy": drp("notRequired")})
	r := c.result with input as inp
	r.status == "not_licensed"
	contains(r.finding, "the tenant has no Microsoft Entra ID P1 license")
}

# Partial data: without the tenant setting the policy's enforcement is
# unknown (Microsoft: the user action is not enforced while it is required).
test_not_assessed_when_setting_missing if {
	inp := f.with_data({
		"conditionalAccessPolicies": [dp({})],
		"deviceRegistrationPolicy": object.remove(drp("notRequired"), ["multiFactorAuthConfiguration"]),
		"namedLocations": [office],
	})
	r := c.result with input as inp
	r.status == "not_assessed"
	contains(r.finding, "no multiFactorAuthConfiguration")
	r2 := c.result with input as object.union(inp, {"data": {"conditionalAccessPolicies": []}})
	r2.status == "not_assessed"
}

test_fail_narrowed_client_apps if {
	r := c.result with input as tenant([dp({"conditions": {"clientAppTypes": ["browser"]}})], "notRequired")
	r.status == "fail"
	contains(r.finding, "applies only to client apps browser")
}

test_pass_with_note_on_unknown_setting_value if {
	r := c.result with input as tenant([dp({})], "unknownFutureValue")
	r.status == "pass"
	r.notes == ["the device registration setting multiFactorAuthConfiguration is \"unknownFutureValue\", a value tenantgate does not know; Microsoft documents the user action as enforced when it is notRequired"]
}

test_not_assessed_unknown_strength if {
	r := c.result with input as tenant([dp({"grantControls": f.strength("ghost", "Ghost")})], "notRequired")
	r.status == "not_assessed"
	contains(r.finding, "uses authentication strength 'Ghost', whose definition could not be read")
}

test_fail_strength_allowing_email_alone if {
	em := {"id": "em", "displayName": "Email", "allowedCombinations": ["email"]}
	inp := object.union(tenant([dp({"grantControls": f.strength("em", "Email")})], "notRequired"), {"data": {"authenticationStrengthPolicies": array.concat(f.builtin_strengths, [em])}})
	r := c.result with input as inp
	r.status == "fail"
	contains(r.finding, "(not MFA: allows email)")
}

# controls.md: AllTrusted also holds the legacy MFA service's trusted IPs,
# which Graph cannot read; a pass that relies on AllTrusted says so.
legacy_ips := "AllTrusted also includes the legacy MFA service's trusted IPs, which Graph cannot read"

test_pass_relying_on_all_trusted_says_legacy_ips_are_unread if {
	every setting in ["notRequired", "required", "somethingNew"] {
		r := c.result with input as tenant([dp({})], setting)
		r.status == "pass"
		contains(r.finding, legacy_ips)
	}
}

test_pass_not_relying_on_all_trusted_does_not_mention_legacy_ips if {
	r := c.result with input as tenant([dp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-office"]}}})], "notRequired")
	r.status == "pass"
	not contains(r.finding, "legacy MFA")
}
