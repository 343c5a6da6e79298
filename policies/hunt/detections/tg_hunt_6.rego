# METADATA
# title: Application registered by a user
# description: >-
#   A user (not an application or the system) adds an application, a
#   service principal, an application owner or a credential: the attacker's
#   own app with a durable secret. High when its reply URL is
#   http://localhost or plain http, or when it comes from an attacker
#   indicator.
# custom:
#   id: TG.HUNT.6
#   order: 6
#   severity: high
#   base_severity: medium
#   technique: "T1098.001 Account Manipulation: Additional Cloud Credentials"
#   seed: "攻撃の痕跡③ アプリ導入"
#   response: >-
#     Disable the service principal ("Enabled for users to sign-in?" = No),
#     remove its secrets and permissions, and delete it when the investigation
#     is over; set "Users can register applications" to No.
#   phase: detect
#   detail: true
#   prefilter:
#     - kinds: [directoryAudits, unifiedAuditLog]
#       operations: [add application, add service principal, add owner to application, update application - certificates and secrets management]
package tenantgate.hunt.detections.tg_hunt_6

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

findings contains f if {
	some ev in input.events
	ev.opk in ops
	ev.byUser
	not ev.byApp
	urls := reply_urls(ev)
	app := lib.app_of(ev)
	sev := severity(ev, urls)
	f := lib.finding(ev, sev, sprintf("%s: application %q%s by %s%s%s", [ev.op, app.name, app_id_text(app), lib.who(ev), lib.from(ev), why(ev, urls)]), concat("|", [app.name, ev.opk]), "no", {"app": app.name, "appId": app.id, "replyUrls": sort(urls)})
}

# Reply URLs the record sets (AppAddress), as written.
reply_urls(ev) := {u |
	some m in lib.modified(ev, "AppAddress")
	some u in regex.find_n(`https?://[^"\\\s,\]\}]+`, m.new, -1)
}

insecure(urls) := {u | some u in urls; startswith(lower(u), "http://")}

severity(ev, urls) := "high" if count(insecure(urls)) > 0

else := "high" if lib.from_indicator(ev)

else := "medium"

why(ev, urls) := sprintf("; reply URL %s", [concat(", ", sort(insecure(urls)))]) if count(insecure(urls)) > 0

else := "; from an attacker indicator" if lib.from_indicator(ev)

else := ""

app_id_text(app) := sprintf(" (%s)", [app.id]) if app.id != ""

else := ""
