package engine

import (
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tenantgate/tenantgate/policies"
)

// Entry points. Each command compiles only the Rego its entry point reaches
// (Modules), so the audit never compiles hunt detections and vice versa.
const (
	// AuditQuery evaluates every control and the license map in one pass.
	AuditQuery = "data.tenantgate.main"
	// licensesQuery is the license map alone (used when AuditQuery fails).
	licensesQuery = "data.tenantgate.lib.licenses"
)

// source is one embedded Rego file and the package its text declares.
type source struct {
	name string  // policies/ca/tg_ca_1.rego
	src  string  // the file's text
	pkg  ast.Ref // data.tenantgate.controls.tg_ca_1
}

// Modules parses the embedded policies that the given entry points (refs such
// as AuditQuery) can reach, with annotations, and nothing else. Test files
// are never included.
func Modules(roots ...string) (map[string]*ast.Module, error) {
	return modulesFrom(policies.FS, roots...)
}

// ModulesFS is Modules on any file system laid out like policies.FS (a
// modified policy tree on disk: os.DirFS). Names start with "policies/".
func ModulesFS(fsys fs.FS, roots ...string) (map[string]*ast.Module, error) {
	return modulesFrom(fsys, roots...)
}

// modulesFrom reads the modules the roots reach.
//
// Reachability is computed before parsing, from each file's package line,
// then refined from the parsed modules: a module is needed when its package
// is an entry point, lies under one, or is a prefix of one; then the same
// for every data reference of a needed module (import aliases resolved; a
// non-ground reference counts by its ground prefix, so
// data.tenantgate.controls[pkg] reaches every control). Over-inclusion only
// costs time; a package nothing references cannot change any result.
func modulesFrom(fsys fs.FS, roots ...string) (map[string]*ast.Module, error) {
	srcs, err := scan(fsys)
	if err != nil {
		return nil, err
	}
	// A file whose package the text scan could not read is parsed first.
	parsed := map[string]*ast.Module{}
	for i := range srcs {
		if s := &srcs[i]; s.pkg == nil {
			m, err := parseModule(s.name, s.src)
			if err != nil {
				return nil, err
			}
			parsed[s.name], s.pkg = m, m.Package.Path
		}
	}
	seen := map[string]bool{}
	var want []ast.Ref
	add := func(refs []ast.Ref) {
		for _, r := range refs {
			if k := r.String(); !seen[k] {
				seen[k] = true
				want = append(want, r)
			}
		}
	}
	for _, r := range roots {
		ref, err := ast.ParseRef(r)
		if err != nil {
			return nil, fmt.Errorf("entry point %q: %w", r, err)
		}
		add([]ast.Ref{ref})
	}
	// Breadth first: each round parses, in parallel, the files that the refs
	// first seen in the previous round reach (older refs already took theirs).
	mods := map[string]*ast.Module{}
	for len(want) > 0 {
		var todo []*source
		for i := range srcs {
			if s := &srcs[i]; mods[s.name] == nil && reachesAny(s.pkg, want) {
				todo = append(todo, s)
			}
		}
		got, err := parseAll(todo, parsed)
		if err != nil {
			return nil, err
		}
		want = nil
		for i, s := range todo {
			mods[s.name] = got[i]
			add(dataRefs(got[i]))
		}
	}
	return mods, nil
}

// reachesAny: a reference to any of refs may read package pkg's rules.
func reachesAny(pkg ast.Ref, refs []ast.Ref) bool {
	for _, r := range refs {
		if pkg.HasPrefix(r) || r.HasPrefix(pkg) {
			return true
		}
	}
	return false
}

// dataRefs lists the ground prefixes of a module's references into data,
// with import aliases resolved (lib.gate -> data.tenantgate.lib.gate).
func dataRefs(m *ast.Module) []ast.Ref {
	aliases := map[ast.Var]ast.Ref{}
	for _, imp := range m.Imports {
		p, ok := imp.Path.Value.(ast.Ref)
		if !ok || !p.HasPrefix(ast.DefaultRootRef) {
			continue
		}
		alias := imp.Alias
		if alias == "" && len(p) == 1 {
			alias = ast.DefaultRootDocument.Value.(ast.Var) // import data
		} else if alias == "" {
			last, ok := p[len(p)-1].Value.(ast.String)
			if !ok {
				continue
			}
			alias = ast.Var(last)
		}
		aliases[alias] = p
	}
	var out []ast.Ref
	add := func(r ast.Ref) {
		out = append(out, r.GroundPrefix())
	}
	// The rules only: the package and import paths are declarations, and
	// an import nothing uses reaches nothing.
	for _, rule := range m.Rules {
		ast.WalkRefs(rule, func(r ast.Ref) bool {
			if h, ok := r[0].Value.(ast.Var); ok {
				if h.Equal(ast.DefaultRootDocument.Value) {
					add(r)
				} else if p, ok := aliases[h]; ok {
					add(p.Concat(r[1:]))
				}
			}
			return false
		})
	}
	return out
}

// scan lists the non-test Rego files with the package each declares, read
// from the text: the first line that is neither blank nor a comment.
func scan(fsys fs.FS) ([]source, error) {
	var out []source
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".rego" || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out = append(out, source{name: "policies/" + p, src: string(src), pkg: packageOf(string(src))})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, err
}

// packageOf reads "package a.b.c" from a file's text; nil when the first
// statement is anything else (the caller then parses the file to know).
func packageOf(src string) ast.Ref {
	for line := range strings.SplitSeq(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, ok := strings.CutPrefix(line, "package ")
		if !ok {
			return nil
		}
		name = strings.TrimSpace(name)
		for _, r := range name {
			if !(r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return nil
			}
		}
		ref, err := ast.ParseRef("data." + name)
		if err != nil {
			return nil
		}
		return ref
	}
	return nil
}

// parseAll parses files on every CPU (parsing is a third of the start-up),
// except those already parsed.
func parseAll(srcs []*source, parsed map[string]*ast.Module) ([]*ast.Module, error) {
	out := make([]*ast.Module, len(srcs))
	errs := make([]error, len(srcs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(srcs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if m := parsed[srcs[i].name]; m != nil {
					out[i] = m
					continue
				}
				out[i], errs[i] = parseModule(srcs[i].name, srcs[i].src)
			}
		}()
	}
	for i := range srcs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseModule parses one file with its annotations (rego.Module would drop
// them; the catalog lives there).
func parseModule(name, src string) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	return m, nil
}

// Verification-only compiler stages. They reject bad policies but change
// nothing in what a compiled policy evaluates to, so the engine skips them
// at start-up: the policies are embedded, and TestPoliciesPassEveryCheck
// compiles the very same modules with every stage (strict) in CI. Together
// they are a quarter of the compile time. CheckTypes also builds the type
// environment, which evaluation reads only for `with` replacing a function;
// the policies' own `with` use is checked by usesWith.
var verificationStages = []ast.StageID{
	ast.StageCheckUnusedImports, ast.StageCheckKeywordOverrides, ast.StageCheckDuplicateImports,
	ast.StageCheckVoidCalls, ast.StageCheckRuleConflicts, ast.StageCheckUndefinedFuncs,
	ast.StageCheckSafetyRuleHeads, ast.StageCheckRecursion, ast.StageCheckTypes,
	ast.StageCheckUnsafeBuiltins, ast.StageCheckDeprecatedBuiltins, ast.StageBuildRequiredCapabilities,
	// The rule dependency graph serves only the recursion and type checks
	// above (the query compiler's use of it is nil-safe).
	ast.StageSetGraph,
}

// Compile compiles modules for evaluation, skipping the verification-only
// stages (see verificationStages); CompileChecked runs them all.
func Compile(mods map[string]*ast.Module) (*ast.Compiler, error) {
	c := ast.NewCompiler().WithStrict(true)
	if !usesWith(mods) {
		c = c.WithSkipStages(verificationStages...)
	}
	if c.Compile(mods); c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", c.Errors)
	}
	return c, nil
}

// CompileChecked compiles modules with every compiler stage, strict: what
// the tests run on the embedded policies.
func CompileChecked(mods map[string]*ast.Module) (*ast.Compiler, error) {
	c := ast.NewCompiler().WithStrict(true)
	if c.Compile(mods); c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", c.Errors)
	}
	return c, nil
}

// usesWith reports whether a module replaces anything with `with`: OPA's
// evaluator asks the type environment whether the target is a function, so
// such policies keep CheckTypes.
func usesWith(mods map[string]*ast.Module) bool {
	found := false
	for _, m := range mods {
		ast.WalkExprs(m, func(e *ast.Expr) bool {
			if len(e.With) > 0 {
				found = true
			}
			return found
		})
		if found {
			return true
		}
	}
	return false
}
