package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
// parses them once: the envelope is validated from the same parse that
// becomes the policy input, where snapshot.Parse + Evaluate would decode the
// file twice. A file that does not pass is re-read by snapshot.Parse, whose
// errors name the line and column, so both paths reject the same files with
// the same messages.
func (e *Engine) EvaluateJSON(ctx context.Context, name string, raw []byte, b *baseline.Baseline, now time.Time) (*report.Report, error) {
	p := parserPool.Get()
	defer parserPool.Put(p)
	v, err := p.ParseBytes(raw)
	var s *snapshot.Snapshot
	if err == nil {
		s, err = envelope(v)
	}
	if err != nil {
		slow, perr := snapshot.Parse(name, raw)
		if perr != nil {
			return nil, perr
		}
		// encoding/json accepted what the fast path did not (it should not
		// happen); trust the exact decoder.
		return e.Evaluate(ctx, slow, b, now)
	}
	in, err := fastToAST(v)
	if err != nil {
		return nil, inputerr.New(name, "invalid snapshot: %v", err)
	}
	obj, ok := in.(ast.Object)
	if !ok {
		return nil, inputerr.New(name, "invalid snapshot: want a JSON object")
	}
	bt, err := e.baselineTerm(b)
	if err != nil {
		return nil, err
	}
	obj.Insert(ast.InternedTerm("baseline"), bt)
	return e.evaluate(ctx, s, obj, b, now)
}

// envelope reads and validates the snapshot's envelope from a parsed
// document; the data stays in v.
func envelope(v *fastjson.Value) (*snapshot.Snapshot, error) {
	if v.Type() != fastjson.TypeObject {
		return nil, errors.New("not an object")
	}
	s := &snapshot.Snapshot{}
	ver := v.Get("schemaVersion")
	if ver == nil || ver.Type() != fastjson.TypeNumber {
		return nil, errors.New("schemaVersion")
	}
	n, err := ver.Int()
	if err != nil {
		return nil, err
	}
	s.SchemaVersion = n
	if at := v.Get("collectedAt"); at != nil {
		str, err := at.StringBytes()
		if err != nil {
			return nil, err
		}
		if s.CollectedAt, err = time.Parse(time.RFC3339, string(str)); err != nil {
			return nil, err
		}
	}
	for key, into := range map[string]any{"tool": &s.Tool, "tenant": &s.Tenant, "sources": &s.Sources} {
		if x := v.Get(key); x != nil {
			if err := json.Unmarshal(x.MarshalTo(nil), into); err != nil {
				return nil, err
			}
		}
	}
	shapes := map[string]byte{}
	if d := v.Get("data"); d != nil {
		obj, err := d.Object()
		if err != nil {
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
