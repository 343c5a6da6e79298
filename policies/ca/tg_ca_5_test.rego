package tenantgate.controls.tg_ca_5_test

import data.tenantgate.controls.tg_ca_5 as c
import data.tenantgate.test.fixtures as f

# sp is a policy that satisfies TG.CA.5: all users, the user action "Register
# security information", all locations except trusted ones, require MFA.
sp(over) := f.policy(object.union(
	{
		"id": "sp", "displayName": "Security info registration",
		"conditions": {
			"applications": {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]},
			"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
		},
		"grantControls": f.grant("OR", ["mfa"]),
	},
	over,
))

ip_location(id, name, trusted, cidrs) := {
	"@odata.type": "#microsoft.graph.ipNamedLocation",
	"id": id, "displayName": name, "isTrusted": trusted,
	"ipRanges": [{"@odata.type": cidr_type(x), "cidrAddress": x} | some x in cidrs],
}

cidr_type(x) := "#microsoft.graph.iPv6CidrRange" if contains(x, ":")

else := "#microsoft.graph.iPv4CidrRange"

office := ip_location("loc-office", "Office", true, ["203.0.113.0/24", "2001:db8::/48"])

country := {
	"@odata.type": "#microsoft.graph.countryNamedLocation", "id": "loc-uk", "displayName": "UK",
	"countriesAndRegions": ["GB"], "countryLookupMethod": "clientIpAddress", "includeUnknownCountriesAndRegions": false,
}

with_locations(ps, locs) := f.with_data({"conditionalAccessPolicies": ps, "namedLocations": locs})

lockout := "users who have not registered MFA yet are locked out; onboard them with a Temporary Access Pass"

# ---- pass ----------------------------------------------------------------------

test_pass_mfa if {
	r := c.result with input as with_locations([sp({})], [office])
	r.status == "pass"
	contains(r.finding, "policy 'Security info registration' protects security-info registration outside trusted locations (or of [mfa])")
	r.evidence == ["sp"]
	r.notes == []
}

test_pass_block_warns_about_lockout if {
	r := c.result with input as with_locations([sp({"grantControls": f.grant("OR", ["block"])})], [office])
	r.status == "pass"
	contains(r.finding, "(or of [block])")
	contains(r.finding, sprintf("warning: policy 'Security info registration' blocks registration, so %s", [lockout]))
	r.notes == [] # the warning is shown once, in the finding
}

test_pass_compliant_device if {
	r := c.result with input as with_locations([sp({"grantControls": f.grant("OR", ["compliantDevice"])})], [office])
	r.status == "pass"
	contains(r.finding, "(or of [compliantDevice])")
	r.notes == []
}

test_pass_domain_joined_device if {
	r := c.result with input as with_locations([sp({"grantControls": f.grant("OR", ["domainJoinedDevice"])})], [office])
	r.status == "pass"
	contains(r.finding, "(or of [domainJoinedDevice])")
}

test_pass_compliant_or_domain_joined if {
	r := c.result with input as with_locations([sp({"grantControls": f.grant("OR", ["compliantDevice", "domainJoinedDevice"])})], [office])
	r.status == "pass"
	contains(r.finding, "(or of [compliantDevice, domainJoinedDevice])")
}

test_pass_authentication_strength if {
	g := f.strength("00000000-0000-0000-0000-000000000002", "Multifactor authentication")
	r := c.result with input as with_locations([sp({"grantControls": g})], [office])
	r.status == "pass"
	contains(r.finding, "authentication strength 'Multifactor authentication'")
}

test_pass_mfa_or_strength if {
	g := object.union(f.strength("00000000-0000-0000-0000-000000000002", "Multifactor authentication"), {"builtInControls": ["mfa"]})
	r := c.result with input as with_locations([sp({"grantControls": g})], [office])
	r.status == "pass"
}

test_pass_mfa_and_approved_application if {
	r := c.result with input as with_locations([sp({"grantControls": f.grant("AND", ["mfa", "approvedApplication"])})], [office])
	r.status == "pass"
	contains(r.finding, "(and of [mfa, approvedApplication])")
}

test_pass_locations_absent if {
	r := c.result with input as f.with_policies([sp({"conditions": {"locations": null}})])
	r.status == "pass"
	r.evidence == ["sp"]
}

test_pass_all_locations_without_exclusions if {
	r := c.result with input as f.with_policies([sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": []}}})])
	r.status == "pass"
}

test_pass_excludes_trusted_location_by_id if {
	r := c.result with input as with_locations(
		[sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-office"]}}})],
		[office, country],
	)
	r.status == "pass"
	r.evidence == ["sp"]
}

test_pass_trusted_slash_8 if {
	r := c.result with input as with_locations([sp({})], [ip_location("loc-wide", "Wide", true, ["10.0.0.0/8"])])
	r.status == "pass"
}

test_pass_untrusted_wide_location_not_excluded if {
	# An untrusted location is not part of AllTrusted, however wide.
	r := c.result with input as with_locations([sp({})], [office, ip_location("loc-any", "Anywhere", false, ["0.0.0.0/0"])])
	r.status == "pass"
}

test_pass_wide_trusted_location_not_excluded_by_id if {
	# Only the locations the policy excludes matter when it names them by id.
	r := c.result with input as with_locations(
		[sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-office"]}}})],
		[office, ip_location("loc-any", "Anywhere", true, ["0.0.0.0/0"])],
	)
	r.status == "pass"
}

test_pass_platform_all if {
	r := c.result with input as with_locations([sp({"conditions": {"platforms": {"includePlatforms": ["all"], "excludePlatforms": []}}})], [office])
	r.status == "pass"
}

test_pass_one_enforced_among_others if {
	r := c.result with input as with_locations(
		[
			sp({"id": "ro", "displayName": "Report only", "state": "enabledForReportingButNotEnforced"}),
			sp({}),
		],
		[office],
	)
	r.status == "pass"
	r.evidence == ["sp"]
}

test_pass_named_locations_denied_without_location_condition if {
	r := c.result with input as f.denied(f.with_policies([sp({"conditions": {"locations": null}})]), "namedLocations")
	r.status == "pass"
}

test_pass_policy_without_grant_does_not_count if {
	r := c.result with input as with_locations(
		[
			sp({"id": "session", "displayName": "Session only", "grantControls": null}),
			sp({}),
		],
		[office],
	)
	r.status == "pass"
	r.evidence == ["sp"]
}

# ---- fail ----------------------------------------------------------------------

test_fail_no_policy if {
	r := c.result with input as f.with_policies([])
	r.status == "fail"
	contains(r.finding, "no Conditional Access policy protects security-info registration")
	r.evidence == []
	r.notes == []
	contains(r.finding, lockout)
}

test_fail_other_user_action_only if {
	r := c.result with input as f.with_policies([sp({"conditions": {"applications": {"includeUserActions": ["urn:user:registerdevice"]}}})])
	r.status == "fail"
	contains(r.finding, "no Conditional Access policy protects security-info registration")
}

test_fail_report_only_named if {
	r := c.result with input as with_locations([sp({"state": "enabledForReportingButNotEnforced"})], [office])
	r.status == "fail"
	contains(r.finding, "policy 'Security info registration' would satisfy this control but is report-only")
	r.evidence == ["sp"]
	r.notes == []
	contains(r.finding, lockout)
}

test_fail_disabled if {
	r := c.result with input as with_locations([sp({"state": "disabled"})], [office])
	r.status == "fail"
	contains(r.finding, "policy 'Security info registration' is disabled")
}

test_fail_extra_exclusion if {
	r := c.result with input as with_locations([sp({"conditions": {"users": {"excludeUsers": [f.bg1, f.bg2, f.other_user]}}})], [office])
	r.status == "fail"
	contains(r.finding, sprintf("excludes user %s, which the baseline does not allow", [f.other_user]))
}

test_fail_guests_excluded if {
	guests := {"guestOrExternalUserTypes": "b2bCollaborationGuest", "externalTenants": {"membershipKind": "all"}}
	r := c.result with input as with_locations([sp({"conditions": {"users": {"excludeGuestsOrExternalUsers": guests}}})], [office])
	r.status == "fail"
	contains(r.finding, "excludes guests and external users")
}

test_fail_not_all_users if {
	r := c.result with input as with_locations([sp({"conditions": {"users": {"includeUsers": [], "includeGroups": [f.other_group]}}})], [office])
	r.status == "fail"
	contains(r.finding, "policy 'Security info registration' does not target all users")
}

# Graph returns "grantControls": null for session-only policies; such a
# policy must still be named in the finding (regression: it used to drop out).
test_fail_no_grant if {
	r := c.result with input as with_locations([sp({"grantControls": null})], [office])
	r.status == "fail"
	contains(r.finding, "grants or of [], which requires neither MFA")
}

test_fail_terms_of_use_only if {
	g := object.union(f.grant("OR", []), {"termsOfUse": ["tou-1"]})
	r := c.result with input as with_locations([sp({"grantControls": g})], [office])
	r.status == "fail"
	contains(r.finding, "which requires neither MFA, a compliant or hybrid-joined device, an MFA authentication strength, nor blocks")
}

test_fail_approved_application if {
	r := c.result with input as with_locations([sp({"grantControls": f.grant("OR", ["approvedApplication"])})], [office])
	r.status == "fail"
	contains(r.finding, "grants or of [approvedApplication], which requires neither MFA")
}

test_fail_mfa_or_approved_application if {
	r := c.result with input as with_locations([sp({"grantControls": f.grant("OR", ["mfa", "approvedApplication"])})], [office])
	r.status == "fail"
	contains(r.finding, "grants or of [mfa, approvedApplication], which requires neither MFA")
}

test_fail_mfa_or_terms_of_use if {
	g := object.union(f.grant("OR", ["mfa"]), {"termsOfUse": ["tou-1"]})
	r := c.result with input as with_locations([sp({"grantControls": g})], [office])
	r.status == "fail"
	contains(r.finding, "grants or of [mfa]")
}

test_fail_trusted_location_all_ipv4 if {
	r := c.result with input as with_locations([sp({})], [office, ip_location("loc-any", "Anywhere", true, ["0.0.0.0/0"])])
	r.status == "fail"
	contains(r.finding, "relies on trusted location 'Anywhere', whose ranges cover 4,294,967,296 IPv4 addresses (more than a /8's 16,777,216), so \"outside trusted locations\" means nothing")
	r.evidence == ["sp"]
}

test_fail_trusted_location_all_ipv6 if {
	loc := {
		"@odata.type": "#microsoft.graph.ipNamedLocation", "id": "loc-v6", "displayName": "All IPv6", "isTrusted": true,
		"ipRanges": [{"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "::/0"}],
	}
	r := c.result with input as with_locations([sp({})], [loc])
	r.status == "fail"
	contains(r.finding, "relies on trusted location 'All IPv6', whose ranges cover 340,282,366,920,938,463,463,374,607,431,768,211,456 IPv6 addresses (more than a /32's 79,228,162,514,264,337,593,543,950,336)")
}

test_fail_trusted_location_slash_7 if {
	r := c.result with input as with_locations([sp({})], [ip_location("loc-wide", "Wide", true, ["10.0.0.0/8", "2.0.0.0/7"])])
	r.status == "fail"
	contains(r.finding, "relies on trusted location 'Wide', whose ranges cover 50,331,648 IPv4 addresses (more than a /8's 16,777,216)")
}

test_fail_wide_trusted_location_excluded_by_id if {
	r := c.result with input as with_locations(
		[sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-any"]}}})],
		[office, ip_location("loc-any", "Anywhere", true, ["0.0.0.0/0"])],
	)
	r.status == "fail"
	contains(r.finding, "trusted location 'Anywhere'")
}

test_fail_excludes_country_location if {
	r := c.result with input as with_locations(
		[sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted", "loc-uk"]}}})],
		[office, country],
	)
	r.status == "fail"
	contains(r.finding, "excludes location 'UK' (loc-uk), which is not a trusted location")
}

test_fail_excludes_untrusted_ip_location if {
	r := c.result with input as with_locations(
		[sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-home"]}}})],
		[office, ip_location("loc-home", "Home", false, ["198.51.100.7/32"])],
	)
	r.status == "fail"
	contains(r.finding, "excludes location 'Home' (loc-home), which is not a trusted location")
}

test_fail_include_locations_not_all if {
	r := c.result with input as with_locations(
		[sp({"conditions": {"locations": {"includeLocations": ["loc-uk"], "excludeLocations": []}}})],
		[office, country],
	)
	r.status == "fail"
	contains(r.finding, "includes locations loc-uk instead of All")
}

test_fail_narrowed_by_sign_in_risk if {
	r := c.result with input as with_locations([sp({"conditions": {"signInRiskLevels": ["high"]}})], [office])
	r.status == "fail"
	contains(r.finding, "applies only to signInRiskLevels high")
}

test_fail_narrowed_by_platform if {
	r := c.result with input as with_locations([sp({"conditions": {"platforms": {"includePlatforms": ["android", "iOS"], "excludePlatforms": []}}})], [office])
	r.status == "fail"
	contains(r.finding, "applies only to platforms android/iOS")
}

test_fail_platform_all_with_exclusion if {
	r := c.result with input as with_locations([sp({"conditions": {"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["linux"]}}})], [office])
	r.status == "fail"
	contains(r.finding, "applies only to platforms all excluding linux")
}

test_fail_narrowed_by_device_filter if {
	r := c.result with input as with_locations([sp({"conditions": {"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}}}})], [office])
	r.status == "fail"
	contains(r.finding, "has a device filter (exclude: device.isCompliant -eq True)")
}

test_fail_lists_every_policy if {
	r := c.result with input as with_locations(
		[
			sp({"id": "a", "displayName": "A", "state": "enabledForReportingButNotEnforced"}),
			sp({"id": "b", "displayName": "B", "grantControls": f.grant("OR", ["approvedApplication"])}),
		],
		[office],
	)
	r.status == "fail"
	contains(r.finding, "policy 'A' would satisfy this control but is report-only; policy 'B' grants or of [approvedApplication]")
	r.evidence == ["a", "b"]
}

# ---- not_assessed / not_licensed -------------------------------------------------

test_not_assessed_named_locations_denied if {
	r := c.result with input as f.denied(f.with_policies([sp({})]), "namedLocations")
	r.status == "not_assessed"
	contains(r.finding, "the verdict depends on data the snapshot lacks: policy 'Security info registration' excludes trusted locations, which could not be checked")
	contains(r.finding, "namedLocations was not collected (denied: Authorization_RequestDenied")
}

test_pass_named_locations_denied_when_another_policy_qualifies if {
	r := c.result with input as f.denied(
		f.with_policies([
			sp({"id": "loc", "displayName": "With locations"}),
			sp({"conditions": {"locations": null}}),
		]),
		"namedLocations",
	)
	r.status == "pass"
	r.evidence == ["sp"]
}

# A policy that falls short for another reason fails whatever the named
# locations hold: unreadable locations must not turn that into not_assessed.
test_fail_report_only_even_when_named_locations_denied if {
	r := c.result with input as f.denied(f.with_policies([sp({"state": "enabledForReportingButNotEnforced"})]), "namedLocations")
	r.status == "fail"
	contains(r.finding, "policy 'Security info registration' is report-only")
	contains(r.finding, "could not be checked")
}

test_not_licensed_without_p1 if {
	r := c.result with input as f.with_data({"subscribedSkus": [f.sku_o365_e3], "conditionalAccessPolicies": [sp({})]})
	r.status == "not_licensed"
	contains(r.finding, "the tenant has no Microsoft Entra ID P1 license")
}

test_not_assessed_when_policies_denied if {
	r := c.result with input as f.denied(f.with_policies([sp({})]), "conditionalAccessPolicies")
	r.status == "not_assessed"
	contains(r.finding, "conditionalAccessPolicies was not collected (denied: Authorization_RequestDenied")
}

test_not_assessed_when_skus_denied if {
	r := c.result with input as f.denied(f.with_policies([sp({})]), "subscribedSkus")
	r.status == "not_assessed"
	contains(r.finding, "licenses could not be determined, so this control (needs Microsoft Entra ID P1) was not assessed")
}

# controls.md: the finding (not only the notes) warns about block lockouts.
test_finding_warns_about_block_lockout if {
	blk := f.policy({"id": "blk", "displayName": "Block registration", "conditions": {"applications": {"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]}}, "grantControls": f.grant("OR", ["block"])})
	r := c.result with input as f.with_policies([blk])
	r.status == "pass"
	contains(r.finding, "blocks registration, so users who have not registered MFA yet are locked out; onboard them")
	r2 := c.result with input as f.with_policies([])
	r2.status == "fail"
	contains(r2.finding, ". With a block grant, users who have not registered MFA yet are locked out; onboard them")
}

# ---- named locations that cannot be judged, and ranges that cover everything --

any_v4 := ip_location("loc-any", "Anywhere", true, ["0.0.0.0/0"])

# A trusted location the snapshot holds only in part: judged, it could read as
# untrusted or empty and the exclusion would pass. The source is incomplete,
# so a policy excluding trusted locations is not_assessed (never pass).
test_not_assessed_when_a_named_location_is_incomplete if {
	cases := [
		["isTrusted absent", object.remove(any_v4, ["isTrusted"])],
		["ipRanges absent", object.remove(any_v4, ["ipRanges"])],
		["ipRanges null", object.union(any_v4, {"ipRanges": null})],
		["range without cidrAddress", object.union(any_v4, {"ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange"}]})],
		["range without type", object.union(any_v4, {"ipRanges": [{"cidrAddress": "0.0.0.0/0"}]})],
		["range not a CIDR", object.union(any_v4, {"ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "everything"}]})],
		["location without type", object.remove(any_v4, ["@odata.type"])],
		["range bounds absent", object.union(any_v4, {"ipRanges": [{"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "0.0.0.0"}]})],
		["IPv6 range bounds not countable", object.union(any_v4, {"ipRanges": [{"@odata.type": "#microsoft.graph.iPv6Range", "lowerAddress": "::ffff:0.0.0.0", "upperAddress": "::ffff:255.255.255.255"}]})],
	]
	every tc in cases {
		r := c.result with input as with_locations([sp({})], [office, tc[1]])
		r.status == "not_assessed"
		contains(r.finding, "namedLocations is incomplete in the snapshot (named location 'Anywhere' lacks")
	}
}

# Without trusted-location exclusions the named locations are not needed.
test_incomplete_named_location_irrelevant_without_location_exclusion if {
	p := sp({"conditions": {"locations": null}})
	r := c.result with input as with_locations([p], [object.remove(any_v4, ["isTrusted"])])
	r.status == "pass"
}

test_fail_trusted_location_covers_everything_by_other_spellings if {
	cases := [
		["340,282,366,920,938,463,463,374,607,431,768,211,456 IPv6", {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "0::/0"}],
		["340,282,366,920,938,463,463,374,607,431,768,211,456 IPv6", {"@odata.type": "#microsoft.graph.iPv6CidrRange", "cidrAddress": "0:0:0:0:0:0:0:0/0"}],
		["4,294,967,296 IPv4", {"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "0.0.0.0", "upperAddress": "255.255.255.255"}],
		["16,777,217 IPv4", {"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "10.0.0.0", "upperAddress": "11.0.0.0"}],
		["340,282,366,920,938,463,463,374,607,431,768,211,456 IPv6", {"@odata.type": "#microsoft.graph.iPv6Range", "lowerAddress": "::", "upperAddress": "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}],
	]
	every tc in cases {
		loc := object.union(any_v4, {"ipRanges": [tc[1]]})
		r := c.result with input as with_locations([sp({})], [loc])
		r.status == "fail"
		contains(r.finding, sprintf("relies on trusted location 'Anywhere', whose ranges cover %s addresses", [tc[0]]))
	}
}

test_pass_narrow_ranges if {
	loc := object.union(office, {"ipRanges": [
		{"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "10.0.0.0", "upperAddress": "10.255.255.255"},
		{"@odata.type": "#microsoft.graph.iPv6Range", "lowerAddress": "2001:db8::", "upperAddress": "2001:db8::ffff"},
	]})
	r := c.result with input as with_locations([sp({})], [loc])
	r.status == "pass"
}

# A policy on the user action that only matches some client apps does not
# protect every registration.
test_fail_narrowed_client_apps if {
	r := c.result with input as with_locations([sp({"conditions": {"clientAppTypes": ["exchangeActiveSync"]}})], [office])
	r.status == "fail"
	contains(r.finding, "applies only to client apps exchangeActiveSync")
}

# Included locations other than All fail whatever the named locations hold,
# so unreadable named locations do not make that not_assessed.
test_fail_include_locations_not_all_with_named_locations_denied if {
	p := sp({"conditions": {"locations": {"includeLocations": ["loc-uk"], "excludeLocations": ["AllTrusted"]}}})
	r := c.result with input as f.denied(f.with_policies([p]), "namedLocations")
	r.status == "fail"
	contains(r.finding, "includes locations loc-uk instead of All")
}

# ---- MFA authentication strength and compliant networks -------------------------

test_fail_strength_allowing_password_alone if {
	pw := {"id": "pw", "displayName": "Password only", "allowedCombinations": ["password"]}
	inp := f.with_data({
		"conditionalAccessPolicies": [sp({"grantControls": f.strength("pw", "Password only")})],
		"namedLocations": [office],
		"authenticationStrengthPolicies": array.concat(f.builtin_strengths, [pw]),
	})
	r := c.result with input as inp
	r.status == "fail"
	contains(r.finding, "(not MFA: allows password)")
}

test_not_assessed_unknown_strength if {
	r := c.result with input as with_locations([sp({"grantControls": f.strength("ghost", "Ghost")})], [office])
	r.status == "not_assessed"
	contains(r.finding, "the verdict depends on data the snapshot lacks: policy 'Security info registration' uses authentication strength 'Ghost', whose definition could not be read")
}

cn := {
	"@odata.type": "#microsoft.graph.compliantNetworkNamedLocation",
	"id": "loc-cn", "displayName": "All Compliant Network locations",
	"compliantNetworkType": "allTenantCompliantNetworks", "isTrusted": true,
}

test_pass_excluding_trusted_compliant_network if {
	p := sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-cn"]}}})
	r := c.result with input as with_locations([p], [office, cn])
	r.status == "pass"
}

test_pass_all_trusted_with_compliant_network if {
	r := c.result with input as with_locations([sp({})], [cn])
	r.status == "pass"
}

test_fail_untrusted_compliant_network if {
	p := sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-cn"]}}})
	r := c.result with input as with_locations([p], [object.union(cn, {"isTrusted": false})])
	r.status == "fail"
	contains(r.finding, "excludes location 'All Compliant Network locations' (loc-cn), which is not a trusted location")
}

# ---- trusted-location sanity: ranges counted together (controls.md) ----------

# Entra refuses a single /8 or shorter, but many /9s pass: three /9s cover
# 25165824 addresses, more than a /8's worth.
test_fail_many_slash_9s if {
	loc := ip_location("loc-nines", "Nines", true, ["16.0.0.0/9", "16.128.0.0/9", "17.0.0.0/9"])
	r := c.result with input as with_locations([sp({})], [office, loc])
	r.status == "fail"
	contains(r.finding, "relies on trusted location 'Nines', whose ranges cover 25,165,824 IPv4 addresses (more than a /8's 16,777,216), so \"outside trusted locations\" means nothing")
	not contains(r.finding, "'Office'")
}

# Two /9s are exactly a /8's worth: not more.
test_pass_two_slash_9s if {
	loc := ip_location("loc-nines", "Nines", true, ["16.0.0.0/9", "16.128.0.0/9"])
	r := c.result with input as with_locations([sp({})], [loc])
	r.status == "pass"
}

# Spread over several trusted locations, AllTrusted relies on them all.
test_fail_wide_ranges_spread_over_locations if {
	a := ip_location("loc-a", "A", true, ["16.0.0.0/9", "16.128.0.0/9"])
	b := ip_location("loc-b", "B", true, ["17.0.0.0/9"])
	r := c.result with input as with_locations([sp({})], [a, b, cn])
	r.status == "fail"
	contains(r.finding, "relies on trusted locations 'A', 'B', whose ranges together cover 25,165,824 IPv4 addresses (more than a /8's 16,777,216)")
}

# A policy excluding only one of them by id relies on that one alone.
test_pass_excluding_one_of_the_spread_locations if {
	a := ip_location("loc-a", "A", true, ["16.0.0.0/9", "16.128.0.0/9"])
	b := ip_location("loc-b", "B", true, ["17.0.0.0/9"])
	p := sp({"conditions": {"locations": {"includeLocations": ["All"], "excludeLocations": ["loc-a"]}}})
	r := c.result with input as with_locations([p], [a, b])
	r.status == "pass"
}

# Overlapping ranges are counted once.
test_pass_overlapping_ranges_counted_once if {
	a := ip_location("loc-a", "A", true, ["16.0.0.0/9", "16.128.0.0/9"])
	b := ip_location("loc-b", "B", true, ["16.0.0.0/9", "16.1.0.0/16"])
	r := c.result with input as with_locations([sp({})], [a, b])
	r.status == "pass"
}

# More than a /32 of IPv6: a /31, or a /32 and a /48 beside it.
test_fail_ipv6_wider_than_slash_32 if {
	every cidrs in [["2001:db8::/31"], ["2001:db8::/32", "2001:db9::/48"], ["2000::/3"]] {
		r := c.result with input as with_locations([sp({})], [ip_location("loc-v6", "V6", true, cidrs)])
		r.status == "fail"
		contains(r.finding, "relies on trusted location 'V6', whose ranges cover ")
		contains(r.finding, "IPv6 addresses (more than a /32's 79,228,162,514,264,337,593,543,950,336)")
	}
}

test_pass_ipv6_slash_32 if {
	every cidrs in [["2001:db8::/32"], ["2001:db8::/33", "2001:db8:8000::/33"]] {
		r := c.result with input as with_locations([sp({})], [ip_location("loc-v6", "V6", true, cidrs)])
		r.status == "pass"
	}
}

# Address ranges (lower/upper) count their addresses.
test_ranges_by_bounds_counted if {
	v4 := {"@odata.type": "#microsoft.graph.iPv4Range", "lowerAddress": "16.0.0.0", "upperAddress": "17.0.0.0"}
	v6 := {"@odata.type": "#microsoft.graph.iPv6Range", "lowerAddress": "2001:db8::", "upperAddress": "2001:db9::"}
	every rg in [v4, v6] {
		loc := object.union(office, {"ipRanges": [rg]})
		r := c.result with input as with_locations([sp({})], [loc])
		r.status == "fail"
		contains(r.finding, "relies on trusted location 'Office', whose ranges cover ")
	}
}

# controls.md: AllTrusted also holds the legacy MFA service's trusted IPs,
# which Graph cannot read; a pass that relies on AllTrusted says so.
test_pass_relying_on_all_trusted_says_legacy_ips_are_unread if {
	r := c.result with input as with_locations([sp({})], [office])
	r.status == "pass"
	contains(r.finding, "policy 'Security info registration' protects security-info registration outside trusted locations (or of [mfa]); AllTrusted also includes the legacy MFA service's trusted IPs, which Graph cannot read: check them (Entra admin center > Protection > Multifactor authentication > Additional cloud-based multifactor authentication settings)")
}

test_pass_not_relying_on_all_trusted_does_not_mention_legacy_ips if {
	every locs in [null, {"includeLocations": ["All"], "excludeLocations": ["loc-office"]}] {
		r := c.result with input as with_locations([sp({"conditions": {"locations": locs}})], [office])
		r.status == "pass"
		not contains(r.finding, "legacy MFA")
	}
}
