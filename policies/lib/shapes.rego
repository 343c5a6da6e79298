# Which keys of the objects the controls read Graph leaves out when they are
# unset, per API version. This is data derived from real responses, not from
# the documentation's examples: the conformance corpus
# (internal/conformance/testdata) holds them, and TestShapesMatchCorpus
# checks every corpus file against this file (each optional key is absent
# from some real object of that version; every other key the controls read,
# lib/ca.rego `fields`, is present in all of them).
#
# An absent optional key means unset, with the value given here. Any other
# key the controls read is always sent in that version, so its absence still
# makes the source partial (not_assessed). A source whose request does not
# name its version is held to every key (no key is optional).
package tenantgate.lib.shapes

optional := {"conditionalAccessPolicy": {
	# Beta leaves these condition keys out unless they are configured (real
	# beta exports, 2025-2026); v1.0 sends them as [] / null.
	"beta": {"conditions": {
		"servicePrincipalRiskLevels": [],
		"insiderRiskLevels": null,
		"authenticationFlows": null,
	}},
	"v1.0": {},
}}
