# METADATA
# title: Registering or joining devices from outside trusted locations needs MFA
# description: >-
#   With a stolen session an attacker registers a device to obtain a Primary
#   Refresh Token and long-lived access. Requiring MFA for device registration
#   outside trusted locations stops it.
# custom:
#   id: TG.CA.6
#   order: 6
#   severity: medium
#   requires: [AAD_PREMIUM]
#   sources: [conditionalAccessPolicies, deviceRegistrationPolicy, breakGlassAccounts]
#   exclusions: true
#   seed: "Prevent: 端末の登録"
#   seed_en: "Prevent: registering devices"
#   remediation: >-
#     Create an all-users policy for the user action "Register or join devices",
#     all locations except "All trusted locations", granting "Require MFA" (or an
#     authentication strength), excluding only the break-glass accounts
#     (`tenantgate plan` template TG.CA.6); then set the device registration
#     setting "Require MFA to register or join devices" to No (notRequired), as
#     Microsoft requires for the user action to be enforced.
package tenantgate.controls.tg_ca_6

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

action := "urn:user:registerdevice"

setting := input.data.deviceRegistrationPolicy.multiFactorAuthConfiguration

relevant := ca.action_policies(action)

problems := {p.id: array.concat(ca.action_problems(me, p), grant_problems(p)) | some p in relevant}

grant_problems(p) := ca.mfa_grant_problems(p, {"mfa", "strength"}, "grants %s instead of requiring MFA or an MFA authentication strength")

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

unknown := ca.undecided(relevant, problems)

shortfall_text := sprintf(" (%s)", [ca.explain(relevant, problems)]) if count(relevant) > 0

else := ""

# The setting decides whether the user action is enforced at all, so a
# policy alone cannot pass the control while the setting is unknown.
# A rule: `not is_string(ref)` would be undefined, not true, for an absent ref.
setting_known if is_string(setting)

verdict := lib.not_assessed("deviceRegistrationPolicy has no multiFactorAuthConfiguration value") if not setting_known

else := lib.pass(
	sprintf("policy %s requires MFA to register or join devices outside trusted locations, and the tenant setting is notRequired%s", [ca.name(qualifying[0]), ca.legacy_trusted_ips(qualifying[0])]),
	ca.ids(qualifying),
) if {
	count(qualifying) > 0
	setting == "notRequired"
}

else := lib.pass_notes(
	sprintf("policy %s requires MFA to register or join devices outside trusted locations%s", [ca.name(qualifying[0]), ca.legacy_trusted_ips(qualifying[0])]),
	ca.ids(qualifying),
	["the device registration setting \"Require MFA to register or join devices\" is still required: Microsoft documents that the user action is then not enforced properly; set it to notRequired"],
) if {
	count(qualifying) > 0
	setting == "required"
}

else := lib.pass_notes(
	sprintf("policy %s requires MFA to register or join devices outside trusted locations%s", [ca.name(qualifying[0]), ca.legacy_trusted_ips(qualifying[0])]),
	ca.ids(qualifying),
	[sprintf("the device registration setting multiFactorAuthConfiguration is %q, a value tenantgate does not know; Microsoft documents the user action as enforced when it is notRequired", [setting])],
) if count(qualifying) > 0

else := lib.pass_notes(
	sprintf("the tenant setting requires MFA to register or join devices (deviceRegistrationPolicy.multiFactorAuthConfiguration = required)%s", [shortfall_text]),
	["deviceRegistrationPolicy"],
	["the tenant-wide setting applies everywhere; a Conditional Access policy on the user action gives location-aware control"],
) if setting == "required"

else := lib.not_assessed(ca.undecided_finding(unknown, problems)) if count(unknown) > 0

else := lib.fail(
	sprintf("device registration needs no MFA: no Conditional Access policy covers the user action \"Register or join devices\" and the tenant setting is %s", [setting]),
	["deviceRegistrationPolicy"],
) if count(relevant) == 0

else := lib.fail(
	sprintf("device registration needs no MFA (tenant setting %s): %s", [setting, ca.explain(relevant, problems)]),
	array.concat(ca.ids(relevant), ["deviceRegistrationPolicy"]),
)
