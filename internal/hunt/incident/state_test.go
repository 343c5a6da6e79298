package incident

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestStateAfterResponse: what Graph shows after the response matches the
// story: the attacker's Authenticator gone, their device still registered,
// "chatbot" disabled but its tenant-wide grant kept, the ".." rule removed
// and the ordinary rules in place.
func TestStateAfterResponse(t *testing.T) {
	other, w, err := Sunnyside().OtherShapes()
	if err != nil {
		t.Fatal(err)
	}
	in := w.Incident
	for _, m := range w.AuthMethods(in.Victim) {
		if b, _ := json.Marshal(m); strings.Contains(string(b), "iPhone 15") {
			t.Error("the attacker's Authenticator was deleted by the responder")
		}
	}
	devs := w.RegisteredDevices(in.Victim)
	if len(devs) != 1 || !strings.Contains(string(devs[0].compact(false)), in.Device.Name) {
		t.Errorf("victim's devices %v", devs)
	}
	sps, apps := w.ServicePrincipals()
	if !strings.Contains(string(sps[0].compact(false)), `"accountEnabled":false`) || !strings.Contains(string(apps[0].compact(false)), "http://localhost:7823/access") {
		t.Error("chatbot: disabled service principal with a localhost reply URL expected")
	}
	g := w.OAuth2PermissionGrants()
	if !strings.Contains(string(g[0].compact(false)), "AllPrincipals") || !strings.Contains(string(g[0].compact(false)), "Mail.ReadWrite") {
		t.Error("grant")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(other["exchange/Get-InboxRule.csv"]), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 11 || rows[0][0] != "MailboxOwnerId" {
		t.Fatalf("Get-InboxRule: %d rows", len(rows))
	}
	for _, r := range rows[1:] {
		if r[1] == ".." {
			t.Error("the '..' rule was removed by the responder")
		}
	}
	n := 0
	for k, v := range other {
		if strings.HasPrefix(k, "graph/messageRules/") {
			n += len(graphValues(t, k, v))
		}
	}
	if n != 10 {
		t.Errorf("messageRules: %d rules", n)
	}
}

// TestOtherJSONShapes: the portal JSON downloads are arrays of the Graph
// records, the JSON Lines one record a line, each as many as the CSVs.
func TestOtherJSONShapes(t *testing.T) {
	other, _, err := Sunnyside().OtherShapes()
	if err != nil {
		t.Fatal(err)
	}
	beta := graphValues(t, "beta", other["graph/signIns_beta_interactive.json"])
	var arr []map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(string(other["portal/InteractiveSignIns_2023-12-04_2023-12-14.json"]), "\uFEFF")), &arr); err != nil {
		t.Fatal(err)
	}
	if len(arr) != len(beta) {
		t.Errorf("portal JSON %d vs beta %d", len(arr), len(beta))
	}
	if n := strings.Count(string(other["graph/signIns_beta_interactive.jsonl"]), "\n"); n != len(beta) {
		t.Errorf("JSON Lines %d vs beta %d", n, len(beta))
	}
	var aud []map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(string(other["portal/AuditLogs_2023-12-14.json"]), "\uFEFF")), &aud); err != nil {
		t.Fatal(err)
	}
	if n := len(graphValues(t, "audits", other["graph/directoryAudits.json"])); n != len(aud) {
		t.Errorf("portal audit JSON %d vs Graph %d", len(aud), n)
	}
}

// TestExtractorSuiteShape: Microsoft-Extractor-Suite's file is several
// ConvertTo-Json documents back to back, arrays and a last bare object, CRLF.
func TestExtractorSuiteShape(t *testing.T) {
	other, _, err := Sunnyside().OtherShapes()
	if err != nil {
		t.Fatal(err)
	}
	b := other["extractor-suite/20231214093012-InteractiveSignIns-SignInLogs.json"]
	dec := json.NewDecoder(bytes.NewReader(b))
	n, arrays, objects := 0, 0, 0
	for dec.More() {
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		switch x := v.(type) {
		case []any:
			arrays++
			n += len(x)
		case map[string]any:
			objects++
			n++
		}
	}
	beta := graphValues(t, "beta", other["graph/signIns_beta_interactive.json"])
	if n != len(beta) || arrays < 2 || objects != 1 || !bytes.Contains(b, []byte("\r\n  {\r\n    \"id\": ")) {
		t.Errorf("records %d (want %d), arrays %d, objects %d", n, len(beta), arrays, objects)
	}
}
