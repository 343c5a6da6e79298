package read

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tenantgate/tenantgate/internal/hunt/incident"
)

// writeAll writes files into a new directory and returns their paths by
// name.
func writeAll(t *testing.T, files map[string][]byte) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{}
	for name, b := range files {
		p := filepath.Join(dir, filepath.Base(name))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		out[name] = p
	}
	return out
}

// TestGraphAuthenticationDetails: a Graph (beta) sign-in's own
// authenticationDetails give its steps exactly as the portal's AuthDetails
// companion gives them for the same sign-ins (the generator writes both
// from one incident); the real v1.0 capture, which has none, gets none; a
// sign-in read twice, or from the portal and Graph both, keeps one copy of
// its steps.
func TestGraphAuthenticationDetails(t *testing.T) {
	demo, _, err := incident.Sunnyside().DemoSet()
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := incident.Sunnyside().OtherShapes()
	if err != nil {
		t.Fatal(err)
	}
	graph := "graph/signIns_beta_interactive.json"
	if other[graph] == nil {
		names := make([]string, 0, len(other))
		for n := range other {
			names = append(names, n)
		}
		t.Fatalf("no %s among the generator's shapes %v", graph, names)
	}
	p := writeAll(t, map[string][]byte{graph: other[graph], incident.DemoInteractive: demo[incident.DemoInteractive], incident.DemoAuthDetails: demo[incident.DemoAuthDetails]})

	portal := readFiles(t, Options{}, p[incident.DemoInteractive], p[incident.DemoAuthDetails])
	fromGraph := readFiles(t, Options{}, p[graph])
	if len(portal.Auth) == 0 {
		t.Fatal("the portal's companion gave no steps")
	}
	if !reflect.DeepEqual(public(fromGraph.Auth), public(portal.Auth)) {
		n := 0
		for id, want := range public(portal.Auth) {
			if got := public(fromGraph.Auth)[id]; !reflect.DeepEqual(got, want) && n < 3 {
				t.Errorf("request %s: Graph steps %+v, AuthDetails %+v", id, got, want)
				n++
			}
		}
		t.Fatalf("Graph gave steps for %d requests, the companion for %d", len(fromGraph.Auth), len(portal.Auth))
	}
	// the AiTM sign-in's MFA relayed through the proxy, as TG.HUNT.1 tells it
	var aitm []AuthStep
	for _, steps := range fromGraph.Auth {
		if len(steps) == 2 && steps[1].Method == "OATH verification code" && steps[0].Method == "Password" {
			aitm = steps
		}
	}
	if aitm == nil || aitm[1].Result != "MFA successfully completed" || aitm[1].Detail != "Microsoft Authenticator" || aitm[1].Succeeded == nil || !*aitm[1].Succeeded {
		t.Errorf("no password + Authenticator code sign-in among the Graph steps: %+v", aitm)
	}

	real := readFiles(t, Options{}, filepath.Join("..", "testdata", "real", "graph-signins-v1-live.json"))
	if len(real.Events) == 0 || len(real.Auth) != 0 {
		t.Errorf("v1.0 capture: %d events, steps %+v", len(real.Events), real.Auth)
	}

	twice := readFiles(t, Options{}, p[graph], p[graph])
	both := readFiles(t, Options{}, p[incident.DemoInteractive], p[incident.DemoAuthDetails], p[graph])
	for name, l := range map[string]*Logs{"the Graph pages twice": twice, "portal and Graph": both} {
		if !reflect.DeepEqual(public(l.Auth), public(portal.Auth)) {
			t.Errorf("%s: steps repeated or lost", name)
		}
	}
}

// TestGraphAuthenticationDetailsShape: the documented and observed shape of
// an authenticationDetail (a null authenticationMethodDetail, keys missing,
// succeeded false) is read as it is; an empty or absent list gives nothing.
func TestGraphAuthenticationDetailsShape(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.json")
	doc := `{"value":[
{"id":"r1","createdDateTime":"2025-05-25T01:54:30Z","userPrincipalName":"a@b.example","status":{"errorCode":500121},
 "authenticationDetails":[
  {"authenticationStepDateTime":"2025-05-25T01:54:30.9375542+00:00","authenticationMethod":"Password","authenticationMethodDetail":"Password in the cloud","succeeded":true,"authenticationStepResultDetail":"Authentication in progress"},
  {"authenticationStepDateTime":"2025-05-25T01:54:30.9375542+00:00","authenticationMethod":"Mobile app notification","authenticationMethodDetail":null,"succeeded":false,"authenticationStepResultDetail":"MFA denied; user did not select the correct number","authenticationStepRequirement":"MFA"}]},
{"id":"r2","createdDateTime":"2025-05-25T01:55:00Z","userPrincipalName":"a@b.example","status":{"errorCode":0},"authenticationDetails":[]},
{"id":"r3","createdDateTime":"2025-05-25T01:56:00Z","userPrincipalName":"a@b.example","status":{"errorCode":0}}]}`
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	l := readFiles(t, Options{}, p)
	f, tr := false, true
	want := map[string][]AuthStep{"r1": {
		{Method: "Password", Detail: "Password in the cloud", Succeeded: &tr, Result: "Authentication in progress"},
		{Method: "Mobile app notification", Succeeded: &f, Result: "MFA denied; user did not select the correct number"},
	}}
	if got := public(l.Auth); !reflect.DeepEqual(got, want) {
		t.Errorf("steps %+v", got)
	}
}

// public drops where each step was read (file, line), which differ by
// construction between shapes.
func public(m map[string][]AuthStep) map[string][]AuthStep {
	out := make(map[string][]AuthStep, len(m))
	for id, steps := range m {
		c := make([]AuthStep, len(steps))
		for i, s := range steps {
			c[i] = AuthStep{Method: s.Method, Detail: s.Detail, Succeeded: s.Succeeded, Result: s.Result}
		}
		out[id] = c
	}
	return out
}
