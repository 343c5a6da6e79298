package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/policies"
)

// timeControls prints the median evaluation time of each control's result
// query evaluated alone (shared helpers computed afresh for each), of the
// license map, and of data.tenantgate.main (everything in one query, as the
// engine evaluates it), on one snapshot.
// policyDir, when set, replaces the embedded policies (to measure a Rego
// change before making it).
func timeControls(file, basePath, policyDir, extra string) error {
	b, err := loadBaseline(basePath)
	if err != nil {
		return err
	}
	in, err := loadInput(file, b)
	if err != nil {
		return err
	}
	c, mods, err := compileTree(policyDir)
	if err != nil {
		return err
	}
	var queries []string
	for _, m := range mods {
		if pkg := m.Package.Path.String(); strings.HasPrefix(pkg, "data.tenantgate.controls.") {
			queries = append(queries, pkg+".result")
		}
	}
	slices.Sort(queries)
	queries = append(queries, "data.tenantgate.lib.licenses")
	if extra != "" {
		queries = append(queries, strings.Split(extra, ",")...)
	}
	queries = append(queries, "data.tenantgate.main")
	ctx := context.Background()
	var sum time.Duration
	fmt.Printf("%-45s %10s\n", "query", "median")
	for _, q := range queries {
		pq, err := rego.New(rego.Compiler(c), rego.Query(q)).PrepareForEval(ctx)
		if err != nil {
			return err
		}
		var ts []time.Duration
		for range 15 {
			start := time.Now()
			if _, err := pq.Eval(ctx, rego.EvalParsedInput(in)); err != nil {
				return err
			}
			ts = append(ts, time.Since(start))
		}
		slices.Sort(ts)
		med := ts[len(ts)/2]
		if q != "data.tenantgate.main" {
			sum += med
		} else {
			fmt.Printf("%-45s %10s\n", "(sum of the above, each alone)", sum.Round(time.Microsecond))
		}
		fmt.Printf("%-45s %10s\n", q, med.Round(time.Microsecond))
	}
	return nil
}

// compileTree compiles the policies of dir (the embedded ones when dir is
// ""), without their tests.
func compileTree(dir string) (*ast.Compiler, map[string]*ast.Module, error) {
	var fsys fs.FS = policies.FS
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	// What the audit reaches (the engine's own reading), so hunt detections
	// in the tree are not compiled.
	mods, err := engine.ModulesFS(fsys, engine.AuditQuery, "data.tenantgate.lib.licenses")
	if err != nil {
		return nil, nil, err
	}
	c := ast.NewCompiler()
	if c.Compile(mods); c.Failed() {
		return nil, nil, c.Errors
	}
	return c, mods, nil
}

// compareTrees evaluates data.tenantgate.main under two policy trees (a = ""
// for the embedded policies) on the same snapshots, alternating the trees
// run by run so the VM's drift hits both alike, and prints the median time
// per snapshot of each and their ratio. Both must give the same results.
func compareTrees(a, b, glob, basePath string, runs int) error {
	bl, err := loadBaseline(basePath)
	if err != nil {
		return err
	}
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		return fmt.Errorf("-snapshots %q matches no file", glob)
	}
	var ins []ast.Value
	for _, f := range files {
		in, err := loadInput(f, bl)
		if err != nil {
			return err
		}
		ins = append(ins, in)
	}
	ctx := context.Background()
	var pqs [2]rego.PreparedEvalQuery
	for i, dir := range []string{a, b} {
		c, _, err := compileTree(dir)
		if err != nil {
			return fmt.Errorf("%s: %w", cmp.Or(dir, "embedded policies"), err)
		}
		if pqs[i], err = rego.New(rego.Compiler(c), rego.Query("data.tenantgate.main")).PrepareForEval(ctx); err != nil {
			return err
		}
	}
	// One pass each that also checks the trees agree, and warms up.
	for _, in := range ins {
		var got [2]any
		for i, pq := range pqs {
			rs, err := pq.Eval(ctx, rego.EvalParsedInput(in))
			if err != nil || len(rs) != 1 {
				return fmt.Errorf("evaluation failed: %v", err)
			}
			got[i] = rs[0].Expressions[0].Value
		}
		if !reflect.DeepEqual(got[0], got[1]) {
			return errors.New("the two policy trees give different results; compare only equivalent trees")
		}
	}
	var times [2][]time.Duration
	for range runs {
		for i, pq := range pqs {
			start := time.Now()
			for _, in := range ins {
				if _, err := pq.Eval(ctx, rego.EvalParsedInput(in)); err != nil {
					return err
				}
			}
			times[i] = append(times[i], time.Since(start)/time.Duration(len(ins)))
		}
	}
	var med [2]time.Duration
	for i := range times {
		slices.Sort(times[i])
		med[i] = times[i][len(times[i])/2]
	}
	fmt.Printf("%d snapshots, %d alternated runs, median per snapshot\n", len(ins), runs)
	fmt.Printf("A %-30s %10s\n", cmp.Or(a, "(embedded)"), med[0].Round(time.Microsecond))
	fmt.Printf("B %-30s %10s\n", cmp.Or(b, "(embedded)"), med[1].Round(time.Microsecond))
	fmt.Printf("B/A %.3f\n", float64(med[1])/float64(med[0]))
	return nil
}

// loadInput reads a snapshot and gives the input document the engine would.
func loadInput(file string, b *baseline.Baseline) (ast.Value, error) {
	s, err := snapshot.Load(file)
	if err != nil {
		return nil, err
	}
	return engine.Input(s, b)
}
