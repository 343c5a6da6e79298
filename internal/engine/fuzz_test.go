package engine_test

import (
	"context"
	"os"
	"testing"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

// FuzzEvaluateSnapshot: what the snapshot loader accepts, the policies
// evaluate (no runtime error: exit 4 on an input is a bug), and the fleet's
// single-parse path (EvaluateJSON) judges every file exactly as a single
// audit (snapshot.Parse + Evaluate): the same refusal or the same verdicts.
func FuzzEvaluateSnapshot(f *testing.F) {
	e := testutil.Engine(f)
	_, bl := testutil.Demo(f)
	f.Add(demo.SnapshotJSON())
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, raw []byte) {
		fleet, ferr := e.EvaluateJSON(ctx, "fuzz.json", raw, bl, testutil.Now)
		s, perr := snapshot.Parse("fuzz.json", raw)
		switch {
		case ferr != nil && !inputerr.Is(ferr):
			t.Fatalf("fleet audit: not an input error: %v", ferr)
		case (ferr == nil) != (perr == nil):
			t.Fatalf("fleet audit says %v, single audit's loader %v", ferr, perr)
		case perr != nil:
			testutil.CheckInputError(t, perr, "fuzz.json")
			return
		}
		single, err := e.Evaluate(ctx, s, bl, testutil.Now)
		if err != nil {
			t.Fatalf("a snapshot the loader accepts fails evaluation: %v", err)
		}
		sameVerdicts(t, fleet, single)
	})
}

// FuzzEvaluateBaseline: a baseline the loader accepts (and whose control
// ids exist) evaluates the demo tenant without a runtime error.
func FuzzEvaluateBaseline(f *testing.F) {
	e := testutil.Engine(f)
	s, _ := testutil.Demo(f)
	for _, p := range []string{"../demo/baseline.yaml", "../../baselines/aitm-defense.yaml"} {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := baseline.Parse("fuzz.yaml", raw)
		if err == nil {
			err = b.CheckControls(e.Known, e.JudgesExclusions)
		}
		if err != nil {
			testutil.CheckInputError(t, err, "fuzz.yaml")
			return
		}
		if _, err := e.Evaluate(ctx, s, b, testutil.Now); err != nil {
			t.Fatalf("a baseline the loader accepts fails evaluation: %v", err)
		}
	})
}

func sameVerdicts(t *testing.T, a, b *report.Report) {
	t.Helper()
	if len(a.Results) != len(b.Results) {
		t.Fatalf("%d results against %d", len(a.Results), len(b.Results))
	}
	for i := range a.Results {
		if x, y := a.Results[i], b.Results[i]; x.ID != y.ID || x.Status != y.Status || x.Finding != y.Finding {
			t.Fatalf("%s: fleet %s (%s), single %s (%s)", x.ID, x.Status, x.Finding, y.Status, y.Finding)
		}
	}
}
