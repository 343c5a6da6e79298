# METADATA
# title: A phishing-resistant method (FIDO2 security keys / passkeys) is enabled in the authentication methods policy
# description: >-
#   A phishing-resistant authentication strength (TG.CA.4) is unusable until
#   users can register a phishing-resistant method.
# custom:
#   id: TG.AUTH.1
#   order: 13
#   severity: medium
#   requires: []
#   sources: [authenticationMethodsPolicy]
#   seed: "Prevent: 認証強度 (the strength is unusable without it)"
#   seed_en: "Prevent: authentication strength (the strength is unusable without it)"
#   remediation: >-
#     Entra admin center > Authentication methods > Policies > Passkey (FIDO2):
#     Enable, target all users (or a rollout group). Graph: PATCH
#     /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2
#     {"state": "enabled"} (Policy.ReadWrite.AuthenticationMethod).
package tenantgate.controls.tg_auth_1

import data.tenantgate.lib

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

all_configs := input.data.authenticationMethodsPolicy.authenticationMethodConfigurations

configs := [c |
	some c in lib.arr(all_configs)
	fido2(c)
]

fido2(c) if {
	is_string(c.id)
	lower(c.id) == "fido2"
}

fido2(c) if c["@odata.type"] == "#microsoft.graph.fido2AuthenticationMethodConfiguration"

fido2(c) if c["@odata.type"] == "#microsoft.graph.passkeyAuthenticationMethodConfiguration"

usable := [c | some c in configs; c.state == "enabled"; count(lib.arr(c.includeTargets)) > 0]

# Graph returns the method list, and includeTargets on each method, inline;
# without them "no FIDO2 configuration" or "targets nobody" would be guesses.
list_known if is_array(all_configs)

unknown_targets := [c | some c in configs; c.state == "enabled"; not targets_known(c)]

# A function: `not is_array(c.includeTargets)` is undefined, not true, when
# the key is absent.
targets_known(c) if is_array(c.includeTargets)

verdict := lib.not_assessed("the authentication methods policy holds no authenticationMethodConfigurations list") if not list_known

else := lib.pass(
	sprintf("the %s method is enabled for %s", [usable[0].id, concat(", ", [t.id | some t in usable[0].includeTargets])]),
	[c.id | some c in usable],
) if count(usable) > 0

else := lib.not_assessed(sprintf("the %s method is enabled but its includeTargets were not collected", [unknown_targets[0].id])) if count(unknown_targets) > 0

else := lib.fail("the FIDO2 / passkey method is enabled but targets nobody", [c.id | some c in configs]) if {
	some c in configs
	c.state == "enabled"
}

else := lib.fail("the FIDO2 / passkey method is disabled, so users cannot register a phishing-resistant method", [c.id | some c in configs]) if count(configs) > 0

else := lib.fail("the authentication methods policy has no FIDO2 / passkey configuration", [])
