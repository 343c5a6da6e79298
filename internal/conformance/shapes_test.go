package conformance

import (
	"context"
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/policies"
)

// regoValue evaluates a query against the embedded library (no input).
func regoValue(t *testing.T, query string) any {
	t.Helper()
	opts := []func(*rego.Rego){rego.Query(query)}
	err := fs.WalkDir(policies.FS, "lib", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(policies.FS, p)
		opts = append(opts, rego.Module(p, string(src)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil || len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("%s: %v %v", query, rs, err)
	}
	return rs[0].Expressions[0].Value
}

// lookup follows path in v; ok is false when a key is absent. A null
// parent stops the walk (ok, nothing below to check).
func lookup(v any, path []string) (any, bool, bool) {
	for i, k := range path {
		if v == nil && i > 0 {
			return nil, true, true
		}
		m, isObj := v.(map[string]any)
		if !isObj {
			return nil, false, false
		}
		x, ok := m[k]
		if !ok {
			return nil, false, false
		}
		v = x
	}
	return v, true, false
}

// TestShapesMatchCorpus checks lib/shapes.rego against every real
// Conditional Access policy of the corpus: each key it calls optional in a
// version is absent from at least one real object of that version (the
// evidence), and every other key the controls read (lib/ca.rego fields) is
// present in all of them (so its absence still means partial data).
func TestShapesMatchCorpus(t *testing.T) {
	m := manifest(t)
	optional, _ := regoValue(t, "data.tenantgate.lib.shapes.optional.conditionalAccessPolicy").(map[string]any)
	fieldsV, _ := regoValue(t, "data.tenantgate.lib.ca.fields").([]any)
	if len(optional) == 0 || len(fieldsV) == 0 {
		t.Fatal("shapes.optional or ca.fields is empty")
	}
	var fields [][]string
	for _, f := range fieldsV {
		var path []string
		for _, k := range f.([]any)[0].([]any) {
			path = append(path, k.(string))
		}
		fields = append(fields, path)
	}
	byVersion := map[string][]map[string]any{}
	for _, f := range m.Files {
		if f.Source != "conditionalAccessPolicies" || f.Origin != "real" {
			continue
		}
		objs, err := m.Objects(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range objs {
			var o map[string]any
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			byVersion[f.Version] = append(byVersion[f.Version], o)
		}
	}
	for version := range optional {
		if len(byVersion[version]) == 0 {
			t.Errorf("shapes.rego has a %s key set, the corpus no real %s policy", version, version)
		}
	}
	for version, objs := range byVersion {
		opt, ok := optional[version].(map[string]any)
		if !ok {
			t.Errorf("the corpus holds %s policies, shapes.rego has no %s key set", version, version)
			continue
		}
		optPaths := map[string]bool{}
		for _, p := range leafPaths(opt, nil) {
			optPaths[strings.Join(p, ".")] = true
			absentSomewhere := false
			for _, o := range objs {
				if _, present, _ := lookup(o, p); !present {
					absentSomewhere = true
				}
			}
			if !absentSomewhere {
				t.Errorf("%s: shapes.rego calls %s optional, but every real %s policy of the corpus has it", version, strings.Join(p, "."), version)
			}
		}
		for _, p := range fields {
			key := strings.Join(p, ".")
			if optPaths[key] {
				continue
			}
			for i, o := range objs {
				if _, present, _ := lookup(o, p); !present {
					// platforms and locations may be absent by controls.md; the
					// corpus shows them always sent, which the test records.
					t.Errorf("%s policy %d (%v) lacks %s, which shapes.rego says Graph always sends", version, i, o["displayName"], key)
				}
			}
		}
	}
}

// leafPaths lists the paths of the non-object values in o.
func leafPaths(o map[string]any, prefix []string) [][]string {
	var out [][]string
	for k, v := range o {
		p := append(append([]string(nil), prefix...), k)
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			out = append(out, leafPaths(m, p)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// TestRegoFixtureLicensesAreTheDefaultBaseline: the Rego tests judge
// licences with the fixture baseline's map (policies/lib/fixtures_test.rego);
// it must be the shipped one (baselines/aitm-defense.yaml), or the tests of
// controls.md's "License detection" would prove nothing about what users run.
func TestRegoFixtureLicensesAreTheDefaultBaseline(t *testing.T) {
	src, err := fs.ReadFile(policies.FS, "lib/fixtures_test.rego")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rego.New(rego.Query("data.tenantgate.test.fixtures.baseline.licenses"), rego.Module("fixtures_test.rego", string(src))).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("%v %v", rs, err)
	}
	raw, _ := json.Marshal(rs[0].Expressions[0].Value)
	var fixture map[string]baseline.License
	if err := json.Unmarshal(raw, &fixture); err != nil {
		t.Fatal(err)
	}
	def, err := baseline.Default()
	if err != nil {
		t.Fatal(err)
	}
	norm := func(m map[string]baseline.License) string {
		for k, l := range m {
			l.ServicePlans, l.SKUs = slices.Sorted(slices.Values(l.ServicePlans)), slices.Sorted(slices.Values(l.SKUs))
			if l.ServicePlans == nil {
				l.ServicePlans = []string{}
			}
			if l.SKUs == nil {
				l.SKUs = []string{}
			}
			m[k] = l
		}
		b, _ := json.MarshalIndent(m, "", " ")
		return string(b)
	}
	if got, want := norm(fixture), norm(def.Licenses); got != want {
		t.Errorf("the Rego fixture's licence map differs from the default baseline's:\nfixture %s\ndefault %s", got, want)
	}
}
