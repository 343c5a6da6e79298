package permissions

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Every snapshot source is collected by exactly one catalog entry that names
// what it needs, so `tenantgate permissions` can never miss a source.
func TestEndpointsCoverEverySource(t *testing.T) {
	seen := map[string]int{}
	for _, e := range Endpoints {
		seen[e.Source]++
		if _, ok := snapshot.Sources[e.Source]; !ok {
			t.Errorf("%s is not a snapshot source", e.Source)
		}
		switch e.API {
		case Graph:
			if len(e.Application) == 0 || len(e.Delegated) == 0 || (e.Version != "v1.0" && e.Version != "beta") {
				t.Errorf("%s: Graph endpoint without permissions or version", e.Source)
			}
		case ARM:
			if e.AzureRole == "" || !strings.Contains(e.Query, "api-version=") {
				t.Errorf("%s: ARM endpoint without role or api-version", e.Source)
			}
		default:
			t.Errorf("%s: unknown API %q", e.Source, e.API)
		}
		if !strings.HasPrefix(e.Request(), "GET /") {
			t.Errorf("%s: request line %q", e.Source, e.Request())
		}
	}
	for name := range snapshot.Sources {
		if seen[name] != 1 {
			t.Errorf("source %s has %d catalog entries, want 1", name, seen[name])
		}
	}
}

func TestTextNamesEveryPermission(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, 80); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(b.String()), " ") // wrapped at 80 columns
	for _, n := range Needs() {
		for _, p := range append(n.Application, n.AzureRoles...) {
			if !strings.Contains(text, p) {
				t.Errorf("text lacks %q", p)
			}
		}
	}
}

// TestGrantTextCoversEvidence: the "How to grant" steps name every
// application permission evidence needs, those beyond collect's read set
// included, so a credential set up by them is not denied evidence's sources.
func TestGrantTextCoversEvidence(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, 80); err != nil {
		t.Fatal(err)
	}
	_, grant, ok := strings.Cut(b.String(), "How to grant")
	if !ok {
		t.Fatal("no grant steps")
	}
	need, _ := For("evidence")
	if len(need.Application) == 0 {
		t.Fatal("evidence needs no permission")
	}
	for _, p := range need.Application {
		if !strings.Contains(grant, p) {
			t.Errorf("the grant steps do not name %s", p)
		}
	}
}

// TestReadmeDocumentsEvidenceSources: the README's evidence section names
// every source's request and least-privileged permission, as the catalog
// `tenantgate permissions` prints them (the issue's "README documents the
// permissions and the licences each source needs"; the catalog is the
// reference, the README must not drift from it).
func TestReadmeDocumentsEvidenceSources(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(raw), "## Collect an incident's evidence")
	if !ok {
		t.Fatal("README has no evidence section")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	// the licence each licensed source needs, as the README's table words it
	licence := map[string]string{"signIns": "Entra ID P1/P2", "directoryAudits": "7 days Free, 30 P1/P2",
		"unifiedAuditLog": "Purview Audit (Standard) 180 days", "messageRules": "Exchange Online"}
	for _, e := range EvidenceSources {
		for _, req := range strings.Split(e.Request, ";") {
			path, _, _ := strings.Cut(strings.TrimSpace(req), "?")
			path = strings.TrimPrefix(strings.TrimPrefix(path, "GET "), "POST ")
			if strings.Contains(path, "…") {
				continue // "…/queries/{id}": abbreviated in both
			}
			// the README may abbreviate a request beside another to its last
			// segment: `/v1.0/users/{upn}/registeredDevices`, `/ownedDevices`
			short := "`" + path[strings.LastIndex(path, "/"):] + "`"
			if !strings.Contains(sec, path) && !strings.Contains(sec, short) {
				t.Errorf("%s: the README's evidence section does not name %s", e.Source, path)
			}
		}
		for _, p := range e.Application {
			if !strings.Contains(sec, p) {
				t.Errorf("%s: the README's evidence section does not name %s", e.Source, p)
			}
		}
		if len(e.Licenses) > 0 && (licence[e.Source] == "" || !strings.Contains(sec, licence[e.Source])) {
			t.Errorf("%s needs %v: the README's table does not say so", e.Source, e.Licenses)
		}
	}
}
