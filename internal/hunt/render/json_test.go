package render

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

func jsonSample() *result.Result {
	t0 := time.Date(2023, 12, 12, 4, 50, 17, 0, time.UTC)
	country, asn := "US", 64496
	ip := "2001:db8:f4c2:1::1"
	return &result.Result{
		SchemaVersion: 1, Tool: result.Tool{Name: "tenantgate", Version: "test"}, GeneratedAt: t0,
		Window: result.Window{From: &t0, To: &t0}, Inputs: []result.Input{{File: "a.csv", Kind: "signIns", Records: 2}},
		Coverage: result.Coverage{SignIns: result.KindCoverage{Files: []string{"a.csv"}, Records: 2, From: &t0, To: &t0},
			DirectoryAudits: result.KindCoverage{Files: []string{}}, UnifiedAuditLog: result.KindCoverage{Files: []string{}}, InboxRules: result.KindCoverage{Files: []string{}},
			BadRows: []result.BadRow{}, Skipped: []result.Skipped{}, BlindSpots: []result.BlindSpot{{Kind: "unifiedAuditLog", Message: "no unified audit log"}}},
		Users: []result.User{
			{UPN: "johanna@contoso.com", Verdict: result.Suspicious, InitialIntrusion: &t0,
				Indicators:   []result.Indicator{{Kind: "ip", Value: ip, Country: &country, ASN: &asn, FirstSeen: &t0, LastSeen: &t0}},
				Findings:     []result.Finding{{ID: "TG.HUNT.8", Severity: "high", Title: "rule", Time: &t0, Summary: "rule \"..\" \x1b[31mred", Evidence: []result.Evidence{{File: "a.csv", Line: 3, RecordID: "r1"}}}},
				Timeline:     result.EventList([]result.Event{{Time: &t0, Source: "signIns", Operation: "SignIn", IP: &ip, Detections: []string{"TG.HUNT.1"}}}),
				ResponseSeen: []result.Response{}, RemainingActions: []result.Action{{Kind: "revoke-sessions", Text: "revoke the sessions of johanna@contoso.com"}}},
			{UPN: "bob@contoso.com", Verdict: result.Clean, Findings: []result.Finding{{ID: "TG.HUNT.14", Severity: "medium", Summary: "owa"}}},
		},
		Summary: result.Summary{Suspicious: 1, Clean: 1},
	}
}

// TestJSONStreamedEqualsMarshal: the streamed JSON is the model's own
// encoding.
func TestJSONStreamedEqualsMarshal(t *testing.T) {
	r := jsonSample()
	var b bytes.Buffer
	if err := Write(&b, "json", r, Options{}); err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	raw, _ := json.Marshal(r)
	_ = json.Unmarshal(raw, &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("streamed JSON differs:\n%s\nwant\n%s", b.String(), raw)
	}
	if !strings.Contains(b.String(), `"remainingActions": [`) || !strings.Contains(b.String(), `"revoke the sessions of johanna@contoso.com"`) {
		t.Errorf("remaining actions are sentences: %s", b.String())
	}
}
