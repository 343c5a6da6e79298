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
# ip, ipClass, country, asn, ua, clientApp}]}], runs in time order: a run is
# a stretch of the key's events from one address, country, ASN and user
# agent (i its first event, last its last one).

counted(s) := [r | some r in s.runs; r.ipClass == ""]

# browser: a run has a browser family only when a browser made it: the
# sign-in log says "Browser" (the UAL reader says so for any DeviceProperties
# BrowserType, "Other" included) or, without a client app, the agent starts
# with Mozilla/; and the agent names a rendering engine. Scripts that borrow
# the Mozilla/ prefix (PowerShell: "Mozilla/5.0 (...) PowerShell/7.4.0") are
# clients, not a second browser.
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

differ(a, b, "country") if {
	a.country != ""
	b.country != ""
	a.country != b.country
}

differ(a, b, "asn") if {
	a.asn != 0
	b.asn != 0
	a.asn != b.asn
}

differ(a, b, "browser") if {
	browser(a)
	browser(b)
	lib.ua_family(a.ua) != lib.ua_family(b.ua)
}

# pairs: the conflicting pairs of runs of a key, by what differs.
pairs(s) := [[a, b, what] |
	runs := counted(s)
	some x, a in runs
	some y, b in runs
	x < y
	near(a, b)
	some what in {"country", "asn", "browser"}
	differ(a, b, what)
]

findings contains f if {
	some s in input.sessions
	ps := pairs(s)
	count(ps) > 0
	involved := {r | some p in ps; some r in array.slice(p, 0, 2)}
	first := min({r.i | some r in involved})
	countries := {r.country | some r in involved; r.country != ""}
	asns := {sprintf("AS%d", [r.asn]) | some r in involved; r.asn != 0}
	families := {lib.ua_family(r.ua) | some r in involved; browser(r)}
	ips := {r.ip | some r in involved; r.ip != ""}
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
