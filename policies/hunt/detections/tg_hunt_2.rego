# METADATA
# title: Session or token replayed from elsewhere
# description: >-
#   One session key or token id used from two or more countries, ASNs or
#   browser families within the replay window: the stolen cookie replayed by
#   the attacker beside (or after) the proxy that stole it. Trusted networks
#   and Microsoft 365 service addresses are left out before counting;
#   non-browser clients are not compared by browser family.
# custom:
#   id: TG.HUNT.2
#   order: 2
#   severity: high
#   technique: "T1550.004 Use Alternate Authentication Material: Web Session Cookie"
#   seed: "攻撃の痕跡 / SessionId を起点に RecordType を横断した攻撃者アクティビティを特定"
#   response: >-
#     Revoke the user's sessions and refresh tokens (revokeSignInSessions) and
#     reset the password; require token protection or a compliant device for
#     the apps concerned.
#   phase: sessions
package tenantgate.hunt.detections.tg_hunt_2

import data.tenantgate.hunt.lib

# input.sessions: [{key, type: session|token, user, runs: [{i, last, t, tl,
# ips, country, asn, ua, clientApp}]}], runs in time order: a run is a
# stretch of the key's events alike in all this rule compares (country,
# ASN, user agent, client app), i its first event, last its last one, ips
# the addresses it came from. Events from addresses that can never be
# indicators (trusted networks, Microsoft 365 front ends) are not in the
# runs: the correlation leaves them out before counting.

# families: the browser family of each of input.agents ([{ua,
# clientApp}]), in order; "" for a client that is not a browser (never
# compared by family). The correlation asks it once for the distinct user
# agents of all keys, to leave out the keys whose events share one
# country, one network and one browser family: they can make no pair.
families := [family(a) | some a in input.agents]

family(a) := lib.ua_family(a.ua) if browser(a)

else := ""

# browser: a run has a browser family only when a browser made it: the
# sign-in log says "Browser" (the UAL reader says so for a DeviceProperties
# BrowserType naming a browser, not for "Other") or, without a client app,
# the agent is a browser's (lib.browser_ua); and the agent names a rendering
# engine. Scripts that borrow the Mozilla/ prefix (PowerShell: "Mozilla/5.0
# (...) PowerShell/7.4.0") are clients, not a second browser.
browser(r) if {
	browser_client(r)
	lib.engine_ua(r.ua)
}

browser_client(r) if lower(r.clientApp) == "browser"

browser_client(r) if {
	r.clientApp == ""
	lib.browser_ua(r.ua)
}

# near: two runs (a before b) within the window. Runs of a key follow each
# other in time, so the closest events are a's last and b's first.
near(a, b) if {
	b.t >= a.t
	b.t - a.tl <= input.params.replay_window
}

# pairs: the conflicting pairs of runs of a key, by what differs. Only
# neighbours need comparing: if two runs within the window differ in a
# value, two runs between them that both know the value differ in it too,
# and are closer. (Runs that do not know a value, an unknown country or a
# non-browser client, are skipped for it.)
pairs(s) := [[a, b, what] |
	some what in ["country", "asn", "browser"]
	rs := [r | some r in s.runs; known(r, what)]
	count(rs) > 1
	some i in numbers.range(1, count(rs) - 1)
	a := rs[i - 1]
	b := rs[i]
	near(a, b)
	value(a, what) != value(b, what)
]

known(r, "country") if r.country != ""

known(r, "asn") if r.asn != 0

known(r, "browser") if browser(r)

value(r, "country") := r.country

value(r, "asn") := r.asn

value(r, "browser") := lib.ua_family(r.ua)

findings contains f if {
	some s in input.sessions
	ps := pairs(s)
	count(ps) > 0
	involved := {r | some p in ps; some r in array.slice(p, 0, 2)}
	first := min({r.i | some r in involved})
	countries := {r.country | some r in involved; r.country != ""}
	asns := {sprintf("AS%d", [r.asn]) | some r in involved; r.asn != 0}
	families := {lib.ua_family(r.ua) | some r in involved; browser(r)}
	ips := {ip | some r in involved; some ip in r.ips; ip != ""}
	whats := {p[2] | some p in ps}
	f := {
		"event": first,
		"events": sort({r.i | some r in involved}),
		"severity": "high",
		"summary": sprintf("%s %s of %s used from %s within %s (%s)", [s.type, s.key, s.user, describe(whats, countries, asns, families), lib.window_text(input.params.replay_window), concat(", ", sort(ips))]),
		"group": s.key,
		"indicator": "yes",
		"facts": {"key": s.key, "type": s.type, "countries": sort(countries), "asns": sort(asns), "browsers": sort(families)},
	}
}

describe(whats, countries, asns, families) := concat(" and ", [d |
	some what in ["country", "asn", "browser"]
	what in whats
	d := part(what, countries, asns, families)
])

part("country", countries, _, _) := sprintf("%d countries (%s)", [count(countries), concat(", ", sort(countries))])

part("asn", _, asns, _) := sprintf("%d networks (%s)", [count(asns), concat(", ", sort(asns))])

part("browser", _, _, families) := sprintf("%d browser families (%s)", [count(families), concat(", ", sort(families))])
