package main

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/incident"
	"github.com/tenantgate/tenantgate/internal/textcol"
)

var (
	htmlTag  = regexp.MustCompile(`<[^>]*>`)
	mdEscape = regexp.MustCompile("\\\\([\\\\`*_\\[\\]|<>#])")
	quoted   = regexp.MustCompile(`"([^"]+)"`)
	guid     = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
)

// plain is a report as its reader sees it: tags dropped, entities and
// Markdown escapes undone, whitespace (and so the table's wrapping)
// collapsed to single spaces.
func plain(format, s string) string {
	switch format {
	case "html":
		s = html.UnescapeString(htmlTag.ReplaceAllString(s, " "))
	case "markdown":
		s = html.UnescapeString(mdEscape.ReplaceAllString(s, "$1"))
	}
	return strings.Join(strings.Fields(s), " ")
}

// expectedItems are what the report of each expected user must show, in
// the zone displayed: demo-expected.json's findings, as text.
func expectedItems(t *testing.T, e incident.Expected, loc *time.Location) (happened, done map[string][]string) {
	t.Helper()
	at := func(s string) string {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("expected time %q: %v", s, err)
		}
		return tm.In(loc).Format("2006-01-02 15:04:05")
	}
	happened, done = map[string][]string{}, map[string][]string{}
	for _, u := range e.Users {
		var xs []string
		add := func(s ...string) { xs = append(xs, s...) }
		add(u.UPN)
		if u.InitialIntrusion != nil {
			add(at(*u.InitialIntrusion))
		}
		for _, ind := range u.Indicators {
			if ind.Kind == "ip" {
				add(ind.Value, ind.Country, "AS"+strconv.Itoa(ind.ASN))
			}
			if ind.Kind == "userAgent" {
				add(ind.Value)
			}
		}
		if a := u.Artifacts; a != nil {
			for _, r := range a.RulesCreated {
				add("Name="+r.Name, "MoveToFolder="+r.Parameters["MoveToFolder"], "SubjectOrBodyContainsWords="+r.Parameters["SubjectOrBodyContainsWords"])
			}
			for _, app := range a.AppsConsented {
				add(app.Name, app.AppID, app.ConsentType, strings.Join(app.Scopes, " "))
			}
			for _, m := range a.MethodsRegistered {
				add(m.Name, at(m.Time))
			}
			for _, d := range a.DevicesRegistered {
				add(d.Name, at(d.Time))
			}
			for _, s := range a.MailSent {
				add(s.Subject, strconv.Itoa(s.Count))
			}
			for _, m := range append(append([]incident.ExpectedMessage{}, a.MailDeleted...), a.MailRead...) {
				add(m.InternetMessageID)
			}
			for _, f := range a.FilesAccessed {
				add(f.Name)
			}
		}
		happened[u.UPN] = xs
		for _, r := range u.ResponseSeen {
			done[u.UPN] = append(done[u.UPN], r.By, at(r.Time))
		}
	}
	return happened, done
}

// todoObjects are the objects the remaining actions must name: the
// subjects, application ids, devices and documents their sentences quote.
func todoObjects(u incident.ExpectedUser) []string {
	var names []string
	if a := u.Artifacts; a != nil {
		for _, f := range a.FilesAccessed {
			names = append(names, f.Name)
		}
		for _, d := range a.DevicesRegistered {
			names = append(names, d.Name)
		}
		for _, app := range a.AppsConsented {
			names = append(names, app.AppID, app.Name)
		}
	}
	var out []string
	for _, a := range u.RemainingActions {
		for _, m := range quoted.FindAllStringSubmatch(a, -1) {
			out = append(out, m[1])
		}
		for _, n := range names {
			if strings.Contains(a, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// part is the text of a user's report: from the mention of the user that
// precedes a "①" part to the next "①" (the table of contents and the
// summary name every user before the parts start).
func part(text, upn, first string, upns []string) string {
	for i := 0; ; {
		j := strings.Index(text[i:], first)
		if j < 0 {
			return ""
		}
		j += i
		head := text[:j]
		owner, at := "", -1
		for _, u := range upns {
			if k := strings.LastIndex(head, u); k > at {
				owner, at = u, k
			}
		}
		if owner == upn {
			end := len(text)
			if k := strings.Index(text[j+len(first):], first); k >= 0 {
				end = j + len(first) + k
			}
			return text[at:end]
		}
		i = j + len(first)
	}
}

var findingsTitle = map[string]string{"en": "Detections and evidence", "ja": "検出と根拠となるログ"}

var sections = map[string][]string{
	"en": {"① What happened", "② What has already been done", "③ What is left to do", "Suspicious sign-ins"},
	"ja": {"① 侵害内容のサマリ", "② 侵害への対応サマリ", "③ 追加の依頼事項", "不審なサインイン", "最初の侵入時刻"},
}

// TestHuntDemoEveryFormat: one run of `hunt --demo` writes every format
// (several --format/--output pairs, files 0600); each expected item of
// demo-expected.json appears in the JSON (as TestHuntDemo checks), in the
// Markdown, HTML and table reports in English and Japanese with the times
// in the talk's UTC+9, and the CSV timeline holds the attacker's events.
// The table fits 80 columns.
func TestHuntDemoEveryFormat(t *testing.T) {
	e := expectedDemo(t)
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	items, done := expectedItems(t, e, loc)
	var upns []string
	for _, u := range e.Users {
		upns = append(upns, u.UPN)
	}
	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"json": "hunt.json", "markdown": "hunt.md", "html": "hunt.html", "csv": "hunt.csv"}
			args := []string{"hunt", "--demo", "--tz", "Asia/Tokyo", "--lang", lang}
			for _, f := range []string{"json", "markdown", "html", "csv"} {
				args = append(args, "--format", f, "--output", filepath.Join(dir, files[f]))
			}
			args = append(args, "--format", "table")
			code, table, errs := tool(t, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1: %s", code, errs)
			}
			out := map[string]string{"table": table}
			for f, name := range files {
				p := filepath.Join(dir, name)
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if st.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode %v, want 0600", name, st.Mode().Perm())
				}
				raw, _ := os.ReadFile(p)
				out[f] = string(raw)
			}
			var h huntJSON
			if err := json.Unmarshal([]byte(out["json"]), &h); err != nil {
				t.Fatal(err)
			}
			checkAgainstExpected(t, "json written beside the other formats", h, e)

			for _, f := range []string{"markdown", "html", "table"} {
				text := plain(f, out[f])
				for _, s := range sections[lang] {
					if !strings.Contains(text, s) {
						t.Errorf("%s %s: no %q", lang, f, s)
					}
				}
				for _, eu := range e.Users {
					p := part(text, eu.UPN, sections[lang][0], upns)
					if p == "" {
						t.Errorf("%s %s: no part for %s", lang, f, eu.UPN)
						continue
					}
					// ① itself, before the detections' own summaries (which
					// name the same objects) and ②/③ (which name some again)
					happened := p
					for _, stop := range []string{findingsTitle[lang], sections[lang][1]} {
						if k := strings.Index(happened, stop); k >= 0 {
							happened = happened[:k]
						}
					}
					for _, want := range items[eu.UPN][1:] {
						if !strings.Contains(happened, strings.Join(strings.Fields(want), " ")) {
							t.Errorf("%s %s: %s's ① lacks %q", lang, f, eu.UPN, want)
						}
					}
					k2 := strings.Index(p, sections[lang][1])
					for _, want := range done[eu.UPN] {
						if k2 < 0 || !strings.Contains(p[k2:], want) {
							t.Errorf("%s %s: %s's ② lacks %q", lang, f, eu.UPN, want)
						}
					}
					k := strings.Index(p, sections[lang][2])
					if k < 0 {
						t.Errorf("%s %s: %s's report has no %q", lang, f, eu.UPN, sections[lang][2])
						continue
					}
					todo := p[k:]
					for _, obj := range todoObjects(eu) {
						if obj != eu.UPN && !strings.Contains(todo, obj) && !strings.Contains(todo, strings.ToLower(obj)) {
							t.Errorf("%s %s: %s's ③ does not name %q", lang, f, eu.UPN, obj)
						}
					}
				}
			}
			for i, line := range strings.Split(table, "\n") {
				// A URL is printed whole (a terminal opens it whole).
				if w := textcol.Width(line); w > 80 && !strings.Contains(line, "://") {
					t.Errorf("%s table line %d is %d columns: %q", lang, i+1, w, line)
				}
			}

			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out["csv"], "\ufeff"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if rows[0][0] != "time_utc" || rows[0][9] != "attacker" {
				t.Fatalf("csv header %v", rows[0])
			}
			attackerIPs := map[string]bool{}
			for _, row := range rows[1:] {
				if row[9] == "yes" {
					attackerIPs[row[2]+" "+row[5]] = true
					if !strings.HasSuffix(row[1], "+09:00") || !strings.HasSuffix(row[0], "Z") {
						t.Fatalf("csv times %q %q", row[0], row[1])
					}
				}
			}
			for _, eu := range e.Users {
				for _, ind := range eu.Indicators {
					if ind.Kind == "ip" && !attackerIPs[eu.UPN+" "+ind.Value] {
						t.Errorf("csv: no attacker event of %s from %s", eu.UPN, ind.Value)
					}
				}
			}
		})
	}
}
