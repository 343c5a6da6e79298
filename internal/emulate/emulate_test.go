package emulate

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// fixture is a small tenant: three CA policies, a break-glass user in a
// group and a directory role, one diagnostic setting and its workspace.
func fixture(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	raw := `{
 "schemaVersion": 1, "collectedAt": "2026-01-01T00:00:00Z", "tool": {"name": "tenantgate", "version": "test"},
 "tenant": {"id": "11111111-1111-1111-1111-111111111111", "displayName": "Fixture"},
 "sources": {
  "organization": {"status": "ok"}, "authorizationPolicy": {"status": "ok"},
  "conditionalAccessPolicies": {"status": "ok"}, "breakGlassAccounts": {"status": "ok"},
  "diagnosticSettings": {"status": "ok"}, "logAnalyticsWorkspaces": {"status": "ok"},
  "subscribedSkus": {"status": "denied", "httpStatus": 403, "code": "Authorization_RequestDenied", "error": "Insufficient privileges to complete the operation."},
  "namedLocations": {"status": "error", "httpStatus": 504, "code": "GatewayTimeout", "error": "upstream timed out"}
 },
 "data": {
  "organization": {"id": "11111111-1111-1111-1111-111111111111", "displayName": "Fixture"},
  "authorizationPolicy": {"id": "authorizationPolicy", "allowInvitesFrom": "everyone", "futureField": {"x": 1}},
  "conditionalAccessPolicies": [
   {"id": "p1", "displayName": "one", "state": "enabled", "sessionControls": {"continuousAccessEvaluation": {"mode": "strictLocation"}}},
   {"id": "p2", "displayName": "two", "state": "disabled"},
   {"id": "p3", "displayName": "three", "state": "enabledForReportingButNotEnforced"}],
  "breakGlassAccounts": [
   {"requested": "bg@fixture.test", "user": {"id": "u1", "userPrincipalName": "bg@fixture.test", "displayName": "BG", "accountEnabled": true},
    "transitiveMemberOf": [{"@odata.type": "#microsoft.graph.group", "id": "g1"},
                           {"@odata.type": "#microsoft.graph.directoryRole", "id": "r1", "roleTemplateId": "62e90394-69f5-4237-9190-012177145e10"}]},
   {"requested": "gone@fixture.test", "user": null, "transitiveMemberOf": []}],
  "diagnosticSettings": [{"id": "providers/Microsoft.Aadiam/diagnosticSettings/sentinel", "name": "sentinel",
   "properties": {"workspaceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"}}],
  "logAnalyticsWorkspaces": [{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law",
   "name": "law", "location": "japaneast", "properties": {"retentionInDays": 90}}]
 }}`
	s, err := snapshot.Parse("fixture", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type client struct {
	t    *testing.T
	base string
}

func start(t *testing.T, opts Options) (*Server, *client) {
	srv := New(fixture(t), opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, &client{t: t, base: ts.URL}
}

// do sends a request and decodes the JSON answer.
func (c *client) do(method, path string, body []byte, header map[string]string) (int, http.Header, map[string]any) {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(u, "http") {
		u = c.base + path
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer test-token")
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			c.t.Fatalf("%s %s: body is not a JSON object: %s", method, path, raw)
		}
	}
	return resp.StatusCode, resp.Header, out
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

var graphDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$`)

func TestAuth(t *testing.T) {
	_, c := start(t, Options{Token: "right"})
	tests := []struct {
		name, path, auth string
		want             int
		code             string
	}{
		{"graph without header", "/v1.0/organization", "", 401, "InvalidAuthenticationToken"},
		{"graph empty bearer", "/v1.0/organization", "Bearer ", 401, "InvalidAuthenticationToken"},
		{"graph basic auth", "/v1.0/organization", "Basic eDp5", 401, "InvalidAuthenticationToken"},
		{"graph wrong token", "/beta/organization", "Bearer wrong", 401, "InvalidAuthenticationToken"},
		{"graph right token", "/v1.0/organization", "Bearer right", 200, ""},
		{"arm without header", "/providers/microsoft.aadiam/diagnosticSettings?api-version=2017-04-01", "", 401, "AuthenticationFailed"},
		{"arm right token", "/providers/microsoft.aadiam/diagnosticSettings?api-version=2017-04-01", "Bearer right", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := c.do("GET", tt.path, nil, map[string]string{"Authorization": tt.auth})
			if status != tt.want || errCode(body) != tt.code {
				t.Fatalf("got %d %q, want %d %q", status, errCode(body), tt.want, tt.code)
			}
			if strings.HasPrefix(tt.path, "/v1.0") && status == 401 {
				inner := body["error"].(map[string]any)["innerError"].(map[string]any)
				if !graphDate.MatchString(inner["date"].(string)) {
					t.Fatalf("innerError.date %q is not YYYY-MM-DDTHH:MM:SS", inner["date"])
				}
			}
		})
	}
}

func TestPaging(t *testing.T) {
	for _, size := range []int{1, 2, 3, 100} {
		_, c := start(t, Options{PageSize: size})
		var ids []string
		next, pages := "/beta/identity/conditionalAccess/policies", 0
		for next != "" {
			status, _, body := c.do("GET", next, nil, nil)
			if status != 200 {
				t.Fatalf("page size %d: status %d", size, status)
			}
			for _, v := range body["value"].([]any) {
				ids = append(ids, v.(map[string]any)["id"].(string))
			}
			next, _ = body["@odata.nextLink"].(string)
			if next != "" && !strings.HasPrefix(next, c.base+"/beta/identity/conditionalAccess/policies?") {
				t.Fatalf("nextLink %q is not absolute on the server's host", next)
			}
			pages++
		}
		if strings.Join(ids, ",") != "p1,p2,p3" || pages != (3+size-1)/size {
			t.Fatalf("page size %d: ids %v in %d pages", size, ids, pages)
		}
	}
}

func TestObjectsAndSingles(t *testing.T) {
	_, c := start(t, Options{})
	status, _, body := c.do("GET", "/v1.0/policies/authorizationPolicy", nil, nil)
	if status != 200 || body["futureField"] == nil {
		t.Fatalf("authorizationPolicy: %d %v (unknown fields must be kept)", status, body)
	}
	status, _, body = c.do("GET", "/v1.0/organization", nil, nil)
	if v, _ := body["value"].([]any); status != 200 || len(v) != 1 {
		t.Fatalf("organization must be a collection of one: %d %v", status, body)
	}
	status, _, body = c.do("GET", "/v1.0/identity/conditionalAccess/policies/P2", nil, nil)
	if status != 200 || body["displayName"] != "two" {
		t.Fatalf("policy by id: %d %v", status, body)
	}
}

func TestSnapshotStatuses(t *testing.T) {
	_, c := start(t, Options{})
	tests := []struct {
		path string
		want int
		code string
	}{
		{"/v1.0/subscribedSkus", 403, "Authorization_RequestDenied"},
		{"/v1.0/identity/conditionalAccess/namedLocations", 504, "GatewayTimeout"},
		{"/v1.0/policies/deviceRegistrationPolicy", 404, "Request_ResourceNotFound"}, // not in the snapshot
		{"/v1.0/no/such/thing", 404, "Request_ResourceNotFound"},
	}
	for _, tt := range tests {
		status, _, body := c.do("GET", tt.path, nil, nil)
		if status != tt.want || errCode(body) != tt.code {
			t.Errorf("%s: got %d %q, want %d %q", tt.path, status, errCode(body), tt.want, tt.code)
		}
	}
}

func TestInjection(t *testing.T) {
	srv, c := start(t, Options{Deny: []string{"conditionalAccessPolicies", "diagnosticSettings"},
		Fail: map[string]int{"authorizationPolicy": 2, "organization": -1}, RetryAfter: 3})
	tests := []struct {
		path  string
		wants []int
		code  string
	}{
		{"/beta/identity/conditionalAccess/policies", []int{403}, "AccessDenied"},
		{"/providers/microsoft.aadiam/diagnosticSettings?api-version=2017-04-01", []int{403}, "AuthorizationFailed"},
		{"/v1.0/policies/authorizationPolicy", []int{503, 503, 200, 200}, ""},
		{"/v1.0/organization", []int{503, 503, 503}, ""},
	}
	for _, tt := range tests {
		for i, want := range tt.wants {
			status, h, body := c.do("GET", tt.path, nil, nil)
			if status != want {
				t.Fatalf("%s #%d: got %d, want %d", tt.path, i+1, status, want)
			}
			if status == 503 && h.Get("Retry-After") != "3" {
				t.Fatalf("%s: 503 without Retry-After", tt.path)
			}
			if tt.code != "" && errCode(body) != tt.code {
				t.Fatalf("%s: code %q, want %q", tt.path, errCode(body), tt.code)
			}
		}
	}
	if n := srv.RoundTrips(); n != 9 {
		t.Fatalf("recorded %d round trips, want 9", n)
	}
}

func TestThrottle(t *testing.T) {
	_, c := start(t, Options{Throttle: 2, RetryAfter: 1})
	for i, want := range []int{429, 429, 200} {
		status, h, body := c.do("GET", "/v1.0/policies/authorizationPolicy", nil, nil)
		if status != want {
			t.Fatalf("request %d: %d, want %d", i+1, status, want)
		}
		if status == 429 {
			inner := body["error"].(map[string]any)["innerError"].(map[string]any)
			if h.Get("Retry-After") != "1" || errCode(body) != "TooManyRequests" || !graphDate.MatchString(inner["date"].(string)) {
				t.Fatalf("429 shape: %v %v", h, body)
			}
		}
	}
	// A different query is a different request: throttled anew.
	if status, _, _ := c.do("GET", "/v1.0/policies/authorizationPolicy?$select=id", nil, nil); status != 429 {
		t.Fatalf("new URL not throttled: %d", status)
	}
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBatch(t *testing.T) {
	srv, c := start(t, Options{ThrottleItems: 1, RetryAfter: 2})
	body := []byte(`{"requests": [
	 {"id": "a", "method": "GET", "url": "/policies/authorizationPolicy", "headers": {}, "body": null, "dependsOn": []},
	 {"id": "b", "method": "GET", "url": "/users/BG@fixture.test?$select=id,userPrincipalName", "headers": {}, "body": null, "dependsOn": []},
	 {"id": "c", "method": "GET", "url": "users/u1/transitiveMemberOf", "headers": {}, "body": null, "dependsOn": []},
	 {"id": "d", "method": "GET", "url": "/users/gone@fixture.test", "headers": {}, "body": null, "dependsOn": []},
	 {"id": "e", "method": "GET", "url": "/users/u1", "dependsOn": ["d"]}]}`)
	for round := 1; round <= 2; round++ {
		status, _, out := c.do("POST", "/v1.0/$batch", gz(t, body), map[string]string{"Content-Encoding": "gzip", "Content-Type": "application/json"})
		if status != 200 {
			t.Fatalf("round %d: $batch status %d: %v", round, status, out)
		}
		got := map[string]int{}
		for _, r := range out["responses"].([]any) {
			item := r.(map[string]any)
			got[item["id"].(string)] = int(item["status"].(float64))
			if item["status"].(float64) == 429 && item["headers"].(map[string]any)["Retry-After"] != "2" {
				t.Fatalf("item 429 without Retry-After: %v", item)
			}
			if item["id"] == "c" && item["status"].(float64) == 200 {
				if v := item["body"].(map[string]any)["value"].([]any); len(v) != 2 {
					t.Fatalf("transitiveMemberOf: %v", v)
				}
			}
		}
		// Round 1: every item's first request is throttled except the one
		// whose dependency failed; round 2: real answers.
		want := map[string]int{"a": 429, "b": 429, "c": 429, "d": 429, "e": 424}
		if round == 2 {
			want = map[string]int{"a": 200, "b": 200, "c": 200, "d": 404, "e": 424}
		}
		for id, st := range want {
			if got[id] != st {
				t.Fatalf("round %d item %s: %d, want %d (all: %v)", round, id, got[id], st, got)
			}
		}
	}
	if n := srv.RoundTrips(); n != 2 {
		t.Fatalf("round trips %d, want 2", n)
	}
}

func TestBatchRejects(t *testing.T) {
	_, c := start(t, Options{})
	many := `{"requests": [` + strings.TrimSuffix(strings.Repeat(`{"id": "x", "method": "GET", "url": "/organization"},`, 21), ",") + `]}`
	var uniq []string
	for i := 0; i < 21; i++ {
		uniq = append(uniq, `{"id": "`+string(rune('a'+i))+`", "method": "GET", "url": "/organization"}`)
	}
	tests := []struct {
		name, body string
		header     map[string]string
		want       int
	}{
		{"not json", `{`, nil, 400},
		{"empty", `{"requests": []}`, nil, 400},
		{"duplicate ids", `{"requests": [{"id": "1", "method": "GET", "url": "/organization"}, {"id": "1", "method": "GET", "url": "/organization"}]}`, nil, 400},
		{"21 requests", many, nil, 400},
		{"21 unique requests", `{"requests": [` + strings.Join(uniq, ",") + `]}`, nil, 400},
		{"unknown encoding", `{}`, map[string]string{"Content-Encoding": "br"}, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, _, _ := c.do("POST", "/v1.0/$batch", []byte(tt.body), tt.header); status != tt.want {
				t.Fatalf("got %d, want %d", status, tt.want)
			}
		})
	}
}

func TestCreatePolicy(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	srv, c := start(t, Options{Now: func() time.Time { return now }})
	body := []byte(`{"displayName": "AiTM-01 [report-only]", "state": "enabledForReportingButNotEnforced",
	  "conditions": {"@odata.type": "#microsoft.graph.conditionalAccessConditionSet", "users": {"includeUsers": ["All"]},
	    "applications": {"includeApplications": ["All"]}},
	  "sessionControls": {"signInFrequency": {"@odata.type": "#microsoft.graph.signInFrequencySessionControl", "isEnabled": true, "value": 1, "type": "hours"}}}`)
	status, h, out := c.do("POST", "/v1.0/identity/conditionalAccess/policies", gz(t, body), map[string]string{"Content-Encoding": "gzip", "Content-Type": "application/json"})
	if status != 201 || out["id"] == "" || out["createdDateTime"] != "2026-05-01T12:00:00.0000000Z" || h.Get("Location") == "" {
		t.Fatalf("create: %d %v", status, out)
	}
	if strings.Contains(mustJSON(t, out), "@odata.type") {
		t.Fatalf("@odata.type kept: %v", out)
	}
	_, _, list := c.do("GET", "/beta/identity/conditionalAccess/policies", nil, nil)
	if v := list["value"].([]any); len(v) != 4 || v[3].(map[string]any)["id"] != out["id"] {
		t.Fatalf("created policy not listed: %v", v)
	}
	// Invalid body and the methods apply must never send.
	if status, _, out := c.do("POST", "/v1.0/identity/conditionalAccess/policies", []byte(`{"displayName": "x"}`), nil); status != 400 || !strings.HasPrefix(out["error"].(map[string]any)["message"].(string), "1007") {
		t.Fatalf("invalid policy: %d %v", status, out)
	}
	for _, m := range []string{"PATCH", "DELETE"} {
		if status, _, _ := c.do(m, "/v1.0/identity/conditionalAccess/policies/p1", []byte(`{}`), nil); status != 405 {
			t.Fatalf("%s: %d, want 405", m, status)
		}
	}
	var writes []string
	for _, r := range srv.Requests() {
		if r.Method != "GET" {
			writes = append(writes, r.Method+" "+r.Path)
		}
	}
	want := "POST /v1.0/identity/conditionalAccess/policies,POST /v1.0/identity/conditionalAccess/policies,PATCH /v1.0/identity/conditionalAccess/policies/p1,DELETE /v1.0/identity/conditionalAccess/policies/p1"
	if strings.Join(writes, ",") != want {
		t.Fatalf("recorded writes %v", writes)
	}
	if n := len(srv.ConditionalAccessPolicies()); n != 4 {
		t.Fatalf("%d policies stored, want 4", n)
	}
}

func TestARM(t *testing.T) {
	_, c := start(t, Options{})
	ws := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/law"
	tests := []struct {
		path string
		want int
	}{
		{"/providers/microsoft.aadiam/diagnosticSettings?api-version=2017-04-01", 200},
		{"/providers/Microsoft.Aadiam/diagnosticSettings/sentinel?api-version=2017-04-01", 200},
		{"/providers/microsoft.aadiam/diagnosticSettings", 400},
		{ws + "?api-version=2022-10-01", 200},
		{strings.ToLower(ws) + "?api-version=2022-10-01", 200},
		{ws + "x?api-version=2022-10-01", 404},
	}
	for _, tt := range tests {
		status, _, body := c.do("GET", tt.path, nil, nil)
		if status != tt.want {
			t.Errorf("%s: %d, want %d (%v)", tt.path, status, tt.want, body)
		}
		if strings.Contains(tt.path, "workspaces") && status == 200 {
			if body["properties"].(map[string]any)["retentionInDays"] != float64(90) {
				t.Errorf("workspace body %v", body)
			}
		}
	}
}

func TestUsers(t *testing.T) {
	_, c := start(t, Options{PageSize: 1})
	tests := []struct {
		path string
		want int
	}{
		{"/v1.0/users/bg@fixture.test", 200},
		{"/v1.0/users/BG@FIXTURE.TEST?$select=id", 200},
		{"/v1.0/users/u1", 200},
		{"/v1.0/users/gone@fixture.test", 404},
		{"/v1.0/users/nobody", 404},
		{"/v1.0/users/u1/transitiveMemberOf", 200},
	}
	for _, tt := range tests {
		status, _, body := c.do("GET", tt.path, nil, nil)
		if status != tt.want {
			t.Errorf("%s: %d, want %d", tt.path, status, tt.want)
		}
		if strings.HasSuffix(tt.path, "transitiveMemberOf") && body["@odata.nextLink"] == nil {
			t.Errorf("memberships must page at page size 1: %v", body)
		}
	}
}

func TestLatencyDoesNotBreakRequests(t *testing.T) {
	srv, c := start(t, Options{Latency: time.Millisecond})
	if status, _, _ := c.do("GET", "/v1.0/organization", nil, nil); status != 200 {
		t.Fatalf("status %d", status)
	}
	if srv.RoundTrips() != 1 {
		t.Fatal("request not recorded")
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFaults: each fault of the harness does what it says, and only that.
func TestFaults(t *testing.T) {
	policy := []byte(`{"displayName": "x", "state": "enabledForReportingButNotEnforced", "conditions": {"users": {"includeUsers": ["All"]}}, "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}`)
	const caPath = "/v1.0/identity/conditionalAccess/policies"
	count := func(srv *Server) int { return len(srv.ConditionalAccessPolicies()) }

	t.Run("create answered 504 after storing, first time only", func(t *testing.T) {
		srv, c := start(t, Options{Faults: Faults{Create: CreateFault{Status: 504, Times: 1}}})
		n := count(srv)
		if st, _, _ := c.do("POST", caPath, policy, nil); st != 504 || count(srv) != n+1 {
			t.Fatalf("first create: %d, %d policies (want 504 and stored)", st, count(srv)-n)
		}
		if st, _, _ := c.do("POST", caPath, policy, nil); st != 201 || count(srv) != n+2 {
			t.Fatalf("second create: %d", st)
		}
	})
	t.Run("create answered 503 before storing", func(t *testing.T) {
		srv, c := start(t, Options{Faults: Faults{Create: CreateFault{Status: 503, Before: true}}})
		n := count(srv)
		if st, _, _ := c.do("POST", caPath, policy, nil); st != 503 || count(srv) != n {
			t.Fatalf("create: %d, %d stored", st, count(srv)-n)
		}
	})
	t.Run("create reset after storing", func(t *testing.T) {
		srv, c := start(t, Options{Faults: Faults{Create: CreateFault{Reset: true}}})
		n := count(srv)
		req, _ := http.NewRequest("POST", c.base+caPath, bytes.NewReader(policy))
		req.Header.Set("Authorization", "Bearer t")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("got an answer (%d), want a dropped connection", resp.StatusCode)
		}
		if count(srv) != n+1 {
			t.Fatal("the policy was not stored")
		}
	})
	t.Run("redirect alone and in $batch", func(t *testing.T) {
		_, c := start(t, Options{Faults: Faults{Redirect: []string{"organization"}, RedirectTo: "http://other.example:81"}})
		req, _ := http.NewRequest("GET", c.base+"/v1.0/organization?$select=id", nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 302 || resp.Header.Get("Location") != "http://other.example:81/v1.0/organization?$select=id" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		st, _, body := c.do("POST", "/v1.0/$batch", []byte(`{"requests": [{"id": "1", "method": "GET", "url": "/organization"}, {"id": "2", "method": "GET", "url": "/policies/authorizationPolicy"}]}`), nil)
		if st != 200 || !strings.Contains(mustJSON(t, body), `"status":302`) || !strings.Contains(mustJSON(t, body), `"status":200`) {
			t.Fatalf("%d %s", st, mustJSON(t, body))
		}
	})
	t.Run("later pages cut", func(t *testing.T) {
		_, c := start(t, Options{PageSize: 1, Faults: Faults{ResetPages: true}})
		st, _, body := c.do("GET", caPath, nil, nil)
		next, _ := body["@odata.nextLink"].(string)
		if st != 200 || next == "" {
			t.Fatalf("first page: %d %v", st, body)
		}
		req, _ := http.NewRequest("GET", next, nil)
		req.Header.Set("Authorization", "Bearer t")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Fatal("a later page arrived whole")
		}
	})
	t.Run("padded and slow bodies still parse", func(t *testing.T) {
		_, c := start(t, Options{Faults: Faults{PadBody: 1 << 16, SlowBody: time.Millisecond}})
		if st, _, body := c.do("GET", "/v1.0/organization", nil, nil); st != 200 || body["value"] == nil {
			t.Fatalf("%d %v", st, body)
		}
	})
	t.Run("errors echo the token, alone and in $batch", func(t *testing.T) {
		_, c := start(t, Options{Deny: []string{"authorizationPolicy"}, Faults: Faults{EchoToken: true}})
		if _, _, body := c.do("GET", "/v1.0/policies/authorizationPolicy", nil, nil); !strings.Contains(mustJSON(t, body), "Bearer test-token") {
			t.Fatalf("no echo: %s", mustJSON(t, body))
		}
		_, _, body := c.do("POST", "/v1.0/$batch", []byte(`{"requests": [{"id": "1", "method": "GET", "url": "/policies/authorizationPolicy"}]}`), nil)
		if !strings.Contains(mustJSON(t, body), "Bearer test-token") {
			t.Fatalf("no echo in the item: %s", mustJSON(t, body))
		}
	})
}

func TestParseCreateFault(t *testing.T) {
	for _, spec := range []string{"after:504", "before:503:2", "after:reset:1", "before:reset", "after:429"} {
		f, err := ParseCreateFault(spec)
		if err != nil || f.String() != spec {
			t.Errorf("%s: %+v %v (round trip %q)", spec, f, err, f.String())
		}
	}
	for _, spec := range []string{"", "after", "after:404", "whenever:504", "after:504:0", "after:504:1:2"} {
		if _, err := ParseCreateFault(spec); err == nil {
			t.Errorf("%q accepted", spec)
		}
	}
}

// TestRealShapes: the served policies take each version's shape, v1.0
// refuses a body with a beta-only field, and Intune without a licence
// answers Graph's 400.
func TestRealShapes(t *testing.T) {
	_, c := start(t, Options{})
	_, _, beta := c.do("GET", "/beta/identity/conditionalAccess/policies/p2", nil, nil)
	_, _, v1 := c.do("GET", "/v1.0/identity/conditionalAccess/policies/p1", nil, nil)
	if _, ok := v1["sessionControls"].(map[string]any)["continuousAccessEvaluation"]; ok {
		t.Errorf("v1.0 serves continuousAccessEvaluation: %v", v1)
	}
	if beta["id"] != "p2" {
		t.Fatalf("beta: %v", beta)
	}
	body := []byte(`{"displayName": "x", "state": "enabledForReportingButNotEnforced", "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
	  "sessionControls": {"continuousAccessEvaluation": {"mode": "strictEnforcement"}}}`)
	status, _, out := c.do("POST", "/v1.0/identity/conditionalAccess/policies", body, nil)
	if msg, _ := out["error"].(map[string]any)["message"].(string); status != 400 || !strings.Contains(msg, "'continuousAccessEvaluation' does not exist") {
		t.Fatalf("v1.0 POST with a beta-only field: %d %v", status, out)
	}
	status, _, out = c.do("POST", "/beta/identity/conditionalAccess/policies", body, nil)
	if status != 201 {
		t.Fatalf("beta POST: %d %v", status, out)
	}
	if sc := out["sessionControls"].(map[string]any); sc["continuousAccessEvaluation"] == nil {
		t.Fatalf("beta create lost continuousAccessEvaluation: %v", out)
	}
	if _, ok := out["conditions"].(map[string]any)["servicePrincipalRiskLevels"]; ok {
		t.Fatalf("beta create sends an unset servicePrincipalRiskLevels: %v", out)
	}
	// The stored policy read back through each version, in that version's
	// shape: beta leaves the unset condition keys out and keeps CAE; v1.0
	// sends them as [] / null and has no CAE.
	id, _ := out["id"].(string)
	_, _, b := c.do("GET", "/beta/identity/conditionalAccess/policies/"+id, nil, nil)
	_, _, v := c.do("GET", "/v1.0/identity/conditionalAccess/policies/"+id, nil, nil)
	bc, _ := b["conditions"].(map[string]any)
	vc, _ := v["conditions"].(map[string]any)
	if bc == nil || vc == nil {
		t.Fatalf("read back: beta %v, v1.0 %v", b, v)
	}
	for k, unset := range map[string]string{"servicePrincipalRiskLevels": "[]", "insiderRiskLevels": "null", "authenticationFlows": "null"} {
		if _, ok := bc[k]; ok {
			t.Errorf("beta GET sends the unset %s", k)
		}
		if got, ok := vc[k]; !ok || mustJSON(t, got) != unset {
			t.Errorf("v1.0 GET: %s = %v (present %v), want %s", k, got, ok, unset)
		}
	}
	if _, ok := v["sessionControls"].(map[string]any)["continuousAccessEvaluation"]; ok {
		t.Error("v1.0 GET serves continuousAccessEvaluation")
	}
	if b["sessionControls"].(map[string]any)["continuousAccessEvaluation"] == nil {
		t.Error("beta GET lost continuousAccessEvaluation")
	}
}

func TestIntuneWithoutLicence(t *testing.T) {
	s := fixture(t)
	s.Sources["deviceEnrollmentConfigurations"] = snapshot.Source{Status: snapshot.StatusOK}
	s.Data["deviceEnrollmentConfigurations"] = json.RawMessage(`[]`)
	for _, tt := range []struct {
		skus   string
		status int
	}{
		{`[{"skuPartNumber": "ENTERPRISEPACK", "capabilityStatus": "Enabled", "servicePlans": [{"servicePlanName": "EXCHANGE_S_ENTERPRISE", "provisioningStatus": "Success"}]}]`, 400},
		{`[{"skuPartNumber": "SPE_E3", "capabilityStatus": "Warning", "servicePlans": [{"servicePlanName": "INTUNE_A", "provisioningStatus": "Success"}]}]`, 200},
		{`[{"skuPartNumber": "SPE_E3", "capabilityStatus": "Suspended", "servicePlans": [{"servicePlanName": "INTUNE_A", "provisioningStatus": "Success"}]}]`, 400},
	} {
		s.Sources["subscribedSkus"] = snapshot.Source{Status: snapshot.StatusOK}
		s.Data["subscribedSkus"] = json.RawMessage(tt.skus)
		ts := httptest.NewServer(New(s, Options{}))
		c := &client{t: t, base: ts.URL}
		status, _, out := c.do("GET", "/beta/deviceManagement/deviceEnrollmentConfigurations?$expand=assignments", nil, nil)
		ts.Close()
		if status != tt.status {
			t.Fatalf("%s: %d %v, want %d", tt.skus, status, out, tt.status)
		}
		if status == 400 && out["error"].(map[string]any)["message"] != "Request not applicable to target tenant." {
			t.Fatalf("400 body %v", out)
		}
	}
}
