package tenantgate.hunt.detections.tg_hunt_11_test

import data.tenantgate.hunt.detections.tg_hunt_11 as d
import data.tenantgate.hunt.test as t

del := t.replace(t.ual, {
	"op": "SoftDelete", "opk": "softdelete", "rt": 3, "time": "2023-12-12T14:10:00Z",
	"detail": {"mailbox": "johanna@sunnyside08.onmicrosoft.com", "items": [{"subject": "Re: REVISED INVOICE", "internetMessageId": "<r@b>", "folder": "\\Inbox"}]},
})

words := {"rule_words": {"johanna@sunnyside08.onmicrosoft.com": ["revised invoice"]}}

run(ev, ctx) := [f | some f in d.findings with input as {"params": t.params, "context": ctx, "events": [ev]}]

test_attributed if {
	[f] := run(t.replace(del, {"attacker": true}), {})
	f.severity == "high"
	f.facts.items == [{"subject": "Re: REVISED INVOICE", "internetMessageId": "<r@b>"}]
	f.summary == `1 message deleted from johanna@sunnyside08.onmicrosoft.com's mailbox (SoftDelete) by the attacker from 2a0b:f4c2:1::1: "Re: REVISED INVOICE"`
}

test_rule_words if {
	[f] := run(del, words)
	contains(f.summary, `matching the words of a hiding inbox rule (Re: REVISED INVOICE)`)
}

test_rule_words_of_another_mailbox if {
	run(del, {"rule_words": {"alicea@sunnyside08.com": ["revised invoice"]}}) == []
}

test_mailbox_from_user_when_absent if {
	[_] := run(t.replace(del, {"detail": {"items": [{"subject": "Re: REVISED INVOICE"}]}}), words)
}

test_neither if {
	run(del, {}) == []
	run(t.replace(del, {"opk": "move"}), words) == []
	count(run(t.replace(del, {"opk": "harddelete", "attacker": true}), {})) == 1
	count(run(t.replace(del, {"opk": "movetodeleteditems", "attacker": true}), {})) == 1
}
