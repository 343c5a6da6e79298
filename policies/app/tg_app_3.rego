# METADATA
# title: An admin consent request workflow exists, with reviewers
# description: >-
#   With user consent off, users need a sanctioned way to ask for an app;
#   otherwise they look for workarounds and the block gets lifted.
# custom:
#   id: TG.APP.3
#   order: 12
#   severity: low
#   requires: []
#   sources: [adminConsentRequestPolicy]
#   seed: "(follows from TG.APP.2: users need a path)"
#   remediation: >-
#     Entra admin center > Enterprise applications > Admin consent settings:
#     "Users can request admin consent" = Yes, with at least one reviewer.
#     Graph: PUT /policies/adminConsentRequestPolicy with isEnabled true and
#     reviewers (Policy.ReadWrite.ConsentRequest).
package tenantgate.controls.tg_app_3

import data.tenantgate.lib

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

policy := input.data.adminConsentRequestPolicy

# A reviewer scope is a directory query naming who reviews; an entry without
# one names nobody.
reviewers := [r | some r in lib.arr(object.get(policy, "reviewers", null)); is_string(r.query); r.query != ""]

known if is_boolean(policy.isEnabled)

verdict := lib.not_assessed("adminConsentRequestPolicy has no isEnabled value") if {
	not known
}

else := lib.fail("the admin consent request workflow is turned off (adminConsentRequestPolicy.isEnabled = false)", ["adminConsentRequestPolicy"]) if {
	policy.isEnabled != true
}

else := lib.fail("the admin consent request workflow is on but has no reviewers, so requests go nowhere", ["adminConsentRequestPolicy"]) if {
	count(reviewers) == 0
}

else := lib.pass(sprintf("the admin consent request workflow is on with %d reviewer scope(s)", [count(reviewers)]), ["adminConsentRequestPolicy"])
