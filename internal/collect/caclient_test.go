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
	"github.com/tenantgate/tenantgate/internal/report"
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
			if _, err := apply.Apply(context.Background(), c, plan, apply.Options{}); err == nil {
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

// TestAmbiguousCreate: a create whose answer is lost or an error (504, 503,
// 429, a dropped connection) is never resent, by the SDK or by apply; apply
// re-reads the policies and reports, by the body's displayName, whether it
// was created. Before the fix the SDK's retry handler resent the POST on
// 429/503/504 and the tenant got the policy twice.
func TestAmbiguousCreate(t *testing.T) {
	const name = "tenantgate TG.CA.4 test"
	body := json.RawMessage(`{"displayName": "` + name + `", "state": "enabledForReportingButNotEnforced",
	 "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": ["4f6a2a0e-8b1c-4a52-9d3e-0b7c1e5a9f01", "9c1d7e3b-2f4a-4e6b-8a5c-3d2e1f0a7b02"]},
	  "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]},
	 "grantControls": {"operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}}`)
	plan := &apply.Plan{
		Tenant: fixtureTenant(t),
		Create: []apply.Item{{Control: "TG.CA.4", DisplayName: name, Body: body}},
	}
	opts := apply.Options{BreakGlass: breakGlass(t)}
	tests := []struct {
		fault  string
		status string // outcome of the first apply
		text   string // in its note or error
	}{
		{"after:504", apply.Created, "confirmed after HTTP 504"},
		{"after:503", apply.Created, "confirmed after HTTP 503"},
		{"after:429", apply.Created, "confirmed after HTTP 429"},
		{"after:500", apply.Created, "confirmed after HTTP 500"},
		{"after:reset", apply.Created, "confirmed after no answer"},
		{"before:503", apply.Failed, "not created: the create got HTTP 503"},
		{"before:reset", apply.Failed, "not created: the create got no answer"},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			cf, err := emulate.ParseCreateFault(tt.fault + ":1")
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv(TokenEnv, testToken)
			srv := emulate.New(fixture(t), emulate.Options{Faults: emulate.Faults{Create: cf}})
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			c, err := NewCAClient(conn.Options{TenantID: "fixture", GraphEndpoint: ts.URL, ARMEndpoint: ts.URL})
			if err != nil {
				t.Fatal(err)
			}
			posts := func() int {
				n := 0
				for _, r := range srv.Requests() {
					if r.Method == http.MethodPost {
						n++
					}
				}
				return n
			}
			named := func() int {
				n := 0
				for _, raw := range srv.ConditionalAccessPolicies() {
					if h, _ := apply.ParseHead(raw); h.DisplayName == name {
						n++
					}
				}
				return n
			}
			out, err := apply.Apply(context.Background(), c, plan, opts)
			if err != nil {
				t.Fatal(err)
			}
			o := out[0]
			if o.Status != tt.status || !strings.Contains(o.Note+o.Error, tt.text) {
				t.Errorf("outcome %+v, want %s with %q", o, tt.status, tt.text)
			}
			if posts() != 1 {
				t.Fatalf("%d POSTs for one policy", posts())
			}
			if o.Status == apply.Created && (o.ID == "" || named() != 1) {
				t.Errorf("id %q, %d policies named so", o.ID, named())
			}
			// The next apply creates what is missing, once, and nothing twice.
			out, err = apply.Apply(context.Background(), c, plan, opts)
			if err != nil {
				t.Fatal(err)
			}
			if named() != 1 {
				t.Fatalf("after a second apply %d policies are named %q", named(), name)
			}
			if want := map[string]string{apply.Created: apply.Exists, apply.Failed: apply.Created}[tt.status]; out[0].Status != want {
				t.Errorf("second apply: %+v, want %s", out[0], want)
			}
		})
	}
}

// fixtureTenant is the tenant the fixture's organization names.
func fixtureTenant(t testing.TB) report.Tenant {
	var org struct{ ID, DisplayName string }
	if err := json.Unmarshal(fixture(t).Data["organization"], &org); err != nil {
		t.Fatal(err)
	}
	return report.Tenant{ID: org.ID, DisplayName: org.DisplayName}
}

// TestEchoedTokenIsRedacted: a service that repeats the bearer token in its
// error messages (alone, inside $batch items, on POST, on 401) never gets it
// into a snapshot's source errors, the log, an error or apply's outcome: the
// text is redacted where it enters, and says so.
func TestEchoedTokenIsRedacted(t *testing.T) {
	faults := emulate.Faults{EchoToken: true}
	t.Run("collect: denied and failing sources in $batch and alone", func(t *testing.T) {
		e := newEnv(t, fixture(t), emulate.Options{PageSize: 2, Deny: []string{"authorizationPolicy", "diagnosticSettings"},
			Fail: map[string]int{"namedLocations": -1}, Faults: faults})
		snap, err := e.collect(t, breakGlass(t)) // checkNoLeak: snapshot, log, error
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"authorizationPolicy", "diagnosticSettings", "namedLocations"} {
			if s := snap.Sources[name]; !strings.Contains(s.Error, "Authorization: [redacted]") {
				t.Errorf("%s: %+v (want the echoed header, redacted)", name, s)
			}
		}
	})
	t.Run("collect: token refused everywhere", func(t *testing.T) {
		e := newEnv(t, fixture(t), emulate.Options{Token: "another-token-entirely", Faults: faults})
		_, err := e.collect(t, nil)
		if err == nil || !strings.Contains(err.Error(), "[redacted]") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("apply: list and create", func(t *testing.T) {
		t.Setenv(TokenEnv, testToken)
		for _, eo := range []emulate.Options{{Deny: []string{"conditionalAccessPolicies"}, Faults: faults}, {DenyWrites: true, Faults: faults}} {
			ts := httptest.NewServer(emulate.New(fixture(t), eo))
			t.Cleanup(ts.Close)
			c, err := NewCAClient(conn.Options{TenantID: "fixture", GraphEndpoint: ts.URL, ARMEndpoint: ts.URL})
			if err != nil {
				t.Fatal(err)
			}
			_, lerr := c.ListPolicies(context.Background())
			_, cerr := c.CreatePolicy(context.Background(), []byte(`{"displayName": "x", "state": "enabledForReportingButNotEnforced", "conditions": {}, "grantControls": {}}`))
			for _, err := range []error{lerr, cerr} {
				if err != nil && strings.Contains(err.Error(), testToken) {
					t.Fatalf("the token leaked: %v", err)
				}
			}
			if (lerr == nil || !strings.Contains(lerr.Error(), "[redacted]")) && (cerr == nil || !strings.Contains(cerr.Error(), "[redacted]")) {
				t.Errorf("no echoed error seen: list %v, create %v", lerr, cerr)
			}
		}
	})
}
