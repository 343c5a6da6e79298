# METADATA
# title: Users cannot consent to applications
# description: >-
#   Consent phishing makes a user grant a malicious app access to their mail
#   and files; the app keeps that access after the password is reset.
# custom:
#   id: TG.APP.2
#   order: 11
#   severity: high
#   requires: []
#   sources: [authorizationPolicy]
#   seed: "Prevent: アプリ導入"
#   seed_en: "Prevent: installing apps (no user app registration or consent)"
#   remediation: >-
#     Entra admin center > Enterprise applications > Consent and permissions >
#     User consent settings: "Do not allow user consent". Graph: PATCH
#     /policies/authorizationPolicy {"defaultUserRolePermissions":
#     {"permissionGrantPoliciesAssigned": []}} (keep any
#     ManagePermissionGrantsForOwnedResource.* entries), and enable the admin
#     consent workflow (TG.APP.3).
package tenantgate.controls.tg_app_2

import data.tenantgate.lib

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

assigned := input.data.authorizationPolicy.defaultUserRolePermissions.permissionGrantPoliciesAssigned

prefix := "managepermissiongrantsforself."

# User-consent entries; compared case-insensitively because tenants send
# "ManagePermissionGrantsForSelf" and the docs write "managePermissionGrantsForSelf".
self_entries := [e | some e in assigned; startswith(lower(e), prefix)]

policy_id(e) := substring(e, count(prefix), -1)

tolerated := {lower(x) | some x in lib.param("allowed_user_consent_policies")}

allowed := [e | some e in self_entries; lower(policy_id(e)) in tolerated]

offending := [e | some e in self_entries; not lower(policy_id(e)) in tolerated]

# A helper rule, not `not is_array(assigned)`: a built-in call on an undefined
# argument makes the negated expression fail instead of succeed.
assigned_is_list if {
	is_array(assigned)
	every e in assigned {
		is_string(e)
	}
}

verdict := lib.not_assessed("authorizationPolicy has no defaultUserRolePermissions.permissionGrantPoliciesAssigned list of policy names") if {
	not assigned_is_list
}

else := lib.fail(
	sprintf("users can consent to applications under %s", [lib.quote_all([policy_id(e) | some e in offending])]),
	["authorizationPolicy"],
) if count(offending) > 0

else := lib.pass_notes(
	"user consent is limited to policies the baseline allows",
	["authorizationPolicy"],
	[sprintf("tolerated by allowed_user_consent_policies: %s", [lib.quote_all([policy_id(e) | some e in allowed])])],
) if count(allowed) > 0

else := lib.pass("users cannot consent to applications (no ManagePermissionGrantsForSelf policy is assigned)", ["authorizationPolicy"])
