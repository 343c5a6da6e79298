package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/valyala/fastjson"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// EvaluateJSON audits a snapshot file's bytes (name is used in messages). It
// parses them once, where snapshot.Parse + Evaluate would decode the file
// twice, and must still judge every file as they do (fleet audit = single
// audit). fastjson's Get finds the first of repeated keys; encoding/json
// merges them (the last wins) and matches field names in any case. So the
// fast path decodes the envelope with encoding/json, builds the input's
// envelope from that decode as Evaluate does, and is taken only when no
// envelope field is given twice or in another case and no key repeats in
// sources or data. Other files, and failing ones, go through snapshot.Parse +
// Evaluate: same report, or the same input error naming the file.
func (e *Engine) EvaluateJSON(ctx context.Context, name string, raw []byte, b *baseline.Baseline, now time.Time) (*report.Report, error) {
	if err := snapshot.CheckLimits(name, raw); err != nil {
		return nil, err
	}
	p := parserPool.Get()
	defer parserPool.Put(p)
	var v *fastjson.Value
	err := errNotJSON
	// fastjson's parser accepts what encoding/json refuses (a raw control
	// character in a string, found by FuzzEvaluateSnapshot; NaN, Inf, "+1",
	// "1.2.3"): only JSON its strict validator accepts takes the fast path
	// (five times cheaper than json.Valid; FuzzEvaluateSnapshot checks the
	// two paths agree).
	if fastjson.ValidateBytes(raw) == nil {
		v, err = p.ParseBytes(raw)
	}
	var s *snapshot.Snapshot
	if err == nil {
		s, err = envelope(v)
	}
	if err != nil {
		slow, perr := snapshot.Parse(name, raw)
		if perr != nil {
			return nil, perr
		}
		// Valid, but not plain enough for the fast path (repeated keys).
		return e.Evaluate(ctx, slow, b, now)
	}
	in, err := fastInput(s, v.Get("data"))
	if err != nil {
		return nil, inputerr.New(name, "invalid snapshot: %v", err)
	}
	bt, err := e.baselineTerm(b)
	if err != nil {
		return nil, err
	}
	in.Insert(ast.InternedTerm("baseline"), bt)
	return e.evaluate(ctx, s, in, b, now)
}

// errNotJSON sends a file encoding/json refuses to snapshot.Parse, which
// says why.
var errNotJSON = errors.New("not valid JSON")

// fastInput is the policy input without the baseline: the envelope as input
// builds it, and the data converted from the parse (nil: no data). One
// converter for both, so their strings are shared as in input.
func fastInput(s *snapshot.Snapshot, data *fastjson.Value) (ast.Object, error) {
	head, err := envelopeJSON(s)
	if err != nil {
		return nil, err
	}
	p := parserPool.Get()
	defer parserPool.Put(p)
	hv, err := p.ParseBytes(head)
	if err != nil {
		return nil, err
	}
	c := converter{strs: make(map[string]*ast.Term, 1024)}
	ht, err := c.term(hv)
	if err != nil {
		return nil, err
	}
	in, ok := ht.Value.(ast.Object)
	if !ok {
		return nil, errors.New("want a JSON object")
	}
	dt := ast.NewTerm(ast.NewObject())
	if data != nil {
		if dt, err = c.term(data); err != nil {
			return nil, err
		}
	}
	in.Insert(ast.InternedTerm("data"), dt)
	return in, nil
}

// envelopeFields are the snapshot's top-level fields (snapshot.Snapshot).
var envelopeFields = []string{"schemaVersion", "collectedAt", "tool", "tenant", "sources", "data"}

// envelope reads and validates the snapshot's envelope from a parsed
// document; the data stays in v. An error sends the file to snapshot.Parse.
func envelope(v *fastjson.Value) (*snapshot.Snapshot, error) {
	top, err := v.Object()
	if err != nil {
		return nil, err
	}
	if err := plainKeys(top, envelopeFields); err != nil {
		return nil, err
	}
	s := &snapshot.Snapshot{}
	// encoding/json on each field, so that each reads as in snapshot.Parse.
	for key, into := range map[string]any{"schemaVersion": &s.SchemaVersion, "collectedAt": &s.CollectedAt,
		"tool": &s.Tool, "tenant": &s.Tenant, "sources": &s.Sources} {
		x := v.Get(key)
		if x == nil {
			continue
		}
		if key == "sources" {
			obj, err := x.Object()
			if err != nil {
				return nil, err
			}
			if err := plainKeys(obj, nil); err != nil {
				return nil, err
			}
		}
		if err := json.Unmarshal(x.MarshalTo(nil), into); err != nil {
			return nil, err
		}
	}
	shapes := map[string]byte{}
	if d := v.Get("data"); d != nil {
		obj, err := d.Object()
		if err != nil {
			return nil, err
		}
		if err := plainKeys(obj, nil); err != nil {
			return nil, err
		}
		obj.Visit(func(k []byte, x *fastjson.Value) {
			switch x.Type() {
			case fastjson.TypeObject:
				shapes[string(k)] = '{'
			case fastjson.TypeArray:
				shapes[string(k)] = '['
			default:
				shapes[string(k)] = 0
			}
		})
	}
	if err := snapshot.ValidateEnvelope(s.SchemaVersion, s.CollectedAt, s.Tenant, s.Sources, shapes); err != nil {
		return nil, err
	}
	return s, nil
}

// plainKeys fails when o has a key twice, or a key that is one of fields in
// another case: where encoding/json, which merges repeats and folds case for
// struct fields, would read o otherwise than fastjson's first match.
func plainKeys(o *fastjson.Object, fields []string) error {
	seen := make(map[string]bool, o.Len())
	var err error
	o.Visit(func(k []byte, _ *fastjson.Value) {
		key := string(k)
		if seen[key] {
			err = fmt.Errorf("key %q given twice", key)
		}
		seen[key] = true
		for _, f := range fields {
			if key != f && strings.EqualFold(key, f) {
				err = fmt.Errorf("key %q spelled %q", f, key)
			}
		}
	})
	return err
}

// baselineTerm is input.baseline as an AST term, built once per baseline.
func (e *Engine) baselineTerm(b *baseline.Baseline) (*ast.Term, error) {
	if t, ok := e.baselines.Load(b); ok {
		return t.(*ast.Term), nil
	}
	v, err := baselineValue(b)
	if err != nil {
		return nil, err
	}
	t, _ := e.baselines.LoadOrStore(b, ast.NewTerm(v))
	return t.(*ast.Term), nil
}

// baselineValue is input.baseline as an AST value.
func baselineValue(b *baseline.Baseline) (ast.Value, error) {
	raw, err := json.Marshal(b.PolicyInput())
	if err != nil {
		return nil, fmt.Errorf("baseline input: %w", err)
	}
	v, err := jsonToAST(raw)
	if err != nil {
		return nil, fmt.Errorf("baseline input: %w", err)
	}
	return v, nil
}

// baselineCache is the type of Engine.baselines.
type baselineCache = sync.Map
