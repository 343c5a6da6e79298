package engine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/tenantgate/tenantgate/bench/synth"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

// Benchmarks of the per-snapshot costs of an audit (docs/performance.md,
// bench/run.sh). BenchmarkEvaluateDemo is in engine_test.go. The large tenant
// (200 Conditional Access policies, 100 named locations) is generated from the
// demo snapshot in-process (bench/synth), so no large test data is committed.

const (
	largePolicies  = 200
	largeLocations = 100
)

func largeJSON(b *testing.B) []byte {
	b.Helper()
	raw, err := synth.Large(demo.SnapshotJSON(), largePolicies, largeLocations)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func largeSnapshot(b *testing.B) *snapshot.Snapshot {
	b.Helper()
	s, err := snapshot.Parse("large tenant", largeJSON(b))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkEvaluateLarge is BenchmarkEvaluateDemo for the large tenant: input
// conversion, one evaluation of every control, report assembly.
func BenchmarkEvaluateLarge(b *testing.B) {
	e := testutil.Engine(b)
	s := largeSnapshot(b)
	_, bl := testutil.Demo(b)
	ctx := context.Background()
	r, err := e.Evaluate(ctx, s, bl, testutil.Now)
	if err != nil {
		b.Fatal(err)
	}
	if len(r.Results) == 0 || len(r.Warnings) > 0 {
		b.Fatalf("large tenant: %d results, warnings %v", len(r.Results), r.Warnings)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Evaluate(ctx, s, bl, testutil.Now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluatePolicies is BenchmarkEvaluateLarge at 200, 1,000 and
// 4,000 Conditional Access policies: evaluation must grow about linearly
// with the number of policies (docs/performance.md "Scaling with the number
// of policies"), since a hostile or generated snapshot may hold thousands.
func BenchmarkEvaluatePolicies(b *testing.B) {
	e := testutil.Engine(b)
	_, bl := testutil.Demo(b)
	ctx := context.Background()
	for _, n := range []int{200, 1000, 4000} {
		raw, err := synth.Large(demo.SnapshotJSON(), n, largeLocations)
		if err != nil {
			b.Fatal(err)
		}
		s, err := snapshot.Parse("large tenant", raw)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("policies=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Evaluate(ctx, s, bl, testutil.Now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInput is the input conversion alone (engine.Input: snapshot and
// baseline to an OPA AST value), the part of Evaluate before OPA runs.
func BenchmarkInput(b *testing.B) {
	demoSnap, bl := testutil.Demo(b)
	for _, tc := range []struct {
		name string
		s    *snapshot.Snapshot
	}{{"demo", demoSnap}, {"large", largeSnapshot(b)}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := engine.Input(tc.s, bl); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeSnapshot is what a fleet audit does per file before
// Evaluate: snapshot.Parse (JSON decoding and validation).
func BenchmarkDecodeSnapshot(b *testing.B) {
	for _, tc := range []struct {
		name string
		raw  []byte
	}{{"demo", demo.SnapshotJSON()}, {"large", largeJSON(b)}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.raw)))
			for b.Loop() {
				if _, err := snapshot.Parse("bench", tc.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
