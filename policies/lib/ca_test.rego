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

# ---- MFA authentication strength (controls.md) --------------------------------

strength_with(id, def) := f.with_data({"authenticationStrengthPolicies": array.concat(f.builtin_strengths, [object.union({"id": id, "displayName": id}, def)])})

test_strength_class if {
	cases := [
		# [definition, class]
		[{"allowedCombinations": ["password"]}, "not_mfa"],
		[{"allowedCombinations": ["fido2", "sms"]}, "not_mfa"],
		[{"allowedCombinations": ["fido2", "x509CertificateSingleFactor"]}, "not_mfa"],
		[{"allowedCombinations": ["password"], "requirementsSatisfied": "mfa"}, "not_mfa"],
		[{"allowedCombinations": []}, "not_mfa"],
		[{"allowedCombinations": ["password,sms", "fido2"]}, "mfa"],
		[{"allowedCombinations": ["temporaryAccessPassOneTime", "deviceBasedPush", "federatedMultiFactor"]}, "mfa"],
		[{"allowedCombinations": ["qrCodePin"], "requirementsSatisfied": "none"}, "unknown"],
		[{"allowedCombinations": ["qrCodePin"], "requirementsSatisfied": "mfa"}, "mfa"],
		[{"requirementsSatisfied": "mfa"}, "mfa"],
		[{"allowedCombinations": [1]}, "unknown"],
		[{}, "unknown"],
	]
	every case in cases {
		ca.strength_class("custom") == case[1] with input as strength_with("custom", case[0])
	}
	every id in ["00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000003", "00000000-0000-0000-0000-000000000004"] {
		ca.strength_class(id) == "mfa" with input as f.with_data({})
	}
	ca.strength_class("nowhere") == "unknown" with input as f.with_data({})
}

# The copy Graph embeds in a policy stands in for a missing source, and the
# first readable definition wins over an unreadable one.
test_strength_from_embedded_copy if {
	g := object.union(f.strength("emb", "Embedded"), {"authenticationStrength": {"allowedCombinations": ["password"], "requirementsSatisfied": "mfa"}})
	inp := f.denied(f.with_policies([f.policy({"grantControls": g})]), "authenticationStrengthPolicies")
	ca.strength_class("emb") == "not_mfa" with input as inp
	ca.strength_combinations("emb") == ["password"] with input as inp
	unreadable := f.with_data({
		"authenticationStrengthPolicies": [{"id": "emb", "allowedCombinations": null}],
		"conditionalAccessPolicies": [f.policy({"grantControls": object.union(f.strength("emb", "E"), {"authenticationStrength": {"allowedCombinations": ["fido2"]}})})],
	})
	ca.strength_class("emb") == "mfa" with input as unreadable
}

# ---- compliant networks (controls.md "Trusted location sanity") ---------------

compliant_network(trusted) := {
	"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation",
	"id": "cn", "displayName": "All Compliant Network locations",
	"compliantNetworkType": "allTenantCompliantNetworks", "isTrusted": trusted,
}

test_trusted_compliant_network_passes_sanity if {
	p := f.policy({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["cn"]}}})
	inp := f.with_data({"namedLocations": [compliant_network(true)]})
	ca.trusted_exclusion_problems(p) == [] with input as inp
	ca.trusted_exclusion_problems(p) == ["excludes location 'All Compliant Network locations' (cn), which is not a trusted location"] with input as f.with_data({"namedLocations": [compliant_network(false)]})
	ca.locations_incomplete == [] with input as inp
}

test_compliant_network_without_is_trusted_is_incomplete if {
	inp := f.with_data({"namedLocations": [object.remove(compliant_network(true), ["isTrusted"])]})
	count(ca.locations_incomplete) == 1 with input as inp
	not lib.source_ok("namedLocations") with input as inp
}

# ---- completeness per API version (lib/shapes.rego) ---------------------------

unset_beta_keys := ["conditions/servicePrincipalRiskLevels", "conditions/insiderRiskLevels", "conditions/authenticationFlows"]

read_from(inp, request) := object.union(inp, {"sources": {"conditionalAccessPolicies": {"status": "ok", "request": request}}})

test_beta_omits_unset_condition_keys if {
	inp := read_from(f.with_policies([json.remove(f.policy({}), unset_beta_keys)]), "GET /beta/identity/conditionalAccess/policies")
	ca.incomplete == [] with input as inp
	lib.source_ok("conditionalAccessPolicies") with input as inp
	p := ca.policies[0] with input as inp
	p.conditions.servicePrincipalRiskLevels == []
	p.conditions.insiderRiskLevels == null
	p.conditions.authenticationFlows == null
}

# A configured key is kept as Graph sent it.
test_beta_keeps_configured_keys if {
	p0 := json.remove(f.policy({"conditions": {"authenticationFlows": {"transferMethods": "deviceCodeFlow"}}}), ["conditions/servicePrincipalRiskLevels"])
	inp := read_from(f.with_policies([p0]), "GET /beta/identity/conditionalAccess/policies")
	p := ca.policies[0] with input as inp
	p.conditions.authenticationFlows == {"transferMethods": "deviceCodeFlow"}
}

test_v1_policy_without_always_sent_keys_is_partial if {
	every k in unset_beta_keys {
		inp := read_from(f.with_policies([json.remove(f.policy({}), [k])]), "GET /v1.0/identity/conditionalAccess/policies")
		count(ca.incomplete) == 1 with input as inp
		not lib.source_ok("conditionalAccessPolicies") with input as inp
	}
}

# Without a recorded version every key is required.
test_unknown_version_is_strict if {
	inp := object.union(f.with_policies([json.remove(f.policy({}), ["conditions/servicePrincipalRiskLevels"])]), {"sources": {"conditionalAccessPolicies": {"status": "ok", "request": null}}})
	count(ca.incomplete) == 1 with input as inp
}

# Keys beta always sends still make a beta policy partial when absent.
test_beta_policy_without_always_sent_keys_is_partial if {
	every k in ["conditions/users/excludeUsers", "conditions/users", "grantControls", "sessionControls", "state", "conditions/signInRiskLevels", "conditions/devices"] {
		inp := read_from(f.with_policies([json.remove(f.policy({}), [k])]), "GET /beta/identity/conditionalAccess/policies")
		count(ca.incomplete) == 1 with input as inp
	}
}

ip_loc(id, trusted, cidrs) := {
	"@odata.type": "#microsoft.graph.ipNamedLocation", "id": id, "displayName": id, "isTrusted": trusted,
	"ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": x} | some x in cidrs],
}

# plan reads this verdict to mark policies that cannot close TG.CA.5/6 yet.
test_insane_trusted_locations if {
	inp := f.with_data({"namedLocations": [
		ip_loc("halves", true, ["0.0.0.0/1", "128.0.0.0/1"]),
		ip_loc("office", true, ["203.0.113.0/24"]),
		ip_loc("untrusted-wide", false, ["0.0.0.0/1"]),
	]})
	ca.insane_trusted_locations == [{
		"id": "halves", "displayName": "halves", "ranges": ["0.0.0.0/1", "128.0.0.0/1"],
		"reason": "trusted location 'halves', whose ranges cover 4,294,967,296 IPv4 addresses (more than a /8's 16,777,216)",
	}] with input as inp
}

# No location too wide alone, but together: every one holding ranges is named.
test_insane_trusted_locations_together if {
	inp := f.with_data({"namedLocations": [
		ip_loc("a", true, ["16.0.0.0/9", "16.128.0.0/9"]),
		ip_loc("b", true, ["17.0.0.0/9"]),
		ip_loc("untrusted", false, ["18.0.0.0/9"]),
	]})
	reason := "trusted locations 'a', 'b', whose ranges together cover 25,165,824 IPv4 addresses (more than a /8's 16,777,216)"
	ca.insane_trusted_locations == [
		{"id": "a", "displayName": "a", "ranges": ["16.0.0.0/9", "16.128.0.0/9"], "reason": reason},
		{"id": "b", "displayName": "b", "ranges": ["17.0.0.0/9"], "reason": reason},
	] with input as inp
}

test_sane_trusted_locations if {
	inp := f.with_data({"namedLocations": [ip_loc("a", true, ["16.0.0.0/9", "16.128.0.0/9"]), ip_loc("b", true, ["16.0.0.0/10"])]})
	ca.insane_trusted_locations == [] with input as inp
}

test_ipv6_number if {
	ca.ipv6_number("::") == 0
	ca.ipv6_number("::1") == 1
	ca.ipv6_number("2001:DB8::1") == ca.ipv6_number("2001:0db8:0:0:0:0:0:0001")
	ca.ipv6_number("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == bits.lsh(1, 128) - 1
	ca.ipv6_number("1::") == bits.lsh(1, 112)
	not ca.ipv6_number("::ffff:192.0.2.1")
	not ca.ipv6_number("1:2:3")
}

# The deprecated device state condition: what narrows and how it reads.
devices(d) := f.policy({"conditions": {"devices": object.union({"deviceFilter": null}, d)}})

test_device_state_problems if {
	ca.device_state_problems(devices({"includeDeviceStates": [], "excludeDeviceStates": [], "includeDevices": [], "excludeDevices": []})) == []
	ca.device_state_problems(devices({"includeDeviceStates": ["All"], "excludeDeviceStates": []})) == []
	ca.device_state_problems(f.policy({})) == []
	ca.device_state_problems(devices({"includeDeviceStates": ["All"], "excludeDeviceStates": ["Compliant", "DomainJoined"]})) == ["has a device state condition (excludeDeviceStates Compliant/DomainJoined)"]
	ca.device_state_problems(devices({"includeDevices": ["Compliant"]})) == ["has a device state condition (includeDevices Compliant)"]
	ca.device_problems(devices({"excludeDevices": "Compliant"})) == ["has a device state condition (excludeDevices Compliant)"]
}

test_grouped if {
	ca.grouped(0) == "0"
	ca.grouped(999) == "999"
	ca.grouped(1000) == "1,000"
	ca.grouped(16777216) == "16,777,216"
	ca.grouped(4294967296) == "4,294,967,296"
	ca.grouped(79228162514264337593543950336) == "79,228,162,514,264,337,593,543,950,336"
}

# A narrowing condition with nothing excluded reads as a whole sentence: no
# finding ends in a dangling "excluding " or ", exclude " (issue 12).
test_narrowing_text_never_dangles if {
	ca.platform_problems({"conditions": {"platforms": {"includePlatforms": ["windows"], "excludePlatforms": []}}}) == ["applies only to platforms windows"]
	ca.platform_problems({"conditions": {"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS", "android"]}}}) == ["applies only to platforms all excluding iOS/android"]
	ca.location_problems({"conditions": {"locations": {"includeLocations": ["AllTrusted"], "excludeLocations": []}}}) == ["is limited by location (include AllTrusted)"]
	ca.location_problems({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}}) == ["is limited by location (include All, exclude AllTrusted)"]
}
