package render

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/internal/hunt/detect"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

func catalogFile(t *testing.T, lang string) map[string]*i18n.Message {
	t.Helper()
	raw, err := localeFiles.ReadFile("locales/" + lang + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	mf, err := i18n.ParseMessageFileBytes(raw, lang+".yaml", map[string]i18n.UnmarshalFunc{"yaml": yaml.Unmarshal})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*i18n.Message{}
	for _, m := range mf.Messages {
		out[m.ID] = m
	}
	return out
}

var detectionKey = regexp.MustCompile(`^TG\.HUNT\.\d+\.(title|response)$`)

// Every English message has a Japanese one; the Japanese catalog holds
// nothing else but the detections' translations (the English text of those
// is the Rego METADATA's).
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	en, ja := catalogFile(t, "en"), catalogFile(t, "ja")
	if len(en) < 100 {
		t.Fatalf("only %d English messages: the catalog did not parse as expected", len(en))
	}
	for id, m := range en {
		jm, ok := ja[id]
		if !ok {
			t.Errorf("ja.yaml lacks %q", id)
			continue
		}
		if (m.One != "") && jm.Other == "" {
			t.Errorf("ja.yaml %q: no text", id)
		}
		// The same template fields: a translation cannot drop an object
		// the sentence names (an app id, a subject).
		if a, b := fields(m.Other+m.One), fields(jm.Other); !slices.Equal(a, b) {
			t.Errorf("%q: English uses %v, Japanese %v", id, a, b)
		}
	}
	for id := range ja {
		if _, ok := en[id]; !ok && !detectionKey.MatchString(id) {
			t.Errorf("ja.yaml has %q, which en.yaml lacks", id)
		}
	}
}

var fieldRe = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func fields(s string) []string {
	var out []string
	for _, m := range fieldRe.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// Every detection of the Rego catalog has a Japanese title and response
// step, translated from the METADATA's current English text (the hash
// says which): a changed METADATA fails here until its translation is
// reviewed; nothing falls back to English silently.
func TestDetectionTranslations(t *testing.T) {
	eng, err := detect.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ja := catalogFile(t, "ja")
	c, err := NewCatalog("ja")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, d := range eng.Catalog() {
		for key, english := range map[string]string{"title": d.Title, "response": d.Response} {
			id := d.ID + "." + key
			ids[id] = true
			m, ok := ja[id]
			switch {
			case !ok || m.Other == "":
				t.Errorf("%s has no Japanese %s in locales/ja.yaml", d.ID, key)
			case m.Hash != SourceHash(english):
				t.Errorf("%s: the Japanese %s translates an older English text (hash %s); review it against the METADATA's %q and set hash: %s", d.ID, key, m.Hash, english, SourceHash(english))
			}
		}
		title, resp := c.Detection(result.Detection{ID: d.ID, Title: d.Title, Response: d.Response})
		if title == d.Title || resp == d.Response || !hasJapanese(title) || !hasJapanese(resp) {
			t.Errorf("%s: Japanese title %q / response %q", d.ID, title, resp)
		}
	}
	if len(ids) < 30 {
		t.Fatalf("%d detection texts: the catalog is incomplete", len(ids))
	}
	for id := range ja {
		if detectionKey.MatchString(id) && !ids[id] {
			t.Errorf("ja.yaml translates %s, which no detection has", id)
		}
	}
	if err := c.Err(); err != nil {
		t.Error(err)
	}
	// A detection the catalog does not know is an error, not English.
	c2, _ := NewCatalog("ja")
	c2.Detection(result.Detection{ID: "TG.HUNT.99", Title: "new"})
	if c2.Err() == nil {
		t.Error("a detection without a translation rendered without error")
	}
}

func hasJapanese(s string) bool {
	for _, r := range s {
		if r >= 0x3040 && r <= 0x30ff || r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// The response actions policies/hunt/response names (stated once, in its
// names map and describe rules) all have a message in both languages.
func TestResponseKindsTranslated(t *testing.T) {
	raw, err := os.ReadFile("../../../policies/hunt/response/response.rego")
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	var kinds []string
	block := src[strings.Index(src, "names := {"):]
	block = block[:strings.Index(block, "}")]
	for _, m := range regexp.MustCompile(`"[^"]+":\s*"([^"]+)"`).FindAllStringSubmatch(block, -1) {
		kinds = append(kinds, m[1])
	}
	for _, m := range regexp.MustCompile(`describe\(ev\) := "([^"]+)"`).FindAllStringSubmatch(src, -1) {
		kinds = append(kinds, m[1])
	}
	if len(kinds) < 8 {
		t.Fatalf("found %d response kinds in response.rego: %v", len(kinds), kinds)
	}
	for _, lang := range Languages {
		cat := catalogFile(t, lang)
		for _, k := range kinds {
			if _, ok := cat["response."+k]; !ok {
				t.Errorf("%s.yaml lacks response.%s", lang, k)
			}
		}
	}
}

// Every remaining action kind and variant correlate writes renders in
// every language with the objects it names.
func TestRemainingActionsTranslated(t *testing.T) {
	u := &result.User{UPN: "victim@example.com"}
	actions := []result.Action{
		{Kind: "revoke-sessions", Object: map[string]string{"user": "victim@example.com", "addresses": "192.0.2.1", "state": ""}},
		{Kind: "revoke-sessions", Object: map[string]string{"user": "victim@example.com", "addresses": "192.0.2.1", "state": "reset"}},
		{Kind: "revoke-sessions", Object: map[string]string{"user": "victim@example.com", "addresses": "192.0.2.1", "state": "revoked"}},
		{Kind: "revoke-sessions", Object: map[string]string{"user": "victim@example.com", "addresses": "", "state": ""}},
		{Kind: "revoke-sessions", Object: map[string]string{"user": "victim@example.com", "addresses": "", "state": "reset"}},
		{Kind: "revoke-sessions", Object: map[string]string{"user": "victim@example.com", "addresses": "", "state": "revoked"}},
		{Kind: "check-account", Object: map[string]string{"user": "victim@example.com"}},
		{Kind: "delete-app", Object: map[string]string{"app": "chatbot", "appId": "app-id-1", "scopes": "Mail.Read"}},
		{Kind: "delete-app", Object: map[string]string{"app": "chatbot", "appId": "app-id-1", "scopes": "Mail.Read", "state": "disabled"}},
		{Kind: "remove-method", Object: map[string]string{"method": "Authenticator App", "time": "2023-12-12T04:53:10Z"}},
		{Kind: "remove-device", Object: map[string]string{"device": "DESKTOP-1", "time": "2023-12-12T04:54:05Z"}},
		{Kind: "remove-rule", Object: map[string]string{"rule": "..", "identity": "victim\\123", "user": "victim@example.com"}},
		{Kind: "remove-rule", Object: map[string]string{"rule": "..", "state": "present"}},
		{Kind: "remove-forwarding", Object: map[string]string{"forwarding": "evil@example.net"}},
		{Kind: "enable-audit", Object: map[string]string{"changes": "AuditEnabled False"}},
		{Kind: "warn-recipients", Object: map[string]string{"subject": "REVISED INVOICE", "count": "23"}},
		{Kind: "restore-mail", Object: map[string]string{"subject": "RE: REVISED INVOICE", "count": "1"}},
		{Kind: "review-mail-read", Object: map[string]string{"count": "5"}},
		{Kind: "review-files", Object: map[string]string{"files": "PO.docx"}},
	}
	for _, lang := range Languages {
		c, err := NewCatalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		v := &view{c: c, loc: tokyo(t)}
		for _, a := range actions {
			s := v.action(u, a)
			for k, want := range a.Object {
				if k == "state" || k == "time" || k == "count" || want == "" || (k == "scopes" && a.Object["state"] == "disabled") {
					continue // a disabled app's grants are gone with it
				}
				if !strings.Contains(s, want) {
					t.Errorf("%s %s/%s: %q does not name %s %q", lang, a.Kind, a.Object["state"], s, k, want)
				}
			}
			// No address known: no "(signed in from )" with nothing after it.
			if a.Kind == "revoke-sessions" && a.Object["addresses"] == "" && regexp.MustCompile(`(from|サインイン元)\s*\)?\.?$|\(\s*\)`).MatchString(s) {
				t.Errorf("%s %s/%s: %q names an empty address list", lang, a.Kind, a.Object["state"], s)
			}
			if a.Kind == "remove-device" && !strings.Contains(s, "2023-12-12 13:54:05") {
				t.Errorf("%s: %q: time not shown in the report's zone", lang, s)
			}
		}
		if err := c.Err(); err != nil {
			t.Errorf("%s: %v", lang, err)
		}
	}
}

// Every blind spot code correlate writes renders in every language with the
// times it names, in the report's zone.
func TestBlindSpotsTranslated(t *testing.T) {
	at := time.Date(2023, 12, 12, 4, 50, 17, 0, time.UTC) // 13:50:17 in Tokyo
	win := time.Date(2023, 12, 12, 5, 30, 0, 0, time.UTC) // 14:30:00
	spots := []result.BlindSpot{
		{Kind: "signIns", Code: "missing"}, {Kind: "directoryAudits", Code: "missing"}, {Kind: "unifiedAuditLog", Code: "missing"},
		{Kind: "signIns", Code: "empty"},
		{Kind: "signIns", Code: "starts-late", Times: map[string]time.Time{"from": at, "window": win}},
		{Kind: "signIns", Code: "ends-early", Times: map[string]time.Time{"to": at, "window": win}},
		{Kind: "signIns", Code: "attacker-after", Times: map[string]time.Time{"to": at, "attacker": win}},
		{Kind: "signIns", Code: "attacker-before", Times: map[string]time.Time{"from": win, "attacker": at}},
		{Kind: "signIns", Code: "attacker-before-window", Times: map[string]time.Time{"attacker": at, "window": win}},
		{Kind: "unifiedAuditLog", Code: "attacker-after-window", Times: map[string]time.Time{"attacker": win, "window": at}},
	}
	for _, lang := range Languages {
		c, err := NewCatalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		v := &view{c: c, loc: tokyo(t)}
		for _, b := range spots {
			s := v.blindSpot(b)
			if s == "" || strings.Contains(s, "blind.") || strings.Contains(s, "<no value>") {
				t.Errorf("%s %s: %q", lang, b.Code, s)
			}
			if len(b.Times) > 0 && (!strings.Contains(s, "2023-12-12 13:50:17") || !strings.Contains(s, "2023-12-12 14:30:00")) {
				t.Errorf("%s %s: %q does not give both times in the report's zone", lang, b.Code, s)
			}
		}
		if err := c.Err(); err != nil {
			t.Errorf("%s: %v", lang, err)
		}
	}
}
