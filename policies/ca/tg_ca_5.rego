# METADATA
# title: Registering security info from outside trusted locations is blocked or needs strong authentication
# description: >-
#   After stealing a session, the attacker registers their own MFA method to
#   keep access. Requiring strong authentication (or blocking) for security-info
#   registration outside trusted locations stops that persistence step.
# custom:
#   id: TG.CA.5
#   order: 5
#   severity: high
#   requires: [AAD_PREMIUM]
#   sources: [conditionalAccessPolicies, breakGlassAccounts]
#   exclusions: true
#   seed: "Prevent: セキュリティ情報の登録"
#   seed_en: "Prevent: registering security info"
#   remediation: >-
#     Create an all-users policy for the user action "Register security
#     information", all locations except "All trusted locations", granting
#     "Require MFA" (or an authentication strength, or block), excluding only
#     the break-glass accounts (`tenantgate plan` template TG.CA.5). Keep trusted
#     IP ranges tight. Users who have not registered MFA yet are locked out by
#     block: onboard them with a Temporary Access Pass.
package tenantgate.controls.tg_ca_5

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

me := lib.control_id(rego.metadata.chain())

action := "urn:user:registersecurityinfo"

strong := {"block", "mfa", "compliantDevice", "domainJoinedDevice", "strength"}

lockout := "users who have not registered MFA yet are locked out; onboard them with a Temporary Access Pass"

relevant := ca.action_policies(action)

problems := {p.id: array.concat(ca.action_problems(me, p), grant_problems(p)) | some p in relevant}

grant_problems(p) := ca.mfa_grant_problems(p, strong, "grants %s, which requires neither MFA, a compliant or hybrid-joined device, an MFA authentication strength, nor blocks")

qualifying := [p | some p in relevant; count(problems[p.id]) == 0]

unknown := ca.undecided(relevant, problems)

blocks := [p | some p in qualifying; "block" in p.grantControls.builtInControls]

# controls.md: the finding itself must warn about block lockouts; it names
# the blocking policies, and no note repeats it (the warning appears once).
block_warning := sprintf("; warning: policy %s blocks registration, so %s", [ca.names(blocks), lockout]) if count(blocks) > 0

else := ""

fail_warning := sprintf(". With a block grant, %s", [lockout])

verdict := lib.pass_notes(
	sprintf("policy %s protects security-info registration outside trusted locations (%s)%s%s", [ca.name(qualifying[0]), ca.grant_label(qualifying[0]), ca.legacy_trusted_ips(qualifying[0]), block_warning]),
	ca.ids(qualifying),
	[],
) if count(qualifying) > 0

else := lib.not_assessed(ca.undecided_finding(unknown, problems)) if count(unknown) > 0

else := lib.fail_notes(
	concat("", ["no Conditional Access policy protects security-info registration (an attacker with a stolen session can register their own MFA method)", fail_warning]),
	[],
	[],
) if count(relevant) == 0

# The finding carries the Temporary Access Pass warning (controls.md), so it
# is not repeated as a note: every report shows it once.
else := lib.fail_notes(concat("", [ca.explain(relevant, problems), fail_warning]), ca.ids(relevant), [])
