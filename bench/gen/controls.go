package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

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
func timeControls(file, basePath, policyDir string) error {
	b, err := loadBaseline(basePath)
	if err != nil {
		return err
	}
	s, err := snapshot.Load(file)
	if err != nil {
		return err
	}
	in, err := engine.Input(s, b)
	if err != nil {
		return err
	}
	var fsys fs.FS = policies.FS
	if policyDir != "" {
		fsys = os.DirFS(policyDir)
	}
	mods := map[string]*ast.Module{}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".rego" || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		mods[p] = m
		return err
	})
	if err != nil {
		return err
	}
	c := ast.NewCompiler()
	if c.Compile(mods); c.Failed() {
		return c.Errors
	}
	var queries []string
	for _, m := range mods {
		if pkg := m.Package.Path.String(); strings.HasPrefix(pkg, "data.tenantgate.controls.") {
			queries = append(queries, pkg+".result")
		}
	}
	slices.Sort(queries)
	queries = append(queries, "data.tenantgate.lib.licenses", "data.tenantgate.main")
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
