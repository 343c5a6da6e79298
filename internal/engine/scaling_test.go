package engine

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/profiler"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/tenantgate/tenantgate/bench/synth"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// evalCount is the number of Rego expression evaluations of one run of
// every control (data.tenantgate.main) on a tenant with n CA policies.
func evalCount(t *testing.T, c *ast.Compiler, n int) int {
	t.Helper()
	raw, err := synth.Large(demo.SnapshotJSON(), n, 20)
	if err != nil {
		t.Fatal(err)
	}
	s, err := snapshot.Parse("large", raw)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := demo.Baseline()
	if err != nil {
		t.Fatal(err)
	}
	in, err := Input(s, bl)
	if err != nil {
		t.Fatal(err)
	}
	p := profiler.New()
	if _, err := rego.New(rego.Compiler(c), rego.Query(AuditQuery), rego.ParsedInput(in), rego.QueryTracer(p)).Eval(context.Background()); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range p.ReportTopNResults(-1, []string{"num_eval"}) {
		total += e.NumEval
	}
	return total
}

// TestEvaluationLinearInPolicies: the work of an audit (counted in Rego
// expression evaluations, not time, so the test is exact on any machine)
// grows about linearly with the number of Conditional Access policies. A
// per-policy lookup that iterates every policy (a partial object rule
// looked up by key) made it quadratic: 4,000 policies took 20 s.
func TestEvaluationLinearInPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and profiles two large tenants")
	}
	mods, err := Modules(AuditQuery)
	if err != nil {
		t.Fatal(err)
	}
	c, err := CompileChecked(mods)
	if err != nil {
		t.Fatal(err)
	}
	// The growth from n to 2n and from 2n to 4n policies, so that the fixed
	// work (licenses, settings controls) cancels out: doubling n doubles a
	// linear cost's growth (ratio 2) and quadruples a quadratic one's (4).
	e1, e2, e4 := evalCount(t, c, 150), evalCount(t, c, 300), evalCount(t, c, 600)
	ratio := float64(e4-e2) / float64(e2-e1)
	t.Logf("evaluations at 150, 300, 600 policies: %d, %d, %d (growth ratio %.2f)", e1, e2, e4, ratio)
	if ratio > 2.25 {
		t.Errorf("the work grows %.2fx faster from 300 to 600 policies than from 150 to 300 (linear: 2): something is quadratic in the number of policies (profile with TG_PROF=1 TG_PROF_SNAPSHOT=...)", ratio)
	}
}
