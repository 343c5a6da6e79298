package tenantgate.lib.ca_test

import data.tenantgate.controls.tg_ca_3
import data.tenantgate.controls.tg_ca_4
import data.tenantgate.controls.tg_ca_8
import data.tenantgate.controls.tg_id_1
import data.tenantgate.lib
import data.tenantgate.lib.ca
import data.tenantgate.test.fixtures as f

# Graph's own shapes (the fixtures copy them) are complete.
test_graph_shapes_are_complete if {
	shapes := [
		f.base_policy,
		f.policy({"grantControls": f.grant("OR", ["mfa"])}),
		f.policy({"grantControls": f.strength(ca.phishing_resistant_strength, "Phishing-resistant MFA")}),
		f.policy({"conditions": {"platforms": {"includePlatforms": ["windows"], "excludePlatforms": []}}}),
		f.policy({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}}),
		f.policy({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}}),
	]
	every p in shapes {
		ca.missing_fields(p) == []
	}
	ca.incomplete == [] with input as f.with_policies(shapes)
}

# Session-only policies ("grantControls": null) get an empty OR grant.
test_null_grant_becomes_empty_grant if {
	[n] := ca.policies with input as f.with_policies([f.base_policy])
	n.grantControls == {"operator": "OR", "builtInControls": [], "termsOfUse": [], "customAuthenticationFactors": [], "authenticationStrength": null}
	n.conditions == f.base_policy.conditions
}

# An absent key is not an empty list or a null condition: it is named.
test_missing_fields_named if {
	p := json.remove(f.policy({"grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}), [
		"conditions/users/excludeUsers",
		"conditions/devices",
		"state",
	])
	ca.missing_fields(p) == [
		"state", "conditions.users.excludeUsers", "conditions.devices",
		"grantControls.termsOfUse", "grantControls.customAuthenticationFactors", "grantControls.authenticationStrength",
	]
}

# controls.md lets platforms and locations be absent (no such condition);
# their lists, when the condition is there, must be present.
test_platforms_and_locations if {
	ca.missing_fields(json.remove(f.base_policy, ["conditions/platforms", "conditions/locations"])) == []
	ca.missing_fields(f.policy({"conditions": {"platforms": {"includePlatforms": ["all"]}}})) == ["conditions.platforms.excludePlatforms"]
}

test_wrong_types_named if {
	p := f.policy({"conditions": {"signInRiskLevels": null, "locations": {"includeLocations": "All", "excludeLocations": []}}})
	ca.missing_fields(p) == ["conditions.signInRiskLevels", "conditions.locations.includeLocations"]
	ca.missing_fields("x") == ["every key (not an object)"]
}

partial := json.remove(f.base_policy, ["conditions/users/excludeUsers"])

# The source is then not ok, with a message naming the policy and key.
test_incomplete_source_not_ok if {
	inp := f.with_policies([partial])
	not lib.source_ok("conditionalAccessPolicies") with input as inp
	lib.source_problem("conditionalAccessPolicies") == "conditionalAccessPolicies is incomplete in the snapshot (policy 'Base' lacks conditions.users.excludeUsers)" with input as inp
}

# Regression: a policy without excludeUsers used to read as excluding
# nobody, so TG.CA.8 passed for a policy the account may well be excluded
# from only on paper. Missing data is not_assessed.
test_partial_policy_is_not_assessed_not_pass if {
	r := tg_ca_8.result with input as f.with_policies([partial])
	r.status == "not_assessed"
	contains(r.finding, "policy 'Base' lacks conditions.users.excludeUsers")
}

# A complete, qualifying policy does not outvote an incomplete one: the
# incomplete policy's own state is unknown.
test_incomplete_policy_blocks_other_verdicts if {
	good := f.policy({"id": "p-dev", "displayName": "Devices", "grantControls": f.grant("OR", ["compliantDevice"])})
	inp := f.with_policies([good, json.remove(partial, ["grantControls"])])
	r := tg_ca_3.result with input as inp
	r.status == "not_assessed"
	contains(r.finding, "policy 'Base' lacks conditions.users.excludeUsers, grantControls")
}

# TG.ID.1 still passes on security defaults; without them it is not_assessed.
test_id_1_with_incomplete_policies if {
	inp := f.with_policies([partial])
	on := object.union(inp, {"data": {"securityDefaults": {"isEnabled": true}}, "sources": {"securityDefaults": {"status": "ok"}}})
	tg_id_1.result.status == "pass" with input as on
	off := object.union(inp, {"data": {"securityDefaults": {"isEnabled": false}}, "sources": {"securityDefaults": {"status": "ok"}}})
	r := tg_id_1.result with input as off
	r.status == "not_assessed"
	contains(r.finding, "incomplete in the snapshot")
}

# A policy with every optional object present, so inner fields are checked.
rich := f.policy({
	"conditions": {
		"applications": {"applicationFilter": {"mode": "include", "rule": "CustomSecurityAttribute.x -eq \"y\""}},
		"authenticationFlows": {"transferMethods": "deviceCodeFlow"},
		"platforms": {"includePlatforms": ["all"], "excludePlatforms": []},
		"locations": {"includeLocations": ["All"], "excludeLocations": []},
		"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}},
		"insiderRiskLevels": "elevated",
	},
	"grantControls": f.strength(ca.phishing_resistant_strength, "Phishing-resistant MFA"),
	"sessionControls": {"signInFrequency": null},
})

pointer(path) := concat("", [sprintf("/%s", [k]) | some k in path])

# complete() writes the tables out for speed; every table entry must be
# checked by it: a wrong type (or, where Graph always sends the key, an
# absent key) makes the policy incomplete and missing_fields names it.
test_complete_agrees_with_tables if {
	ca.complete(rich)
	ca.missing_fields(rich) == []
	every f in ca.fields {
		wrong := json.patch(rich, [{"op": "add", "path": pointer(f[0]), "value": true}])
		not ca.complete(wrong)
		concat(".", f[0]) in ca.missing_fields(wrong)
	}
	every f in [f | some f in ca.fields; f[2] == false] {
		removed := json.remove(rich, [pointer(f[0])])
		not ca.complete(removed)
		concat(".", f[0]) in ca.missing_fields(removed)
	}
	every f in ca.inner_fields {
		path := array.concat(f[0], [f[1]])
		wrong := json.patch(rich, [{"op": "add", "path": pointer(path), "value": true}])
		not ca.complete(wrong)
		concat(".", path) in ca.missing_fields(wrong)
	}
}

# platforms and locations may be absent, not of another type.
test_optional_conditions if {
	every k in ["platforms", "locations"] {
		ca.complete(json.remove(rich, [sprintf("/conditions/%s", [k])]))
		not ca.complete(json.patch(rich, [{"op": "add", "path": sprintf("/conditions/%s", [k]), "value": true}]))
	}
}

# A grant operator other than AND or OR (not what Graph sends) satisfies no
# control: it must not be read as AND.
test_unknown_grant_operator_satisfies_nothing if {
	every op in ["", "XOR"] {
		dev := f.policy({"id": "d", "displayName": "Device", "grantControls": f.grant(op, ["compliantDevice", "mfa"])})
		r3 := tg_ca_3.result with input as f.with_policies([dev])
		r3.status == "fail"
		contains(r3.finding, sprintf("has grant operator '%s', which is neither AND nor OR", [op]))
		mfa := f.policy({"id": "m", "displayName": "MFA", "grantControls": f.grant(op, ["mfa"])})
		ri := tg_id_1.result with input as f.with_data({"securityDefaults": {"id": "x", "isEnabled": false}, "conditionalAccessPolicies": [mfa]})
		ri.status == "fail"
		pr := f.policy({"id": "s", "displayName": "PR", "grantControls": object.union(f.strength(ca.phishing_resistant_strength, "Phishing-resistant MFA"), {"operator": op})})
		r4 := tg_ca_4.result with input as f.with_policies([pr])
		r4.status == "fail"
		contains(r4.finding, "which is neither AND nor OR")
	}
}
