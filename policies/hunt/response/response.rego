# METADATA
# title: Containment already done
# description: >-
#   The response actions hunt.md "Correlation" 5 recognises: a password
#   reset, sessions revoked, an inbox rule removed or disabled, security info
#   deleted by an admin, a device deleted, a service principal disabled. They
#   are listed as what has already been done (responseSeen), and are never
#   attacker activity when an administrator (someone other than the user
#   concerned) did them from a trusted network.
# custom:
#   detail: true
#   prefilter:
#     - kinds: [directoryAudits, unifiedAuditLog]
#       operations: [reset user password, update stsrefreshtokenvalidfrom timestamp, admin deleted security info, delete registered device, delete device, update service principal]
#     - kinds: [unifiedAuditLog]
#       operations: [remove-inboxrule, disable-inboxrule]
package tenantgate.hunt.response

import data.tenantgate.hunt.lib

ops := lib.operations(rego.metadata.chain())

names := {
	"reset user password": "password reset",
	"update stsrefreshtokenvalidfrom timestamp": "sessions revoked (refresh tokens invalidated)",
	"admin deleted security info": "security info deleted by an admin",
	"delete registered device": "registered device deleted",
	"delete device": "device deleted",
	"remove-inboxrule": "inbox rule removed",
	"disable-inboxrule": "inbox rule disabled",
}

# actions: {event, action, by, target, exempt, object, app}.
actions contains a if {
	some ev in input.events
	ev.opk in ops
	action := describe(ev)
	t := target(ev)
	a := {
		"event": ev.i,
		"action": action,
		"by": by(ev),
		"target": t,
		"exempt": exempt(ev, t),
		"object": object_of(ev),
		"app": app(ev),
	}
}

describe(ev) := names[ev.opk]

describe(ev) := "service principal disabled" if {
	ev.opk == "update service principal"
	some m in lib.modified(ev, "AccountEnabled")
	regex.match(`(?i)false`, m.new)
}

by(ev) := ev.user if ev.user != ""

else := lib.first([n | n := lib.detail(ev, "actorType", ""); n != ""], "unknown")

# target: the user concerned. Exchange cmdlets name the mailbox in
# -Mailbox or in -Identity ("johanna@x\rule", or an alias: "Johanna\rule",
# which the correlation resolves to a UPN).
target(ev) := lower(t) if {
	ev.rt == 1
	cands := [p | some n in ["Mailbox", "Identity"]; v := lib.param(ev, n); p := split(v, "\\")[0]; p != ""]
	count(cands) > 0
	t := cands[0]
} else := ev.target if ev.target != ""

else := ev.user

object_of(ev) := lib.first([v | some n in ["Identity", "Name"]; v := lib.param(ev, n)], "") if ev.rt == 1

else := lib.app_of(ev).name if ev.opk == "update service principal"

else := lib.first([n | some t in lib.detail(ev, "targets", []); lower(object.get(t, "type", "")) == "device"; n := object.get(t, "name", ""); n != ""], "")

app(ev) := lib.app_of(ev) if ev.opk == "update service principal"

else := null

# exempt: done by someone else than the user concerned, from a trusted
# network: never attacker activity.
exempt(ev, t) if {
	ev.user != ""
	ev.user != t
	lib.trusted(ev)
}

default exempt(_, _) := false
