package tenantgate.controls.traps_test

# The cases that trip other tools, applied to every Conditional Access
# control at once: each control's own passing policy (from its test file),
# changed in one way at a time, must no longer pass. controls.md: report-only
# or disabled policies never satisfy a control, extra exclusions disqualify,
# narrowed policies do not count, and missing data is never a pass.

import data.tenantgate.controls.tg_ca_1
import data.tenantgate.controls.tg_ca_1_test as t1
import data.tenantgate.controls.tg_ca_2
import data.tenantgate.controls.tg_ca_2_test as t2
import data.tenantgate.controls.tg_ca_3
import data.tenantgate.controls.tg_ca_3_test as t3
import data.tenantgate.controls.tg_ca_4
import data.tenantgate.controls.tg_ca_4_test as t4
import data.tenantgate.controls.tg_ca_5
import data.tenantgate.controls.tg_ca_5_test as t5
import data.tenantgate.controls.tg_ca_6
import data.tenantgate.controls.tg_ca_6_test as t6
import data.tenantgate.controls.tg_ca_7
import data.tenantgate.controls.tg_ca_7_test as t7
import data.tenantgate.controls.tg_ca_10
import data.tenantgate.controls.tg_ca_10_test as t10
import data.tenantgate.controls.tg_ca_11
import data.tenantgate.controls.tg_ca_11_test as t11
import data.tenantgate.controls.tg_id_1
import data.tenantgate.controls.tg_id_1_test as ti
import data.tenantgate.test.fixtures as f

controls := ["TG.CA.1", "TG.CA.2", "TG.CA.3", "TG.CA.4", "TG.CA.5", "TG.CA.6", "TG.CA.7", "TG.CA.10", "TG.CA.11", "TG.ID.1"]

# input_for is the control's passing tenant with its policy changed by over.
input_for("TG.CA.1", over) := f.with_policies([t1.tp(over)])

input_for("TG.CA.2", over) := f.with_policies([t2.sif(over)])

input_for("TG.CA.3", over) := f.with_policies([t3.dev(over)])

input_for("TG.CA.4", over) := t4.inp([t4.st(t4.pr, "Phishing-resistant MFA", over)])

input_for("TG.CA.5", over) := t5.with_locations([t5.sp(over)], [t5.office])

input_for("TG.CA.6", over) := t6.tenant([t6.dp(over)], "notRequired")

input_for("TG.CA.7", over) := t7.e5([t7.rp(over)])

input_for("TG.CA.10", over) := f.with_policies([t10.dc(over)])

input_for("TG.CA.11", over) := t11.off_with([t11.la(over)])

input_for("TG.ID.1", over) := ti.off_with([ti.mfa(over)])

result_for("TG.CA.1", inp) := r if {
	r := tg_ca_1.result with input as inp
}

result_for("TG.CA.2", inp) := r if {
	r := tg_ca_2.result with input as inp
}

result_for("TG.CA.3", inp) := r if {
	r := tg_ca_3.result with input as inp
}

result_for("TG.CA.4", inp) := r if {
	r := tg_ca_4.result with input as inp
}

result_for("TG.CA.5", inp) := r if {
	r := tg_ca_5.result with input as inp
}

result_for("TG.CA.6", inp) := r if {
	r := tg_ca_6.result with input as inp
}

result_for("TG.CA.7", inp) := r if {
	r := tg_ca_7.result with input as inp
}

result_for("TG.CA.10", inp) := r if {
	r := tg_ca_10.result with input as inp
}

result_for("TG.CA.11", inp) := r if {
	r := tg_ca_11.result with input as inp
}

result_for("TG.ID.1", inp) := r if {
	r := tg_id_1.result with input as inp
}

users(u) := {"conditions": {"users": u}}

conditions(c) := {"conditions": c}

# Each trap: a name, and the change to the passing policy.
traps := [
	["report-only", {"state": "enabledForReportingButNotEnforced"}],
	["disabled", {"state": "disabled"}],
	["not all users", users({"includeUsers": [f.other_user]})],
	["extra user exclusion", users({"excludeUsers": [f.bg1, f.bg2, f.other_user]})],
	["extra group exclusion", users({"excludeGroups": [f.other_group]})],
	["role exclusion", users({"excludeRoles": [f.ga_role]})],
	["guest exclusion", users({"excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest", "externalTenants": {"membershipKind": "all"}}})],
	["platforms narrowed", conditions({"platforms": {"includePlatforms": ["android"], "excludePlatforms": []}})],
	["client apps narrowed", conditions({"clientAppTypes": ["exchangeActiveSync"]})],
	["sign-in risk narrowed", conditions({"signInRiskLevels": ["high"]})],
	["locations narrowed", conditions({"locations": {"includeLocations": ["loc-office"], "excludeLocations": []}})],
	["a location that is not trusted excluded", conditions({"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-uk"]}})],
	["a platform excluded", conditions({"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["windows"]}})],
	["user risk narrowed", conditions({"userRiskLevels": ["high"]})],
	["service principal risk narrowed", conditions({"servicePrincipalRiskLevels": ["high"]})],
	["insider risk narrowed", conditions({"insiderRiskLevels": "elevated"})],
	["authentication flows narrowed", conditions({"authenticationFlows": {"transferMethods": "authenticationTransfer"}})],
	["all guests excluded through excludeUsers", users({"excludeUsers": [f.bg1, f.bg2, "GuestsOrExternalUsers"]})],
	# The deprecated device state condition (beta: includeDeviceStates /
	# excludeDeviceStates) still narrows a policy that carries it.
	["compliant devices excluded by device state", conditions({"devices": {"includeDeviceStates": ["All"], "excludeDeviceStates": ["Compliant", "DomainJoined"], "deviceFilter": null}})],
	["compliant devices excluded by the older device keys", conditions({"devices": {"includeDevices": ["All"], "excludeDevices": ["Compliant"], "deviceFilter": null}})],
]

# Traps for the controls that must cover every sign-in to an app (TG.CA.1
# may filter devices: Microsoft's token protection recipe does).
app_controls := ["TG.CA.2", "TG.CA.3", "TG.CA.4", "TG.CA.7", "TG.CA.10", "TG.CA.11", "TG.ID.1"]

app_traps := [
	["apps excluded by an application filter", conditions({"applications": {"applicationFilter": {"mode": "exclude", "rule": "CustomSecurityAttribute.Engineering_Project -eq \"Baker\""}}})],
	["device filter in include mode", conditions({"devices": {"deviceFilter": {"mode": "include", "rule": "device.trustType -eq \"ServerAD\""}}})],
	["device filter in exclude mode", conditions({"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}})],
]

test_no_app_control_passes_an_app_trap if {
	every ctl in app_controls {
		every trap in app_traps {
			r := result_for(ctl, input_for(ctl, trap[1]))
			not_pass(ctl, trap[0], r)
		}
	}
}

# The passing policies pass, so every failure below is the trap's doing.
test_base_policies_pass if {
	every ctl in controls {
		r := result_for(ctl, input_for(ctl, {}))
		r.status == "pass"
	}
}

test_no_control_passes_a_trap if {
	every ctl in controls {
		every trap in traps {
			r := result_for(ctl, input_for(ctl, trap[1]))
			not_pass(ctl, trap[0], r)
		}
	}
}

not_pass(_, _, r) if r.status != "pass"

not_pass(ctl, trap, r) if {
	r.status == "pass"
	print(ctl, "passes with", trap, ":", r.finding)
	false
}

# Missing data: the policies unreadable, or one of them missing a key the
# controls read, never pass.
test_no_control_passes_on_missing_policies if {
	every ctl in controls {
		denied := result_for(ctl, f.denied(input_for(ctl, {}), "conditionalAccessPolicies"))
		denied.status == "not_assessed"
		inp := input_for(ctl, {})
		ps := [object.remove(p, ["sessionControls"]) | some p in inp.data.conditionalAccessPolicies]
		partial := result_for(ctl, object.union(inp, {"data": {"conditionalAccessPolicies": ps}}))
		partial.status == "not_assessed"
	}
}

# Grant semantics (controls.md, per control): which grants satisfy, and that
# OR-ing a required control with a weaker one does not.
grant(op, controls) := {"grantControls": f.grant(op, controls)}

with_strength(op, controls, id) := {"grantControls": object.union(f.grant(op, controls), {"authenticationStrength": {"id": id, "displayName": id}})}

with_terms(op, controls) := {"grantControls": object.union(f.grant(op, controls), {"termsOfUse": ["tou-1"]})}

grant_cases := [
	["TG.CA.3", grant("OR", ["domainJoinedDevice"]), "pass"],
	["TG.CA.3", grant("AND", ["compliantDevice", "mfa"]), "pass"],
	["TG.CA.3", grant("OR", ["compliantDevice", "mfa"]), "fail"],
	["TG.CA.3", with_terms("OR", ["compliantDevice"]), "fail"],
	["TG.CA.3", with_strength("OR", ["compliantDevice"], t4.pr), "fail"],
	["TG.CA.4", with_strength("AND", ["compliantDevice"], t4.pr), "pass"],
	["TG.CA.4", with_strength("OR", ["mfa"], t4.pr), "fail"],
	["TG.CA.4", with_strength("OR", ["compliantDevice"], t4.pr), "fail"],
	["TG.CA.4", with_strength("OR", [], t4.mfa_strength), "fail"],
	["TG.CA.5", grant("OR", ["block"]), "pass"],
	["TG.CA.5", grant("OR", ["compliantDevice"]), "pass"],
	["TG.CA.5", grant("AND", ["approvedApplication", "mfa"]), "pass"],
	["TG.CA.5", grant("OR", ["mfa", "approvedApplication"]), "fail"],
	["TG.CA.6", grant("AND", ["mfa", "compliantDevice"]), "pass"],
	["TG.CA.6", grant("OR", ["compliantDevice"]), "fail"],
	["TG.CA.6", grant("OR", ["mfa", "compliantDevice"]), "fail"],
	["TG.CA.7", grant("OR", ["block"]), "pass"],
	["TG.CA.7", with_strength("OR", [], t4.pr), "pass"],
	["TG.CA.7", grant("AND", ["compliantDevice", "approvedApplication"]), "fail"],
	["TG.CA.7", grant("OR", ["mfa", "compliantDevice"]), "fail"],
	["TG.CA.10", grant("AND", ["block", "compliantDevice"]), "pass"],
	["TG.CA.10", grant("OR", ["mfa"]), "fail"],
	["TG.CA.10", with_terms("OR", ["block"]), "fail"],
	["TG.CA.10", with_strength("OR", [], t4.pr), "fail"],
	["TG.CA.11", grant("AND", ["block", "mfa"]), "pass"],
	["TG.CA.11", grant("OR", ["mfa"]), "fail"],
	["TG.CA.11", grant("OR", ["block", "mfa"]), "fail"],
	["TG.CA.11", with_strength("OR", ["block"], t4.pr), "fail"],
	["TG.ID.1", grant("AND", ["mfa", "compliantDevice"]), "pass"],
	["TG.ID.1", grant("OR", ["mfa", "block"]), "fail"],
	["TG.ID.1", with_terms("OR", ["mfa"]), "fail"],
]

test_grant_semantics if {
	every tc in grant_cases {
		[ctl, over, want] := tc
		r := result_for(ctl, input_for(ctl, over))
		status_is(ctl, over, r, want)
	}
}

status_is(_, _, r, want) if r.status == want

status_is(ctl, over, r, want) if {
	r.status != want
	print(ctl, over.grantControls, "gives", r.status, "want", want, ":", r.finding)
	false
}
