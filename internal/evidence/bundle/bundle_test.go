//go:build unix

package bundle

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/inputerr"
)

var t0 = time.Date(2023, 12, 14, 1, 0, 0, 0, time.UTC)

func newBundle(t *testing.T) (*Writer, string) {
	t.Helper()
	parent := t.TempDir()
	w, err := Create(parent, "tenant-20231214T010000Z", Manifest{BundleID: "b1", Tool: Tool{"tenantgate", "test"},
		Tenant: Tenant{ID: "t1", DisplayName: "Sunnyside"}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	return w, parent
}

func page(t *testing.T, w *Writer, id string, body, next string, records int) File {
	t.Helper()
	f, err := w.WritePage(id, File{Source: "signIns.interactive", Kind: KindSignIns, Role: RolePage, Request: "GET /beta/auditLogs/signIns", Records: records}, []byte(body), next)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestWriteAndVerify: pages are written new, 0600 in 0700 directories, the
// manifest lists each with its SHA-256, and Open/Verify accept the bundle;
// the bundle status follows from the sources.
func TestWriteAndVerify(t *testing.T) {
	w, _ := newBundle(t)
	if err := w.Plan(Source{ID: "signIns/interactive", Source: "signIns.interactive", Kind: KindSignIns, Title: "interactive sign-ins", Files: "signIns/interactive"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Plan(Source{ID: "users/a/messageRules", Source: "messageRules", Kind: KindInboxRules, Title: "inbox rules", Files: "users/a/messageRules"}); err != nil {
		t.Fatal(err)
	}
	page(t, w, "signIns/interactive", `{"value":[{"id":"1"}],"@odata.nextLink":"x"}`, "https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=1", 1)
	page(t, w, "signIns/interactive", `{"value":[]}`, "", 0)
	if err := w.End("signIns/interactive", Source{Status: SourceOK}); err != nil {
		t.Fatal(err)
	}
	if err := w.End("users/a/messageRules", Source{Status: SourceDenied, HTTPStatus: 403, Code: "ErrorAccessDenied", Error: "Access is denied."}); err != nil {
		t.Fatal(err)
	}
	m, err := w.Close(Run{Started: t0, Finished: t0.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != StatusPartial || len(m.Files) != 2 || m.Sources[0].Records != 1 || m.Sources[0].Pages != 2 {
		t.Fatalf("manifest: status %s, files %d, sources %+v", m.Status, len(m.Files), m.Sources)
	}
	dir := w.Dir()
	for _, p := range []string{dir, filepath.Join(dir, "signIns")} {
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v", p, st.Mode().Perm())
		}
	}
	for _, p := range []string{"manifest.json", "journal.jsonl", "signIns/interactive-0001.json"} {
		if st, _ := os.Stat(filepath.Join(dir, p)); st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", p, st.Mode().Perm())
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "signIns/interactive-0001.json")); string(got) != `{"value":[{"id":"1"}],"@odata.nextLink":"x"}` {
		t.Errorf("page not stored as received: %s", got)
	}
	if !IsBundle(dir) || IsBundle(filepath.Dir(dir)) {
		t.Error("IsBundle")
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Verify(); err != nil {
		t.Fatal(err)
	}
	if len(b.Logs()) != 2 {
		t.Errorf("logs %v", b.Logs())
	}
	bs := b.BlindSpots()
	if len(bs) != 1 || bs[0].Kind != KindInboxRules || !strings.Contains(bs[0].Message, "HTTP 403 ErrorAccessDenied") || !strings.Contains(bs[0].Message, "Access is denied.") {
		t.Errorf("blind spots %+v", bs)
	}
}

// TestNeverOverwritten: a second bundle of the same name goes beside the
// first, never into it.
func TestNeverOverwritten(t *testing.T) {
	w1, parent := newBundle(t)
	w2, err := Create(parent, "tenant-20231214T010000Z", Manifest{}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if w1.Dir() == w2.Dir() || !strings.HasSuffix(w2.Dir(), "-2") {
		t.Errorf("second bundle at %s, first at %s", w2.Dir(), w1.Dir())
	}
}

// TestTamperedBundle: a changed page, a page replaced by a link, or a file
// added after collection are input errors naming the file.
func TestTamperedBundle(t *testing.T) {
	for name, tamper := range map[string]func(dir string) string{
		"changed": func(dir string) string {
			p := filepath.Join(dir, "signIns/interactive-0001.json")
			_ = os.WriteFile(p, []byte(`{"value":[{"id":"2"}]}`), 0o600)
			return p
		},
		"link": func(dir string) string {
			p := filepath.Join(dir, "signIns/interactive-0001.json")
			other := filepath.Join(dir, "..", "other.json")
			raw, _ := os.ReadFile(p)
			_ = os.WriteFile(other, raw, 0o600)
			_ = os.Remove(p)
			_ = os.Symlink(other, p)
			return p
		},
		"added": func(dir string) string {
			p := filepath.Join(dir, "signIns/extra.json")
			_ = os.WriteFile(p, []byte(`{"value":[]}`), 0o600)
			return p
		},
	} {
		t.Run(name, func(t *testing.T) {
			w, _ := newBundle(t)
			_ = w.Plan(Source{ID: "s", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/interactive"})
			page(t, w, "s", `{"value":[{"id":"1"}]}`, "", 1)
			_ = w.End("s", Source{Status: SourceOK})
			if _, err := w.Close(Run{}); err != nil {
				t.Fatal(err)
			}
			want := tamper(w.Dir())
			b, err := Open(w.Dir())
			if err != nil {
				t.Fatal(err)
			}
			err = b.Verify()
			if !inputerr.Is(err) || !strings.Contains(err.Error(), want) {
				t.Errorf("Verify: %v, want an input error naming %s", err, want)
			}
		})
	}
}

// TestResume: a resumed writer continues each source after its last page;
// a last page recorded but never put in place is forgotten (fetched again),
// a file put in place but never recorded is removed, and a changed page
// refuses the resume.
func TestResume(t *testing.T) {
	w, _ := newBundle(t)
	_ = w.Plan(Source{ID: "a", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/a"})
	_ = w.Plan(Source{ID: "b", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/b"})
	page(t, w, "a", `{"value":[1]}`, "https://g/beta/x?$skiptoken=2", 1)
	page(t, w, "a", `{"value":[2]}`, "https://g/beta/x?$skiptoken=3", 1)
	page(t, w, "b", `{"value":[1]}`, "https://g/beta/y?$skiptoken=2", 1)
	dir := w.Dir()
	// interrupted: no Close. Page a-2 recorded but lost; a stray file left.
	_ = os.Remove(filepath.Join(dir, "signIns/a-0002.json"))
	_ = os.WriteFile(filepath.Join(dir, "signIns/b-0002.json"), []byte(`{"value":[9]}`), 0o600)
	r, removed, err := Resume(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != "signIns/b-0002.json" {
		t.Errorf("removed %v", removed)
	}
	if st, pages, next := r.Progress("a"); st != StatusIncomplete || pages != 1 || next != "https://g/beta/x?$skiptoken=2" {
		t.Errorf("a: %s %d %q", st, pages, next)
	}
	if _, pages, next := r.Progress("b"); pages != 1 || next != "https://g/beta/y?$skiptoken=2" {
		t.Errorf("b: %d %q", pages, next)
	}
	_ = r.Plan(Source{ID: "a", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/a"})
	f := page(t, r, "a", `{"value":[2,3]}`, "", 2)
	if f.Path != "signIns/a-0002.json" {
		t.Errorf("refetched page at %s", f.Path)
	}
	_ = r.End("a", Source{Status: SourceOK})
	m, err := r.Close(Run{Resumed: true})
	if err != nil {
		t.Fatal(err)
	}
	if m.Sources[0].Records != 3 || m.Sources[0].Pages != 2 || m.Status != StatusIncomplete {
		t.Errorf("after resume: %+v status %s", m.Sources[0], m.Status)
	}
	// a changed page refuses a later resume
	_ = os.WriteFile(filepath.Join(dir, "signIns/a-0001.json"), []byte(`{"value":[7]}`), 0o600)
	if _, _, err := Resume(dir, t0); !inputerr.Is(err) || !strings.Contains(err.Error(), "a-0001.json") {
		t.Errorf("resume of a changed bundle: %v", err)
	}
}

// TestExpand: hunt's arguments: a bundle is replaced by its verified log
// pages (never its manifest or journal), a directory of bundles by each
// bundle's pages plus its other entries, anything else passes unchanged;
// the window is the bundles' request; a changed bundle is an input error.
func TestExpand(t *testing.T) {
	w, parent := newBundle(t)
	_ = w.SetHeader(func(m *Manifest) {
		m.Request = Request{Since: t0.Add(-48 * time.Hour), Until: t0}
	})
	_ = w.Plan(Source{ID: "s", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/interactive"})
	_ = w.Plan(Source{ID: "d", Source: "authenticationMethods", Files: "users/a/authenticationMethods"})
	page(t, w, "s", `{"value":[]}`, "", 0)
	_, _ = w.WritePage("d", File{Source: "authenticationMethods", Role: RolePage}, []byte(`{"value":[]}`), "")
	_ = w.End("s", Source{Status: SourceOK})
	_ = w.End("d", Source{Status: SourceOK})
	if _, err := w.Close(Run{}); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(parent, "UAL.csv")
	_ = os.WriteFile(other, []byte("x"), 0o600)
	for _, args := range [][]string{{w.Dir(), "x.csv"}, {parent, "x.csv"}} {
		f, err := Expand(args)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{filepath.Join(w.Dir(), "signIns/interactive-0001.json"), "x.csv"}
		if args[0] == parent {
			want = []string{other, want[0], "x.csv"} // entries in name order
		}
		if len(f.Bundles) != 1 || strings.Join(f.Paths, ",") != strings.Join(want, ",") {
			t.Errorf("%v: bundles %d, paths %v, want %v", args, len(f.Bundles), f.Paths, want)
		}
		if from, to, ok := f.Window(); !ok || !from.Equal(t0.Add(-48*time.Hour)) || !to.Equal(t0) {
			t.Errorf("window %v %v", from, to)
		}
	}
	_ = os.WriteFile(filepath.Join(w.Dir(), "signIns/interactive-0001.json"), []byte(`{"value":[{}]}`), 0o600)
	if _, err := Expand([]string{parent}); !inputerr.Is(err) {
		t.Errorf("changed bundle: %v", err)
	}
}

// TestExpandRefusesUnfinishedBundle: a bundle whose run was killed before
// it wrote its manifest (only the journal says what it holds) is an input
// error naming it and --resume, given itself or the directory holding it;
// its pages are never read as plain exports.
func TestExpandRefusesUnfinishedBundle(t *testing.T) {
	w, parent := newBundle(t)
	_ = w.Plan(Source{ID: "s", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/interactive"})
	page(t, w, "s", `{"value":[{"id":"1"}]}`, "https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=1", 1)
	// killed: the journal is all there is
	for _, args := range [][]string{{w.Dir()}, {parent}} {
		f, err := Expand(args)
		if !inputerr.Is(err) || !strings.Contains(err.Error(), w.Dir()) || !strings.Contains(err.Error(), "tenantgate evidence --resume") {
			t.Errorf("%v: %v (paths %v)", args, err, f)
		}
	}
	// a directory with some other journal.jsonl is not taken for a bundle
	other := t.TempDir()
	_ = os.WriteFile(filepath.Join(other, JournalName), []byte(`{"t":"x"}`+"\n"), 0o600)
	if _, err := Expand([]string{other}); err != nil {
		t.Errorf("a foreign journal: %v", err)
	}
	// once closed (as --resume ends), it is read
	if _, err := w.Close(Run{}); err != nil {
		t.Fatal(err)
	}
	if f, err := Expand([]string{parent}); err != nil || len(f.Bundles) != 1 {
		t.Errorf("closed bundle: %v", err)
	}
}

// TestRecordType: a documented auditLogRecordType in any case gives its wire
// form (lower camel case, a leading acronym lowered whole); anything else,
// the enum's sentinel included, is refused; every default is documented and
// already in wire form.
func TestRecordType(t *testing.T) {
	for in, want := range map[string]string{
		"exchangeadmin": "exchangeAdmin", "ExchangeAdmin": "exchangeAdmin", " microsoftTeams ": "microsoftTeams",
		"CRM": "crm", "MIPLabel": "mipLabel", "AeD": "aeD", "WDATPAlerts": "wdatpAlerts", "MS365DIncident": "ms365DIncident",
		"azureactivedirectorystslogon": "azureActiveDirectoryStsLogon",
	} {
		if got, err := RecordType(in); err != nil || got != want {
			t.Errorf("RecordType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"exchange", "unknownFutureValue", "", "ExchangeAdmin,ExchangeItem", "15"} {
		if got, err := RecordType(bad); err == nil {
			t.Errorf("RecordType(%q) = %q, want an error", bad, got)
		}
	}
	for _, d := range DefaultRecordTypes() {
		if got, err := RecordType(d); err != nil || got != d {
			t.Errorf("default %q: %q, %v", d, got, err)
		}
	}
}

// TestNeverThroughALink: a bundle is never written through a symbolic
// link: not as -o DIR, not as a subdirectory of the bundle (a link planted
// before its first page), not as a page's own name, and a resume refuses a
// journal or a directory that is a link. Nothing reaches the link's target.
func TestNeverThroughALink(t *testing.T) {
	target := t.TempDir()
	empty := func(t *testing.T) {
		t.Helper()
		if entries, _ := os.ReadDir(target); len(entries) != 0 {
			t.Errorf("written through a link: %v", entries)
		}
	}
	t.Run("output directory", func(t *testing.T) {
		link := filepath.Join(t.TempDir(), "evidence")
		_ = os.Symlink(target, link)
		if _, err := Create(link, "tenant-20231214T010000Z", Manifest{}, t0); err == nil {
			t.Error("created a bundle through a linked -o")
		}
		empty(t)
	})
	t.Run("subdirectory", func(t *testing.T) {
		w, _ := newBundle(t)
		_ = w.Plan(Source{ID: "s", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/interactive"})
		_ = os.Symlink(target, filepath.Join(w.Dir(), "signIns"))
		if _, err := w.WritePage("s", File{Source: "signIns.interactive", Kind: KindSignIns, Role: RolePage}, []byte(`{"value":[]}`), ""); err == nil {
			t.Error("a page was written into a linked directory")
		}
		empty(t)
	})
	t.Run("page", func(t *testing.T) {
		w, _ := newBundle(t)
		_ = w.Plan(Source{ID: "s", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/interactive"})
		_ = os.Mkdir(filepath.Join(w.Dir(), "signIns"), 0o700)
		victim := filepath.Join(target, "victim.json")
		_ = os.Symlink(victim, filepath.Join(w.Dir(), "signIns", "interactive-0001.json"))
		if _, err := w.WritePage("s", File{Source: "signIns.interactive", Kind: KindSignIns, Role: RolePage}, []byte(`{"value":[]}`), ""); err == nil {
			t.Error("a page was written over a link")
		}
		empty(t)
	})
	t.Run("resume", func(t *testing.T) {
		for name, plant := range map[string]func(dir string){
			"journal": func(dir string) {
				j := filepath.Join(dir, JournalName)
				raw, _ := os.ReadFile(j)
				moved := filepath.Join(filepath.Dir(dir), "journal-elsewhere.jsonl")
				_ = os.WriteFile(moved, raw, 0o600)
				_ = os.Remove(j)
				_ = os.Symlink(moved, j)
			},
			"directory": func(dir string) { _ = os.Symlink(target, filepath.Join(dir, "directoryAudits")) },
		} {
			t.Run(name, func(t *testing.T) {
				w, _ := newBundle(t)
				_ = w.Plan(Source{ID: "s", Source: "signIns.interactive", Kind: KindSignIns, Files: "signIns/interactive"})
				page(t, w, "s", `{"value":[{"id":"1"}]}`, "https://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=1", 1)
				plant(w.Dir())
				if _, _, err := Resume(w.Dir(), t0); err == nil {
					t.Errorf("resumed with a linked %s", name)
				}
				empty(t)
			})
		}
	})
}

// TestNamedLocationsOnce: bundles of one tenant (a re-run beside the
// first) give each named location once; one that changed between them is
// kept in both versions.
func TestNamedLocationsOnce(t *testing.T) {
	parent := t.TempDir()
	office := `{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"l1","displayName":"HQ","isTrusted":true,"ipRanges":[{"cidrAddress":"203.0.113.0/24"}]}`
	for i, body := range []string{
		`{"value":[` + office + `]}`,
		`{"value":[` + office + `]}`,
		`{"value":[{"@odata.type":"#microsoft.graph.ipNamedLocation","id":"l1","displayName":"HQ","isTrusted":true,"ipRanges":[{"cidrAddress":"198.51.100.0/24"}]}]}`,
	} {
		w, err := Create(parent, "tenant-20231214T010000Z", Manifest{BundleID: fmt.Sprint(i)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		_ = w.Plan(Source{ID: NamedLocationsID, Source: "namedLocations", Files: "directory/namedLocations"})
		if _, err := w.WritePage(NamedLocationsID, File{Source: "namedLocations", Role: RolePage}, []byte(body), ""); err != nil {
			t.Fatal(err)
		}
		_ = w.End(NamedLocationsID, Source{Status: SourceOK})
		if _, err := w.Close(Run{}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := Expand([]string{parent})
	if err != nil {
		t.Fatal(err)
	}
	locs, missing, err := f.NamedLocations()
	if err != nil || len(f.Bundles) != 3 || len(missing) != 0 {
		t.Fatalf("%d bundles, missing %v, %v", len(f.Bundles), missing, err)
	}
	if len(locs) != 2 || !strings.Contains(string(locs[0]), "203.0.113.0/24") || !strings.Contains(string(locs[1]), "198.51.100.0/24") {
		t.Errorf("locations %s", locs)
	}
}
