# METADATA
# title: Continuous access evaluation is not disabled by any policy
# description: >-
#   Continuous access evaluation lets Exchange and SharePoint drop a session
#   within minutes when the user is disabled or their password reset: the
#   first response step of the talk. A policy can switch it off.
# custom:
#   id: TG.CA.9
#   order: 9
#   severity: medium
#   requires: [AAD_PREMIUM]
#   sources: [conditionalAccessPolicies]
#   seed: "Appendix 初動対応 1 (CAE)"
#   seed_en: "Appendix: initial response 1 (CAE)"
#   remediation: >-
#     Remove the "Customize continuous access evaluation: Disable" session
#     control from the named policies. Graph (beta): PATCH
#     /beta/identity/conditionalAccess/policies/{id} with
#     {"sessionControls": {"continuousAccessEvaluation": null}}
#     (Policy.ReadWrite.ConditionalAccess); tenantgate never edits existing
#     policies itself.
package tenantgate.controls.tg_ca_9

import data.tenantgate.lib
import data.tenantgate.lib.ca

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

# continuousAccessEvaluation exists only in the beta API; a v1.0 read cannot
# show a policy that disables it, so such a snapshot proves nothing.
from_beta if lib.api_version("conditionalAccessPolicies") == "beta"

disables(p) if p.sessionControls.continuousAccessEvaluation.mode == "disabled"

offenders := [p | some p in ca.policies; ca.enforced(p); disables(p)]

dormant := [p | some p in ca.policies; not ca.enforced(p); disables(p)]

# A beta read returns continuousAccessEvaluation (null or set) in every
# sessionControls object; an enforced policy whose copy lacks it cannot be
# shown not to disable CAE.
unknown := [p |
	some p in ca.policies
	ca.enforced(p)
	is_object(p.sessionControls)
	not cae_readable(p.sessionControls)
]

# Graph sends continuousAccessEvaluation as null or as an object with a mode.
cae_readable(sc) if {
	"continuousAccessEvaluation" in object.keys(sc)
	sc.continuousAccessEvaluation == null
}

cae_readable(sc) if is_string(sc.continuousAccessEvaluation.mode)

dormant_notes := [sprintf("policy %s (%s) disables continuous access evaluation and would take effect if enabled", [ca.name(p), p.state]) | some p in dormant]

verdict := lib.not_assessed(sprintf("Conditional Access policies were read with %q; continuousAccessEvaluation is only visible in the beta API", [object.get(input.sources.conditionalAccessPolicies, "request", "an unknown request")])) if {
	not from_beta
}

else := lib.fail_notes(
	sprintf("policy %s disables continuous access evaluation", [ca.names(offenders)]),
	ca.ids(offenders),
	dormant_notes,
) if count(offenders) > 0

else := lib.not_assessed(sprintf("the session controls of policy %s lack continuousAccessEvaluation (or hold it without a mode), so whether they disable it is unknown (a beta read returns the key on every policy)", [ca.names(unknown)])) if {
	count(unknown) > 0
}

else := lib.pass_notes(
	sprintf("none of the %d enforced policies disables continuous access evaluation", [count([p | some p in ca.policies; ca.enforced(p)])]),
	[],
	dormant_notes,
)
