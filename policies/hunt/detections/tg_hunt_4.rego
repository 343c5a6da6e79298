# METADATA
# title: Security info registered
# description: >-
#   A new MFA method registered for the user (or its registration started):
#   the attacker's way to keep signing in after the stolen cookie expires.
#   High when it comes from an attacker indicator or within the followup
#   window after a TG.HUNT.1, 2 or 3 event of the same user.
# custom:
#   id: TG.HUNT.4
#   order: 4
#   severity: high
#   base_severity: medium
#   technique: "T1556.006 Modify Authentication Process: Multi-Factor Authentication"
#   seed: "攻撃の痕跡① ユーザーのセキュリティ情報の登録"
#   response: >-
#     Delete the method the attacker registered (Entra admin center > Users >
#     Authentication methods, or DELETE /users/{id}/authentication/...);
#     require a trusted location or compliant device to register security info.
#   phase: detect
#   detail: true
#   prefilter:
#     - kinds: [directoryAudits, unifiedAuditLog]
#       operations: [user registered security info, user started security info registration, update user]
package tenantgate.hunt.detections.tg_hunt_4

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

registration := {"user registered security info", "user started security info registration"}

strong_auth := {"strongauthenticationphoneappdetail", "strongauthenticationmethod"}

# The Authentication Methods service writes registrations in the audit log;
# the unified audit log copies them without a service name.
registered(ev) if {
	ev.opk in registration
	lower(lib.detail(ev, "service", "Authentication Methods")) in {"authentication methods", "azureactivedirectory"}
}

# "Update user" counts when it changes a strong-authentication property
# (named directly, or in "Included Updated Properties").
registered(ev) if {
	ev.opk == "update user"
	some m in lib.detail(ev, "modified", [])
	lower(m.name) in strong_auth
}

registered(ev) if {
	ev.opk == "update user"
	some m in lib.modified(ev, "Included Updated Properties")
	some p in strong_auth
	contains(lower(m.new), p)
}

findings contains f if {
	some ev in input.events
	ev.opk in ops
	registered(ev)
	sev := severity(ev)
	m := method(ev)
	f := lib.finding(ev, sev, sprintf("security info registered for %s: %s (%s)%s%s", [lib.who(ev), m, ev.op, lib.from(ev), lib.escalation_text(ev)]), concat("|", [ev.opk, substring(ev.time, 0, 19)]), "no", {"method": m, "generic": m in generic})
}

# generic: the names given when a record does not say which method; the
# report prefers another record's name for the same registration.
generic := {"strong authentication method", "security info"}

severity(ev) := "high" if lib.escalated(ev)

else := "medium"

method(ev) := m if {
	m := lib.additional(ev, "Method")
	m != ""
} else := m if {
	# "User registered Authenticator App with Notification and Code"
	m := regex.replace(lib.detail(ev, "resultReason", ""), `^(?i)(user|admin) (registered|started the registration for|started registration of|changed default|updated) `, "")
	m != ""
} else := sprintf("Authenticator app on %s", [d]) if {
	ds := [x[1] | some m in lib.modified(ev, "StrongAuthenticationPhoneAppDetail"); some x in regex.find_all_string_submatch_n(`"DeviceName"\s*:\s*"([^"]*)"`, m.new, 1)]
	count(ds) > 0
	d := ds[0]
} else := "strong authentication method" if ev.opk == "update user"

else := "security info"
