# Fixtures for the hunt detections' tests: one event of the model with
# every field set, overridden per case, and the baseline's default params.
package tenantgate.hunt.test

ff := "Mozilla/5.0 (Windows NT 10.0; rv:109.0) Gecko/20100101 Firefox/115.0"

edge := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"

chrome := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

safari := "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"

officehome := "4765445b-32c6-49b0-83e6-1d93765276ca"

t0 := 1702389017000000000 # 2023-12-12T13:50:17Z

minute := 60000000000

hour := 3600000000000

params := {
	"replay_window": 12 * hour,
	"followup_window": 60 * minute,
	"ip_window": 168 * hour,
	"tooling_user_agents": ["python-requests", "axios/", "PostmanRuntime/", "AADInternals", "azurehound", "BAV2ROPC", "fasthttp", "Go-http-client"],
}

# A successful browser sign-in of Johanna to OfficeHome from a new address.
signin := {
	"i": 1, "kind": "signIns", "t": t0, "time": "2023-12-12T13:50:17Z",
	"user": "johanna@sunnyside08.onmicrosoft.com", "target": "", "op": "SignIn", "opk": "signin",
	"ip": "2a0b:f4c2:1::1", "ipClass": "", "ua": ff, "session": "s-attacker", "session2": "", "token": "tok-1",
	"app": officehome, "appName": "OfficeHome", "resource": officehome, "clientApp": "Browser", "clientInfo": "",
	"country": "NL", "asn": 60729, "deviceId": "", "error": 0, "rt": 0, "userType": -1,
	"signIn": true, "success": true, "byUser": false, "byApp": false,
}

# A unified audit log record (an Exchange cmdlet by Johanna).
ual := object.union(signin, {
	"kind": "unifiedAuditLog", "op": "New-InboxRule", "opk": "new-inboxrule", "rt": 1, "userType": 0,
	"app": "", "appName": "", "resource": "", "clientApp": "", "country": "", "asn": 0, "error": 0,
	"signIn": false, "success": false, "byUser": true,
})

# A directory audit record initiated by Johanna.
audit := object.union(ual, {"kind": "directoryAudits", "rt": 0, "userType": -1, "op": "Add application", "opk": "add application"})

with_events(evs) := {"params": params, "events": evs}

# run evaluates a detection's findings on one event.
severities(findings) := {f.severity | some f in findings}

# replace overrides top-level keys without merging nested objects (object.union
# would merge an event's detail with the override's).
replace(ev, o) := object.union(object.remove(ev, object.keys(o)), o)
