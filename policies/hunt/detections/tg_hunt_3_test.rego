package tenantgate.hunt.detections.tg_hunt_3_test

import data.tenantgate.hunt.detections.tg_hunt_3 as d
import data.tenantgate.hunt.test as t

got(ev) := [[f.severity, f.indicator] | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "python-requests sign-in accepted", "ev": object.union(t.signin, {"ua": "python-requests/2.31.0"}), "want": [["high", "yes"]]},
	{"name": "MFA-interrupted sign-in", "ev": object.union(t.signin, {"ua": "python-requests/2.31.0", "error": 50074}), "want": [["high", "yes"]]},
	{"name": "failed sign-in: spraying, notable", "ev": object.union(t.signin, {"ua": "python-requests/2.31.0", "error": 50126}), "want": [["low", "no"]]},
	{"name": "any other record", "ev": object.union(t.ual, {"ua": "axios/1.6.2"}), "want": [["high", "yes"]]},
	{"name": "case-insensitive", "ev": object.union(t.audit, {"ua": "GO-HTTP-CLIENT/1.1"}), "want": [["high", "yes"]]},
	{"name": "AADInternals in a longer agent", "ev": object.union(t.signin, {"ua": "Mozilla/5.0 AADInternals"}), "want": [["high", "yes"]]},
	{"name": "a browser", "ev": t.signin, "want": []},
]

test_cases if {
	failures := [sprintf("%s: got %v", [c.name, got(c.ev)]) | some c in cases; got(c.ev) != c.want]
	print(failures)
	failures == []
}

# Every agent of the baseline's default list, as real tools write it, makes
# an accepted sign-in an entry indicator.
test_every_default_agent if {
	agents := {
		"python-requests": "python-requests/2.31.0",
		"axios/": "axios/1.6.8",
		"PostmanRuntime/": "PostmanRuntime/7.36.3",
		"AADInternals": "AADInternals",
		"azurehound": "azurehound/v2.1.7",
		"BAV2ROPC": "BAV2ROPC",
		"fasthttp": "fasthttp",
		"Go-http-client": "Go-http-client/2.0",
	}
	count(agents) == count(t.params.tooling_user_agents)
	failures := [tool |
		some tool in t.params.tooling_user_agents
		[f] := [f | some f in d.findings with input as t.with_events([object.union(t.signin, {"ua": agents[tool]})])]
		not ok_agent(f, tool)
	]
	failures == []
	misses := [tool | some tool in t.params.tooling_user_agents; count([f | some f in d.findings with input as t.with_events([object.union(t.signin, {"ua": agents[tool]})])]) != 1]
	misses == []
}

ok_agent(f, tool) if {
	f.severity == "high"
	f.indicator == "yes"
	f.facts.tool == tool
}

test_keep if {
	kept := d.keep with input as {"params": t.params, "values": ["python-requests/2.28", t.ff, "PostmanRuntime/7.36.0"]}
	kept == {"python-requests/2.28", "PostmanRuntime/7.36.0"}
}

test_summaries if {
	[a] := [f.summary | some f in d.findings with input as t.with_events([object.union(t.signin, {"ua": "python-requests/2.31.0"})])]
	a == `sign-in of johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1 with the tooling user agent "python-requests/2.31.0" (python-requests)`
	[b] := [f.summary | some f in d.findings with input as t.with_events([object.union(t.ual, {"ua": "axios/1.6.2", "ip": ""})])]
	b == `New-InboxRule of johanna@sunnyside08.onmicrosoft.com with the tooling user agent "axios/1.6.2" (axios/)`
}

test_baseline_list_is_the_parameter if {
	got := [f | some f in d.findings with input as {"params": object.union(t.params, {"tooling_user_agents": ["curl/"]}), "events": [object.union(t.signin, {"ua": "curl/8.0"})]}]
	count(got) == 1
	none := [f | some f in d.findings with input as {"params": object.union(t.params, {"tooling_user_agents": ["curl/"]}), "events": [object.union(t.signin, {"ua": "python-requests/2"})]}]
	none == []
}
