package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	abs "github.com/microsoft/kiota-abstractions-go"

	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/permissions"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// testToken is the bearer every test sends; it must never surface anywhere.
const testToken = "tg-test-token-7f3a9c1e-must-never-leak"

const workspaceID = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-sec/providers/Microsoft.OperationalInsights/workspaces/law-sec"

// fixture is the demo tenant plus what it lacks for these tests: diagnostic
// settings exporting to a workspace (and one to storage only).
func fixture(t testing.TB) *snapshot.Snapshot {
	t.Helper()
	s, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	s.Data["diagnosticSettings"] = json.RawMessage(`[
	 {"id": "providers/Microsoft.Aadiam/diagnosticSettings/sentinel", "name": "sentinel", "type": "", "location": "",
	  "properties": {"workspaceId": "` + workspaceID + `", "storageAccountId": null,
	   "logs": [{"category": "SignInLogs", "enabled": true, "retentionPolicy": {"enabled": false, "days": 0}},
	            {"category": "AuditLogs", "enabled": true, "retentionPolicy": {"enabled": false, "days": 0}}], "metrics": []}},
	 {"id": "providers/Microsoft.Aadiam/diagnosticSettings/archive", "name": "archive",
	  "properties": {"workspaceId": "", "storageAccountId": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/logs",
	   "logs": [{"category": "AuditLogs", "enabled": true}]}}]`)
	s.Data["logAnalyticsWorkspaces"] = json.RawMessage(`[{"id": "` + workspaceID + `", "name": "law-sec", "type": "Microsoft.OperationalInsights/workspaces",
	  "location": "japaneast", "properties": {"retentionInDays": 90, "sku": {"name": "PerGB2018"}, "futureProperty": "kept"}}]`)
	// The tables API's shape: azure-rest-api-specs 2022-10-01 TablesGet.json.
	s.Data["logAnalyticsTables"] = json.RawMessage(`[
	 {"properties": {"retentionInDays": 90, "totalRetentionInDays": 365, "archiveRetentionInDays": 275, "retentionInDaysAsDefault": true, "totalRetentionInDaysAsDefault": false, "plan": "Analytics", "provisioningState": "Succeeded"},
	  "id": "` + workspaceID + `/tables/SigninLogs", "name": "SigninLogs"},
	 {"properties": {"retentionInDays": 90, "totalRetentionInDays": 90, "archiveRetentionInDays": 0, "retentionInDaysAsDefault": true, "totalRetentionInDaysAsDefault": true, "plan": "Analytics", "provisioningState": "Succeeded"},
	  "id": "` + workspaceID + `/tables/AuditLogs", "name": "AuditLogs"}]`)
	return s
}

// breakGlass returns the demo baseline's break-glass accounts.
func breakGlass(t testing.TB) []string {
	b, err := demo.Baseline()
	if err != nil {
		t.Fatal(err)
	}
	return b.BreakGlass
}

// env is an emulator on 127.0.0.1 and the options pointing collect at it.
type env struct {
	srv  *emulate.Server
	opts conn.Options
	log  *bytes.Buffer
}

func newEnv(t testing.TB, snap *snapshot.Snapshot, eo emulate.Options) *env {
	t.Helper()
	t.Setenv(TokenEnv, testToken)
	srv := emulate.New(snap, eo)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	log := &bytes.Buffer{}
	return &env{srv: srv, log: log, opts: conn.Options{
		TenantID: "fixture", GraphEndpoint: ts.URL, ARMEndpoint: ts.URL,
		Verbose: true, Log: log, Progress: log,
	}}
}

// noSleep is the retry clock of the tests: waits are recorded, not slept.
func noSleep(waits *[]time.Duration) func(context.Context, time.Duration) error {
	return func(_ context.Context, d time.Duration) error {
		if waits != nil {
			*waits = append(*waits, d)
		}
		return nil
	}
}

func (e *env) collect(t testing.TB, bg []string) (*snapshot.Snapshot, error) {
	t.Helper()
	snap, err := collectWith(context.Background(), e.opts, bg, hooks{sleep: noSleep(nil)})
	e.checkNoLeak(t, snap, err)
	return snap, err
}

// checkNoLeak asserts the token is in no log line, snapshot or error.
func (e *env) checkNoLeak(t testing.TB, snap *snapshot.Snapshot, err error) {
	t.Helper()
	var all bytes.Buffer
	all.Write(e.log.Bytes())
	if snap != nil {
		_ = snap.Write(&all)
	}
	if err != nil {
		all.WriteString(err.Error())
	}
	if bytes.Contains(all.Bytes(), []byte(testToken)) {
		t.Fatalf("the access token leaked into logs, snapshot or error")
	}
}

// canonical decodes JSON so comparisons ignore formatting.
func canonical(t testing.TB, raw json.RawMessage) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("invalid JSON %s: %v", raw, err)
	}
	return v
}

// sameData compares two snapshots' data and source statuses (collectedAt and
// request lines aside).
func sameData(t testing.TB, got, want *snapshot.Snapshot) {
	t.Helper()
	for name := range snapshot.Sources {
		g, gok := got.Data[name]
		w, wok := want.Data[name]
		if gok != wok {
			t.Errorf("data.%s present=%v, want %v (source %+v)", name, gok, wok, got.Sources[name])
			continue
		}
		if gok && !reflect.DeepEqual(canonical(t, g), canonical(t, w)) {
			t.Errorf("data.%s differs:\n got %s\nwant %s", name, g, w)
		}
		gs, ws := got.Sources[name], want.Sources[name]
		if gs.Status != ws.Status || gs.HTTPStatus != ws.HTTPStatus || gs.Code != ws.Code {
			t.Errorf("sources.%s = %+v, want %+v", name, gs, ws)
		}
	}
}

func TestCollectMatchesServedTenant(t *testing.T) {
	tests := []struct {
		name     string
		pageSize int
		maxTrips int
	}{
		// $batch v1.0 + $batch beta + diagnostic settings + workspace + its 2
		// tables, and one $batch of the objects the CA policies name.
		{"one page", 100, 7},
		{"page size 2", 2, 14}, // next pages of every collection batched per round
		{"page size 1", 1, 23},
	}
	want := fixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, want, emulate.Options{PageSize: tt.pageSize})
			got, err := e.collect(t, breakGlass(t))
			if err != nil {
				t.Fatal(err)
			}
			sameData(t, got, want)
			if got.Tenant.ID != want.Tenant.ID || got.Tenant.DisplayName != want.Tenant.DisplayName {
				t.Errorf("tenant %+v, want %+v", got.Tenant, want.Tenant)
			}
			// The release is known to the CLI only, which stamps it.
			if got.Tool != (snapshot.Tool{Name: "tenantgate"}) {
				t.Errorf("tool %+v, want the name and no version", got.Tool)
			}
			t.Logf("%d round trips", e.srv.RoundTrips())
			if n := e.srv.RoundTrips(); n > tt.maxTrips {
				t.Errorf("%d round trips, want at most %d", n, tt.maxTrips)
			}
			for name, src := range got.Sources {
				if !strings.HasPrefix(src.Request, "GET /") {
					t.Errorf("sources.%s.request = %q", name, src.Request)
				}
			}
			if r := got.Sources["conditionalAccessPolicies"].Request; r != "GET /beta/identity/conditionalAccess/policies" {
				t.Errorf("CA request %q", r)
			}
		})
	}
}

// Beta-only and unknown values survive: the SDK's typed models would drop
// continuousAccessEvaluation and turn unknown enum members into the first one.
func TestCollectIsLossless(t *testing.T) {
	snap := fixture(t)
	var policies []map[string]any
	if err := json.Unmarshal(snap.Data["conditionalAccessPolicies"], &policies); err != nil {
		t.Fatal(err)
	}
	policies[0]["sessionControls"] = map[string]any{"continuousAccessEvaluation": map[string]any{"mode": "strictLocation"}}
	policies[0]["grantControls"] = map[string]any{"operator": "OR", "builtInControls": []any{"someFutureControl"}}
	policies[0]["futureTopLevel"] = map[string]any{"nested": []any{1.5, "x", nil}}
	raw, _ := json.Marshal(policies)
	snap.Data["conditionalAccessPolicies"] = raw
	e := newEnv(t, snap, emulate.Options{})
	got, err := e.collect(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(canonical(t, got.Data["conditionalAccessPolicies"]), canonical(t, raw)) {
		t.Fatalf("CA policies changed in transit:\n got %s\nwant %s", got.Data["conditionalAccessPolicies"], raw)
	}
}

func TestCollectThrottled(t *testing.T) {
	want := fixture(t)
	base := newEnv(t, want, emulate.Options{})
	unthrottled, err := base.collect(t, breakGlass(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts emulate.Options
	}{
		{"429 on every first request", emulate.Options{Throttle: 1}},
		{"429 twice on every request, paged", emulate.Options{Throttle: 2, PageSize: 2}},
		{"429 per item inside $batch", emulate.Options{ThrottleItems: 1}},
		{"429 per item, three times", emulate.Options{ThrottleItems: 3, RetryAfter: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, want, tt.opts)
			var waits []time.Duration
			got, err := collectWith(context.Background(), e.opts, breakGlass(t), hooks{sleep: noSleep(&waits)})
			e.checkNoLeak(t, got, err)
			if err != nil {
				t.Fatal(err)
			}
			sameData(t, got, unthrottled)
			throttled := 0
			for _, r := range e.srv.Requests() {
				if r.Status == http.StatusTooManyRequests {
					throttled++
				}
			}
			if throttled == 0 {
				t.Fatal("the emulator throttled nothing: the test tests nothing")
			}
			if tt.opts.RetryAfter > 0 && (len(waits) == 0 || waits[0] != time.Duration(tt.opts.RetryAfter)*time.Second) {
				t.Fatalf("item retries waited %v, want Retry-After %ds", waits, tt.opts.RetryAfter)
			}
			if !strings.Contains(e.log.String(), "429") {
				t.Fatalf("no throttling progress line:\n%s", e.log)
			}
		})
	}
}

func TestCollectSourceFailures(t *testing.T) {
	tests := []struct {
		name     string
		opts     emulate.Options
		source   string
		status   string
		http     int
		skipped  []string // sources skipped as a consequence
		moreData bool     // the failed source still has data (retries succeeded)
	}{
		{"403 CA policies", emulate.Options{Deny: []string{"conditionalAccessPolicies"}}, "conditionalAccessPolicies", snapshot.StatusDenied, 403, []string{"directoryUsers", "directoryGroups", "groupMembers", "caServicePrincipals"}, false},
		{"403 Global Administrators", emulate.Options{Deny: []string{"globalAdministrators"}}, "globalAdministrators", snapshot.StatusDenied, 403, []string{"signInActivity"}, false},
		{"403 sign-in activity (no AuditLog.Read.All or no P1)", emulate.Options{Deny: []string{"signInActivity"}}, "signInActivity", snapshot.StatusDenied, 403, nil, false},
		{"403 named users", emulate.Options{Deny: []string{"directoryUsers"}}, "directoryUsers", snapshot.StatusDenied, 403, nil, false},
		{"403 service principals", emulate.Options{Deny: []string{"caServicePrincipals"}}, "caServicePrincipals", snapshot.StatusDenied, 403, nil, false},
		{"403 licenses", emulate.Options{Deny: []string{"subscribedSkus"}}, "subscribedSkus", snapshot.StatusDenied, 403, nil, false},
		{"403 organization", emulate.Options{Deny: []string{"organization"}}, "organization", snapshot.StatusDenied, 403, nil, false},
		{"403 users", emulate.Options{Deny: []string{"breakGlassAccounts"}}, "breakGlassAccounts", snapshot.StatusDenied, 403, nil, false},
		{"403 diagnostic settings", emulate.Options{Deny: []string{"diagnosticSettings"}}, "diagnosticSettings", snapshot.StatusDenied, 403, []string{"logAnalyticsWorkspaces", "logAnalyticsTables"}, false},
		{"403 workspace", emulate.Options{Deny: []string{"logAnalyticsWorkspaces"}}, "logAnalyticsWorkspaces", snapshot.StatusDenied, 403, nil, false},
		{"403 workspace tables", emulate.Options{Deny: []string{"logAnalyticsTables"}}, "logAnalyticsTables", snapshot.StatusDenied, 403, nil, false},
		{"503 twice then ok (batched)", emulate.Options{Fail: map[string]int{"namedLocations": 2}}, "namedLocations", snapshot.StatusOK, 0, nil, true},
		{"503 twice then ok (ARM)", emulate.Options{Fail: map[string]int{"diagnosticSettings": 2}}, "diagnosticSettings", snapshot.StatusOK, 0, nil, true},
		{"503 forever (batched)", emulate.Options{Fail: map[string]int{"authenticationMethodsPolicy": -1}}, "authenticationMethodsPolicy", snapshot.StatusError, 503, nil, false},
		{"504 forever (ARM)", emulate.Options{Fail: map[string]int{"diagnosticSettings": -1}, FailStatus: 504}, "diagnosticSettings", snapshot.StatusError, 504, []string{"logAnalyticsWorkspaces", "logAnalyticsTables"}, false},
		{"500 once is not retried", emulate.Options{Fail: map[string]int{"securityDefaults": 1}, FailStatus: 500}, "securityDefaults", snapshot.StatusError, 500, nil, false},
	}
	want := fixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, want, tt.opts)
			got, err := e.collect(t, breakGlass(t))
			if err != nil {
				t.Fatal(err)
			}
			src := got.Sources[tt.source]
			_, hasData := got.Data[tt.source]
			if src.Status != tt.status || src.HTTPStatus != tt.http || hasData != tt.moreData {
				t.Fatalf("sources.%s = %+v, data present %v", tt.source, src, hasData)
			}
			if tt.status != snapshot.StatusOK && (src.Code == "" || src.Error == "") {
				t.Fatalf("sources.%s lacks Graph's error code/message: %+v", tt.source, src)
			}
			for name := range snapshot.Sources {
				if name == tt.source {
					continue
				}
				wantStatus := snapshot.StatusOK
				for _, s := range tt.skipped {
					if s == name {
						wantStatus = snapshot.StatusSkipped
					}
				}
				if got.Sources[name].Status != wantStatus {
					t.Errorf("sources.%s = %+v, want %s", name, got.Sources[name], wantStatus)
				}
			}
			if err := got.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCollectBreakGlass(t *testing.T) {
	want := fixture(t)
	var demoAccounts []snapshot.BreakGlassAccount
	if err := json.Unmarshal(want.Data["breakGlassAccounts"], &demoAccounts); err != nil || len(demoAccounts) < 2 {
		t.Fatalf("demo break-glass accounts: %v", err)
	}
	var user2 struct{ ID string }
	_ = json.Unmarshal(demoAccounts[1].User, &user2)
	// By UPN in another case, by object id, and one the tenant does not have.
	requested := []string{strings.ToUpper(demoAccounts[0].Requested), user2.ID, "no-such-admin@sunnyside08.onmicrosoft.com"}
	for _, pageSize := range []int{100, 1} {
		e := newEnv(t, want, emulate.Options{PageSize: pageSize})
		got, err := e.collect(t, requested)
		if err != nil {
			t.Fatal(err)
		}
		var accounts []snapshot.BreakGlassAccount
		if err := json.Unmarshal(got.Data["breakGlassAccounts"], &accounts); err != nil {
			t.Fatal(err)
		}
		if len(accounts) != 3 {
			t.Fatalf("%d accounts, want 3", len(accounts))
		}
		for i := 0; i < 2; i++ {
			if accounts[i].Requested != requested[i] {
				t.Errorf("account %d requested %q", i, accounts[i].Requested)
			}
			if !reflect.DeepEqual(canonical(t, accounts[i].User), canonical(t, demoAccounts[i].User)) {
				t.Errorf("account %d user %s", i, accounts[i].User)
			}
			var kinds []string
			for _, m := range accounts[i].TransitiveMemberOf {
				var o struct {
					Type           string `json:"@odata.type"`
					RoleTemplateID string `json:"roleTemplateId"`
				}
				_ = json.Unmarshal(m, &o)
				kinds = append(kinds, o.Type+" "+o.RoleTemplateID)
			}
			sort.Strings(kinds)
			if len(kinds) != 2 || kinds[0] != "#microsoft.graph.directoryRole 62e90394-69f5-4237-9190-012177145e10" || kinds[1] != "#microsoft.graph.group " {
				t.Errorf("account %d memberships: %v", i, kinds)
			}
		}
		if string(accounts[2].User) != "null" || accounts[2].TransitiveMemberOf == nil || len(accounts[2].TransitiveMemberOf) != 0 {
			t.Errorf("missing account: %+v", accounts[2])
		}
		if !strings.Contains(string(got.Data["breakGlassAccounts"]), `"transitiveMemberOf": []`) && !strings.Contains(string(got.Data["breakGlassAccounts"]), `"transitiveMemberOf":[]`) {
			t.Errorf("missing account memberships must be [] not null: %s", got.Data["breakGlassAccounts"])
		}
	}

	e := newEnv(t, want, emulate.Options{})
	got, err := e.collect(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Sources["breakGlassAccounts"]; s.Status != snapshot.StatusSkipped || got.Data["breakGlassAccounts"] != nil {
		t.Fatalf("no accounts in the baseline: %+v", s)
	}
}

// emptyToken stands for a credential that yields no token at all.
type emptyToken struct{}

func (emptyToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

type failingCred struct{}

func (failingCred) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, errors.New("AADSTS90002: Tenant 'nope' not found")
}

func TestCollectNothingReadable(t *testing.T) {
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := "http://" + ln.Addr().String()
		ln.Close()
		return addr
	}()
	tests := []struct {
		name    string
		opts    emulate.Options
		cred    azcore.TokenCredential
		network string
		want    string
	}{
		{"no token", emulate.Options{}, emptyToken{}, "", "401"},
		{"wrong token: 401 everywhere", emulate.Options{Token: "the-right-one"}, nil, "", "InvalidAuthenticationToken"},
		{"credential fails (wrong tenant)", emulate.Options{}, failingCred{}, "", "AADSTS90002"},
		{"network down", emulate.Options{}, nil, closed, "cannot reach"},
		{"everything denied", emulate.Options{Deny: emulate.SourceNames()}, nil, "", "every source failed"},
		// An ARM token: ARM answers, Graph refuses every request.
		{"Graph refuses the token, ARM answers", emulate.Options{Token: "a-graph-token", ARMToken: testToken}, nil, "", "nothing could be read from Microsoft Graph: Graph refused the token"},
		{"every Graph source denied, ARM answers", emulate.Options{Deny: graphSources()}, nil, "", "every Graph source failed"},
		// The advice follows the cause: a permission only for a refusal.
		{"everything throttled past the wait", emulate.Options{Throttle: 100, RetryAfter: 600}, nil, "", "(the service is throttling or unavailable: collect again later)"},
		{"everything redirected elsewhere", emulate.Options{Faults: emulate.Faults{Redirect: emulate.SourceNames(), RedirectTo: "http://192.0.2.1:9"}}, nil, "", "(check the endpoint and any proxy in between)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fixture(t), tt.opts)
			if tt.network != "" {
				e.opts.GraphEndpoint, e.opts.ARMEndpoint = tt.network, tt.network
			}
			snap, err := collectWith(context.Background(), e.opts, breakGlass(t), hooks{sleep: noSleep(nil), cred: tt.cred})
			e.checkNoLeak(t, snap, err)
			if err == nil || snap != nil {
				t.Fatalf("want a total failure, got %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(tt.want, "(") && strings.Contains(err.Error(), "tenantgate permissions") {
				t.Errorf("error %q sends the user to permissions", err)
			}
		})
	}
}

// graphSources are the sources read from Microsoft Graph.
func graphSources() []string {
	var names []string
	for _, e := range permissions.Endpoints {
		if e.API == permissions.Graph {
			names = append(names, e.Source)
		}
	}
	return names
}

// The verbose log names requests, never the bearer token, even when the
// service echoes errors and retries happen.
func TestNoSecretsInVerboseLog(t *testing.T) {
	e := newEnv(t, fixture(t), emulate.Options{Throttle: 1, Deny: []string{"subscribedSkus"}, Fail: map[string]int{"organization": -1}})
	snap, err := e.collect(t, breakGlass(t))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.log.String(), "http: POST") || !strings.Contains(e.log.String(), "$batch") {
		t.Fatalf("verbose log lacks requests:\n%s", e.log)
	}
	if snap.Tenant.ID != "fixture" {
		t.Fatalf("without organization the tenant id comes from --tenant: %+v", snap.Tenant)
	}
}

// The emulated CA POST, reached through the same SDK pipeline apply uses:
// a throttled create (429) comes back as is, never resent by the SDK's retry
// handler; the next POST gets 201 with the stored object, later listed by
// collect.
func TestEmulatedPolicyCreate(t *testing.T) {
	e := newEnv(t, fixture(t), emulate.Options{Throttle: 1})
	graphURL, _, err := e.opts.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	ad, err := newAdapter(staticToken{testToken}, "https://graph.microsoft.com/.default", graphURL, &observer{})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"displayName": "AiTM-04 Require phishing-resistant MFA [report-only]", "state": "enabledForReportingButNotEnforced",
	 "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]},
	 "grantControls": {"@odata.type": "#microsoft.graph.conditionalAccessGrantControls", "operator": "OR", "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}}`)
	resp := ad.send(context.Background(), abs.POST, graphURL+"/v1.0/identity/conditionalAccess/policies", body)
	if resp.status != http.StatusTooManyRequests || len(e.srv.Requests()) != 1 {
		t.Fatalf("throttled POST: %+v after %d requests, want 429 after 1", resp, len(e.srv.Requests()))
	}
	resp = ad.send(context.Background(), abs.POST, graphURL+"/v1.0/identity/conditionalAccess/policies", body)
	if resp.status != http.StatusCreated {
		t.Fatalf("POST: %+v", resp)
	}
	var created struct{ ID, State string }
	if err := json.Unmarshal(resp.body, &created); err != nil || created.ID == "" || created.State != "enabledForReportingButNotEnforced" {
		t.Fatalf("created %s", resp.body)
	}
	got, err := e.collect(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got.Data["conditionalAccessPolicies"]), created.ID) {
		t.Fatal("the created policy is not listed")
	}
	for _, r := range e.srv.Requests() {
		if r.Method == http.MethodPatch || r.Method == http.MethodDelete {
			t.Fatalf("unexpected %s %s", r.Method, r.Path)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		header  string
		attempt int
		want    time.Duration
		ok      bool
	}{
		{"0", 1, 0, true},
		{"2", 1, 2 * time.Second, true},
		{"1.5", 1, 1500 * time.Millisecond, true},
		{"", 1, time.Second, true},
		{"", 3, 4 * time.Second, true},
		{"", 9, maxRetryWait, true}, // backoff never waits past the cap
		{"junk", 2, 2 * time.Second, true},
		{"60", 1, 60 * time.Second, true},
		{"61", 1, maxRetryWait, false}, // more than the cap: not retried
		{"600", 1, maxRetryWait, false},
		{"100000", 1, maxRetryWait, false},
		{"NaN", 1, time.Second, true},
		{time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 1, maxRetryWait, false},
	}
	for _, tt := range tests {
		if got, ok := retryDelay(tt.header, tt.attempt); got != tt.want || ok != tt.ok {
			t.Errorf("retryDelay(%q, %d) = %s, %v, want %s, %v", tt.header, tt.attempt, got, ok, tt.want, tt.ok)
		}
	}
}

func TestChunks(t *testing.T) {
	mk := func(n int, v string) []*read {
		var out []*read
		for i := 0; i < n; i++ {
			out = append(out, &read{version: v})
		}
		return out
	}
	tests := []struct {
		reads []*read
		want  []int
	}{
		{mk(1, "v1.0"), []int{1}},
		{mk(20, "v1.0"), []int{20}},
		{mk(21, "v1.0"), []int{11, 10}},
		{append(mk(3, "v1.0"), mk(2, "beta")...), []int{3, 2}},
		{mk(45, "beta"), []int{15, 15, 15}},
	}
	for _, tt := range tests {
		var got []int
		for _, c := range chunks(tt.reads) {
			got = append(got, len(c))
			for _, r := range c {
				if r.version != c[0].version {
					t.Fatal("a chunk mixes versions")
				}
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("chunks of %d: %v, want %v", len(tt.reads), got, tt.want)
		}
	}
}

// BenchmarkCollectDemo collects the demo tenant (with its break-glass
// accounts) from the emulator with 100 ms latency per HTTP request.
func BenchmarkCollectDemo(b *testing.B) {
	e := newEnv(b, fixture(b), emulate.Options{Latency: 100 * time.Millisecond})
	e.opts.Verbose, e.opts.Progress = false, nil
	bg := breakGlass(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := collectWith(context.Background(), e.opts, bg, hooks{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(e.srv.RoundTrips())/float64(b.N), "roundtrips/op")
}

// More than 15 named users go out in several `in (...)` filters (Graph's
// limit), in the same $batch round, and come back whole, ordered by id; an
// excluded group's members are read too.
func TestCollectNamedObjectsInChunks(t *testing.T) {
	want := fixture(t)
	var policies []map[string]any
	if err := json.Unmarshal(want.Data["conditionalAccessPolicies"], &policies); err != nil {
		t.Fatal(err)
	}
	var users []map[string]any
	var ids []string
	for i := range 17 {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i+1)
		ids = append(ids, id)
		users = append(users, map[string]any{"id": id, "displayName": fmt.Sprintf("User %d", i+1), "userPrincipalName": fmt.Sprintf("u%d@x", i+1),
			"accountEnabled": true, "userType": "Member", "createdDateTime": "2025-01-01T00:00:00Z", "onPremisesSyncEnabled": nil})
	}
	var existing []map[string]any
	if err := json.Unmarshal(want.Data["directoryUsers"], &existing); err != nil {
		t.Fatal(err)
	}
	users = append(existing, users...)
	sort.Slice(users, func(i, j int) bool { return users[i]["id"].(string) < users[j]["id"].(string) })
	const group = "aaaaaaaa-0000-4000-8000-000000000001"
	u := policies[0]["conditions"].(map[string]any)["users"].(map[string]any)
	for _, id := range ids {
		u["excludeUsers"] = append(u["excludeUsers"].([]any), id)
	}
	u["excludeGroups"] = []any{group}
	set := func(name string, v any) {
		raw, _ := json.Marshal(v)
		want.Data[name] = raw
	}
	set("conditionalAccessPolicies", policies)
	set("directoryUsers", users)
	set("groupMembers", []snapshot.GroupMembers{{Group: group, Members: []json.RawMessage{json.RawMessage(`{"id":"` + ids[0] + `","userPrincipalName":"u1@x","displayName":"User 1"}`)}}})
	e := newEnv(t, want, emulate.Options{})
	got, err := e.collect(t, breakGlass(t))
	if err != nil {
		t.Fatal(err)
	}
	sameData(t, got, want)
	var filters int
	for _, r := range e.srv.Requests() {
		if r.Path == "/v1.0/users" && strings.Contains(r.Query, "displayName") {
			filters++
		}
	}
	if filters != 2 {
		t.Errorf("%d user filters for 19 ids, want 2 (15 + 4)", filters)
	}
}
