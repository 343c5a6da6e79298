package engine

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/open-policy-agent/opa/v1/profiler"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// TestRegoProfile prints the Rego expressions that cost most (TG_PROF=1 go test
// ./internal/engine -run TestRegoProfile -v); used to find what to optimise.
// TG_PROF_QUERY picks the query (default data.tenantgate.main) and
// TG_PROF_SNAPSHOT a snapshot file (default the demo tenant), e.g. one of
// `go run ./bench/gen -large FILE -policies 4000`.
func TestRegoProfile(t *testing.T) {
	if os.Getenv("TG_PROF") == "" {
		t.Skip()
	}
	mods, _ := Modules(AuditQuery)
	c, err := CompileChecked(mods)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := demo.Snapshot()
	if f := os.Getenv("TG_PROF_SNAPSHOT"); f != "" {
		var err error
		if s, err = snapshot.Load(f); err != nil {
			t.Fatal(err)
		}
	}
	bl, _ := demo.Baseline()
	in, _ := Input(s, bl)
	p := profiler.New()
	r := rego.New(rego.Compiler(c), rego.Query(queryFor()), rego.ParsedInput(in), rego.QueryTracer(p))
	const runs = 5
	for i := 0; i < runs; i++ {
		if _, err := r.Eval(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	rep := p.ReportTopNResults(400, []string{"total_time_ns"})
	byFile := map[string]float64{}
	var total float64
	for i, e := range rep {
		ms := float64(e.ExprTimeNs) / 1e6 / runs
		byFile[e.Location.File] += ms
		total += ms
		if i < 25 {
			fmt.Printf("%8.2fms %6d evals  %s:%d\n", ms, e.NumEval/runs, e.Location.File, e.Location.Row)
		}
	}
	for f, ms := range byFile {
		fmt.Printf("file %7.2fms %s\n", ms, f)
	}
	fmt.Printf("total %.2fms (expression time, includes nested calls)\n", total)
}

func queryFor() string {
	if q := os.Getenv("TG_PROF_QUERY"); q != "" {
		return q
	}
	return "data.tenantgate.main"
}
