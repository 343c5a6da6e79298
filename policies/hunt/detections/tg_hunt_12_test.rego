package tenantgate.hunt.detections.tg_hunt_12_test

import data.tenantgate.hunt.detections.tg_hunt_12 as d
import data.tenantgate.hunt.test as t

read := t.replace(t.ual, {
	"op": "MailItemsAccessed", "opk": "mailitemsaccessed", "rt": 50, "attacker": true,
	"detail": {"mailAccess": "Bind", "throttled": false, "items": [{"internetMessageId": "<m1@x>", "folder": "\\Inbox"}, {"internetMessageId": "<m2@x>", "folder": "\\Inbox"}]},
})

got(ev) := [f | some f in d.findings with input as t.with_events([ev])]

test_bind if {
	[f] := got(read)
	f.facts.items == [{"internetMessageId": "<m1@x>", "folder": "\\Inbox"}, {"internetMessageId": "<m2@x>", "folder": "\\Inbox"}]
	f.facts.throttled == false
	f.summary == "mail read by the attacker in johanna@sunnyside08.onmicrosoft.com's mailbox (MailItemsAccessed Bind) from 2a0b:f4c2:1::1: 2 messages"
}

test_sync_throttled if {
	[f] := got(t.replace(read, {"rt": 2, "detail": {"mailAccess": "Sync", "throttled": true, "folders": ["\\Inbox", "\\Sent Items"]}}))
	f.facts.throttled == true
	contains(f.summary, "folders \\Inbox, \\Sent Items synchronised; throttled")
}

test_not_attributed_or_other if {
	count(got(t.replace(read, {"rt": 2}))) == 1
	count(got(t.replace(read, {"detail": {"mailAccess": "sync"}}))) == 1
	count(got(t.replace(read, {"detail": {"items": [{"internetMessageId": "<m1@x>", "folder": "\\Inbox"}]}}))) == 1 # no MailAccessType: cannot be told from Bind
	got(t.replace(read, {"attacker": false})) == []
	got(t.replace(read, {"rt": 3})) == []
	got(t.replace(read, {"detail": {"mailAccess": "Search"}})) == []
}
