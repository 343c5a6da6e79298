package tenantgate.hunt.response_test

import data.tenantgate.hunt.response as r
import data.tenantgate.hunt.test as t

admin := "yumin@sunnyside08.onmicrosoft.com"

reset := t.replace(t.audit, {"op": "Reset user password", "opk": "reset user password", "user": admin, "target": "johanna@sunnyside08.onmicrosoft.com", "ip": "203.0.113.10", "ipClass": "trusted", "detail": {}})

got(ev) := [a | some a in r.actions with input as t.with_events([ev])]

test_admin_reset_from_trusted_network if {
	[a] := got(reset)
	a.action == "password reset"
	a.by == admin
	a.target == "johanna@sunnyside08.onmicrosoft.com"
	a.exempt == true
}

test_admin_from_elsewhere_not_exempt if {
	[a] := got(t.replace(reset, {"ipClass": "", "ip": "198.51.100.7"}))
	a.exempt == false
}

test_user_resetting_own_password_not_exempt if {
	[a] := got(t.replace(reset, {"user": "johanna@sunnyside08.onmicrosoft.com"}))
	a.exempt == false
}

test_sessions_revoked_by_an_app if {
	[a] := got(t.replace(reset, {"op": "Update StsRefreshTokenValidFrom Timestamp.", "opk": "update stsrefreshtokenvalidfrom timestamp", "user": "", "ip": "", "ipClass": "", "detail": {"actorType": "Application"}}))
	a.action == "sessions revoked (refresh tokens invalidated)"
	a.by == "Application"
	a.target == "johanna@sunnyside08.onmicrosoft.com"
	a.exempt == false
}

test_inbox_rule_removed if {
	ev := t.replace(t.ual, {"op": "Remove-InboxRule", "opk": "remove-inboxrule", "rt": 1, "user": admin, "ipClass": "trusted", "detail": {"params": {"Identity": "johanna@sunnyside08.onmicrosoft.com\\..", "Confirm": "False"}}})
	[a] := got(ev)
	a.action == "inbox rule removed"
	a.target == "johanna@sunnyside08.onmicrosoft.com"
	a.object == "johanna@sunnyside08.onmicrosoft.com\\.."
	a.exempt == true
	# The attacker removing a rule in the user's own mailbox is not exempt.
	[b] := got(t.replace(ev, {"user": "johanna@sunnyside08.onmicrosoft.com", "ipClass": "", "op": "Disable-InboxRule", "opk": "disable-inboxrule", "detail": {"params": {"Identity": "Johanna\\.."}}}))
	b.action == "inbox rule disabled"
	b.target == "johanna" # an alias: the correlation resolves it
	b.exempt == false
}

test_security_info_and_devices if {
	[a] := got(t.replace(reset, {"opk": "admin deleted security info"}))
	a.action == "security info deleted by an admin"
	[b] := got(t.replace(reset, {"opk": "delete device", "target": "", "detail": {"targets": [{"type": "Device", "name": "DESKTOP-8K2P1QX"}]}}))
	b.action == "device deleted"
	b.object == "DESKTOP-8K2P1QX"
	b.target == admin
	[c] := got(t.replace(reset, {"opk": "delete registered device"}))
	c.action == "registered device deleted"
}

test_service_principal_disabled if {
	sp := t.replace(reset, {"op": "Update service principal", "opk": "update service principal", "target": "", "detail": {"targets": [{"type": "ServicePrincipal", "name": "chatbot", "id": "80cf2cdc"}], "modified": [{"name": "AccountEnabled", "old": "[true]", "new": "[false]"}]}})
	[a] := got(sp)
	a.action == "service principal disabled"
	a.object == "chatbot"
	a.app.name == "chatbot"
	got(t.replace(sp, {"detail": {"modified": [{"name": "AccountEnabled", "old": "[false]", "new": "[true]"}]}})) == []
	got(t.replace(sp, {"detail": {"modified": [{"name": "DisplayName", "old": "a", "new": "b"}]}})) == []
}

test_not_containment if {
	got(t.replace(reset, {"opk": "update user"})) == []
}
