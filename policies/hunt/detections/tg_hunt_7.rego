# METADATA
# title: Consent to an application
# description: >-
#   A consent or permission grant to an application. High when it grants
#   mail, mailbox settings, files or sites (Mail.*, MailboxSettings.*,
#   Files.*, Sites.*, offline_access with mail scopes), or consents for all
#   users (ConsentType AllPrincipals): the attacker reads the mailbox
#   through the app long after the session is revoked. High too when
#   attributed to the attacker, whatever the scopes.
# custom:
#   id: TG.HUNT.7
#   order: 7
#   severity: high
#   base_severity: medium
#   technique: "T1528 Steal Application Access Token; T1550.001 Use Alternate Authentication Material: Application Access Token"
#   seed: "攻撃の痕跡③ アプリ導入 (Consent to application / Add delegated permission grant)"
#   response: >-
#     Disable the application, remove its delegated permission grants and app
#     role assignments (Graph DELETE /oauth2PermissionGrants/{id}), then delete
#     it; set user consent to "Do not allow user consent".
#   phase: detect
#   detail: true
#   prefilter:
#     - kinds: [directoryAudits, unifiedAuditLog]
#       operations: [consent to application, add delegated permission grant, add app role assignment grant to user]
package tenantgate.hunt.detections.tg_hunt_7

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

findings contains f if {
	some ev in input.events
	ev.opk in ops
	s := scopes(ev)
	ct := consent_type(ev)
	app := lib.app_of(ev)
	risky := risky_scopes(s)
	sev := attributed_severity(ev, severity(risky, ct))

	# Grouped per app and scopes: grants of other scopes to the same app
	# stay findings of their own, each summary naming its scopes.
	f := lib.finding(ev, sev, sprintf("%s: %q%s granted %s%s by %s%s", [ev.op, app.name, id_text(app), scope_text(s), ct_text(ct), lib.who(ev), lib.from(ev)]), concat("|", [app.name, app.id, concat(" ", sort(s))]), "no", {"app": app.name, "appId": app.id, "scopes": sort(s), "consentType": ct})
}

# Scopes: "Scope: Mail.ReadWrite User.Read," inside ConsentAction.Permissions,
# or DelegatedPermissionGrant.Scope, or an app role's value.
scopes(ev) := {sc |
	some m in lib.detail(ev, "modified", [])
	lower(m.name) in {"consentaction.permissions", "delegatedpermissiongrant.scope", "approle.value"}
	some text in scope_texts(m)
	some sc in split(text, " ")
	sc != ""
}

scope_texts(m) := [x[1] | some x in regex.find_all_string_submatch_n(`Scope:\s*([^,\]]*)`, m.new, -1)] if lower(m.name) == "consentaction.permissions"

else := [trim(m.new, "\" ")]

consent_type(ev) := "AllPrincipals" if {
	some m in lib.detail(ev, "modified", [])
	regex.match(`(?i)ConsentType:\s*AllPrincipals|^"?AllPrincipals"?$`, m.new)
} else := "AllPrincipals" if {
	some m in lib.modified(ev, "ConsentContext.OnBehalfOfAll")
	lib.truthy(trim(m.new, "\""))
} else := "Principal" if {
	some m in lib.detail(ev, "modified", [])
	regex.match(`(?i)ConsentType:\s*Principal|^"?Principal"?$`, m.new)
} else := ""

mail_scope(sc) if regex.match(`(?i)^(Mail|MailboxSettings|Files|Sites)\.`, sc)

mail_scope(sc) if lower(sc) in {"imap.accessasuser.all", "pop.accessasuser.all", "ews.accessasuser.all", "full_access_as_app", "full_access_as_user"}

# offline_access counts only beside a mail scope (it keeps that access
# alive); the mail scope alone already makes the grant high.
risky_scopes(s) := m | {x | some x in s; lower(x) == "offline_access"; count(m) > 0} if {
	m := {x | some x in s; mail_scope(x)}
}

severity(risky, _) := "high" if count(risky) > 0

severity(risky, ct) := "high" if {
	count(risky) == 0
	ct == "AllPrincipals"
}

severity(risky, ct) := "medium" if {
	count(risky) == 0
	ct != "AllPrincipals"
}

# hunt.md "Exit codes": the detections after TG.HUNT.3 are high when
# attributed; the attacker consenting in the user's name is, whatever the
# scopes.
attributed_severity(ev, sev) := "high" if lib.attacker(ev)

else := sev

scope_text(s) := sprintf("scopes %s", [concat(" ", sort(s))]) if count(s) > 0

else := "permissions"

ct_text(ct) := sprintf(" (%s)", [ct]) if ct != ""

else := ""

id_text(app) := sprintf(" (%s)", [app.id]) if app.id != ""

else := ""
