package incident

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

func readCSV(t *testing.T, name string, b []byte) [][]string {
	t.Helper()
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = 0 // every row as wide as the header
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

func col(h []string, name string) int {
	for i, c := range h {
		if c == name {
			return i
		}
	}
	return -1
}

// TestDemoSetShapes checks the demo files against the real shapes: headers as
// in testdata/real, one record per row, AuditData valid JSON whose
// CreationTime is the row's date (in the ja-JP form), and the attacker's
// session carried across sign-ins, UserLoggedIn, Exchange and SharePoint
// records as in the real Purview capture.
func TestDemoSetShapes(t *testing.T) {
	files, w, err := Sunnyside().DemoSet()
	if err != nil {
		t.Fatal(err)
	}
	sess := w.Incident.AttackerSession
	in := readCSV(t, DemoInteractive, files[DemoInteractive])
	if strings.Join(in[0], "|") != strings.Join(SignInHeader, "|") {
		t.Fatalf("interactive header %q", in[0])
	}
	if !bytes.HasPrefix(files[DemoInteractive], []byte("\uFEFF\"Date (UTC)\",\"Request ID\"")) {
		t.Error("portal CSV must start with a BOM and a quoted header")
	}
	non := readCSV(t, DemoNonInteractive, files[DemoNonInteractive])
	sid := col(in[0], "Session ID")
	seen := 0
	var prev time.Time
	for i, row := range append(in[1:], non[1:]...) {
		tm, err := time.Parse(time.RFC3339, row[0])
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if i > 0 && i < len(in)-1 && tm.After(prev) {
			t.Fatalf("portal download is newest first; row %d %s after %s", i, tm, prev)
		}
		prev = tm
		if row[sid] == sess {
			seen++
		}
	}
	if seen < 10 {
		t.Errorf("attacker session in %d sign-ins, want the AiTM sign-in and its replays", seen)
	}
	ual := readCSV(t, DemoUAL, files[DemoUAL])
	if strings.Join(ual[0], ",") != "CreationDate,UserIds,RecordType,Operations,AuditData" {
		t.Fatalf("UAL header %q", ual[0])
	}
	ops := map[string]int{}
	for i, row := range ual[1:] {
		var ad struct {
			CreationTime, Id, Operation, SessionId string
			AppAccessContext                       struct{ AADSessionId string }
			DeviceProperties                       []struct{ Name, Value string }
		}
		if err := json.Unmarshal([]byte(row[4]), &ad); err != nil {
			t.Fatalf("UAL row %d: %v", i+2, err)
		}
		ct, err := time.Parse("2006-01-02T15:04:05", ad.CreationTime)
		if err != nil || JaJP(ct) != row[0] {
			t.Fatalf("UAL row %d: CreationDate %q vs CreationTime %q", i+2, row[0], ad.CreationTime)
		}
		if ad.Operation != row[3] {
			t.Fatalf("UAL row %d: Operations %q vs %q", i+2, row[3], ad.Operation)
		}
		carries := ad.SessionId == sess || ad.AppAccessContext.AADSessionId == sess
		for _, p := range ad.DeviceProperties {
			carries = carries || (p.Name == "SessionId" && p.Value == sess)
		}
		if carries {
			ops[ad.Operation]++
		}
	}
	for _, op := range []string{"UserLoggedIn", "New-InboxRule", "Send", "SoftDelete", "MailItemsAccessed", "FileDownloaded"} {
		if ops[op] == 0 {
			t.Errorf("no %s record carries the attacker session (%v)", op, ops)
		}
	}
	if ops["Send"] != len(w.Incident.Sent) {
		t.Errorf("attacker Send records %d, story sent %d", ops["Send"], len(w.Incident.Sent))
	}
	aud := readCSV(t, DemoAudit, files[DemoAudit])
	if len(aud[0]) != 86 || aud[0][0] != "Date (UTC)" || aud[0][85] != "AdditionalDetail6Value" {
		t.Fatalf("audit header %d columns", len(aud[0]))
	}
	acts := map[string]bool{}
	for _, row := range aud[1:] {
		acts[row[4]] = true
		if _, err := time.Parse("2006-01-02T15:04:05.9999999-07:00", row[0]); err != nil {
			t.Fatalf("audit date %q: %v", row[0], err)
		}
	}
	for _, a := range []string{"User registered security info", "Register device", "Add application", "Consent to application",
		"Update StsRefreshTokenValidFrom Timestamp", "Reset user password", "Admin deleted security info", "Update service principal"} {
		if !acts[a] {
			t.Errorf("audit log lacks %q", a)
		}
	}
}

// graphValues reads a file of Graph pages back to back and returns every value.
func graphValues(t *testing.T, name string, b []byte) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []map[string]any
	pages := 0
	for {
		var p struct {
			Next  string           `json:"@odata.nextLink"`
			Value []map[string]any `json:"value"`
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		pages++
		out = append(out, p.Value...)
	}
	if pages < 1 {
		t.Fatalf("%s: no page", name)
	}
	return out
}

// TestSameIncidentEveryShape: the other shapes carry the same records as the
// demo set (counts, ids, the attacker session), so hunt must reach the same
// result from either.
func TestSameIncidentEveryShape(t *testing.T) {
	demo, _, err := Sunnyside().DemoSet()
	if err != nil {
		t.Fatal(err)
	}
	other, w, err := Sunnyside().OtherShapes()
	if err != nil {
		t.Fatal(err)
	}
	in := readCSV(t, DemoInteractive, demo[DemoInteractive])
	non := readCSV(t, DemoNonInteractive, demo[DemoNonInteractive])
	ual := readCSV(t, DemoUAL, demo[DemoUAL])
	aud := readCSV(t, DemoAudit, demo[DemoAudit])

	beta := graphValues(t, "beta", other["graph/signIns_beta_interactive.json"])
	if len(beta) != len(in)-1 {
		t.Errorf("beta interactive %d vs portal %d", len(beta), len(in)-1)
	}
	if n := len(graphValues(t, "beta non", other["graph/signIns_beta_noninteractive.json"])); n != len(non)-1 {
		t.Errorf("beta non-interactive %d vs portal %d", n, len(non)-1)
	}
	v1 := graphValues(t, "v1", other["graph/signIns_v1.0_interactive.json"])
	if len(v1) != len(beta) || v1[0]["userAgent"] != nil || beta[0]["userAgent"] == nil {
		t.Errorf("v1.0 must hold the same sign-ins without userAgent")
	}
	sessions := 0
	for _, s := range beta {
		if s["sessionId"] == w.Incident.AttackerSession {
			sessions++
		}
	}
	if sessions == 0 {
		t.Error("beta sign-ins lack the attacker session")
	}
	if n := len(graphValues(t, "audits", other["graph/directoryAudits.json"])); n != len(aud)-1 {
		t.Errorf("directoryAudits %d vs portal %d", n, len(aud)-1)
	}
	recs := graphValues(t, "records", other["graph/auditLogQuery_records.json"])
	strs := graphValues(t, "records string", other["graph/auditLogQuery_records_string.json"])
	if len(recs) != len(ual)-1 || len(strs) != len(recs) {
		t.Errorf("audit query records %d/%d vs UAL %d", len(recs), len(strs), len(ual)-1)
	}
	if _, ok := strs[0]["auditData"].(string); !ok {
		t.Error("string variant must carry auditData as a string")
	}
	pv := readCSV(t, "purview", other["purview/AuditLog_Purview_en-US.csv"])
	if len(pv) != len(ual) || strings.Join(pv[0], ",") != "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames" {
		t.Errorf("purview %d rows, header %q", len(pv), pv[0])
	}
	lines := 0
	sc := bufio.NewScanner(bytes.NewReader(other["ual/AuditData.jsonl"]))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if !json.Valid(sc.Bytes()) {
			t.Fatalf("jsonl line %d invalid", lines+1)
		}
		lines++
	}
	if lines != len(ual)-1 {
		t.Errorf("jsonl %d vs UAL %d", lines, len(ual)-1)
	}
	u16 := other["ual/Search-UnifiedAuditLog_en-AU_utf16.csv"]
	if !bytes.HasPrefix(u16, []byte{0xFF, 0xFE}) {
		t.Fatal("UTF-16 LE BOM missing")
	}
	words := make([]uint16, (len(u16)-2)/2)
	for i := range words {
		words[i] = uint16(u16[2+2*i]) | uint16(u16[3+2*i])<<8
	}
	text := string(utf16.Decode(words))
	if !strings.HasPrefix(text, "#TYPE ") {
		t.Error("no #TYPE line")
	}
	full := readCSV(t, "utf16", []byte(text[strings.IndexByte(text, '\n')+1:]))
	if len(full) != len(ual) || full[0][0] != "RecordType" || len(full[0]) != 10 {
		t.Errorf("full Search-UnifiedAuditLog: %d rows, header %q", len(full), full[0])
	}
}
