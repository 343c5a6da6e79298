package tenantgate.hunt.detections.tg_hunt_5_test

import data.tenantgate.hunt.detections.tg_hunt_5 as d
import data.tenantgate.hunt.test as t

register := object.union(t.audit, {
	"op": "Register device", "opk": "register device", "user": "johanna@sunnyside08.onmicrosoft.com", "ip": "", "session": "", "byUser": false, "byApp": true,
	"detail": {"service": "Device Registration Service", "targets": [{"type": "Device", "id": "b0000000-0000-0000-0000-00000000d0d0", "name": "DESKTOP-8K2P1QX"}], "additional": {"Device Id": "c0000000"}},
})

got(ev) := [[f.severity, f.facts.device] | some f in d.findings with input as t.with_events([ev])]

cases := [
	{"name": "registered, on its own", "ev": register, "want": [["medium", "DESKTOP-8K2P1QX"]]},
	{"name": "right after an entry indicator", "ev": object.union(register, {"afterEntry": t.t0 - 10 * t.minute}), "want": [["high", "DESKTOP-8K2P1QX"]]},
	{"name": "through an attacker session", "ev": object.union(register, {"fromIndicator": true}), "want": [["high", "DESKTOP-8K2P1QX"]]},
	{"name": "owner added", "ev": object.union(register, {"op": "Add registered owner to device", "opk": "add registered owner to device"}), "want": [["medium", "DESKTOP-8K2P1QX"]]},
	{"name": "user added", "ev": object.union(register, {"op": "Add registered users to device.", "opk": "add registered users to device"}), "want": [["medium", "DESKTOP-8K2P1QX"]]},
	{"name": "device named in additional details only", "ev": t.replace(register, {"detail": {"additional": {"Device Name": "iPhone"}}}), "want": [["medium", "iPhone"]]},
	{"name": "device not named", "ev": t.replace(register, {"detail": {}}), "want": [["medium", "unknown device"]]},
	{"name": "device deleted is not registration", "ev": object.union(register, {"opk": "delete device"}), "want": []},
]

test_cases if {
	failures := [sprintf("%s: got %v", [c.name, got(c.ev)]) | some c in cases; got(c.ev) != c.want]
	print(failures)
	failures == []
}

test_summary if {
	[s] := [f.summary | some f in d.findings with input as t.with_events([register])]
	s == `device "DESKTOP-8K2P1QX" registered for johanna@sunnyside08.onmicrosoft.com (Register device)`
}
