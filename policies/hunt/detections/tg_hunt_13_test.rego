package tenantgate.hunt.detections.tg_hunt_13_test

import data.tenantgate.hunt.detections.tg_hunt_13 as d
import data.tenantgate.hunt.test as t

dl := t.replace(t.ual, {
	"op": "FileDownloaded", "opk": "filedownloaded", "rt": 6, "attacker": true,
	"detail": {"objectId": "https://x-my.sharepoint.com/personal/j/Documents/PO.docx", "file": {"name": "PO_EcoGreenLand_inc.docx", "site": "https://x-my.sharepoint.com/personal/j/"}},
})

got(ev) := [[f.facts.name, f.summary] | some f in d.findings with input as t.with_events([ev])]

test_cases if {
	got(dl) == [["PO_EcoGreenLand_inc.docx", `file "PO_EcoGreenLand_inc.docx" downloaded by the attacker from 2a0b:f4c2:1::1 (https://x-my.sharepoint.com/personal/j/)`]]
	[[_, s]] := got(t.replace(dl, {"opk": "fileaccessed"}))
	contains(s, "opened by the attacker")
	[[_, u]] := got(t.replace(dl, {"opk": "filesyncdownloadedfull"}))
	contains(u, "synchronised by the attacker")
	[[n, _]] := got(t.replace(dl, {"detail": {"objectId": "https://x/doc.xlsx"}}))
	n == "https://x/doc.xlsx"
	got(t.replace(dl, {"attacker": false})) == []
	got(t.replace(dl, {"opk": "fileuploaded"})) == []
}
