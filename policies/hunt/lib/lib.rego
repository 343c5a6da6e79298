# Shared vocabulary of the hunt detections (hunt.md "Detections").
#
# Every detection reads events of one model (internal/hunt/event), whatever
# file they came from:
#
#   i, kind, t (Unix ns), time (RFC 3339), user, target, op, opk (op compared:
#   lower case, trailing period dropped), rt (UAL RecordType), userType, ip,
#   ipClass ("" | "trusted" | "microsoft"), ua, session, session2, token, app,
#   appName, resource, clientApp, clientInfo, country, asn, deviceId, error,
#   signIn, success, byUser, byApp, detail {...}
#
# and facts the correlation adds: ipSeenBefore (the user signed in
# successfully from ip earlier in the inputs), attacker (attributed to the attacker),
# fromIndicator (carries an attacker IP, session or token), afterEntry (time
# of the user's latest TG.HUNT.1/2/3 event at or before t, null when none:
# every AiTM-shaped sign-in, corroborated or not, replayed keys, tooling
# agents that are entries, IOC matches),
# corroborated (TG.HUNT.1), mailboxWords (TG.HUNT.11).
#
# A detection's `findings` are objects made by `finding` below.
package tenantgate.hunt.lib

# meta is a detection's package METADATA custom block.
meta(chain) := m if {
	some entry in chain
	entry.annotations.scope == "package"
	m := entry.annotations.custom
}

# operations are the (normalised) operations a detection's prefilter names:
# the condition "the operation is one of" is stated once, in the METADATA.
operations(chain) := {o | some p in meta(chain).prefilter; some o in object.get(p, "operations", [])}

# Sign-in outcomes where the credentials were accepted: success, and MFA
# interruptions (50074 strong authentication required, 50140 keep me signed
# in interrupt) or a Conditional Access block (53000 device not compliant):
# a phishing proxy that relays the password sees these before the cookie.
accepted_errors := {0, 50074, 50140, 53000}

accepted(ev) if ev.error in accepted_errors

# Addresses that can never be indicators: the trusted networks and the
# Microsoft 365 service front ends (hunt.md "Correlation" 3).
never_indicator(ev) if ev.ipClass != ""

trusted(ev) if ev.ipClass == "trusted"

# is_browser: the sign-in log says "Browser", or (UAL, audit) the user agent
# is a browser's.
is_browser(ev) if lower(ev.clientApp) == "browser"

is_browser(ev) if {
	ev.clientApp == ""
	browser_ua(ev.ua)
}

# browser_ua: a browser's user agent. Scripts that borrow the "Mozilla/"
# prefix say what they are further on: PowerShell's web cmdlets and
# Exchange Online PowerShell ("... PowerShell/7.4.0",
# "WindowsPowerShell/5.1"), whose UAL sign-in records carry no client app.
browser_ua(ua) if {
	startswith(ua, "Mozilla/")
	not regex.match(`(?i)PowerShell/`, ua)
}

# engine_ua: the user agent names a browser's rendering engine (Gecko,
# AppleWebKit, Blink's AppleWebKit token, Trident, Presto), which every
# browser sends and Mozilla/-prefixed scripts do not.
engine_ua(ua) if regex.match(`(?i)\b(Gecko|AppleWebKit|Trident|Presto)/`, ua)

engine_ua(ua) if regex.match(`(?i)\blike Gecko\b`, ua)

# ua_family groups browser user agents: Edge, Chrome, Firefox, Safari, other.
ua_family(ua) := "edge" if regex.match(`(?i)\bEdg(e|A|iOS)?/`, ua)

else := "chrome" if regex.match(`(?i)(Chrome|CriOS)/`, ua)

else := "firefox" if regex.match(`(?i)(Firefox|FxiOS)/`, ua)

else := "safari" if regex.match(`(?i)Safari/`, ua)

else := "other"

# count_text writes a count with its noun in the right number: "1
# message", "2 messages".
count_text(n, one, many) := sprintf("%d %s", [n, one]) if n == 1

else := sprintf("%d %s", [n, many])

# detail reads a detail key, def when absent.
detail(ev, k, def) := object.get(object.get(ev, "detail", {}), k, def)

# first is the first element of xs, def when xs is empty. (A function whose
# body binds several values must not return several: rules pick the first
# of an ordered list instead.)
first(xs, def) := xs[0] if count(xs) > 0

else := def

# param reads a cmdlet parameter or rule property by name, in any case.
param(ev, name) := vs[0] if {
	vs := [v | some k, v in detail(ev, "params", {}); lower(k) == lower(name)]
	count(vs) > 0
}

# additional reads an additional detail by key, in any case ("" when absent).
additional(ev, key) := first([v | some k, v in detail(ev, "additional", {}); lower(k) == lower(key); v != ""], "")

# has_param: the parameter is present with a value that is not empty or
# $null.
has_param(ev, name) if {
	v := trim_space(param(ev, name))
	not lower(v) in {"", "$null", "null", "[]", "{}"}
}

truthy(v) if lower(trim_space(sprintf("%v", [v]))) in {"true", "$true", "1", "yes"}

falsy(v) if lower(trim_space(sprintf("%v", [v]))) in {"false", "$false", "0", "no"}

# modified lists the modified properties named name (any case).
modified(ev, name) := [m |
	some m in detail(ev, "modified", [])
	lower(object.get(m, "name", "")) == lower(name)
]

# ns_to_duration renders a window for messages.
window_text(ns) := sprintf("%d min", [round(ns / 60000000000)]) if ns < 7200000000000

else := sprintf("%d h", [round(ns / 3600000000000)])

# Correlation facts, absent before correlation.
attacker(ev) if object.get(ev, "attacker", false) == true

from_indicator(ev) if object.get(ev, "fromIndicator", false) == true

# followup: within the baseline's followup window after a TG.HUNT.1/2/3
# event of the same user (afterEntry).
followup(ev) if {
	after := object.get(ev, "afterEntry", null)
	after != null
	ev.t - after <= input.params.followup_window
}

# escalated: "high when from an attacker indicator or within followup_window
# after a TG.HUNT.1/2/3 event of the same user" (TG.HUNT.4, 5).
escalated(ev) if from_indicator(ev)

escalated(ev) if followup(ev)

escalation_text(ev) := " from an attacker indicator" if from_indicator(ev)

else := sprintf(" within %s of a TG.HUNT.1-3 event", [window_text(input.params.followup_window)]) if followup(ev)

else := ""

# who names the user of an event in messages.
who(ev) := ev.user if ev.user != ""

else := ev.target if ev.target != ""

else := "an unknown user"

# from names where an event came from.
from(ev) := sprintf(" from %s", [ev.ip]) if ev.ip != ""

else := ""

# finding builds a detection's finding for one event. indicator says
# whether it seeds the attacker indicators: "yes", "corroborated" (only once
# corroborated, TG.HUNT.1) or "no"; group merges findings of one detection
# and user with equal groups (a session, an hour, an address).
finding(ev, severity, summary, group, indicator, facts) := {
	"event": ev.i,
	"severity": severity,
	"summary": summary,
	"group": group,
	"indicator": indicator,
	"facts": facts,
}

# hour groups an event by its UTC hour.
hour(ev) := substring(ev.time, 0, 13)

# words splits an inbox rule's word list ("a;b", "[a, b]", "{a, b}").
words(v) := {w |
	some part in regex.split(`[;,\n]`, trim(v, "[]{}"))
	w := trim_space(part)
	w != ""
}

guid := `[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`

# app_of names the application an app-management or consent record concerns.
app_of(ev) := {"name": app_name(ev), "id": app_id(ev)}

app_name(ev) := first(
	array.concat(
		array.concat(
			[n | some t in detail(ev, "targets", []); object.get(t, "id", "") == client_id(ev); n := object.get(t, "name", ""); n != ""],
			[n | some t in detail(ev, "targets", []); lower(object.get(t, "type", "")) in {"application", "serviceprincipal"}; n := object.get(t, "name", ""); n != ""],
		),
		[n | some t in detail(ev, "targets", []); object.get(t, "type", "") == "1"; n := object.get(t, "id", ""); n != ""],
	),
	"unknown application",
)

# client_id: the client application's service principal of a permission
# grant (the other target is the resource, e.g. Microsoft Graph).
client_id(ev) := first(
	array.concat(
		[id | some m in modified(ev, "DelegatedPermissionGrant.ClientId"); id := trim(object.get(m, "new", ""), "\" ")],
		[x[1] | some m in modified(ev, "ConsentAction.Permissions"); some x in regex.find_all_string_submatch_n(`ClientId:\s*([0-9a-fA-F-]{36})`, object.get(m, "new", ""), 1)],
	),
	"",
)

app_id(ev) := first(
	array.concat(
		[id |
			some name in ["AppId", "AppPrincipalId", "TargetId.ServicePrincipalNames", "ServicePrincipal.AppId"]
			some m in modified(ev, name)
			some id in regex.find_n(guid, object.get(m, "new", ""), 1)
		],
		[id | id := additional(ev, "AppId"); id != ""],
	),
	"",
)
