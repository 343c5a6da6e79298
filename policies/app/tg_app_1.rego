# METADATA
# title: Users cannot register applications
# description: >-
#   An attacker with a user's session can register an application and use it
#   for persistent access or for consent phishing inside the tenant.
# custom:
#   id: TG.APP.1
#   order: 10
#   severity: high
#   requires: []
#   sources: [authorizationPolicy]
#   seed: "Prevent: アプリ導入"
#   seed_en: "Prevent: installing apps (no user app registration or consent)"
#   remediation: >-
#     Entra admin center > Identity > Users > User settings: "Users can register
#     applications" = No. Graph: PATCH /policies/authorizationPolicy
#     {"defaultUserRolePermissions": {"allowedToCreateApps": false}}
#     (Policy.ReadWrite.Authorization). Give developers the Application Developer role.
package tenantgate.controls.tg_app_1

import data.tenantgate.lib

result := r if {
	r := lib.gate(rego.metadata.chain())
} else := verdict

value := input.data.authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps

verdict := lib.pass("users cannot register applications (allowedToCreateApps = false)", ["authorizationPolicy"]) if value == false

else := lib.fail("any user can register applications (authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps = true)", ["authorizationPolicy"]) if value == true

else := lib.not_assessed("authorizationPolicy has no defaultUserRolePermissions.allowedToCreateApps value")
