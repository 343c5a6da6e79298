package result

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestEventsJSON(t *testing.T) {
	t0 := time.Date(2023, 12, 13, 7, 0, 3, 0, time.UTC)
	ua := "Mozilla/5.0 <script>&"
	u := User{UPN: "a@b", Timeline: EventList([]Event{{Time: &t0, Source: "signIns", Operation: "SignIn", UserAgent: &ua, Detections: []string{}}})}
	b, err := json.Marshal(struct {
		T Events `json:"t"`
		N Events `json:"n"`
	}{u.Timeline, nil})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"t":[{"time":"2023-12-13T07:00:03Z","source":"signIns","operation":"SignIn","ip":null,"userAgent":"Mozilla/5.0 \u003cscript\u003e\u0026","session":null,"attacker":false,"detections":[]}],"n":[]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(u.Timeline); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"Mozilla/5.0 <script>&"`) {
		t.Errorf("an encoder that keeps < > & got %s", buf.String())
	}
	if n := u.Timeline.Len(); n != 1 {
		t.Errorf("Len = %d", n)
	}
	if n := Events(nil).Len(); n != 0 {
		t.Errorf("nil Len = %d", n)
	}
}

func TestEventsRoundTrip(t *testing.T) {
	t0 := time.Date(2023, 12, 13, 7, 0, 3, 0, time.UTC)
	u := User{UPN: "a@b", Timeline: EventList([]Event{{Time: &t0, Source: "signIns", Operation: "SignIn", Detections: []string{"TG.HUNT.1"}}, {Source: "unifiedAuditLog", Operation: "Send"}})}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var back User
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for e := range back.Timeline {
		ops = append(ops, e.Operation)
	}
	if strings.Join(ops, ",") != "SignIn,Send" {
		t.Errorf("read back: %v", ops)
	}
}

// TestUnknownRecordIDIsNull: hunt.md "unknown values are null": evidence
// from a record without an id (an export that has none and a record that
// does not name itself) cites recordId null, not "".
func TestUnknownRecordIDIsNull(t *testing.T) {
	b, err := json.Marshal([]Evidence{{File: "a.json", Line: 3}, {File: "b.csv", Line: 2, RecordID: "r1"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"file":"a.json","line":3,"recordId":null},{"file":"b.csv","line":2,"recordId":"r1"}]`; string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var back []Evidence
	if err := json.Unmarshal(b, &back); err != nil || back[0].RecordID != "" || back[1].RecordID != "r1" {
		t.Errorf("read back: %+v %v", back, err)
	}
}
