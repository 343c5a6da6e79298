package tenantgate.hunt.detections.tg_hunt_14_test

import data.tenantgate.hunt.detections.tg_hunt_14 as d
import data.tenantgate.hunt.test as t

owa := t.replace(t.ual, {"op": "MailItemsAccessed", "opk": "mailitemsaccessed", "rt": 50, "clientInfo": "Client=OWA;Action=ViaProxy", "ip": "54.36.108.162"})

got(ev) := [f.severity | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "on its own", "ev": owa, "want": ["medium"]},
	{"name": "attributed", "ev": t.replace(owa, {"attacker": true}), "want": ["high"]},
	{"name": "case differs", "ev": t.replace(owa, {"clientInfo": "Client=owa;Action=viaProxy"}), "want": ["medium"]},
	{"name": "trusted network", "ev": t.replace(owa, {"ipClass": "trusted"}), "want": []},
	{"name": "Microsoft address", "ev": t.replace(owa, {"ipClass": "microsoft"}), "want": []},
	{"name": "no address", "ev": t.replace(owa, {"ip": ""}), "want": []},
	{"name": "Outlook desktop", "ev": t.replace(owa, {"clientInfo": "Client=MSExchangeRPC"}), "want": []},
	{"name": "ExchangeAdmin (1)", "ev": t.replace(owa, {"rt": 1, "op": "New-InboxRule", "opk": "new-inboxrule"}), "want": ["medium"]},
	{"name": "ExchangeItem (2)", "ev": t.replace(owa, {"rt": 2, "op": "Send", "opk": "send"}), "want": ["medium"]},
	{"name": "ExchangeItemGroup (3)", "ev": t.replace(owa, {"rt": 3, "op": "MoveToDeletedItems", "opk": "movetodeleteditems"}), "want": ["medium"]},
	{"name": "OWA without ViaProxy", "ev": t.replace(owa, {"clientInfo": "Client=OWA;Action=Sync"}), "want": []},
	{"name": "ViaProxy inside a longer client string", "ev": t.replace(owa, {"clientInfo": "Client=OWA;Action=ViaProxy;UserAgent=Mozilla/5.0"}), "want": ["medium"]},
	{"name": "a sign-in record (15) is not an Exchange record", "ev": t.replace(owa, {"rt": 15}), "want": []},
	{"name": "not an Exchange record", "ev": t.replace(owa, {"rt": 6}), "want": []},
]

test_cases if {
	failures := [sprintf("%s: got %v, want %v", [c.name, got(c.ev), c.want]) | some c in cases; got(c.ev) != c.want]
	print(failures)
	failures == []
}

test_keep_and_summary if {
	kept := d.keep with input as {"values": ["Client=OWA;Action=ViaProxy", "Client=REST;Client=RESTSystem;;"]}
	kept == {"Client=OWA;Action=ViaProxy"}
	[f] := [f | some f in d.findings with input as t.with_events([t.replace(owa, {"attacker": true})])]
	f.group == "54.36.108.162"
	f.summary == "Outlook on the web through a proxy (Client=OWA;Action=ViaProxy) for johanna@sunnyside08.onmicrosoft.com from 54.36.108.162: MailItemsAccessed, attributed to the attacker"
}
