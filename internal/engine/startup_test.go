package engine

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"

	"github.com/tenantgate/tenantgate/internal/demo"
)

// TestStartupPhases prints where an audit's start-up goes, phase by phase
// and compiler stage by stage (median of TG_STARTUP_RUNS runs, each on a fresh
// engine with the collector paused as New pauses it):
//
//	TG_STARTUP=1 go test ./internal/engine -run TestStartupPhases -v
//
// docs/performance.md ("Start-up") reports it. Not a timed assertion: it only
// prints.
func TestStartupPhases(t *testing.T) {
	if os.Getenv("TG_STARTUP") == "" {
		t.Skip("set TG_STARTUP=1")
	}
	runs := 21
	fmt.Sscan(os.Getenv("TG_STARTUP_RUNS"), &runs)
	s, _ := demo.Snapshot()
	b, _ := demo.Baseline()
	ctx := context.Background()
	phases := map[string][]time.Duration{}
	stages := map[string][]time.Duration{}
	var nmods, size int
	for range runs {
		runtime.GC()
		old := debug.SetGCPercent(-1)
		t0 := time.Now()
		mods, err := Modules(AuditQuery, licensesQuery)
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		m := metrics.New()
		c := ast.NewCompiler().WithStrict(true).WithSkipStages(verificationStages...).WithMetrics(m)
		if c.Compile(mods); c.Failed() {
			t.Fatal(c.Errors)
		}
		t2 := time.Now()
		debug.SetGCPercent(old)
		e, _ := New(ctx, "x")
		e.compiler = c
		if err := e.Prepare(); err != nil {
			t.Fatal(err)
		}
		t3 := time.Now()
		if _, err := e.Evaluate(ctx, s, b, time.Now()); err != nil {
			t.Fatal(err)
		}
		t4 := time.Now()
		phases["1 parse (Modules, parallel)"] = append(phases["1 parse (Modules, parallel)"], t1.Sub(t0))
		phases["2 compile (Compile)"] = append(phases["2 compile (Compile)"], t2.Sub(t1))
		phases["4 first evaluation of the demo"] = append(phases["4 first evaluation of the demo"], t4.Sub(t3))
		for k, v := range m.All() {
			if ns, ok := v.(int64); ok {
				stages[k] = append(stages[k], time.Duration(ns))
			}
		}
		nmods = len(mods)
		size = 0
		for _, mod := range mods {
			size += len(mod.String())
		}
	}
	med := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	fmt.Printf("%d modules (%d bytes as printed), median of %d runs, GOMAXPROCS=%d\n", nmods, size, runs, runtime.GOMAXPROCS(0))
	var keys []string
	for k := range phases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %-34s %6.2f ms\n", k, float64(med(phases[k]))/1e6)
	}
	keys = keys[:0]
	for k := range stages {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return med(stages[keys[i]]) > med(stages[keys[j]]) })
	for _, k := range keys[:min(12, len(keys))] {
		fmt.Printf("    %-50s %6.2f ms\n", k, float64(med(stages[k]))/1e6)
	}
}
