package tenantgate.controls.tg_ca_9_test

import data.tenantgate.controls.tg_ca_9 as c
import data.tenantgate.test.fixtures as f

# cae is an enforced policy with the session control "Customize continuous
# access evaluation" set to mode.
cae(id, mode, over) := f.policy(object.union(
	{
		"id": id, "displayName": sprintf("CAE %s", [id]),
		"grantControls": f.grant("OR", ["mfa"]),
		"sessionControls": {"continuousAccessEvaluation": {"mode": mode}},
	},
	over,
))

with_request(inp, request) := object.union(inp, {"sources": {"conditionalAccessPolicies": {"request": request}}})

# ---- pass ----------------------------------------------------------------------

test_pass_no_policies if {
	r := c.result with input as f.with_policies([])
	r.status == "pass"
	r.finding == "none of the 0 enforced policies disables continuous access evaluation"
	r.evidence == []
	r.notes == []
}

test_pass_strict_enforcement if {
	r := c.result with input as f.with_policies([
		cae("a", "strictEnforcement", {}),
		cae("b", "strictLocation", {}),
		f.policy({"id": "c", "displayName": "No session controls"}),
	])
	r.status == "pass"
	r.finding == "none of the 3 enforced policies disables continuous access evaluation"
	r.notes == []
}

test_pass_report_only_disabling_policy_noted if {
	r := c.result with input as f.with_policies([
		cae("a", "strictEnforcement", {}),
		cae("ro", "disabled", {"state": "enabledForReportingButNotEnforced"}),
	])
	r.status == "pass"
	r.finding == "none of the 1 enforced policies disables continuous access evaluation"
	r.evidence == []
	r.notes == ["policy 'CAE ro' (enabledForReportingButNotEnforced) disables continuous access evaluation and would take effect if enabled"]
}

test_pass_disabled_disabling_policy_noted if {
	r := c.result with input as f.with_policies([cae("off", "disabled", {"state": "disabled"})])
	r.status == "pass"
	r.notes == ["policy 'CAE off' (disabled) disables continuous access evaluation and would take effect if enabled"]
}

# ---- fail ----------------------------------------------------------------------

test_fail_enforced_policy_disables_cae if {
	r := c.result with input as f.with_policies([cae("a", "strictEnforcement", {}), cae("bad", "disabled", {})])
	r.status == "fail"
	r.finding == "policy 'CAE bad' disables continuous access evaluation"
	r.evidence == ["bad"]
	r.notes == []
}

test_fail_names_every_offender_with_notes if {
	r := c.result with input as f.with_policies([
		cae("x", "disabled", {}),
		cae("ro", "disabled", {"state": "enabledForReportingButNotEnforced"}),
		cae("y", "disabled", {"conditions": {"users": {"includeUsers": [f.other_user]}}}),
	])
	r.status == "fail"
	r.finding == "policy 'CAE x', 'CAE y' disables continuous access evaluation"
	r.evidence == ["x", "y"]
	r.notes == ["policy 'CAE ro' (enabledForReportingButNotEnforced) disables continuous access evaluation and would take effect if enabled"]
}

# ---- not_assessed / not_licensed -------------------------------------------------

test_not_assessed_when_read_from_v1 if {
	inp := with_request(f.with_policies([cae("a", "strictEnforcement", {})]), "GET /v1.0/identity/conditionalAccess/policies")
	r := c.result with input as inp
	r.status == "not_assessed"
	r.finding == "Conditional Access policies were read with \"GET /v1.0/identity/conditionalAccess/policies\"; continuousAccessEvaluation is only visible in the beta API"
}

test_not_assessed_when_v1_even_if_a_policy_disables if {
	inp := with_request(f.with_policies([cae("bad", "disabled", {})]), "GET /v1.0/identity/conditionalAccess/policies")
	r := c.result with input as inp
	r.status == "not_assessed"
}

test_pass_when_read_from_beta_path if {
	inp := with_request(f.with_policies([]), "GET /beta/identity/conditionalAccess/policies")
	r := c.result with input as inp
	r.status == "pass"
}

test_not_assessed_when_request_unknown if {
	inp := json.remove(f.with_policies([]), ["sources/conditionalAccessPolicies/request"])
	r := c.result with input as inp
	r.status == "not_assessed"
	contains(r.finding, "Conditional Access policies were read with \"an unknown request\"")
}

test_not_assessed_when_policies_denied if {
	r := c.result with input as f.denied(f.with_policies([cae("bad", "disabled", {})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies was not collected (denied: Authorization_RequestDenied")
}

test_no_break_glass_needed if {
	r := c.result with input as f.denied(f.with_policies([cae("bad", "disabled", {})]), "breakGlassAccounts")
	r.status == "fail"
}

test_not_licensed_without_p1 if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [cae("bad", "disabled", {})]})
	r.status == "not_licensed"
	contains(r.finding, "the tenant has no Microsoft Entra ID P1 license")
}

test_not_assessed_when_skus_denied if {
	r := c.result with input as f.denied(f.with_policies([]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined")
}

# Regression: a session-controls object without continuousAccessEvaluation
# (not what a beta read returns) used to read as "not disabled" and pass.
test_not_assessed_when_session_controls_lack_cae if {
	p := f.policy({"id": "p-sif", "displayName": "OWA", "sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 1}}})
	r := c.result with input as f.with_policies([p])
	r.status == "not_assessed"
	contains(r.finding, "policy 'OWA' lack continuousAccessEvaluation")
}

# An offender still fails: the unknown policy cannot make it pass.
test_fail_offender_beside_unknown if {
	p := f.policy({"id": "p-sif", "displayName": "OWA", "sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 1}}})
	r := c.result with input as f.with_policies([p, cae("p-cae", "disabled", {})])
	r.status == "fail"
}

# continuousAccessEvaluation without a mode, or not an object, is unreadable.
test_not_assessed_when_cae_unreadable if {
	every cae in [{}, "disabled", {"mode": null}] {
		p := f.policy({"id": "p-cae", "displayName": "CAE", "sessionControls": {"continuousAccessEvaluation": cae}})
		r := c.result with input as f.with_policies([p])
		r.status == "not_assessed"
		contains(r.finding, "policy 'CAE' lack continuousAccessEvaluation (or hold it without a mode)")
	}
}

test_pass_cae_strict_or_null if {
	every cae in [null, {"mode": "strictEnforcement"}] {
		p := f.policy({"id": "p-cae", "displayName": "CAE", "sessionControls": {"continuousAccessEvaluation": cae}})
		r := c.result with input as f.with_policies([p])
		r.status == "pass"
	}
}
