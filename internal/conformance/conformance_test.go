package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/internal/cli"
	"github.com/tenantgate/tenantgate/internal/collect"
	"github.com/tenantgate/tenantgate/internal/emulate"
	"github.com/tenantgate/tenantgate/internal/report"
)

// -show prints each case's verdicts as YAML (to write a new case's
// expectations, which must then be checked against controls.md by hand).
var show = flag.Bool("show", false, "print each case's verdicts")

const token = "conformance-token"

func manifest(t *testing.T) *Manifest {
	t.Helper()
	m, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// run runs the CLI in-process, with the Graph-backed collector.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	app := &cli.App{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Live: collect.Live{}, IsTerminal: func(any) bool { return false }}
	code := cli.Main(context.Background(), app, args)
	return code, stdout.String(), stderr.String()
}

func statuses(t *testing.T, out string) (map[string]string, map[string]string) {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out)
	}
	got, findings := map[string]string{}, map[string]string{}
	for _, res := range r.Results {
		got[res.ID], findings[res.ID] = res.Status, res.Finding
	}
	return got, findings
}

func check(t *testing.T, c Case, want map[string]string, out string) {
	t.Helper()
	got, findings := statuses(t, out)
	if *show {
		fmt.Printf("# %s\n    verdicts:\n", c.Name)
		for _, id := range slices.Sorted(maps.Keys(got)) {
			fmt.Printf("      %s: %s   # %s\n", id, got[id], findings[id])
		}
		return
	}
	if len(want) != len(got) {
		t.Errorf("the manifest states %d verdicts, the audit has %d controls: state every control", len(want), len(got))
	}
	for _, id := range slices.Sorted(maps.Keys(got)) {
		if want[id] != got[id] {
			t.Errorf("%s: %s, the manifest says %q (finding: %s)", id, got[id], want[id], findings[id])
		}
	}
}

func writeBaseline(t *testing.T, c Case) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "baseline.yaml")
	if err := os.WriteFile(p, []byte(c.Baseline), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCorpusThroughAuditSnapshot wraps each case into a snapshot as collect
// would and audits it with `audit --snapshot`.
func TestCorpusThroughAuditSnapshot(t *testing.T) {
	m := manifest(t)
	for _, c := range m.Cases {
		t.Run(c.Name, func(t *testing.T) {
			snap, err := m.Snapshot(c)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(t.TempDir(), "snapshot.json")
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := snap.Write(f); err != nil {
				t.Fatal(err)
			}
			f.Close()
			code, out, stderr := run(t, "audit", "--snapshot", p, "--baseline", writeBaseline(t, c), "--format", "json", "--fail-on", "never", "--allow-incomplete")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			check(t, c, c.Verdicts, out)
		})
	}
}

// TestCorpusThroughCollect serves each case with the emulator and audits it
// live (collect against the emulator, then the same evaluation).
func TestCorpusThroughCollect(t *testing.T) {
	m := manifest(t)
	t.Setenv("TENANTGATE_ACCESS_TOKEN", token)
	t.Setenv("AZURE_TENANT_ID", "")
	for _, c := range m.Cases {
		t.Run(c.Name, func(t *testing.T) {
			snap, err := m.Snapshot(c)
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(emulate.New(snap, emulate.Options{Token: token, PageSize: 7}))
			defer ts.Close()
			code, out, stderr := run(t, "audit", "--graph-endpoint", ts.URL, "--arm-endpoint", ts.URL, "--baseline", writeBaseline(t, c), "--format", "json", "--fail-on", "never", "--allow-incomplete")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			want := map[string]string{}
			for k, v := range c.Verdicts {
				want[k] = v
			}
			for k, v := range c.CollectVerdicts {
				want[k] = v
			}
			check(t, c, want, out)
		})
	}
}
