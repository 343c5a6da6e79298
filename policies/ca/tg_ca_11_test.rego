package tenantgate.controls.tg_ca_11_test

import data.tenantgate.controls.tg_ca_11 as c
import data.tenantgate.test.fixtures as f

defaults_off := {"id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults", "isEnabled": false}

defaults_on := object.union(defaults_off, {"isEnabled": true})

# la is a policy that satisfies TG.CA.11, shaped like Microsoft's "Block
# legacy authentication" template as live tenants return it: all users, all
# apps, client apps Exchange ActiveSync and other clients, block.
la(over) := f.policy(object.union(
	{
		"id": "la", "displayName": "Block legacy authentication",
		"templateId": "0b2282f9-2862-4178-88b5-d79340b36cb8",
		"conditions": {"clientAppTypes": ["exchangeActiveSync", "other"]},
		"grantControls": f.grant("OR", ["block"]),
	},
	over,
))

# off_with is an E3 tenant (Entra ID P1) with security defaults off.
off_with(ps) := f.with_data({"securityDefaults": defaults_off, "conditionalAccessPolicies": ps})

users(u) := {"conditions": {"users": u}}

conditions(x) := {"conditions": x}

guests := {"guestOrExternalUserTypes": "b2bCollaborationGuest", "externalTenants": {"membershipKind": "all"}}

# Each case: name, the change to la, the status, and a text the finding holds.
cases := [
	["block legacy authentication", {}, "pass", "policy 'Block legacy authentication' blocks legacy authentication (Exchange ActiveSync and other clients) for all users and all apps"],
	["every client type listed", conditions({"clientAppTypes": ["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"]}), "pass", "blocks legacy authentication"],
	["block AND-ed with mfa", {"grantControls": f.grant("AND", ["block", "mfa"])}, "pass", "blocks legacy authentication"],
	["report-only", {"state": "enabledForReportingButNotEnforced"}, "fail", "policy 'Block legacy authentication' would satisfy this control but is report-only"],
	["disabled", {"state": "disabled"}, "fail", "policy 'Block legacy authentication' is disabled"],
	["not all users", users({"includeUsers": [], "includeGroups": [f.other_group]}), "fail", "does not target all users"],
	["extra user exclusion (a scanner's mailbox)", users({"excludeUsers": [f.bg1, f.bg2, f.other_user]}), "fail", sprintf("excludes user %s, which the baseline does not allow", [f.other_user])],
	["extra group exclusion", users({"excludeGroups": [f.other_group]}), "fail", sprintf("excludes group %s, which the baseline does not allow", [f.other_group])],
	["role exclusion", users({"excludeRoles": [f.ga_role]}), "fail", sprintf("excludes role %s", [f.ga_role])],
	["guest exclusion", users({"excludeGuestsOrExternalUsers": guests}), "fail", "excludes guests and external users"],
	["not all apps", conditions({"applications": {"includeApplications": [f.exo]}}), "fail", "does not target all applications"],
	["excluded app", conditions({"applications": {"excludeApplications": [f.exo]}}), "fail", sprintf("excludes application %s", [f.exo])],
	["Exchange ActiveSync only", conditions({"clientAppTypes": ["exchangeActiveSync"]}), "fail", "applies only to client apps exchangeActiveSync (needs exchangeActiveSync/other)"],
	["other clients only", conditions({"clientAppTypes": ["other"]}), "fail", "applies only to client apps other (needs exchangeActiveSync/other)"],
	["platforms narrowed", conditions({"platforms": {"includePlatforms": ["windows"], "excludePlatforms": []}}), "fail", "applies only to platforms windows"],
	["trusted locations excluded", conditions({"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}), "fail", "is limited by location (include All, exclude AllTrusted)"],
	["sign-in risk narrowed", conditions({"signInRiskLevels": ["medium", "high"]}), "fail", "applies only to signInRiskLevels medium/high"],
	["insider risk narrowed", conditions({"insiderRiskLevels": "elevated"}), "fail", "applies only to insider risk elevated"],
	["device filter", conditions({"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}), "fail", "has a device filter"],
	["authentication flows", conditions({"authenticationFlows": {"transferMethods": "deviceCodeFlow"}}), "fail", "applies only to authentication flows deviceCodeFlow"],
	["grant mfa instead of block", {"grantControls": f.grant("OR", ["mfa"])}, "fail", "grants or of [mfa] instead of blocking"],
	["block OR-ed with compliant device", {"grantControls": f.grant("OR", ["block", "compliantDevice"])}, "fail", "grants or of [block, compliantDevice] instead of blocking"],
	["all client apps", conditions({"clientAppTypes": ["all"]}), "fail", "no Conditional Access policy blocks legacy authentication"],
]

test_cases if {
	every tc in cases {
		[name, over, want, text] := tc
		r := c.result with input as off_with([la(over)])
		verdict_is(name, r, want, text)
	}
}

verdict_is(_, r, want, text) if verdict_matches(r, want, text)

verdict_is(name, r, want, text) if {
	not verdict_matches(r, want, text)
	print(name, "gives", r.status, "want", want, "with", text, ":", r.finding)
	false
}

verdict_matches(r, want, text) if {
	r.status == want
	contains(r.finding, text)
}

# ---- security defaults ------------------------------------------------------

test_pass_security_defaults_on if {
	r := c.result with input as f.with_data({"securityDefaults": defaults_on})
	r.status == "pass"
	r.finding == "security defaults are on: they block legacy authentication"
	r.evidence == ["securityDefaults"]
}

# Security defaults need no license and no CA policy.
test_pass_security_defaults_on_without_p1_or_policies if {
	inp := f.denied(f.with_data({"securityDefaults": defaults_on, "subscribedSkus": [f.sku_o365_e3]}), "conditionalAccessPolicies")
	r := c.result with input as inp
	r.status == "pass"
}

test_pass_policy_when_security_defaults_denied if {
	r := c.result with input as f.denied(off_with([la({})]), "securityDefaults")
	r.status == "pass"
	r.evidence == ["la"]
}

test_not_assessed_when_security_defaults_unknown_and_no_policy if {
	r := c.result with input as f.denied(off_with([]), "securityDefaults")
	r.status == "not_assessed"
	contains(r.finding, "securityDefaults was not collected (denied")
}

test_not_assessed_when_security_defaults_lack_is_enabled if {
	r := c.result with input as f.with_data({"securityDefaults": object.remove(defaults_off, ["isEnabled"]), "conditionalAccessPolicies": []})
	r.status == "not_assessed"
	r.finding == "securityDefaults holds no isEnabled value"
}

test_not_assessed_when_policies_denied if {
	r := c.result with input as f.denied(off_with([la({})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies was not collected (denied")
}

test_not_assessed_when_break_glass_unresolved if {
	r := c.result with input as f.denied(off_with([la({})]), "breakGlassAccounts")
	r.status == "not_assessed"
	contains(r.finding, "breakGlassAccounts was not collected")
}

test_not_assessed_when_a_policy_is_partial if {
	r := c.result with input as off_with([object.remove(la({}), ["grantControls"])])
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies is incomplete in the snapshot")
}

# ---- licenses: Conditional Access needs P1 ----------------------------------

# Graph still returns a tenant's CA policies without P1, but they are not
# enforced: the remediation is security defaults.
test_fail_policy_without_p1 if {
	inp := f.with_data({"securityDefaults": defaults_off, "subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [la({})]})
	r := c.result with input as inp
	r.status == "fail"
	r.finding == "security defaults are off and policy 'Block legacy authentication' would block legacy authentication, but the tenant has no Microsoft Entra ID P1 license, without which Conditional Access policies are not enforced: turn on security defaults"
	r.evidence == ["la"]
}

test_not_assessed_policy_with_licenses_unknown if {
	r := c.result with input as f.denied(off_with([la({})]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined, so whether Conditional Access is enforced (it needs Microsoft Entra ID P1) is unknown: subscribedSkus was not collected (denied")
}

# Without a policy that would qualify, unknown licenses do not matter.
test_fail_without_policy_when_licenses_unknown if {
	r := c.result with input as f.denied(off_with([]), "subscribedSkus")
	r.status == "fail"
	r.finding == "security defaults are off and no Conditional Access policy blocks legacy authentication (a password alone signs in over IMAP, POP, SMTP AUTH or Exchange ActiveSync)"
}

test_pass_with_p2 if {
	inp := f.with_data({"securityDefaults": defaults_off, "subscribedSkus": [f.sku_e5], "conditionalAccessPolicies": [la({})]})
	r := c.result with input as inp
	r.status == "pass"
}

# ---- several policies -------------------------------------------------------

test_one_qualifying_policy_among_near_misses_passes if {
	r := c.result with input as off_with([la({"id": "ro", "displayName": "Pilot", "state": "enabledForReportingButNotEnforced"}), la({})])
	r.status == "pass"
	r.evidence == ["la"]
}

test_fail_lists_every_near_miss if {
	r := c.result with input as off_with([
		la({"id": "ro", "displayName": "Pilot", "state": "enabledForReportingButNotEnforced"}),
		la({"id": "eas", "displayName": "Block EAS", "conditions": {"clientAppTypes": ["exchangeActiveSync"]}}),
	])
	r.status == "fail"
	r.finding == "security defaults are off and no policy blocks legacy authentication for everyone: policy 'Pilot' would satisfy this control but is report-only; policy 'Block EAS' applies only to client apps exchangeActiveSync (needs exchangeActiveSync/other)"
	r.evidence == ["ro", "eas"]
}
