package tenantgate.hunt.detections.tg_hunt_4_test

import data.tenantgate.hunt.detections.tg_hunt_4 as d
import data.tenantgate.hunt.test as t

registered := object.union(t.audit, {
	"op": "User registered security info", "opk": "user registered security info",
	"detail": {"service": "Authentication Methods", "additional": {"Method": "Authenticator App with Notification and Code"}},
})

update_user := object.union(t.audit, {
	"op": "Update user", "opk": "update user", "byUser": false, "byApp": true, "ip": "",
	"detail": {"service": "Core Directory", "modified": [
		{"name": "StrongAuthenticationPhoneAppDetail", "old": "[]", "new": "[{\"DeviceName\":\"SM-G991B\",\"DeviceTag\":\"SoftwareTokenActivated\"}]"},
		{"name": "Included Updated Properties", "old": "", "new": "\"StrongAuthenticationPhoneAppDetail\""},
	]},
})

got(ev) := [f.severity | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "registered, on its own", "ev": registered, "want": ["medium"]},
	{"name": "registration started", "ev": object.union(registered, {"op": "User started security info registration", "opk": "user started security info registration"}), "want": ["medium"]},
	{"name": "UAL copy without a service", "ev": object.union(registered, {"kind": "unifiedAuditLog", "op": "User registered security info.", "detail": {"service": "AzureActiveDirectory"}}), "want": ["medium"]},
	{"name": "another service", "ev": object.union(registered, {"detail": {"service": "Self-service Password Management"}}), "want": []},
	{"name": "from an attacker indicator", "ev": object.union(registered, {"fromIndicator": true}), "want": ["high"]},
	{"name": "30 min after an entry indicator", "ev": object.union(registered, {"afterEntry": t.t0 - 30 * t.minute}), "want": ["high"]},
	{"name": "exactly at the window's end", "ev": object.union(registered, {"afterEntry": t.t0 - 60 * t.minute}), "want": ["high"]},
	{"name": "61 min after an entry indicator", "ev": object.union(registered, {"afterEntry": t.t0 - 61 * t.minute}), "want": ["medium"]},
	{"name": "no entry indicator", "ev": object.union(registered, {"afterEntry": null}), "want": ["medium"]},
	{"name": "Update user of StrongAuthenticationPhoneAppDetail", "ev": update_user, "want": ["medium"]},
	{"name": "Update user of StrongAuthenticationMethod only", "ev": object.union(update_user, {"detail": {"modified": [{"name": "StrongAuthenticationMethod", "old": "", "new": "[]"}]}}), "want": ["medium"]},
	{"name": "Update user naming it in Included Updated Properties", "ev": object.union(update_user, {"detail": {"modified": [{"name": "Included Updated Properties", "old": "", "new": "\"StrongAuthenticationMethod\""}]}}), "want": ["medium"]},
	{"name": "Update user of another property", "ev": object.union(update_user, {"detail": {"modified": [{"name": "DisplayName", "old": "a", "new": "b"}, {"name": "Included Updated Properties", "old": "", "new": "\"DisplayName\""}]}}), "want": []},
	{"name": "another operation", "ev": object.union(registered, {"opk": "user deleted security info"}), "want": []},
]

test_cases if {
	failures := [sprintf("%s: got %v, want %v", [c.name, got(c.ev), c.want]) | some c in cases; got(c.ev) != c.want]
	print(failures)
	failures == []
}

method(ev) := [f.facts.method | some f in d.findings with input as t.with_events([ev])]

test_method if {
	method(registered) == ["Authenticator App with Notification and Code"]
	method(update_user) == ["Authenticator app on SM-G991B"]
	method(t.replace(registered, {"detail": {"service": "Authentication Methods", "resultReason": "User registered Mobile Phone SMS"}})) == ["Mobile Phone SMS"]
	method(object.union(update_user, {"detail": {"modified": [{"name": "StrongAuthenticationMethod", "old": "", "new": "[]"}]}})) == ["strong authentication method"]
	method(t.replace(registered, {"detail": {"service": "Authentication Methods"}})) == ["security info"]
}

generic(ev) := [f.facts.generic | some f in d.findings with input as t.with_events([ev])]

test_generic_names if {
	generic(update_user) == [false]
	generic(object.union(update_user, {"detail": {"modified": [{"name": "StrongAuthenticationMethod", "old": "", "new": "[]"}]}})) == [true]
	generic(t.replace(registered, {"detail": {"service": "Authentication Methods"}})) == [true]
}

test_summary if {
	[s] := [f.summary | some f in d.findings with input as t.with_events([object.union(registered, {"afterEntry": t.t0 - t.minute})])]
	s == "security info registered for johanna@sunnyside08.onmicrosoft.com: Authenticator App with Notification and Code (User registered security info) from 2a0b:f4c2:1::1 within 60 min of a TG.HUNT.1-3 event"
	[u] := [f.summary | some f in d.findings with input as t.with_events([object.union(registered, {"fromIndicator": true, "ip": ""})])]
	endswith(u, "(User registered security info) from an attacker indicator")
}
