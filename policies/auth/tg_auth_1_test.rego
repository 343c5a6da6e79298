package tenantgate.controls.tg_auth_1_test

import data.tenantgate.controls.tg_auth_1 as c
import data.tenantgate.test.fixtures as f

fido2_type := "#microsoft.graph.fido2AuthenticationMethodConfiguration"

all_users := {"id": "all_users", "isRegistrationRequired": false, "targetType": "group"}

authenticator := {
	"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
	"id": "MicrosoftAuthenticator", "state": "enabled",
	"includeTargets": [object.union(all_users, {"authenticationMode": "any"})], "excludeTargets": [],
}

fido2(over) := object.union(
	{
		"@odata.type": fido2_type, "id": "Fido2", "state": "enabled",
		"isAttestationEnforced": true, "isSelfServiceRegistrationAllowed": true,
		"includeTargets": [all_users], "excludeTargets": [],
	},
	over,
)

with_configs(cs) := f.with_data({"authenticationMethodsPolicy": {
	"id": "authenticationMethodsPolicy", "policyVersion": "1.5",
	"authenticationMethodConfigurations": cs,
}})

test_pass_fido2_enabled_for_all_users if {
	r := c.result with input as with_configs([authenticator, fido2({})])
	r.status == "pass"
	r.finding == "the Fido2 method is enabled for all_users"
	r.evidence == ["Fido2"]
}

test_pass_matched_by_odata_type if {
	r := c.result with input as with_configs([fido2({"id": "SecurityKeys"})])
	r.status == "pass"
	contains(r.finding, "SecurityKeys method is enabled")
	r.evidence == ["SecurityKeys"]
}

test_pass_passkey_odata_type if {
	r := c.result with input as with_configs([{
		"@odata.type": "#microsoft.graph.passkeyAuthenticationMethodConfiguration", "id": "Passkey",
		"state": "enabled", "includeTargets": [{"id": f.other_group, "targetType": "group"}],
	}])
	r.status == "pass"
	contains(r.finding, f.other_group)
}

test_pass_id_matched_case_insensitively_without_type if {
	r := c.result with input as with_configs([{"id": "fido2", "state": "enabled", "includeTargets": [all_users]}])
	r.status == "pass"
	r.evidence == ["fido2"]
}

test_fail_disabled if {
	r := c.result with input as with_configs([authenticator, fido2({"state": "disabled"})])
	r.status == "fail"
	contains(r.finding, "FIDO2 / passkey method is disabled")
	r.evidence == ["Fido2"]
}

test_fail_enabled_without_targets if {
	r := c.result with input as with_configs([fido2({"includeTargets": []})])
	r.status == "fail"
	contains(r.finding, "enabled but targets nobody")
	r.evidence == ["Fido2"]
}

# Graph sends includeTargets inline ([] for nobody); null or absent is
# unknown, not "nobody".
test_not_assessed_enabled_with_unknown_targets if {
	every cfg in [fido2({"includeTargets": null}), object.remove(fido2({}), ["includeTargets"])] {
		r := c.result with input as with_configs([cfg])
		r.status == "not_assessed"
		r.finding == "the Fido2 method is enabled but its includeTargets were not collected"
	}
}

test_not_assessed_without_method_list if {
	every amp in [{"id": "authenticationMethodsPolicy"}, {"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": null}] {
		r := c.result with input as f.with_data({"authenticationMethodsPolicy": amp})
		r.status == "not_assessed"
		r.finding == "the authentication methods policy holds no authenticationMethodConfigurations list"
	}
}

test_fail_no_fido2_configuration if {
	r := c.result with input as with_configs([authenticator])
	r.status == "fail"
	contains(r.finding, "has no FIDO2 / passkey configuration")
	r.evidence == []
}

test_not_assessed_when_denied if {
	r := c.result with input as f.denied(with_configs([fido2({})]), "authenticationMethodsPolicy")
	r.status == "not_assessed"
	contains(r.finding, "authenticationMethodsPolicy was not collected (denied")
}

# A disabled FIDO2 entry does not hide an enabled passkey configuration.
test_pass_passkey_enabled_beside_disabled_fido2 if {
	passkey := {
		"@odata.type": "#microsoft.graph.passkeyAuthenticationMethodConfiguration", "id": "Passkey",
		"state": "enabled", "includeTargets": [all_users], "excludeTargets": [],
	}
	r := c.result with input as with_configs([fido2({"state": "disabled"}), passkey])
	r.status == "pass"
	r.evidence == ["Passkey"]
}
