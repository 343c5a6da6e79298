# METADATA
# title: Sign-in to all apps only from Intune-compliant or hybrid-joined devices
# description: >-
#   A token or password phished through an AiTM proxy is useless from the
#   attacker's own machine when every sign-in must come from a managed device.
# custom:
#   id: TG.CA.3
#   order: 3
#   severity: high
#   requires: [AAD_PREMIUM, INTUNE_A]
#   sources: [conditionalAccessPolicies, breakGlassAccounts]
#   exclusions: true
#   seed: "Prevent: 準拠済みデバイス"
#   seed_en: "Prevent: compliant devices"
#   remediation: >-
#     Create an all-users, all-apps policy granting access only to a compliant
#     device or a Microsoft Entra hybrid joined device, excluding only the
#     break-glass accounts (`tenantgate plan` template TG.CA.3).
package tenantgate.controls.tg_ca_3

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

device_controls := {"compliantDevice", "domainJoinedDevice"}

relevant := [p | some p in ca.policies; requires_device(p)]

requires_device(p) if {
	some c in p.grantControls.builtInControls
	c in device_controls
}

problems := {p.id: lib.flat([
	ca.state_problems(p), ca.user_problems(me, p),
	ca.all_apps_problems(me, p), ca.not_narrowed_problems(p), grant_problems(p),
]) | some p in relevant}

# OR-ed with anything but the other device control, the device requirement
# can be skipped; AND-ed with more controls it still holds.
grant_problems(p) := [sprintf("grants access with %s, so a sign-in can skip the device requirement", [ca.grant_label(p)])] if {
	ca.or_grant(p)
	not only_device_alternatives(p)
} else := ca.operator_problems(p)

only_device_alternatives(p) if {
	every c in p.grantControls.builtInControls {
		c in device_controls
	}
	not ca.has_strength(p)
	count(ca.other_alternatives(p)) == 0
}

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

undecided := ca.undecided(relevant, problems)

verdict := lib.pass(
	sprintf("policy %s requires a compliant or hybrid-joined device for every sign-in", [ca.name(qualifying[0])]),
	ca.ids(qualifying),
) if count(qualifying) > 0

else := lib.fail("no Conditional Access policy requires a compliant or hybrid-joined device", []) if count(relevant) == 0

else := lib.not_assessed(ca.undecided_finding(undecided, problems)) if count(undecided) > 0

else := lib.fail(ca.explain(relevant, problems), ca.ids(relevant))
