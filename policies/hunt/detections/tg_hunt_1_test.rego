package tenantgate.hunt.detections.tg_hunt_1_test

import data.tenantgate.hunt.detections.tg_hunt_1 as d
import data.tenantgate.hunt.test as t

# Each case: overrides of the fixture sign-in, and the severity of the
# finding (null: no finding).
cases := [
	{"name": "successful sign-in from a new address", "ev": {}, "want": "medium"},
	{"name": "MFA interrupted 50074", "ev": {"error": 50074, "success": false}, "want": "medium"},
	{"name": "keep-me-signed-in interrupt 50140", "ev": {"error": 50140, "success": false}, "want": "medium"},
	{"name": "Conditional Access block 53000", "ev": {"error": 53000, "success": false}, "want": "medium"},
	{"name": "failed password 50126", "ev": {"error": 50126, "success": false}, "want": null},
	{"name": "MFA denied 500121", "ev": {"error": 500121, "success": false}, "want": null},
	{"name": "device id present", "ev": {"deviceId": "1b2c3d4e-0000-4000-8000-00000000d001"}, "want": null},
	{"name": "address already used successfully before", "ev": {"ipSeenBefore": true}, "want": null},
	{"name": "no successful sign-in from the address before", "ev": {"ipSeenBefore": false}, "want": "medium"},
	{"name": "trusted network", "ev": {"ipClass": "trusted"}, "want": null},
	{"name": "Microsoft service address", "ev": {"ipClass": "microsoft"}, "want": null},
	{"name": "no address", "ev": {"ip": ""}, "want": null},
	{"name": "another application", "ev": {"app": "d3590ed6-52b3-4102-aeff-aad2292ab01c", "resource": "00000002-0000-0ff1-ce00-000000000000"}, "want": null},
	{"name": "Office 365 (office.com)", "ev": {"app": "72782BA9-4490-4f03-8d82-562370ea3566", "resource": "", "appName": ""}, "want": "medium"},
	{"name": "desktop client", "ev": {"clientApp": "Mobile Apps and Desktop clients"}, "want": null},
	{"name": "UAL UserLoggedIn, browser user agent", "ev": {"kind": "unifiedAuditLog", "op": "UserLoggedIn", "opk": "userloggedin", "rt": 15, "clientApp": "", "app": "", "country": ""}, "want": "medium"},
	{"name": "UAL UserLoggedIn, no browser", "ev": {"kind": "unifiedAuditLog", "op": "UserLoggedIn", "opk": "userloggedin", "rt": 15, "clientApp": "", "ua": "Microsoft Office/16.0"}, "want": null},
	{"name": "UAL UserLoggedIn interrupted (50140)", "ev": {"kind": "unifiedAuditLog", "op": "UserLoggedIn", "opk": "userloggedin", "rt": 15, "clientApp": "", "app": "", "error": 50140, "success": false}, "want": "medium"},
	{"name": "UAL UserLoginFailed (no accepted code)", "ev": {"kind": "unifiedAuditLog", "op": "UserLoginFailed", "opk": "userloginfailed", "rt": 15, "clientApp": "", "app": "", "error": -1, "success": false}, "want": null},
	{"name": "not a sign-in", "ev": {"signIn": false}, "want": null},
	{"name": "corroborated", "ev": {"corroborated": true}, "want": "high"},
]

got(c) := [f.severity | some f in d.findings with input as t.with_events([object.union(t.signin, c.ev)])]

ok(c) if {
	c.want == null
	got(c) == []
}

ok(c) if got(c) == [c.want]

test_cases if {
	failures := [sprintf("%s: got %v, want %v", [c.name, got(c), c.want]) | some c in cases; not ok(c)]
	print(failures)
	failures == []
}

test_summary_and_indicator if {
	some f in d.findings with input as t.with_events([object.union(t.signin, {"error": 50074, "corroborated": true})])
	f.indicator == "corroborated"
	f.event == 1
	f.group == "2a0b:f4c2:1::1"
	contains(f.summary, "MFA-interrupted (50074) browser sign-in of johanna@sunnyside08.onmicrosoft.com to OfficeHome from 2a0b:f4c2:1::1 (NL, AS60729)")
	contains(f.summary, "corroborated")
}

test_keep_office_apps_only if {
	kept := d.keep with input as {"values": [t.officehome, "72782BA9-4490-4F03-8D82-562370EA3566", "d3590ed6-52b3-4102-aeff-aad2292ab01c"]}
	kept == {t.officehome, "72782BA9-4490-4F03-8D82-562370EA3566"}
}

test_place_text if {
	[f] := [f | some f in d.findings with input as t.with_events([object.union(t.signin, {"asn": 0})])]
	contains(f.summary, "(NL)")
	[g] := [f | some f in d.findings with input as t.with_events([object.union(t.signin, {"country": "", "asn": 0})])]
	contains(g.summary, "from 2a0b:f4c2:1::1, an address")
}

test_authentication_steps if {
	ev := object.union(t.signin, {"detail": {"auth": [
		{"method": "Password", "detail": "Password in the cloud", "succeeded": true, "result": "Correct password"},
		{"method": "Mobile app notification", "succeeded": true},
	]}})
	[f] := [f | some f in d.findings with input as t.with_events([ev])]
	contains(f.summary, "; authentication: Password (Correct password), Mobile app notification")
}
