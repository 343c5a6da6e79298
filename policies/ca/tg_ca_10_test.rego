package tenantgate.controls.tg_ca_10_test

import data.tenantgate.controls.tg_ca_10 as c
import data.tenantgate.lib.ca
import data.tenantgate.test.fixtures as f

# dc is a policy that satisfies TG.CA.10: all users, all apps, the device
# code flow, block. Its shape follows Microsoft's "Block device code flow"
# recipe as real tenants export it (the flags string may name both flows).
dc(over) := f.policy(object.union(
	{
		"id": "dc", "displayName": "Block device code flow",
		"conditions": {"authenticationFlows": {"transferMethods": "deviceCodeFlow"}},
		"grantControls": f.grant("OR", ["block"]),
	},
	over,
))

flows(methods) := {"conditions": {"authenticationFlows": {"transferMethods": methods}}}

users(u) := {"conditions": {"users": u}}

conditions(x) := {"conditions": x}

guests := {"guestOrExternalUserTypes": "b2bCollaborationGuest", "externalTenants": {"membershipKind": "all"}}

# Each case: name, the change to dc, the status, and a text the finding holds.
cases := [
	["block device code flow", {}, "pass", "policy 'Block device code flow' blocks the device code flow for all users and all apps"],
	["both flows in one flags string", flows("deviceCodeFlow,authenticationTransfer"), "pass", "blocks the device code flow"],
	["both flows, device code last", flows("authenticationTransfer,deviceCodeFlow"), "pass", "blocks the device code flow"],
	["modern clients listed", conditions({"clientAppTypes": ["browser", "mobileAppsAndDesktopClients"]}), "pass", "blocks the device code flow"],
	["platforms all", conditions({"platforms": {"includePlatforms": ["all"], "excludePlatforms": []}}), "pass", "blocks the device code flow"],
	["block AND-ed with mfa", {"grantControls": f.grant("AND", ["block", "mfa"])}, "pass", "blocks the device code flow"],
	["report-only", {"state": "enabledForReportingButNotEnforced"}, "fail", "policy 'Block device code flow' would satisfy this control but is report-only"],
	["disabled", {"state": "disabled"}, "fail", "policy 'Block device code flow' is disabled"],
	["not all users", users({"includeUsers": [], "includeGroups": [f.other_group]}), "fail", "does not target all users"],
	["extra user exclusion", users({"excludeUsers": [f.bg1, f.bg2, f.other_user]}), "fail", sprintf("excludes user %s, which the baseline does not allow", [f.other_user])],
	["extra group exclusion", users({"excludeGroups": [f.other_group]}), "fail", sprintf("excludes group %s, which the baseline does not allow", [f.other_group])],
	["role exclusion", users({"excludeRoles": [f.ga_role]}), "fail", sprintf("excludes role %s", [f.ga_role])],
	["guest exclusion", users({"excludeGuestsOrExternalUsers": guests}), "fail", "excludes guests and external users"],
	["not all apps", conditions({"applications": {"includeApplications": ["Office365"]}}), "fail", "does not target all applications"],
	["excluded app", conditions({"applications": {"excludeApplications": [f.exo]}}), "fail", sprintf("excludes application %s", [f.exo])],
	["platforms narrowed", conditions({"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["android"]}}), "fail", "applies only to platforms all excluding android"],
	["locations narrowed", conditions({"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}), "fail", "is limited by location"],
	["sign-in risk narrowed", conditions({"signInRiskLevels": ["high"]}), "fail", "applies only to signInRiskLevels high"],
	["user risk narrowed", conditions({"userRiskLevels": ["high"]}), "fail", "applies only to userRiskLevels high"],
	["insider risk narrowed", conditions({"insiderRiskLevels": "elevated"}), "fail", "applies only to insider risk elevated"],
	["device filter", conditions({"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.model -eq \"Room\""}}}), "fail", "has a device filter (exclude: device.model -eq \"Room\")"],
	["client apps narrowed", conditions({"clientAppTypes": ["mobileAppsAndDesktopClients"]}), "fail", "applies only to client apps mobileAppsAndDesktopClients (needs browser/mobileAppsAndDesktopClients)"],
	["legacy clients only", conditions({"clientAppTypes": ["exchangeActiveSync", "other"]}), "fail", "applies only to client apps exchangeActiveSync/other"],
	["grant mfa instead of block", {"grantControls": f.grant("OR", ["mfa"])}, "fail", "grants or of [mfa] instead of blocking"],
	["block OR-ed with mfa", {"grantControls": f.grant("OR", ["block", "mfa"])}, "fail", "grants or of [block, mfa] instead of blocking"],
	["authentication transfer only", flows("authenticationTransfer"), "fail", "no Conditional Access policy blocks the device code flow"],
	["no flows condition (null)", conditions({"authenticationFlows": null}), "fail", "no Conditional Access policy blocks the device code flow"],
	["transferMethods null", flows(null), "fail", "no Conditional Access policy blocks the device code flow"],
]

test_cases if {
	every tc in cases {
		[name, over, want, text] := tc
		r := c.result with input as f.with_policies([dc(over)])
		verdict_is(name, r, want, text)
	}
}

verdict_is(_, r, want, text) if {
	r.status == want
	contains(r.finding, text)
}

verdict_is(name, r, want, text) if {
	not verdict_matches(r, want, text)
	print(name, "gives", r.status, "want", want, "with", text, ":", r.finding)
	false
}

verdict_matches(r, want, text) if {
	r.status == want
	contains(r.finding, text)
}

test_evidence_lists_every_qualifying_policy if {
	r := c.result with input as f.with_policies([dc({}), dc({"id": "dc2", "displayName": "Block device code flow 2"}), f.policy({"id": "mfa", "grantControls": f.grant("OR", ["mfa"])})])
	r.status == "pass"
	r.evidence == ["dc", "dc2"]
}

test_one_qualifying_policy_among_near_misses_passes if {
	r := c.result with input as f.with_policies([dc({"id": "ro", "displayName": "Pilot", "state": "enabledForReportingButNotEnforced"}), dc({})])
	r.status == "pass"
	r.evidence == ["dc"]
}

test_fail_lists_every_near_miss if {
	r := c.result with input as f.with_policies([
		dc({"id": "ro", "displayName": "Pilot", "state": "enabledForReportingButNotEnforced"}),
		dc({"id": "mfa", "displayName": "Device code MFA", "grantControls": f.grant("OR", ["mfa"])}),
	])
	r.status == "fail"
	r.finding == "policy 'Pilot' would satisfy this control but is report-only; policy 'Device code MFA' grants or of [mfa] instead of blocking"
	r.evidence == ["ro", "mfa"]
}

test_fail_no_policy if {
	r := c.result with input as f.with_policies([])
	r.status == "fail"
	r.evidence == []
}

# Graph beta leaves authenticationFlows out when it is unset: absent means no
# flows condition, exactly like null. (v1.0 always sends the key, so there
# its absence is partial data.)
no_flows_key(p) := object.union(object.remove(p, ["conditions"]), {"conditions": object.remove(p.conditions, ["authenticationFlows"])})

test_absent_flows_is_no_flows_condition if {
	p := no_flows_key(dc({}))
	not "authenticationFlows" in object.keys(p.conditions)
	ca.transfer_methods(p) == []
	ca.transfer_methods(dc(conditions({"authenticationFlows": null}))) == []
	ca.transfer_methods(dc(flows(null))) == []
	ca.transfer_methods(dc(flows("deviceCodeFlow,authenticationTransfer"))) == ["deviceCodeFlow", "authenticationTransfer"]
	r := c.result with input as f.with_policies([p])
	r.status == "fail"
	r.finding == "no Conditional Access policy blocks the device code flow (a phished device code yields the user's tokens, MFA included, without any proxy)"
}

# A real beta list: the device-code policy carries the key, the others leave
# it out; they must not make the source partial.
test_pass_beside_beta_policies_without_flows_key if {
	mfa := no_flows_key(f.policy({"id": "mfa", "displayName": "MFA", "grantControls": f.grant("OR", ["mfa"])}))
	r := c.result with input as f.with_policies([mfa, dc({})])
	r.status == "pass"
	r.evidence == ["dc"]
}

test_v1_policy_without_flows_key_is_partial if {
	inp := f.with_policies([no_flows_key(dc({}))])
	v1 := object.union(inp, {"sources": {"conditionalAccessPolicies": {"request": "GET /v1.0/identity/conditionalAccess/policies"}}})
	r := c.result with input as v1
	r.status == "not_assessed"
	contains(r.finding, "authenticationFlows")
}

test_not_licensed_without_p1 if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [dc({})]})
	r.status == "not_licensed"
	r.finding == "the tenant has no Microsoft Entra ID P1 license; this control needs it"
}

test_not_assessed_when_skus_denied if {
	r := c.result with input as f.denied(f.with_policies([dc({})]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined")
}

test_not_assessed_when_policies_denied if {
	r := c.result with input as f.denied(f.with_policies([dc({})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies was not collected (denied")
}

test_not_assessed_when_break_glass_unresolved if {
	r := c.result with input as f.denied(f.with_policies([dc({})]), "breakGlassAccounts")
	r.status == "not_assessed"
	contains(r.finding, "breakGlassAccounts was not collected")
}

test_not_assessed_when_a_policy_is_partial if {
	r := c.result with input as f.with_policies([object.remove(dc({}), ["grantControls"])])
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies is incomplete in the snapshot")
}
