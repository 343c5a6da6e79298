package tenantgate.controls.tg_log_3_test

import data.tenantgate.controls.tg_log_3 as c
import data.tenantgate.test.fixtures as f

with_skus(skus) := f.with_data({"subscribedSkus": skus})

target(inp, days) := f.with_baseline(inp, {"parameters": {"ual_retention_days": days}})

attest(inp, on) := f.with_baseline(inp, {"attestations": {"unified_audit_log_enabled": on}})

test_not_licensed_without_audit if {
	r := c.result with input as with_skus([f.sku("AAD_PREMIUM", ["AAD_PREMIUM"])])
	r.status == "not_licensed"
	contains(r.finding, "the tenant has no Microsoft Purview Audit (Standard) license")
}

test_not_licensed_exchange_foundation_only if {
	r := c.result with input as with_skus([f.sku("EMSPREMIUM", ["AAD_PREMIUM", "EXCHANGE_S_FOUNDATION"])])
	r.status == "not_licensed"
}

test_pass_e3_180_days_with_note if {
	r := c.result with input as f.with_data({})
	r.status == "pass"
	r.finding == "the unified audit log is kept 180 days (Microsoft Purview Audit (Standard)), meeting the target of 180"
	count(r.notes) == 1
	contains(r.notes[0], "ingestion state cannot be read from Graph")
	contains(r.notes[0], "attestations.unified_audit_log_enabled")
}

test_pass_exchange_plan_1 if {
	r := c.result with input as with_skus([f.sku("EXCHANGESTANDARD", ["EXCHANGE_S_STANDARD"])])
	r.status == "pass"
	contains(r.finding, "180 days")
}

test_fail_e3_target_365 if {
	r := c.result with input as target(f.with_data({}), 365)
	r.status == "fail"
	r.finding == "the unified audit log is kept 180 days (Microsoft Purview Audit (Standard)); the baseline needs 365"
	count(r.notes) == 1
}

test_fail_e3_target_365_attested_has_no_note if {
	r := c.result with input as attest(target(f.with_data({}), 365), true)
	r.status == "fail"
	contains(r.finding, "180 days")
	r.notes == []
}

test_pass_e5_365 if {
	r := c.result with input as target(with_skus([f.sku_e5]), 365)
	r.status == "pass"
	contains(r.finding, "kept 365 days (Microsoft Purview Audit (Premium)), meeting the target of 365")
}

test_pass_ten_year_add_on if {
	r := c.result with input as target(with_skus([f.sku_e5, f.sku("10_ALR_ADDON", ["Auditing_10Year_Retention_Add_On"])]), 3650)
	r.status == "pass"
	contains(r.finding, "kept 3650 days (10-Year Audit Log Retention add-on)")
}

test_fail_ten_year_target_with_e5 if {
	r := c.result with input as target(with_skus([f.sku_e5]), 3650)
	r.status == "fail"
	contains(r.finding, "kept 365 days")
	contains(r.finding, "needs 3650")
}

test_fail_attested_off_even_with_e5 if {
	r := c.result with input as attest(with_skus([f.sku_e5]), false)
	r.status == "fail"
	contains(r.finding, "attests that the unified audit log is turned off")
}

test_pass_attested_on_without_note if {
	r := c.result with input as attest(f.with_data({}), true)
	r.status == "pass"
	contains(r.finding, "ingestion attested on in the baseline")
	r.notes == []
}

test_not_licensed_beats_attestation if {
	r := c.result with input as attest(with_skus([f.sku("AAD_PREMIUM", ["AAD_PREMIUM"])]), false)
	r.status == "not_licensed"
}

test_not_assessed_when_skus_denied if {
	r := c.result with input as f.denied(f.with_data({}), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined, so this control (needs Microsoft Purview Audit (Standard)) was not assessed")
	contains(r.finding, "Insufficient privileges")
}

test_pass_audit_platform_only if {
	r := c.result with input as with_skus([f.sku("X", ["M365_AUDIT_PLATFORM"])])
	r.status == "pass"
	contains(r.finding, "kept 180 days")
}

test_attestation_off_still_needs_licenses if {
	inp := f.with_baseline(f.denied(with_skus([f.sku_e3]), "subscribedSkus"), {"attestations": {"unified_audit_log_enabled": false}})
	r := c.result with input as inp
	r.status == "not_assessed"
}
