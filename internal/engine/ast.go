package engine

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/valyala/fastjson"
)

// parserPool reuses fastjson parsers (each keeps its arena between uses).
var parserPool fastjson.ParserPool

// jsonToAST parses JSON straight into an OPA AST value. ast.ValueFromReader
// goes through encoding/json into interface{} and then converts that; for
// snapshot-sized documents this direct walk is several times faster and is
// what makes a fleet audit CPU-bound on policy evaluation instead of JSON.
// Numbers keep their JSON text (like json.Number), so nothing is rounded.
func jsonToAST(raw []byte) (ast.Value, error) {
	p := parserPool.Get()
	defer parserPool.Put(p)
	v, err := p.ParseBytes(raw)
	if err != nil {
		return nil, err
	}
	return fastToAST(v)
}

// fastToAST converts a parsed document. Strings repeat a lot (the demo tenant
// has ~1,600 object keys but ~330 distinct ones, and values such as states,
// plan names and ids recur), so each distinct string becomes one shared term,
// as do true, false and null; the remaining terms are carved from slabs.
// Sharing is safe: OPA never mutates input terms (it shares interned terms
// the same way). Together this halves the allocations of a conversion.
func fastToAST(v *fastjson.Value) (ast.Value, error) {
	c := converter{strs: make(map[string]*ast.Term, 1024)}
	t, err := c.term(v)
	if err != nil {
		return nil, err
	}
	return t.Value, nil
}

type converter struct {
	strs map[string]*ast.Term
	slab []ast.Term
}

func (c *converter) str(b []byte) *ast.Term {
	if t, ok := c.strs[string(b)]; ok {
		return t
	}
	t := c.newTerm(ast.String(string(b)))
	c.strs[string(b)] = t
	return t
}

func (c *converter) newTerm(v ast.Value) *ast.Term {
	if len(c.slab) == 0 {
		c.slab = make([]ast.Term, 256)
	}
	t := &c.slab[0]
	c.slab = c.slab[1:]
	t.Value = v
	return t
}

func (c *converter) term(v *fastjson.Value) (*ast.Term, error) {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		obj := ast.NewObjectWithCapacity(o.Len())
		var err error
		o.Visit(func(k []byte, x *fastjson.Value) {
			if err != nil {
				return
			}
			var xt *ast.Term
			if xt, err = c.term(x); err == nil {
				obj.Insert(c.str(k), xt)
			}
		})
		if err != nil {
			return nil, err
		}
		return c.newTerm(obj), nil
	case fastjson.TypeArray:
		xs, _ := v.Array()
		terms := make([]*ast.Term, len(xs))
		for i, x := range xs {
			xt, err := c.term(x)
			if err != nil {
				return nil, err
			}
			terms[i] = xt
		}
		return c.newTerm(ast.NewArray(terms...)), nil
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return c.str(b), nil
	case fastjson.TypeNumber:
		return c.newTerm(ast.Number(v.String())), nil
	case fastjson.TypeTrue:
		return ast.InternedTerm(true), nil
	case fastjson.TypeFalse:
		return ast.InternedTerm(false), nil
	case fastjson.TypeNull:
		return ast.InternedNullTerm, nil
	}
	return nil, fmt.Errorf("unexpected JSON value type %s", v.Type())
}

// JSONToAST parses a JSON document straight into an OPA value (the hunt
// engine builds its inputs as JSON text and converts them this way).
func JSONToAST(raw []byte) (ast.Value, error) { return jsonToAST(raw) }
