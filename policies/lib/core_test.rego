package tenantgate.lib.core_test

import data.tenantgate.lib
import data.tenantgate.test.fixtures as f

skus(list) := f.with_data({"subscribedSkus": list})

plan(name, status) := {"servicePlanName": name, "provisioningStatus": status}

test_licenses_e3 if {
	m := lib.licenses with input as skus([f.sku_e3])
	m == {
		"AAD_PREMIUM": true, "AAD_PREMIUM_P2": false, "INTUNE_A": true,
		"AUDIT_STANDARD": true, "M365_ADVANCED_AUDITING": false, "10_ALR_ADDON": false,
	}
}

test_licenses_e5 if {
	l := lib.licensed with input as skus([f.sku_e5])
	l == {"AAD_PREMIUM", "AAD_PREMIUM_P2", "INTUNE_A", "AUDIT_STANDARD", "M365_ADVANCED_AUDITING"}
}

test_suspended_sku_gives_nothing if {
	l := lib.licensed with input as skus([object.union(f.sku_e5, {"capabilityStatus": "Suspended"})])
	count(l) == 0
}

# Warning is a grace period: the licence is still usable (controls.md
# "License detection"); Suspended, LockedOut and Deleted are not.
test_warning_sku_counts if {
	l := lib.licensed with input as skus([object.union(f.sku_e5, {"capabilityStatus": "Warning"})])
	l == {"AAD_PREMIUM", "AAD_PREMIUM_P2", "INTUNE_A", "AUDIT_STANDARD", "M365_ADVANCED_AUDITING"}
}

test_unusable_sku_statuses_give_nothing if {
	every status in ["Suspended", "LockedOut", "Deleted", "enabled", ""] {
		l := lib.licensed with input as skus([object.union(f.sku_e5, {"capabilityStatus": status})])
		count(l) == 0
	}
}

test_disabled_plan_gives_nothing if {
	s := {"skuPartNumber": "AAD_PREMIUM_P2", "capabilityStatus": "Enabled", "servicePlans": [plan("AAD_PREMIUM_P2", "Disabled"), plan("MFA_PREMIUM", "Success")]}
	l := lib.licensed with input as skus([s])
	count(l) == 0
}

test_pending_plan_counts if {
	s := {"skuPartNumber": "AAD_PREMIUM", "capabilityStatus": "Enabled", "servicePlans": [plan("AAD_PREMIUM", "PendingActivation")]}
	l := lib.licensed with input as skus([s])
	l == {"AAD_PREMIUM"}
}

test_disabled_in_one_sku_enabled_in_another if {
	off := {"skuPartNumber": "A", "capabilityStatus": "Enabled", "servicePlans": [plan("INTUNE_A", "Disabled")]}
	on := f.sku("B", ["INTUNE_A"])
	l := lib.licensed with input as skus([off, on])
	l == {"INTUNE_A"}
}

test_p2_implies_p1 if {
	l := lib.licensed with input as skus([f.sku("AAD_PREMIUM_P2", ["AAD_PREMIUM_P2"])])
	l == {"AAD_PREMIUM", "AAD_PREMIUM_P2"}
}

test_p1_does_not_imply_p2 if {
	l := lib.licensed with input as skus([f.sku("AAD_PREMIUM", ["AAD_PREMIUM"])])
	l == {"AAD_PREMIUM"}
}

test_intune_o365_is_not_intune if {
	l := lib.licensed with input as skus([f.sku("O365_BUSINESS_PREMIUM", ["INTUNE_O365"])])
	not "INTUNE_A" in l
	count(l) == 0
}

test_intune_smbiz_is_intune if {
	l := lib.licensed with input as skus([f.sku("SPB", ["INTUNE_SMBIZ"])])
	l == {"INTUNE_A"}
}

test_audit_standard_from_audit_platform_not_foundation if {
	l1 := lib.licensed with input as skus([f.sku("X", ["M365_AUDIT_PLATFORM"])])
	l1 == {"AUDIT_STANDARD"}
	l2 := lib.licensed with input as skus([f.sku("Y", ["EXCHANGE_S_FOUNDATION"])])
	count(l2) == 0
}

test_ten_year_add_on_by_sku_part_number if {
	l := lib.licensed with input as skus([f.sku("10_ALR_ADDON", [])])
	l == {"10_ALR_ADDON"}
}

test_ten_year_add_on_sku_must_be_enabled if {
	l := lib.licensed with input as skus([object.union(f.sku("10_ALR_ADDON", []), {"capabilityStatus": "Suspended"})])
	count(l) == 0
}

# A SKU or service plan without the keys license detection reads makes the
# licenses unknown (the source is incomplete), never absent: absent would be
# not_licensed, which no gate counts.
incomplete_skus := [
	["servicePlans null", {"skuPartNumber": "X", "capabilityStatus": "Enabled", "servicePlans": null}],
	["servicePlans absent", {"skuPartNumber": "X", "capabilityStatus": "Enabled"}],
	["capabilityStatus absent", {"skuPartNumber": "X", "servicePlans": [plan("INTUNE_A", "Success")]}],
	["skuPartNumber absent", {"capabilityStatus": "Enabled", "servicePlans": [plan("INTUNE_A", "Success")]}],
	["plan without provisioningStatus", {"skuPartNumber": "X", "capabilityStatus": "Enabled", "servicePlans": [{"servicePlanName": "INTUNE_A"}]}],
	["plan without servicePlanName", {"skuPartNumber": "X", "capabilityStatus": "Enabled", "servicePlans": [{"provisioningStatus": "Success"}]}],
	["plan status null", {"skuPartNumber": "X", "capabilityStatus": "Enabled", "servicePlans": [plan("INTUNE_A", null)]}],
	["SKU not an object", "SPE_E3"],
]

test_incomplete_sku_makes_licenses_unknown if {
	every c in incomplete_skus {
		[_, sku] := c
		inp := skus([f.sku_e5, sku])
		not lib.source_ok("subscribedSkus") with input as inp
		not lib.licenses with input as inp
		contains(lib.source_problem("subscribedSkus"), "subscribedSkus is incomplete in the snapshot") with input as inp
		g := lib.gate_for(["INTUNE_A"], []) with input as inp
		g.status == "not_assessed"
		contains(g.finding, "licenses could not be determined")
	}
}

test_complete_skus_are_ok if {
	lib.source_ok("subscribedSkus") with input as skus([f.sku_e3, f.sku_e5, f.sku("10_ALR_ADDON", [])])
	count(lib.sku_incomplete) == 0 with input as skus([f.sku_e3])
}

test_licenses_undefined_when_skus_denied if {
	not lib.licenses with input as f.denied(skus([f.sku_e5]), "subscribedSkus")
}

test_licensed_empty_when_skus_denied if {
	l := lib.licensed with input as f.denied(skus([f.sku_e5]), "subscribedSkus")
	count(l) == 0
}

test_license_title if {
	lib.license_title("AAD_PREMIUM") == "Microsoft Entra ID P1" with input as skus([])
	lib.license_title("UNKNOWN_CAP") == "UNKNOWN_CAP" with input as skus([])
	inp := f.with_baseline(skus([]), {"licenses": {"AAD_PREMIUM": {"title": ""}}})
	lib.license_title("AAD_PREMIUM") == "AAD_PREMIUM" with input as inp
}

test_source_ok_needs_status_and_data if {
	inp := f.with_data({"x": []})
	lib.source_ok("x") with input as inp
	not lib.source_ok("y") with input as inp
	not lib.source_ok("x") with input as object.union(inp, {"sources": {"x": {"status": "error"}}})
	not lib.source_ok("x") with input as object.union(inp, {"data": {"x": null}}) with input.data as {}
}

test_source_problem if {
	inp := f.denied(f.with_data({"x": []}), "x")
	lib.source_problem("x") == "x was not collected (denied: Authorization_RequestDenied: Insufficient privileges to complete the operation.)" with input as inp
	lib.source_problem("y") == "y is missing from the snapshot" with input as inp
	skipped := object.union(inp, {"sources": {"z": {"status": "skipped"}}})
	lib.source_problem("z") == "z was not collected (skipped: no error recorded)" with input as skipped
}

chain(custom) := [
	{"path": ["data", "tenantgate", "controls", "x", "result"], "annotations": {"scope": "rule"}},
	{"path": ["data", "tenantgate", "controls", "x"], "annotations": {"scope": "package", "custom": custom}},
]

test_gate_not_licensed_names_every_missing_license if {
	r := lib.gate(chain({"requires": ["AAD_PREMIUM_P2", "M365_ADVANCED_AUDITING"], "sources": []})) with input as skus([f.sku_e3])
	r.status == "not_licensed"
	r.finding == "the tenant has no Microsoft Entra ID P2 or Microsoft Purview Audit (Premium) license; this control needs it"
}

test_gate_skus_unreadable_before_license if {
	r := lib.gate(chain({"requires": ["AAD_PREMIUM", "INTUNE_A"], "sources": ["x"]})) with input as f.denied(skus([f.sku_e3]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "(needs Microsoft Entra ID P1 + Microsoft Intune Plan 1)")
}

test_gate_license_before_data if {
	r := lib.gate(chain({"requires": ["AAD_PREMIUM_P2"], "sources": ["x"]})) with input as skus([f.sku_e3])
	r.status == "not_licensed"
}

test_gate_lists_every_missing_source if {
	r := lib.gate(chain({"requires": [], "sources": ["x", "subscribedSkus", "y"]})) with input as skus([f.sku_e3])
	r.status == "not_assessed"
	r.finding == "x is missing from the snapshot; y is missing from the snapshot"
}

test_gate_undefined_when_rule_may_run if {
	not lib.gate(chain({"requires": ["AAD_PREMIUM"], "sources": ["subscribedSkus"]})) with input as skus([f.sku_e3])
	not lib.gate(chain({})) with input as skus([])
}

test_gate_break_glass_optional_only_for_object_ids if {
	c := chain({"sources": ["breakGlassAccounts"]})
	inp := f.denied(skus([]), "breakGlassAccounts")
	r := lib.gate(c) with input as inp
	r.status == "not_assessed"
	not lib.gate(c) with input as f.with_baseline(inp, {"break_glass": [f.bg1]})
	not lib.gate(c) with input as f.with_baseline(inp, {"break_glass": []})
	r2 := lib.gate(c) with input as f.with_baseline(inp, {"break_glass": [f.bg1, "bg2@contoso.com"]})
	r2.status == "not_assessed"
}

test_result_constructors if {
	lib.pass("a", ["e"]) == {"status": "pass", "finding": "a", "evidence": ["e"], "notes": []}
	lib.pass_notes("a", [], ["n"]).notes == ["n"]
	lib.fail("a", []).status == "fail"
	lib.fail_notes("a", [], ["n"]) == {"status": "fail", "finding": "a", "evidence": [], "notes": ["n"]}
	lib.not_assessed("a") == {"status": "not_assessed", "finding": "a", "evidence": [], "notes": []}
	lib.not_licensed("a").status == "not_licensed"
}

test_arr if {
	lib.arr([1]) == [1]
	lib.arr(null) == []
	lib.arr({"a": 1}) == []
}

test_small_helpers if {
	lib.quote_all(["a", "b"]) == "'a', 'b'"
	lib.quote_all([]) == ""
	lib.is_guid(f.bg1)
	not lib.is_guid("bg1@contoso.com")
	lib.param("log_retention_days") == 90 with input as skus([])
}
