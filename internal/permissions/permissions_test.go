package permissions

import (
	"bytes"
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
