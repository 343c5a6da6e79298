package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

const token = "e2e-token-5d1c-never-printed"

// The real binary's wiring, end to end over HTTP: collect against the
// emulated demo tenant, and exit 4 when the token is refused everywhere.
func TestCollectAgainstEmulator(t *testing.T) {
	demoSnap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		opts   emulate.Options
		code   int
		stderr string
	}{
		{"demo tenant", emulate.Options{Token: token, PageSize: 2}, 0, ""},
		{"one source denied", emulate.Options{Token: token, Deny: []string{"conditionalAccessPolicies"}}, 0, "warning: conditionalAccessPolicies denied: HTTP 403 AccessDenied"},
		{"token refused everywhere", emulate.Options{Token: "another"}, 4, "nothing could be read from the tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
			ts := httptest.NewServer(emulate.New(demoSnap, tt.opts))
			defer ts.Close()
			out := filepath.Join(t.TempDir(), "snap.json")
			var stdout, stderr bytes.Buffer
			app := &cli.App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Live: live(), IsTerminal: func(any) bool { return false }}
			code := cli.Main(context.Background(), app, []string{"collect", "-v", "--graph-endpoint", ts.URL, "--arm-endpoint", ts.URL,
				"--baseline", "../../internal/demo/baseline.yaml", "-o", out})
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
			}
			if strings.Contains(stderr.String()+stdout.String(), token) {
				t.Fatal("the token was printed")
			}
			if code != 0 {
				return
			}
			got, err := snapshot.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			if got.Tenant.ID != demoSnap.Tenant.ID || !got.OK("breakGlassAccounts") || !got.OK("organization") {
				t.Fatalf("snapshot %+v %+v", got.Tenant, got.Sources)
			}
		})
	}
}

// A token Graph refuses while ARM accepts it (an ARM token) fails the run,
// exit 4 (cli.md: Graph refused the whole run), for collect and live audit
// alike: the two ARM sources alone are no audit of the tenant.
func TestGraphRefusedFailsTheRun(t *testing.T) {
	demoSnap, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
	}{
		{"collect", []string{"collect", "-o", filepath.Join(t.TempDir(), "snap.json")}},
		{"audit", []string{"audit", "--fail-on", "never"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
			srv := emulate.New(demoSnap, emulate.Options{Token: "a-graph-token", ARMToken: token})
			ts := httptest.NewServer(srv)
			defer ts.Close()
			var stdout, stderr bytes.Buffer
			app := &cli.App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Live: live(), IsTerminal: func(any) bool { return false }}
			args := append(tt.args, "--graph-endpoint", ts.URL, "--arm-endpoint", ts.URL, "--baseline", "../../internal/demo/baseline.yaml")
			code := cli.Main(context.Background(), app, args)
			if code != 4 || !strings.Contains(stderr.String(), "Graph refused the token") || stdout.Len() != 0 {
				t.Fatalf("exit %d, stdout %d bytes, stderr:\n%s", code, stdout.Len(), stderr.String())
			}
			armOK := false
			for _, r := range srv.Requests() {
				armOK = armOK || strings.HasPrefix(r.Path, "/providers/") && r.Status == 200
			}
			if !armOK {
				t.Fatal("ARM answered nothing: the test tests nothing")
			}
		})
	}
}
