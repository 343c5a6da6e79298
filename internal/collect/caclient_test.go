package collect

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/emulate"
)

// caFault serves the emulator, except the pages of the v1.0 CA policy list
// apply reads: a non-empty first or later replaces that page ({base} is the
// server's URL), as a misbehaving service or proxy might answer.
type caFault struct {
	next         http.Handler
	first, later string
}

func (f caFault) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == caPath {
		body := f.later
		if r.URL.Query().Get("$skiptoken") == "" {
			body = f.first
		}
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, strings.ReplaceAll(body, "{base}", "http://"+r.Host))
			return
		}
	}
	f.next.ServeHTTP(w, r)
}

// A page that is not a collection, or a nextLink off the endpoint, fails the
// list: read as an empty page it would cut the list short, and apply would
// create again a policy that exists on a later page.
func TestListPoliciesRejectsBadPages(t *testing.T) {
	const existing = `{"displayName": "tenantgate TG.CA.1 test", "state": "enabledForReportingButNotEnforced",
	 "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": ["4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01"]},
	  "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]},
	 "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}`
	snap := fixture(t)
	var policies []json.RawMessage
	if err := json.Unmarshal(snap.Data["conditionalAccessPolicies"], &policies); err != nil {
		t.Fatal(err)
	}
	// Last, so that it is on a later page.
	snap.Data["conditionalAccessPolicies"], _ = json.Marshal(append(policies, json.RawMessage(`{"id": "tg-1", `+existing[1:])))
	plan := &apply.Plan{
		BreakGlass: []apply.Account{{Requested: "bg", ID: "4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01"}},
		Create:     []apply.Item{{Control: "TG.CA.1", DisplayName: "tenantgate TG.CA.1 test", Body: json.RawMessage(existing)}},
	}
	tests := []struct {
		name         string
		first, later string
		want         string // error substring; "" lists every policy
	}{
		{"well-formed pages", "", "", ""},
		{"later page without value", "", `{"@odata.context": "{base}/v1.0/$metadata#identity/conditionalAccess/policies"}`, "no value array"},
		{"later page with value null", "", `{"value": null}`, "no value array"},
		{"later page with value not an array", "", `{"value": {}}`, "no value array"},
		{"nextLink to another host", `{"value": [], "@odata.nextLink": "https://graph.example.net/v1.0/identity/conditionalAccess/policies?$skiptoken=3"}`, "", "outside the Graph endpoint"},
		{"nextLink to another API version", `{"value": [], "@odata.nextLink": "{base}/beta/identity/conditionalAccess/policies?$skiptoken=3"}`, "", "outside the Graph endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(TokenEnv, testToken)
			srv := emulate.New(snap, emulate.Options{PageSize: 3})
			ts := httptest.NewServer(caFault{next: srv, first: tt.first, later: tt.later})
			t.Cleanup(ts.Close)
			c, err := NewCAClient(conn.Options{TenantID: "fixture", GraphEndpoint: ts.URL, ARMEndpoint: ts.URL})
			if err != nil {
				t.Fatal(err)
			}
			list, err := c.ListPolicies(context.Background())
			if tt.want == "" {
				if err != nil || len(list) != len(policies)+1 {
					t.Fatalf("listed %d policies, want %d (error %v)", len(list), len(policies)+1, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("listed %d policies, error %v; want an error saying %q", len(list), err, tt.want)
			}
			if _, err := apply.Apply(context.Background(), c, plan, false); err == nil {
				t.Error("apply did not fail on a list it cannot trust")
			}
			for _, r := range srv.Requests() {
				if r.Method != http.MethodGet {
					t.Errorf("apply sent %s %s", r.Method, r.Path)
				}
			}
		})
	}
}
