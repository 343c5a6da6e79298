package tenantgate.hunt.detections.tg_hunt_6_test

import data.tenantgate.hunt.detections.tg_hunt_6 as d
import data.tenantgate.hunt.test as t

add_app := object.union(t.audit, {
	"op": "Add application", "opk": "add application",
	"detail": {"targets": [{"type": "Application", "id": "91ab0000-0000-4000-8000-000000000001", "name": "chatbot"}], "modified": [
		{"name": "AppAddress", "old": "[]", "new": "[{\"AddressType\":0,\"Address\":\"http://localhost:7823/access\",\"ReplyAddressClientType\":1}]"},
		{"name": "AppId", "old": "[]", "new": "[\"a1b2c3d4-0000-4000-8000-00000000c0de\"]"},
	]},
})

# The UAL's copy: trailing period, targets without types but a name (type 1).
ual_add_app := object.union(t.ual, {
	"op": "Add application.", "opk": "add application", "rt": 8,
	"detail": {"targets": [{"type": "2", "id": "Application_91ab0000"}, {"type": "1", "id": "chatbot"}], "modified": [{"name": "AppAddress", "old": "[]", "new": "[{\"AddressType\":0,\"Address\":\"https://app.example.com/cb\"}]"}]},
})

got(ev) := [f.severity | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "localhost reply URL", "ev": add_app, "want": ["high"]},
	{"name": "UAL trailing period, https reply URL", "ev": ual_add_app, "want": ["medium"]},
	{"name": "plain http reply URL", "ev": object.union(ual_add_app, {"detail": {"modified": [{"name": "AppAddress", "old": "", "new": "http://app.example.com/cb"}]}}), "want": ["high"]},
	{"name": "from an attacker indicator", "ev": object.union(ual_add_app, {"fromIndicator": true}), "want": ["high"]},
	{"name": "initiated by an application", "ev": object.union(add_app, {"byUser": false, "byApp": true}), "want": []},
	{"name": "initiation unknown", "ev": object.union(add_app, {"byUser": false}), "want": []},
	{"name": "service principal added", "ev": object.union(ual_add_app, {"opk": "add service principal"}), "want": ["medium"]},
	{"name": "owner added", "ev": object.union(ual_add_app, {"opk": "add owner to application"}), "want": ["medium"]},
	{"name": "certificates and secrets (en dash and hyphen read alike)", "ev": object.union(ual_add_app, {"op": "Update application – Certificates and secrets management ", "opk": "update application - certificates and secrets management"}), "want": ["medium"]},
	{"name": "other application update", "ev": object.union(ual_add_app, {"opk": "update application"}), "want": []},
]

test_cases if {
	failures := [sprintf("%s: got %v, want %v", [c.name, got(c.ev), c.want]) | some c in cases; got(c.ev) != c.want]
	print(failures)
	failures == []
}

test_facts if {
	[f] := [f | some f in d.findings with input as t.with_events([add_app])]
	f.facts == {"app": "chatbot", "appId": "a1b2c3d4-0000-4000-8000-00000000c0de", "replyUrls": ["http://localhost:7823/access"]}
	f.summary == `Add application: application "chatbot" (a1b2c3d4-0000-4000-8000-00000000c0de) by johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1; reply URL http://localhost:7823/access`
	[g] := [f | some f in d.findings with input as t.with_events([object.union(ual_add_app, {"fromIndicator": true})])]
	g.facts.app == "chatbot"
	g.facts.appId == ""
	endswith(g.summary, "; from an attacker indicator")
	[h] := [f | some f in d.findings with input as t.with_events([t.replace(ual_add_app, {"detail": {}})])]
	h.facts.app == "unknown application"
}
