package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/tenantgate/tenantgate/internal/apply"
	"github.com/tenantgate/tenantgate/internal/conn"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// A secret-looking value: it must never appear in any message.
const fleetSecret = "Qx8~sEcReT.value-never-echoed"

// noLive fails the test if a fleet run reaches the network stage.
type noLive struct{ t *testing.T }

func (n noLive) Collect(context.Context, conn.Options, []string) (*snapshot.Snapshot, error) {
	n.t.Error("Live.Collect called although the tenants file is invalid")
	return nil, errors.New("unexpected")
}

func (n noLive) CAClient(context.Context, conn.Options) (apply.CAClient, error) {
	return nil, errors.New("unexpected")
}

func TestCollectFleetInputErrors(t *testing.T) {
	t.Setenv("SET_SECRET", fleetSecret)
	t.Setenv("EMPTY_SECRET", "")
	for _, k := range []string{"AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH"} {
		t.Setenv(k, "")
	}
	tests := []struct {
		name string
		yaml string
		args []string // extra flags
		want string   // on stderr, after "tenantgate: "
	}{
		{"unknown key in a tenant, with its line", "tenants:\n  - id: a.onmicrosoft.com\n    clientid: x\n", nil, "tenants.yaml:3: unknown key clientid in a tenant entry"},
		{"unknown key in defaults", "defaults:\n  auth: client-secret\n  secret: x\ntenants:\n  - id: a.example\n", nil, "tenants.yaml:3: unknown key secret in defaults"},
		{"unknown top-level key", "tenant:\n  - id: a.example\n", nil, "tenants.yaml:1: unknown key tenant in the tenants file"},
		{"wrong type", "tenants: contoso\n", nil, "tenants.yaml:1: tenants: cannot unmarshal !!str `contoso` into the tenants list"},
		{"syntax error", "tenants:\n  - id: [a\n", nil, "tenants.yaml:"},
		{"empty file", "\n", nil, "tenants.yaml: empty file, want a tenants file"},
		{"no tenants", "defaults:\n  cloud: global\ntenants: []\n", nil, "tenants.yaml:3: no tenants"},
		{"missing id", "tenants:\n  - id: a.example\n  - name: b\n", nil, "tenants.yaml:3: tenant 2 has no id"},
		{"bad id", "tenants:\n  - id: 'a/../b'\n", nil, `tenants.yaml:2: tenant "a/../b": the id must be a tenant id`},
		{"duplicate name", "tenants:\n  - id: a.example\n    name: Contoso\n  - id: b.example\n    name: contoso\n", nil, `tenants.yaml:5: tenant "b.example": name "contoso" is already used on line 2`},
		{"duplicate id", "tenants:\n  - id: a.example\n    name: one\n  - id: A.example\n    name: two\n", nil, `tenant "A.example" is listed twice (lines 2 and 4)`},
		{"name that is no file name", "tenants:\n  - id: a.example\n    name: ../escape\n", nil, `tenants.yaml:3: tenant "a.example": name "../escape" cannot be a file name`},
		{"name of the summary", "tenants:\n  - id: a.example\n    name: collect-summary\n", nil, "cannot be a file name"},
		{"the secret itself instead of a name", "tenants:\n  - id: a.example\n    client_secret_env: " + fleetSecret + "\n", nil, "client_secret_env must be the name of an environment variable"},
		{"a token under defaults", "defaults:\n  access_token_env: SET_SECRET\ntenants:\n  - id: a.example\n", nil, "tenants.yaml:2: access_token_env is not allowed under defaults"},
		{"secret with another auth mode", "defaults:\n  auth: certificate\ntenants:\n  - id: a.example\n    client_secret_env: SET_SECRET\n", nil, `tenants.yaml:5: tenant "a.example": client_secret_env is set but auth is "certificate"`},
		{"client-secret without a secret", "defaults:\n  auth: client-secret\n  client_id: c\ntenants:\n  - id: a.example\n", nil, `tenants.yaml:2: tenant "a.example": auth client-secret needs client_secret_env`},
		{"certificate without a client id", "tenants:\n  - id: a.example\n    certificate: c.pem\n", nil, `tenants.yaml:2: tenant "a.example": auth certificate needs client_id`},
		{"unknown cloud, in the file's words", "tenants:\n  - id: a.example\n    cloud: mars\n    access_token_env: SET_SECRET\n", nil, `tenants.yaml:2: tenant "a.example": unknown cloud "mars"`},
		{"plain http off loopback", "tenants:\n  - id: a.example\n    graph_endpoint: http://graph.example.com\n", nil, "graph_endpoint \"http://graph.example.com\": plain http is allowed only"},
		{"missing baseline, relative to the file", "tenants:\n  - id: a.example\n    baseline: nope.yaml\n", nil, `tenants.yaml:3: tenant "a.example": baseline: ` + "DIR/nope.yaml"},
		{"no output dir", "tenants:\n  - id: a.example\n", []string{"--output-dir", ""}, "--tenants needs --output-dir"},
		{"with -o", "tenants:\n  - id: a.example\n", []string{"-o", "x.json"}, "--output is for one tenant"},
		{"with --tenant", "tenants:\n  - id: a.example\n", []string{"--tenant", "x"}, "--tenant and --tenants cannot be combined"},
		{"parallel 0", "tenants:\n  - id: a.example\n", []string{"--parallel-tenants", "0"}, "--parallel-tenants must be at least 1"},
		{"missing file", "", []string{"--tenants", "does-not-exist.yaml"}, "does-not-exist.yaml: cannot read the tenants file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "tenants.yaml")
			if err := os.WriteFile(file, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"collect", "--tenants", file, "--output-dir", filepath.Join(dir, "out")}, tt.args...)
			code, stdout, stderr := runLive(t, noLive{t}, args...)
			want := strings.ReplaceAll(tt.want, "DIR", dir)
			if code != 2 || !strings.Contains(stderr, want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant 2 and %q", code, stderr, want)
			}
			if strings.Contains(stdout+stderr, fleetSecret) {
				t.Fatal("a secret value was printed")
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Fatal("an invalid run created the output directory")
			}
		})
	}
	// The fleet-only flags need --tenants.
	for _, flag := range []string{"--output-dir", "--parallel-tenants"} {
		code, _, stderr := runLive(t, noLive{t}, "collect", flag, "2")
		if code != 2 || !strings.Contains(stderr, flag+" needs --tenants") {
			t.Errorf("%s alone: exit %d, %q", flag, code, stderr)
		}
	}
}

// fleetLive is a concurrency-safe fake: tenant ids map to canned outcomes.
type fleetLive struct {
	mu   sync.Mutex
	seen map[string]conn.Options
	do   func(id string) (*snapshot.Snapshot, error)
}

func (f *fleetLive) Collect(_ context.Context, o conn.Options, _ []string) (*snapshot.Snapshot, error) {
	f.mu.Lock()
	f.seen[o.TenantID] = o
	f.mu.Unlock()
	if o.RoundTrips != nil {
		o.RoundTrips.Add(3)
	}
	return f.do(o.TenantID)
}

func (f *fleetLive) CAClient(context.Context, conn.Options) (apply.CAClient, error) {
	return nil, errors.New("unexpected")
}

// The orchestration without the network: per-tenant options (the tenant's
// own secret, the process token ignored, paths relative to the file), a
// panicking tenant isolated, the wrong tenant reached, and the summary.
func TestCollectFleetOrchestration(t *testing.T) {
	demoSnap := func() *snapshot.Snapshot {
		s, err := demo.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const demoOrg = "35a4937b-c200-40f5-8db0-1813c0f63ffe"
	live := &fleetLive{seen: map[string]conn.Options{}, do: func(id string) (*snapshot.Snapshot, error) {
		switch id {
		case "panics.example":
			panic("boom " + fleetSecret)
		case "fails.example":
			return nil, errors.New("nothing could be read from the tenant: token " + fleetSecret + " refused")
		case "other.example": // the credential belongs to the demo tenant
			return demoSnap(), nil
		}
		return demoSnap(), nil
	}}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(demoBaseline), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("A_SECRET", fleetSecret)
	t.Setenv("B_TOKEN", "b-token-value")
	t.Setenv("TENANTGATE_ACCESS_TOKEN", "process-token")
	file := filepath.Join(dir, "tenants.yaml")
	content := `defaults:
  auth: client-secret
  client_id: 11111111-2222-3333-4444-555555555555
  client_secret_env: A_SECRET
  baseline: b.yaml
tenants:
  - id: sunnyside08.onmicrosoft.com
    name: sunny
  - id: ` + demoOrg + `
    name: by-guid
    access_token_env: B_TOKEN
  - id: panics.example
  - id: fails.example
  - id: other.example
`
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runLive(t, live, "collect", "--tenants", file, "--output-dir", out, "--parallel-tenants", "2", "--concurrency", "3")
	if code != 4 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, fleetSecret) || strings.Contains(stdout+stderr, "b-token-value") {
		t.Fatalf("a secret was printed:\n%s", stderr)
	}
	if !strings.Contains(stderr, "TENANTGATE_ACCESS_TOKEN is ignored") {
		t.Errorf("no note about the ignored process token:\n%s", stderr)
	}
	sunny := live.seen["sunnyside08.onmicrosoft.com"]
	if string(sunny.ClientSecret) != fleetSecret || sunny.AccessToken != "" || !sunny.NoEnvToken || sunny.Auth != "client-secret" || sunny.Concurrency != 3 {
		t.Errorf("sunny's options: auth %q secret set %v token set %v noEnv %v concurrency %d", sunny.Auth, sunny.ClientSecret != "", sunny.AccessToken != "", sunny.NoEnvToken, sunny.Concurrency)
	}
	if g := live.seen[demoOrg]; string(g.AccessToken) != "b-token-value" {
		t.Errorf("the GUID tenant did not get its own token")
	}
	raw, err := os.ReadFile(filepath.Join(out, CollectSummaryName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), fleetSecret) {
		t.Fatal("a secret is in the summary")
	}
	var sum collectSummary
	if err := json.Unmarshal(raw, &sum); err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, status, file, err string }{
		{"sunny", TenantOK, "sunny.json", ""},
		{"by-guid", TenantOK, "by-guid.json", ""},
		{"panics.example", TenantFailed, "", "internal error: boom [redacted]"},
		{"fails.example", TenantFailed, "", "token [redacted] refused"},
		{"other.example", TenantFailed, "", "the credential reached tenant " + demoOrg + " (Sunnyside Trading), not other.example"},
	}
	if sum.Kind != CollectSummaryKind || sum.Exit != 4 || len(sum.Tenants) != len(want) || sum.Counts[TenantOK] != 2 || sum.Counts[TenantFailed] != 3 || sum.RoundTrips != 15 {
		t.Fatalf("summary %s", raw)
	}
	for i, w := range want {
		g := sum.Tenants[i]
		if g.Name != w.name || g.Status != w.status || g.File != w.file || !strings.Contains(g.Error, w.err) || (w.err == "") != (g.Error == "") {
			t.Errorf("tenant %d: %+v, want %+v", i, g, w)
		}
		_, statErr := os.Stat(filepath.Join(out, w.name+".json"))
		if (statErr == nil) != (w.file != "") {
			t.Errorf("%s: snapshot file present %v", w.name, statErr == nil)
		}
		if !strings.Contains(stderr, w.name) {
			t.Errorf("stderr lacks a line for %s", w.name)
		}
	}
	// Stamped by the CLI, which alone knows the release (the fake's is "demo").
	snap, err := snapshot.Load(filepath.Join(out, "sunny.json"))
	if err != nil {
		t.Fatal(err)
	}
	if snap.Tool.Version != Version {
		t.Errorf("sunny.json tool.version %q, want %q", snap.Tool.Version, Version)
	}
}

// A credential never shows through the connection options' printed or
// encoded forms.
func TestSecretIsRedacted(t *testing.T) {
	o := conn.Options{TenantID: "t", AccessToken: fleetSecret, ClientSecret: fleetSecret}
	js, _ := json.Marshal(o)
	ym, _ := yaml.Marshal(o)
	for _, s := range []string{fmt.Sprint(o), fmt.Sprintf("%+v", o), fmt.Sprintf("%#v", o), fmt.Sprintf("%s", o.ClientSecret), fmt.Sprintf("%q", o.AccessToken), fmt.Sprintf("%x", o.AccessToken), string(js), string(ym)} {
		if strings.Contains(s, fleetSecret) || strings.Contains(s, fmt.Sprintf("%x", fleetSecret)) {
			t.Errorf("secret visible in %q", s)
		}
	}
	if string(o.AccessToken) != fleetSecret {
		t.Fatal("string() must still read the secret")
	}
}

// A secret missing from this run's environment fails that tenant only:
// it is never contacted, the others are collected, and the run exits 4.
func TestCollectFleetMissingSecretFailsOneTenant(t *testing.T) {
	t.Setenv("SET_SECRET", fleetSecret)
	t.Setenv("EMPTY_SECRET", "")
	dir := t.TempDir()
	file := filepath.Join(dir, "tenants.yaml")
	yaml := "defaults:\n  auth: client-secret\n  client_id: c\ntenants:\n" +
		"  - id: 35a4937b-c200-40f5-8db0-1813c0f63ffe\n    name: sunny\n    client_secret_env: SET_SECRET\n" +
		"  - id: b.example\n    client_secret_env: UNSET_SECRET_VAR\n" +
		"  - id: c.example\n    access_token_env: EMPTY_SECRET\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	live := &fleetLive{seen: map[string]conn.Options{}, do: func(string) (*snapshot.Snapshot, error) { return demo.Snapshot() }}
	t.Setenv("COLUMNS", "1000") // each tenant's line whole, to match its message
	code, _, stderr := runLive(t, live, "collect", "--tenants", file, "--output-dir", filepath.Join(dir, "out"))
	if code != 4 {
		t.Fatalf("exit %d, want 4 (a tenant failed)\n%s", code, stderr)
	}
	if _, contacted := live.seen["b.example"]; contacted || len(live.seen) != 1 {
		t.Errorf("contacted %v: only sunny has its secret", live.seen)
	}
	for _, want := range []string{
		"client_secret_env (" + file + ":9) names the environment variable UNSET_SECRET_VAR, which is not set or empty; nothing was collected",
		"access_token_env (" + file + ":11) names the environment variable EMPTY_SECRET",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "sunny.json")); err != nil {
		t.Errorf("the tenant with its secret was not written: %v", err)
	}
}

// collect --help documents every key the tenants file accepts.
func TestCollectHelpNamesEveryTenantsKey(t *testing.T) {
	_, help, _ := run(t, "collect", "--help")
	var keys []string
	for _, typ := range []reflect.Type{reflect.TypeOf(fleetFile{}), reflect.TypeOf(fleetEntry{}), reflect.TypeOf(fleetConn{})} {
		for i := range typ.NumField() {
			if tag := strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" {
				keys = append(keys, tag)
			}
		}
	}
	if len(keys) < 12 {
		t.Fatalf("only %d keys found: %v", len(keys), keys)
	}
	for _, k := range keys {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(k) + `:?\s`).MatchString(help) {
			t.Errorf("collect --help does not document the key %q", k)
		}
	}
}
