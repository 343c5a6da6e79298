package tenantgate.hunt.detections.tg_hunt_10_test

import data.tenantgate.hunt.detections.tg_hunt_10 as d
import data.tenantgate.hunt.test as t

send := t.replace(t.ual, {
	"op": "Send", "opk": "send", "rt": 2, "time": "2023-12-12T05:03:12Z", "attacker": true,
	"detail": {"items": [{"subject": "REVISED INVOICE", "internetMessageId": "<a@b>", "folder": "\\Sent Items"}]},
})

got(ev) := [[f.severity, f.group, f.facts.subject] | some f in d.findings with input as t.with_events([ev])]

test_cases if {
	got(send) == [["high", "2023-12-12T05", "REVISED INVOICE"]]
	got(t.replace(send, {"opk": "sendas"})) == [["high", "2023-12-12T05", "REVISED INVOICE"]]
	got(t.replace(send, {"opk": "sendonbehalf"})) == [["high", "2023-12-12T05", "REVISED INVOICE"]]
	got(t.replace(send, {"attacker": false})) == []
	got(object.remove(send, ["attacker"])) == []
	got(t.replace(send, {"opk": "create"})) == []
	got(t.replace(send, {"detail": {}})) == [["high", "2023-12-12T05", ""]]
}

test_summary if {
	[f] := [f | some f in d.findings with input as t.with_events([send])]
	f.facts.internetMessageId == "<a@b>"
	f.summary == `mail sent by the attacker from johanna@sunnyside08.onmicrosoft.com's mailbox (Send) from 2a0b:f4c2:1::1: "REVISED INVOICE"`
}
