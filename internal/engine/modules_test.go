package engine

import (
	"context"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/policies"
)

// TestPoliciesPassEveryCheck compiles the audit's modules with every
// compiler stage, strict: the checks Compile skips at start-up run here.
func TestPoliciesPassEveryCheck(t *testing.T) {
	mods, err := Modules(AuditQuery, licensesQuery)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CompileChecked(mods); err != nil {
		t.Fatal(err)
	}
}

// TestAuditModules: the audit reaches every control and the library, and
// never a hunt detection (compile only what a command uses).
func TestAuditModules(t *testing.T) {
	mods, err := Modules(AuditQuery, licensesQuery)
	if err != nil {
		t.Fatal(err)
	}
	all, err := scan(fsysForTest())
	if err != nil {
		t.Fatal(err)
	}
	controls := 0
	for _, s := range all {
		pkg := s.pkg.String()
		_, in := mods[s.name]
		switch {
		case strings.HasPrefix(pkg, "data.tenantgate.controls.") || strings.HasPrefix(pkg, "data.tenantgate.lib") || pkg == AuditQuery:
			if !in {
				t.Errorf("%s (%s) is not compiled for the audit", s.name, pkg)
			}
			if strings.HasPrefix(pkg, "data.tenantgate.controls.") {
				controls++
			}
		case strings.HasPrefix(pkg, "data.tenantgate.hunt"):
			if in {
				t.Errorf("%s (%s) is compiled for the audit", s.name, pkg)
			}
		}
	}
	cat, err := catalogFrom(mods)
	if err != nil {
		t.Fatal(err)
	}
	if controls == 0 || len(cat) != controls {
		t.Errorf("%d control modules, catalog of %d", controls, len(cat))
	}
}

// TestModulesReach checks the reachability rules on a made-up tree.
func TestModulesReach(t *testing.T) {
	fsys := fstest.MapFS{
		"lib/core.rego":     {Data: []byte("# helpers\npackage t.lib\n\nimport data.t.lib.ca\n\nx := ca.y\n")},
		"lib/ca.rego":       {Data: []byte("package t.lib.ca\n\ny := 1\n")},
		"lib/hunt.rego":     {Data: []byte("package t.lib.hunt\n\nz := 2\n")},
		"lib/unused.rego":   {Data: []byte("package t.lib.unused\n\nu := 3\n")},
		"c/a.rego":          {Data: []byte("# METADATA\n# title: A\npackage t.controls.a\n\nimport data.t.lib\n\nresult := lib.x\n")},
		"c/b.rego":          {Data: []byte("package t.controls[\"b\"]\n\nresult := 2\n")},
		"c/b_test.rego":     {Data: []byte("package t.controls.b_test\n\ntest_x if true\n")},
		"main.rego":         {Data: []byte("package t.main\n\nresults[k] := data.t.controls[k].result\n")},
		"hunt/h1.rego":      {Data: []byte("package t.hunt.h1\n\nimport data.t.lib.hunt\n\nhit := hunt.z\n")},
		"hunt/main.rego":    {Data: []byte("package t.hunt.main\n\nall := data.t.hunt.h1.hit\n")},
		"other/whole.rego":  {Data: []byte("package t.whole\n\nimport data.t.lib as l\n\nw := l.unused.u\n")},
		"other/nodata.rego": {Data: []byte("package t.nodata\n\nn := 1\n")},
	}
	for _, tc := range []struct {
		roots []string
		want  []string
	}{
		{[]string{"data.t.main"}, []string{"c/a.rego", "c/b.rego", "lib/ca.rego", "lib/core.rego", "main.rego"}},
		// data.t.lib.hunt.z may also be a rule of package t.lib (a ref head),
		// so t.lib's module comes along, and what it imports.
		{[]string{"data.t.hunt.main"}, []string{"hunt/h1.rego", "hunt/main.rego", "lib/ca.rego", "lib/core.rego", "lib/hunt.rego"}},
		{[]string{"data.t.whole.w"}, []string{"lib/ca.rego", "lib/core.rego", "lib/unused.rego", "other/whole.rego"}},
		{[]string{"data.t.controls.b.result"}, []string{"c/b.rego"}},
		{[]string{"data.t"}, []string{"c/a.rego", "c/b.rego", "hunt/h1.rego", "hunt/main.rego", "lib/ca.rego", "lib/core.rego", "lib/hunt.rego", "lib/unused.rego", "main.rego", "other/nodata.rego", "other/whole.rego"}},
	} {
		mods, err := modulesFrom(fsys, tc.roots...)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for name := range mods {
			got = append(got, strings.TrimPrefix(name, "policies/"))
		}
		slices.Sort(got)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: got %v, want %v", tc.roots, got, tc.want)
		}
	}
}

// TestCompileSkipsOnlyChecks: the audit query gives the same value on the
// demo tenant, and with each source denied, whether the policies were
// compiled with every stage or without the verification-only ones.
func TestCompileSkipsOnlyChecks(t *testing.T) {
	mods, err := Modules(AuditQuery, licensesQuery)
	if err != nil {
		t.Fatal(err)
	}
	if usesWith(mods) {
		t.Log("policies use `with`: Compile keeps type checking")
	}
	fast, err := Compile(mods)
	if err != nil {
		t.Fatal(err)
	}
	full, err := CompileChecked(mods)
	if err != nil {
		t.Fatal(err)
	}
	if fast.TypeEnv == nil || full.TypeEnv == nil {
		t.Fatal("no type environment")
	}
	s, err := demo.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	b, err := demo.Baseline()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eval := func(c *ast.Compiler, in ast.Value) any {
		t.Helper()
		rs, err := rego.New(rego.Compiler(c), rego.Query(AuditQuery), rego.ParsedInput(in), rego.StrictBuiltinErrors(true)).Eval(ctx)
		if err != nil || len(rs) != 1 {
			t.Fatalf("eval: %v (%d results)", err, len(rs))
		}
		return rs[0].Expressions[0].Value
	}
	names := append([]string{""}, slices.Sorted(maps.Keys(s.Data))...)
	for _, deny := range names {
		v := *s
		v.Data = maps.Clone(s.Data)
		v.Sources = maps.Clone(s.Sources)
		if deny != "" {
			delete(v.Data, deny)
			src := v.Sources[deny]
			src.Status, src.Error = "denied", "Authorization_RequestDenied"
			v.Sources[deny] = src
		}
		in, err := Input(&v, b)
		if err != nil {
			t.Fatal(err)
		}
		a, c := eval(fast, in), eval(full, in)
		if !reflect.DeepEqual(a, c) {
			t.Errorf("denied %q: results differ between Compile and CompileChecked", deny)
		}
		if res, _ := a.(map[string]any)["results"].(map[string]any); len(res) == 0 {
			t.Errorf("denied %q: no results", deny)
		}
	}
}

func TestUsesWith(t *testing.T) {
	m := ast.MustParseModuleWithOpts("package p\n\nf(x) := x\n\ny := f(1) if {\n\tf(1) with input as {}\n}\n", ast.ParserOptions{RegoVersion: ast.RegoV1})
	n := ast.MustParseModuleWithOpts("package p\n\ny := 1\n", ast.ParserOptions{RegoVersion: ast.RegoV1})
	if !usesWith(map[string]*ast.Module{"m": m}) || usesWith(map[string]*ast.Module{"n": n}) {
		t.Error("usesWith is wrong")
	}
}

// TestEngineCompilesLazily: the catalog needs no compilation; Evaluate
// compiles once, whoever asks first.
func TestEngineCompilesLazily(t *testing.T) {
	e, err := New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Catalog()) == 0 || e.compiler != nil {
		t.Fatalf("catalog %d, compiled %v", len(e.Catalog()), e.compiler != nil)
	}
	e.Warm()
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	if e.compiler == nil {
		t.Fatal("not compiled after Prepare")
	}
}

func fsysForTest() fstest.MapFS {
	out := fstest.MapFS{}
	_ = fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := policies.FS.ReadFile(p)
			out[p] = &fstest.MapFile{Data: b}
		}
		return err
	})
	return out
}
