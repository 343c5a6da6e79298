package tenantgate.hunt.detections.tg_hunt_2_test

import data.tenantgate.hunt.detections.tg_hunt_2 as d
import data.tenantgate.hunt.test as t

run(i, at, o) := r if {
	base := object.union({"i": i, "last": i, "t": at, "tl": at, "ip": "2a0b:f4c2:1::1", "country": "NL", "asn": 60729, "ua": t.ff, "clientApp": "Browser"}, o)
	r := object.union(object.remove(base, ["ip"]), {"ips": [base.ip]})
}

session(runs) := {"key": "s-1", "type": "session", "user": "johanna@sunnyside08.onmicrosoft.com", "runs": runs}

found(runs) := [f | some f in d.findings with input as {"params": t.params, "sessions": [session(runs)]}]

cases := [
	{"name": "two countries and networks within the window", "runs": [run(1, t.t0, {}), run(2, t.t0 + t.hour, {"ip": "54.36.108.162", "country": "FR", "asn": 16276})], "want": true},
	{"name": "two networks in one country", "runs": [run(1, t.t0, {}), run(2, t.t0 + t.hour, {"ip": "198.51.100.1", "asn": 1136})], "want": true},
	{"name": "two browser families", "runs": [run(1, t.t0, {}), run(2, t.t0 + t.hour, {"ua": t.edge})], "want": true},
	{"name": "Chrome and Safari", "runs": [run(1, t.t0, {"ua": t.chrome}), run(2, t.t0 + t.hour, {"ua": t.safari})], "want": true},
	{"name": "same browser family, other version", "runs": [run(1, t.t0, {}), run(2, t.t0 + t.hour, {"ua": "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"})], "want": false},
	{"name": "non-browser clients are not compared by family", "runs": [run(1, t.t0, {"ua": "Microsoft Office/16.0", "clientApp": "Mobile Apps and Desktop clients"}), run(2, t.t0 + t.hour, {"ua": t.edge})], "want": false},
	{"name": "UAL runs without client app, browser agents", "runs": [run(1, t.t0, {"clientApp": ""}), run(2, t.t0 + t.hour, {"clientApp": "", "ua": t.chrome})], "want": true},
	{"name": "a script borrowing Mozilla/ (PowerShell) beside a browser, no client app", "runs": [run(1, t.t0, {"clientApp": "", "ua": t.edge}), run(2, t.t0 + t.hour, {"clientApp": "", "ua": "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; ja-JP) PowerShell/7.4.0"})], "want": false},
	{"name": "PowerShell in a UAL record whose BrowserType (Other) made it Browser, beside Edge", "runs": [run(1, t.t0, {"ua": t.edge}), run(2, t.t0 + t.hour, {"ua": "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; ja-JP) PowerShell/7.4.0"})], "want": false},
	{"name": "Internet Explorer (Trident, family other) beside Edge, no client app", "runs": [run(1, t.t0, {"clientApp": "", "ua": t.edge}), run(2, t.t0 + t.hour, {"clientApp": "", "ua": "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko"})], "want": true},
	{"name": "another address, same country and network", "runs": [run(1, t.t0, {}), run(2, t.t0 + t.hour, {"ip": "2a0b:f4c2:1::2"})], "want": false},
	{"name": "outside the replay window", "runs": [run(1, t.t0, {}), run(2, t.t0 + 13 * t.hour, {"country": "FR", "asn": 16276})], "want": false},
	{"name": "exactly the replay window apart (inclusive)", "runs": [run(1, t.t0, {}), run(2, t.t0 + 12 * t.hour, {"country": "FR", "asn": 16276})], "want": true},
	{"name": "one nanosecond past the replay window", "runs": [run(1, t.t0, {}), run(2, (t.t0 + 12 * t.hour) + 1, {"country": "FR", "asn": 16276})], "want": false},
	{"name": "a long run ending within the window", "runs": [object.union(run(1, t.t0, {}), {"tl": t.t0 + 20 * t.hour}), run(2, t.t0 + 30 * t.hour, {"country": "FR", "asn": 16276})], "want": true},
	{"name": "unknown country and network are not a difference", "runs": [run(1, t.t0, {"country": "", "asn": 0}), run(2, t.t0 + t.hour, {"ip": "54.36.108.162"})], "want": false},
	{"name": "one run", "runs": [run(1, t.t0, {})], "want": false},
]

ok(c) if {
	c.want
	count(found(c.runs)) == 1
}

ok(c) if {
	not c.want
	found(c.runs) == []
}

test_cases if {
	failures := [sprintf("%s: got %v", [c.name, found(c.runs)]) | some c in cases; not ok(c)]
	print(failures)
	failures == []
}

test_finding if {
	[f] := found([run(3, t.t0, {}), run(5, t.t0 + t.hour, {"ip": "54.36.108.162", "country": "FR", "asn": 16276, "ua": t.edge}), run(7, t.t0 + 2 * t.hour, {})])
	f.event == 3
	f.events == [3, 5, 7]
	f.severity == "high"
	f.indicator == "yes"
	f.group == "s-1"
	f.facts.countries == ["FR", "NL"]
	f.facts.asns == ["AS16276", "AS60729"]
	f.facts.browsers == ["edge", "firefox"]
	f.summary == "session s-1 of johanna@sunnyside08.onmicrosoft.com used from 2 countries (FR, NL) and 2 networks (AS16276, AS60729) and 2 browser families (edge, firefox) within 12 h (2a0b:f4c2:1::1, 54.36.108.162)"
}

test_families if {
	agents := [
		{"ua": t.edge, "clientApp": "Browser"},
		{"ua": t.chrome, "clientApp": ""},
		{"ua": "Microsoft Office/16.0", "clientApp": "Mobile Apps and Desktop clients"},
		{"ua": "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; ja-JP) PowerShell/7.4.0", "clientApp": ""},
		{"ua": "python-requests/2.31", "clientApp": ""},
	]
	d.families == ["edge", "chrome", "", "", ""] with input as {"agents": agents}
}
