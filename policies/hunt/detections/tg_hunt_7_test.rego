package tenantgate.hunt.detections.tg_hunt_7_test

import data.tenantgate.hunt.detections.tg_hunt_7 as d
import data.tenantgate.hunt.test as t

perms(scope, ct) := sprintf("[] => [[Id: x, ClientId: 80cf2cdc, PrincipalId: , ResourceId: r, ConsentType: %s, Scope:  %s, CreatedDateTime: , LastModifiedDateTime ]]; ", [ct, scope])

consent(scope, ct) := object.union(t.audit, {
	"op": "Consent to application", "opk": "consent to application",
	"detail": {"targets": [{"type": "ServicePrincipal", "id": "80cf2cdc-2178-400b-ab98-a0677b6bd694", "name": "chatbot"}], "modified": [
		{"name": "ConsentContext.IsAdminConsent", "old": "", "new": "\"False\""},
		{"name": "ConsentAction.Permissions", "old": "", "new": perms(scope, ct)},
		{"name": "TargetId.ServicePrincipalNames", "old": "", "new": "\"a1b2c3d4-0000-4000-8000-00000000c0de\""},
	]},
})

grant(scope, ct) := object.union(t.ual, {
	"op": "Add delegated permission grant.", "opk": "add delegated permission grant", "rt": 8,
	"detail": {"targets": [{"type": "1", "id": "chatbot"}], "modified": [
		{"name": "DelegatedPermissionGrant.Scope", "old": "", "new": scope},
		{"name": "DelegatedPermissionGrant.ConsentType", "old": "", "new": ct},
	]},
})

got(ev) := [[f.severity, f.facts.scopes, f.facts.consentType] | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "the talk's chatbot: mail, for all users", "ev": consent("Mail.ReadWrite MailboxSettings.ReadWrite User.Read", "AllPrincipals"), "want": [["high", ["Mail.ReadWrite", "MailboxSettings.ReadWrite", "User.Read"], "AllPrincipals"]]},
	{"name": "User.Read for one user", "ev": consent("User.Read openid profile", "Principal"), "want": [["medium", ["User.Read", "openid", "profile"], "Principal"]]},
	{"name": "User.Read for all users", "ev": consent("User.Read", "AllPrincipals"), "want": [["high", ["User.Read"], "AllPrincipals"]]},
	{"name": "Files.Read.All", "ev": consent("Files.Read.All", "Principal"), "want": [["high", ["Files.Read.All"], "Principal"]]},
	{"name": "Sites.Read.All", "ev": consent("Sites.Read.All", "Principal"), "want": [["high", ["Sites.Read.All"], "Principal"]]},
	{"name": "offline_access alone", "ev": consent("offline_access User.Read", "Principal"), "want": [["medium", ["User.Read", "offline_access"], "Principal"]]},
	{"name": "offline_access with mail", "ev": consent("offline_access Mail.Read", "Principal"), "want": [["high", ["Mail.Read", "offline_access"], "Principal"]]},
	{"name": "EWS full access", "ev": consent("EWS.AccessAsUser.All", "Principal"), "want": [["high", ["EWS.AccessAsUser.All"], "Principal"]]},
	{"name": "delegated grant (UAL), AllPrincipals", "ev": grant(" Mail.Read User.Read", "AllPrincipals"), "want": [["high", ["Mail.Read", "User.Read"], "AllPrincipals"]]},
	{"name": "delegated grant for one user", "ev": grant("User.Read", "Principal"), "want": [["medium", ["User.Read"], "Principal"]]},
	{"name": "app role grant", "ev": object.union(grant("", ""), {"opk": "add app role assignment grant to user", "detail": {"modified": [{"name": "AppRole.Value", "old": "", "new": "\"Mail.Read\""}]}}), "want": [["high", ["Mail.Read"], ""]]},
	{"name": "consent on behalf of all", "ev": object.union(t.audit, {"opk": "consent to application", "detail": {"modified": [{"name": "ConsentContext.OnBehalfOfAll", "old": "", "new": "\"True\""}]}}), "want": [["high", [], "AllPrincipals"]]},
	{"name": "User.Read for one user, attributed to the attacker", "ev": object.union(consent("User.Read openid profile", "Principal"), {"attacker": true}), "want": [["high", ["User.Read", "openid", "profile"], "Principal"]]},
	{"name": "another operation", "ev": object.union(consent("Mail.Read", "Principal"), {"opk": "remove delegated permission grant"}), "want": []},
]

test_cases if {
	failures := [sprintf("%s: got %v, want %v", [c.name, got(c.ev), c.want]) | some c in cases; got(c.ev) != c.want]
	print(failures)
	failures == []
}

# The UAL's delegated grant names the resource (Microsoft Graph) and the
# client (chatbot) as targets; the client is the application concerned.
test_client_of_a_grant if {
	ev := t.replace(t.ual, {"op": "Add delegated permission grant.", "opk": "add delegated permission grant", "rt": 8, "detail": {
		"targets": [
			{"type": "ServicePrincipal", "id": "b636ca69-c274-4271-8ca7-1649a6ab81ba", "name": "Microsoft Graph"},
			{"type": "ServicePrincipal", "id": "80cf2cdc-2178-400b-ab98-a0677b6bd694", "name": "chatbot"},
		],
		"modified": [
			{"name": "DelegatedPermissionGrant.Scope", "old": "", "new": " Mail.ReadWrite"},
			{"name": "DelegatedPermissionGrant.ClientId", "old": "", "new": "80cf2cdc-2178-400b-ab98-a0677b6bd694"},
		],
	}})
	[f] := [f | some f in d.findings with input as t.with_events([ev])]
	f.facts.app == "chatbot"
	c := t.replace(ev, {"detail": {"targets": ev.detail.targets, "modified": [{"name": "ConsentAction.Permissions", "old": "", "new": perms("Mail.Read", "Principal")}]}})
	[g] := [f | some f in d.findings with input as t.with_events([c])]
	g.facts.app == "Microsoft Graph" # ClientId 80cf2cdc in perms() is not a full id
}

test_facts_and_summary if {
	[f] := [f | some f in d.findings with input as t.with_events([consent("Mail.ReadWrite MailboxSettings.ReadWrite User.Read", "AllPrincipals")])]
	f.facts.app == "chatbot"
	f.facts.appId == "a1b2c3d4-0000-4000-8000-00000000c0de"
	f.summary == `Consent to application: "chatbot" (a1b2c3d4-0000-4000-8000-00000000c0de) granted scopes Mail.ReadWrite MailboxSettings.ReadWrite User.Read (AllPrincipals) by johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1`
	[g] := [f | some f in d.findings with input as t.with_events([object.union(t.audit, {"opk": "consent to application", "ip": "", "detail": {}})])]
	g.summary == `Add application: "unknown application" granted permissions by johanna@sunnyside08.onmicrosoft.com`
}
