// Package testutil holds helpers shared by the tests of several packages:
// golden files and the audited demo tenant. It is imported by tests only.
package testutil

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// Golden compares got with the golden file at path, or rewrites the file
// when update is set (each package's -update flag). pkg names the package
// for the hint printed on a mismatch.
func Golden(t testing.TB, path string, got []byte, update bool, pkg string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test %s -update to create it)", err, pkg)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test %s -update to accept):\n%s", path, pkg, FirstDiff(string(want), string(got)))
	}
}

// FirstDiff shows the first differing line.
func FirstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d:\n  want: %q\n  got:  %q", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}

var (
	engOnce sync.Once
	eng     *engine.Engine
	engErr  error
)

// Engine returns the policies compiled once per test process.
func Engine(t testing.TB) *engine.Engine {
	t.Helper()
	engOnce.Do(func() { eng, engErr = engine.New(context.Background(), "test") })
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

// Now is the fixed evaluation time of demo reports.
var Now = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// DemoReport audits the embedded demo tenant under b (nil: the demo's own
// baseline) at Now.
func DemoReport(t testing.TB, b *baseline.Baseline) *report.Report {
	t.Helper()
	s, demoBaseline := Demo(t)
	if b == nil {
		b = demoBaseline
	}
	r, err := Engine(t).Evaluate(context.Background(), s, b, Now)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Demo returns the demo tenant's snapshot and its own baseline.
func Demo(t testing.TB) (*snapshot.Snapshot, *baseline.Baseline) {
	t.Helper()
	s, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := demo.Baseline()
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}
