package policies_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/tester"
)

// coverageFloor is the share of Rego lines (policies and their helpers) the
// Rego tests must execute. Raise it, never lower it.
const coverageFloor = 97.0

// TestRego runs every *_test.rego through OPA's tester, one Go subtest per
// Rego test, and enforces the coverage floor.
func TestRego(t *testing.T) {
	mods, store, err := tester.Load([]string{"."}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cov := cover.New()
	// Built-in errors are raised as the engine raises them
	// (rego.StrictBuiltinErrors), so a type error a test input provokes fails
	// the test instead of quietly making an expression undefined.
	// The tester's default per-test limit (5 s) is too short for the table
	// tests that run every control over dozens of policies, with coverage
	// tracing, on a loaded 2-core machine: it failed a test that needs 1 s.
	ch, err := tester.NewRunner().SetTimeout(2*time.Minute).SetStore(store).SetModules(mods).
		CapturePrintOutput(true).SetCoverageQueryTracer(cov).RaiseBuiltinErrors(true).
		RunTests(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range ch {
		n++
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		t.Run(name, func(t *testing.T) {
			switch {
			case r.Error != nil:
				t.Errorf("%s: error: %v\n%s", r.Location, r.Error, r.Output)
			case r.Fail:
				t.Errorf("%s: failed\n%s", r.Location, r.Output)
			case r.Skip:
				t.Skip("todo test")
			}
		})
	}
	if n == 0 {
		t.Fatal("no Rego tests found")
	}
	rep := cov.Report(mods)
	var policyLines, covered int
	for file, fr := range rep.Files {
		if strings.HasSuffix(file, "_test.rego") {
			continue
		}
		policyLines += fr.CoveredLines + fr.NotCoveredLines
		covered += fr.CoveredLines
	}
	if policyLines == 0 {
		t.Fatal("coverage report has no policy lines")
	}
	pct := 100 * float64(covered) / float64(policyLines)
	t.Logf("Rego tests: %d, policy line coverage %.1f%% (floor %.0f%%)", n, pct, coverageFloor)
	if pct < coverageFloor {
		for file, fr := range rep.Files {
			if !strings.HasSuffix(file, "_test.rego") && len(fr.NotCovered) > 0 {
				t.Logf("not covered: %s %v", file, fr.NotCovered)
			}
		}
		t.Errorf("Rego policy coverage %.1f%% is below the floor of %.0f%%", pct, coverageFloor)
	}
}
