package tenantgate.controls.exclusions_test

# Exclusions across every control that judges "All users, allowed
# exclusions": the per-control allowed_exclusions of the baseline
# (`controls: ID: allowed_exclusions:`, cli.md) and controls.md's exception
# for a baseline that names no break-glass account. Each control's passing
# policy comes from the traps table.

import data.tenantgate.controls.tg_ca_1_test as t1
import data.tenantgate.controls.traps_test as traps
import data.tenantgate.test.fixtures as f

controls := traps.controls

users(u) := {"conditions": {"users": u}}

# own gives control ctl its own allowed exclusions in the baseline.
own(inp, ctl, excl) := f.with_baseline(inp, {"controls": {ctl: {"allowed_exclusions": excl}}})

result(ctl, over, baseline) := traps.result_for(ctl, f.with_baseline(traps.input_for(ctl, over), baseline))

guests := {"guestOrExternalUserTypes": "b2bCollaborationGuest", "externalTenants": {"membershipKind": "all"}}

# ---- per-control allowed_exclusions -----------------------------------------

# Each case: the exclusion in the policy, and the control's own list that
# allows it.
own_cases := [
	["user", users({"excludeUsers": [f.bg1, f.bg2, f.other_user]}), {"users": [f.other_user]}],
	["group", users({"excludeGroups": [f.other_group]}), {"groups": [f.other_group]}],
	["role", users({"excludeRoles": [f.ga_role]}), {"roles": [f.ga_role]}],
	["guests", users({"excludeGuestsOrExternalUsers": guests}), {"guests_or_external_users": true}],
]

test_own_exclusions_allow_for_that_control if {
	every ctl in controls {
		every tc in own_cases {
			[kind, over, excl] := tc
			r := traps.result_for(ctl, own(traps.input_for(ctl, over), ctl, excl))
			status_is(ctl, kind, r, "pass")
		}
	}
}

# Another control's list allows nothing here.
test_other_controls_exclusions_do_not_apply if {
	every ctl in controls {
		every tc in own_cases {
			[kind, over, excl] := tc
			other := "TG.CA.9"
			r := traps.result_for(ctl, own(traps.input_for(ctl, over), other, excl))
			status_is(ctl, kind, r, "fail")
		}
	}
}

# The control's own list adds to the global one; it does not replace it.
test_own_exclusions_add_to_global_ones if {
	over := users({"excludeGroups": [f.other_group, f.bg_group]})
	base := {
		"allowed_exclusions": {"groups": [f.bg_group]},
		"controls": {"TG.CA.10": {"allowed_exclusions": {"groups": [f.other_group]}}},
	}
	result("TG.CA.10", over, base).status == "pass"
	result("TG.CA.3", over, base).status == "fail"
	contains(result("TG.CA.3", over, base).finding, sprintf("excludes group %s, which the baseline does not allow", [f.other_group]))
}

# An excluded application allowed for the all-apps controls.
test_own_application_exclusion if {
	intune := "d4ebce55-015a-49b5-a083-c84d1797ae8c"
	over := {"conditions": {"applications": {"excludeApplications": [intune]}}}
	every ctl in ["TG.CA.3", "TG.CA.4", "TG.CA.7", "TG.CA.10", "TG.CA.11", "TG.ID.1"] {
		status_is(ctl, "application", result(ctl, over, {"controls": {ctl: {"allowed_exclusions": {"applications": [intune]}}}}), "pass")
		status_is(ctl, "application", result(ctl, over, {}), "fail")
	}
}

# The legacy "GuestsOrExternalUsers" value of excludeUsers is a guest
# exclusion: allowed only where guests are, and named as such.
test_guests_excluded_through_exclude_users if {
	over := users({"excludeUsers": [f.bg1, f.bg2, "GuestsOrExternalUsers"]})
	every ctl in controls {
		r := result(ctl, over, {})
		status_is(ctl, "GuestsOrExternalUsers", r, "fail")
		contains(r.finding, "excludes guests and external users, which the baseline does not allow")
		status_is(ctl, "GuestsOrExternalUsers allowed", traps.result_for(ctl, own(traps.input_for(ctl, over), ctl, {"guests_or_external_users": true})), "pass")
	}
}

# ---- no break-glass account named (controls.md "Exception") ------------------

no_bg := {"break_glass": []}

excluded_people := [
	["users", users({"excludeUsers": [f.bg1, f.bg2]})],
	["a group", users({"excludeUsers": [], "excludeGroups": [f.bg_group]})],
	["users and a group", users({"excludeGroups": [f.bg_group]})],
]

test_unnamed_break_glass_is_not_assessed_never_fail if {
	every ctl in controls {
		every tc in excluded_people {
			r := result(ctl, tc[1], no_bg)
			status_is(ctl, tc[0], r, "not_assessed")
			contains(r.finding, "name your break-glass accounts in the baseline; `tenantgate init` proposes them: policy '")
			contains(r.finding, "which may be the break-glass accounts, but the baseline names none to check them against")
		}
	}
}

test_unnamed_break_glass_finding if {
	r := result("TG.CA.10", users({"excludeGroups": [f.bg_group]}), no_bg)
	r.finding == sprintf("name your break-glass accounts in the baseline; `tenantgate init` proposes them: policy 'Block device code flow' excludes user bg1@contoso.com, user bg2@contoso.com, group 'CA-Exclude-BreakGlass' (%s), which may be the break-glass accounts, but the baseline names none to check them against", [f.bg_group])
}

# Without exclusions the policy passes with no break-glass account named.
test_no_exclusions_pass_without_break_glass if {
	every ctl in controls {
		status_is(ctl, "no exclusions", result(ctl, users({"excludeUsers": []}), no_bg), "pass")
	}
}

# Another shortfall besides the exclusions still fails the control.
other_shortfalls := [
	["report-only", {"state": "enabledForReportingButNotEnforced"}],
	["role exclusion too", users({"excludeRoles": [f.ga_role]})],
	["guests excluded too", users({"excludeGuestsOrExternalUsers": guests})],
	# Graph's excludeUsers also takes "GuestsOrExternalUsers" (every guest):
	# that is no break-glass account.
	["all guests excluded through excludeUsers", users({"excludeUsers": ["GuestsOrExternalUsers"]})],
	["not all users", users({"includeUsers": [], "includeGroups": [f.other_group]})],
	["locations narrowed", {"conditions": {"locations": {"includeLocations": ["loc-office"], "excludeLocations": []}}}],
]

test_other_shortfall_still_fails if {
	every ctl in controls {
		every tc in other_shortfalls {
			status_is(ctl, tc[0], result(ctl, tc[1], no_bg), "fail")
		}
	}
}

# A pass by another policy is still a pass; a near miss for another reason
# beside an undecided policy leaves the control not_assessed.
test_other_policy_decides if {
	clean := traps.input_for("TG.CA.10", users({"excludeUsers": []})).data.conditionalAccessPolicies[0]
	undecided := traps.input_for("TG.CA.10", {"id": "u", "displayName": "Undecided"}).data.conditionalAccessPolicies[0]
	report_only := traps.input_for("TG.CA.10", {"id": "ro", "displayName": "Pilot", "state": "enabledForReportingButNotEnforced", "conditions": {"users": {"excludeUsers": []}}}).data.conditionalAccessPolicies[0]
	inp := f.with_baseline(f.with_policies([undecided, clean]), no_bg)
	r := traps.result_for("TG.CA.10", inp)
	r.status == "pass"
	r2 := traps.result_for("TG.CA.10", f.with_baseline(f.with_policies([report_only, undecided]), no_bg))
	r2.status == "not_assessed"
	contains(r2.finding, "policy 'Undecided' excludes")
	not contains(r2.finding, "Pilot")
	r3 := traps.result_for("TG.CA.10", f.with_baseline(f.with_policies([report_only]), no_bg))
	r3.status == "fail"
}

# TG.CA.1 needs both apps: an undecided policy that covers only one of them
# cannot make the control pass, so it fails.
test_token_protection_undecided_policy_for_one_app_fails if {
	p := t1.tp({"conditions": {"applications": {"includeApplications": [f.exo]}}})
	r := traps.result_for("TG.CA.1", f.with_baseline(f.with_policies([p]), no_bg))
	r.status == "fail"
	startswith(r.finding, "token protection is not enforced for all users of SharePoint Online: policy 'Token protection' excludes")
}

# With break-glass accounts named, excluding anyone else fails as before.
test_named_break_glass_extra_exclusion_fails if {
	every ctl in controls {
		r := traps.result_for(ctl, traps.input_for(ctl, users({"excludeUsers": [f.bg1, f.bg2, f.other_user]})))
		status_is(ctl, "extra user", r, "fail")
		contains(r.finding, sprintf("excludes user %s, which the baseline does not allow", [f.other_user]))
	}
}

status_is(_, _, r, want) if r.status == want

status_is(ctl, name, r, want) if {
	r.status != want
	print(ctl, name, "gives", r.status, "want", want, ":", r.finding)
	false
}
