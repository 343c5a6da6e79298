package detect

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/hunt/read"
)

func newEngine(t *testing.T) *Engine {
	t.Helper()
	e, err := New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestCatalogMatchesSpec: the detections are hunt.md's table, in order,
// with its titles, and every METADATA field the catalog promises is set.
func TestCatalogMatchesSpec(t *testing.T) {
	raw, err := os.ReadFile("../../../../shared/spec/hunt.md")
	if err != nil {
		t.Skipf("spec not available: %v", err)
	}
	row := regexp.MustCompile(`(?m)^\| (TG\.HUNT\.\d+) \| ([^|]+) \|`)
	var want [][2]string
	for _, m := range row.FindAllStringSubmatch(string(raw), -1) {
		want = append(want, [2]string{m[1], strings.TrimSpace(m[2])})
	}
	cat := newEngine(t).Catalog()
	if len(cat) != len(want) || len(want) != 15 {
		t.Fatalf("spec has %d detections, catalog %d", len(want), len(cat))
	}
	for i, d := range cat {
		if d.ID != want[i][0] || !strings.EqualFold(d.Title, want[i][1]) {
			t.Errorf("detection %d: %s %q, spec %s %q", i+1, d.ID, d.Title, want[i][0], want[i][1])
		}
		if d.Technique == "" || d.Seed == "" || d.Response == "" || d.Description == "" || !strings.HasPrefix(d.File, "policies/hunt/") {
			t.Errorf("%s: incomplete METADATA: %+v", d.ID, d)
		}
	}
}

// TestPrefilterOperationsAreNormalised: operations are written as events
// compare them, so a METADATA typo cannot silently match nothing.
func TestPrefilterOperationsAreNormalised(t *testing.T) {
	for _, d := range append(newEngine(t).Catalog(), newEngine(t).Response()) {
		for _, f := range d.Filters {
			for _, op := range f.Operations {
				if event.NormOp(op) != op {
					t.Errorf("%s: operation %q", d.ID, op)
				}
			}
		}
	}
}

func readTestdata(t *testing.T, keep func(event.Kind, string, int16) bool, names ...string) *read.Logs {
	t.Helper()
	var paths []string
	for _, n := range names {
		paths = append(paths, filepath.Join("..", "read", "testdata", n))
	}
	logs, err := read.Read(context.Background(), paths, event.NewStrings(), read.Options{Keep: keep})
	if err != nil {
		t.Fatal(err)
	}
	return logs
}

func params() []byte {
	return ParamsJSON(map[string]any{
		"replay_window": Nanos(12 * time.Hour), "followup_window": Nanos(time.Hour), "ip_window": Nanos(168 * time.Hour),
		"tooling_user_agents": []string{"python-requests", "axios/"},
	})
}

// TestEndToEnd reads the talk-shaped fixtures, selects candidates by
// prefilter and evaluates every detection evaluated before correlation:
// what the files hold is found, and only that.
func TestEndToEnd(t *testing.T) {
	e := newEngine(t)
	logs := readTestdata(t, e.Keep(), "signins_portal.csv", "audit_portal.csv", "audit_graph.json", "ual_search.csv", "inboxrules_getinboxrule.csv")
	in := &Input{Events: logs.Events, Strings: logs.Strings, Params: params(), IPClass: func(event.Sym) string { return "" }}
	got := map[string][]string{}
	for i := range e.Catalog() {
		d := &e.Catalog()[i]
		if d.Phase != PhaseDetect {
			continue
		}
		idx, err := e.Candidates(context.Background(), d, in)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := e.Findings(context.Background(), d, in, idx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			got[d.ID] = append(got[d.ID], f.Severity+" "+logs.Strings.Str(logs.Events[f.Event].Op))
		}
	}
	want := map[string][]string{
		// The 50074 and the success of the same session, to OfficeHome, from
		// a new address; the Edge sign-in has a device id and another app.
		"TG.HUNT.1":  {"medium SignIn", "medium SignIn", "medium UserLoggedIn"},
		"TG.HUNT.4":  {"medium User registered security info", "medium Update user"},
		"TG.HUNT.5":  {"medium Add registered owner to device", "medium Register device"},
		"TG.HUNT.6":  {"high Add application", "high Add application."},
		"TG.HUNT.7":  {"high Consent to application"},
		"TG.HUNT.8":  {"high New-InboxRule", "high InboxRule"},
		"TG.HUNT.14": {"medium Send", "medium MailItemsAccessed", "medium SoftDelete"},
	}
	for id, w := range want {
		sort.Strings(w)
		g := got[id]
		sort.Strings(g)
		if strings.Join(g, ",") != strings.Join(w, ",") {
			t.Errorf("%s: got %v, want %v", id, g, w)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: unexpected findings %v", id, got[id])
		}
	}
}

func TestKeepOnlyDetailCandidates(t *testing.T) {
	keep := newEngine(t).Keep()
	for _, c := range []struct {
		kind event.Kind
		op   string
		rt   int16
		want bool
	}{
		{event.UnifiedAuditLog, "new-inboxrule", 1, true},
		{event.UnifiedAuditLog, "new-inboxrule", 2, false},
		{event.DirectoryAudits, "consent to application", 0, true},
		{event.UnifiedAuditLog, "remove-inboxrule", 1, true},
		{event.UnifiedAuditLog, "mailitemsaccessed", 50, false}, // read again only when attributed
		{event.UnifiedAuditLog, "send", 2, false},
		{event.SignIns, "signin", 0, false},
	} {
		if got := keep(c.kind, c.op, c.rt); got != c.want {
			t.Errorf("keep(%v, %q, %d) = %v", c.kind, c.op, c.rt, got)
		}
	}
}

func TestActions(t *testing.T) {
	e := newEngine(t)
	logs := readTestdata(t, e.Keep(), "audit_portal.csv")
	in := &Input{Events: logs.Events, Strings: logs.Strings, Params: params(),
		IPClass: func(ip event.Sym) string {
			if logs.Strings.Str(ip) == "203.0.113.10" {
				return "trusted"
			}
			return ""
		}}
	resp := e.Response()
	idx, err := e.Candidates(context.Background(), &resp, in)
	if err != nil {
		t.Fatal(err)
	}
	as, err := e.Actions(context.Background(), in, idx)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 || as[0].Action != "password reset" || !as[0].Exempt || as[0].Target != "johanna@sunnyside08.onmicrosoft.com" {
		t.Errorf("actions: %+v", as)
	}
}

// TestReadsDeclarationIsExact: a detection that declares the fields it
// reads gives the same findings evaluated once per distinct combination as
// evaluated on every event (here TG.HUNT.14 on varied OWA records).
func TestReadsDeclarationIsExact(t *testing.T) {
	e := newEngine(t)
	var d *Detection
	for i := range e.Catalog() {
		if len(e.Catalog()[i].Reads) > 0 {
			d = &e.Catalog()[i]
		}
	}
	if d == nil {
		t.Fatal("no detection declares reads")
	}
	strs := event.NewStrings()
	var evs []event.Event
	t0 := time.Date(2023, 12, 12, 5, 0, 0, 0, time.UTC)
	for i := range 400 {
		ci := "Client=OWA;Action=ViaProxy"
		if i%7 == 0 {
			ci = "Client=REST;Client=RESTSystem;;"
		}
		evs = append(evs, event.Event{
			Kind: event.UnifiedAuditLog, Time: t0.Add(time.Duration(i) * time.Minute).UnixNano(), RecordType: []int16{1, 2, 3, 50, 6}[i%5],
			User: strs.Intern(fmt.Sprintf("u%d@x.com", i%3)), Op: strs.Intern([]string{"Send", "MailItemsAccessed", "Create"}[i%3]),
			IP: strs.Intern(fmt.Sprintf("198.51.100.%d", i%4)), ClientInfo: strs.Intern(ci), UserType: 0,
		})
		evs[i].OpKey = strs.Intern(event.NormOp(strs.Str(evs[i].Op)))
	}
	in := &Input{Events: evs, Strings: strs, Params: params(),
		IPClass: func(ip event.Sym) string {
			if strs.Str(ip) == "198.51.100.3" {
				return "trusted"
			}
			return ""
		},
		Facts: func(i int, w *event.JSON) { w.Key("attacker"); w.Bool(i%11 == 0) }}
	idx, err := e.Candidates(context.Background(), d, in)
	if err != nil {
		t.Fatal(err)
	}
	once, err := e.Findings(context.Background(), d, in, idx)
	if err != nil {
		t.Fatal(err)
	}
	plain := *d
	plain.Reads = nil
	every, err := e.Findings(context.Background(), &plain, in, idx)
	if err != nil {
		t.Fatal(err)
	}
	judged := func(fs []Finding) map[int]string {
		m := map[int]string{}
		for _, f := range fs {
			for _, i := range f.Events {
				m[i] = f.Severity + " " + f.Group
			}
		}
		return m
	}
	a, b := judged(once), judged(every)
	if len(b) == 0 || len(a) != len(b) {
		t.Fatalf("%d events judged once per combination, %d one by one", len(a), len(b))
	}
	for i, v := range b {
		if a[i] != v {
			t.Errorf("event %d: %q once per combination, %q one by one", i, a[i], v)
		}
	}
	if len(once) >= len(every) {
		t.Errorf("no saving: %d evaluations vs %d", len(once), len(every))
	}
}

func TestFamilies(t *testing.T) {
	e := newEngine(t)
	var d *Detection
	for i := range e.Catalog() {
		if e.Catalog()[i].Phase == PhaseSessions {
			d = &e.Catalog()[i]
		}
	}
	if d == nil {
		t.Fatal("no sessions detection")
	}
	got, err := e.Families(context.Background(), d, []Agent{
		{UA: "Mozilla/5.0 (Windows NT 10.0; rv:109.0) Gecko/20100101 Firefox/115.0"},
		{UA: "Mozilla/5.0 (Windows NT 10.0; rv:109.0) Gecko/20100101 Firefox/115.0", ClientApp: "Mobile Apps and Desktop clients"},
		{UA: "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; ja-JP) PowerShell/7.4.0"},
		{UA: "Microsoft Office/16.0", ClientApp: "Browser"}, // no rendering engine named
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"firefox", "", "", ""}; !slices.Equal(got, want) {
		t.Errorf("families = %q, want %q", got, want)
	}
}
