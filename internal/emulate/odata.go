package emulate

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// filter is a parsed OData $filter: the subset Graph's audit logs and
// directory lists accept (and, or, not, parentheses, eq ne gt ge lt le,
// startswith(path, 'x'), path/any(v: v eq 'x' | v/prop eq 'x'), string,
// date-time, number, boolean and null literals). Anything else is refused
// with Graph's 400, as Graph refuses a filter it does not support.
type filter interface {
	eval(rec map[string]any, vars map[string]any) bool
}

type boolOp struct {
	and  bool
	l, r filter
}

func (b boolOp) eval(rec map[string]any, vars map[string]any) bool {
	if b.and {
		return b.l.eval(rec, vars) && b.r.eval(rec, vars)
	}
	return b.l.eval(rec, vars) || b.r.eval(rec, vars)
}

type notOp struct{ x filter }

func (n notOp) eval(rec map[string]any, vars map[string]any) bool { return !n.x.eval(rec, vars) }

type cmp struct {
	path []string // first element may be a lambda variable
	op   string
	lit  any // string, time.Time, float64, bool, nil
}

func (c cmp) eval(rec map[string]any, vars map[string]any) bool {
	v := lookup(rec, vars, c.path)
	return compare(v, c.op, c.lit)
}

type startsWith struct {
	path   []string
	prefix string
}

func (s startsWith) eval(rec map[string]any, vars map[string]any) bool {
	v, ok := lookup(rec, vars, s.path).(string)
	return ok && strings.HasPrefix(strings.ToLower(v), strings.ToLower(s.prefix))
}

type anyOp struct {
	path []string
	v    string
	body filter
}

func (a anyOp) eval(rec map[string]any, vars map[string]any) bool {
	list, _ := lookup(rec, vars, a.path).([]any)
	for _, el := range list {
		inner := map[string]any{}
		for k, x := range vars {
			inner[k] = x
		}
		inner[a.v] = el
		if a.body.eval(rec, inner) {
			return true
		}
	}
	return false
}

// lookup follows path through rec (property names compare
// case-insensitively); a first element naming a lambda variable starts there.
func lookup(rec map[string]any, vars map[string]any, path []string) any {
	var cur any = rec
	rest := path
	if v, ok := vars[path[0]]; ok {
		cur, rest = v, path[1:]
	}
	for _, p := range rest {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		var next any
		found := false
		for k, x := range m {
			if strings.EqualFold(k, p) {
				next, found = x, true
				break
			}
		}
		if !found {
			return nil
		}
		cur = next
	}
	return cur
}

func compare(v any, op string, lit any) bool {
	if lit == nil || v == nil {
		eq := lit == nil && v == nil
		switch op {
		case "eq":
			return eq
		case "ne":
			return !eq
		}
		return false
	}
	var c int
	switch l := lit.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			return false
		}
		c = strings.Compare(strings.ToLower(s), strings.ToLower(l))
	case time.Time:
		s, ok := v.(string)
		if !ok {
			return false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return false
		}
		c = t.Compare(l)
	case float64:
		f, ok := v.(float64)
		if !ok {
			return false
		}
		c = cmpFloat(f, l)
	case bool:
		b, ok := v.(bool)
		if !ok || op != "eq" && op != "ne" {
			return false
		}
		if (b == l) == (op == "eq") {
			return true
		}
		return false
	}
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseFilter parses a $filter value.
func parseFilter(s string) (filter, error) {
	p := &parser{toks: tokenize(s)}
	if p.toks == nil {
		return nil, fmt.Errorf("invalid filter clause: cannot read %q", s)
	}
	f, err := p.or(nil)
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, fmt.Errorf("invalid filter clause: unexpected %q", p.toks[p.i])
	}
	return f, nil
}

type parser struct {
	toks []string
	i    int
}

func (p *parser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *parser) next() string { t := p.peek(); p.i++; return t }

func (p *parser) expect(t string) error {
	if got := p.next(); got != t {
		return fmt.Errorf("invalid filter clause: expected %q, found %q", t, got)
	}
	return nil
}

func (p *parser) or(vars map[string]bool) (filter, error) {
	l, err := p.and(vars)
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), "or") {
		p.next()
		r, err := p.and(vars)
		if err != nil {
			return nil, err
		}
		l = boolOp{false, l, r}
	}
	return l, nil
}

func (p *parser) and(vars map[string]bool) (filter, error) {
	l, err := p.unary(vars)
	if err != nil {
		return nil, err
	}
	for strings.EqualFold(p.peek(), "and") {
		p.next()
		r, err := p.unary(vars)
		if err != nil {
			return nil, err
		}
		l = boolOp{true, l, r}
	}
	return l, nil
}

func (p *parser) unary(vars map[string]bool) (filter, error) {
	if strings.EqualFold(p.peek(), "not") {
		p.next()
		x, err := p.unary(vars)
		return notOp{x}, err
	}
	if p.peek() == "(" {
		p.next()
		x, err := p.or(vars)
		if err != nil {
			return nil, err
		}
		return x, p.expect(")")
	}
	tok := p.next()
	if tok == "" || !isIdent(tok) {
		return nil, fmt.Errorf("invalid filter clause: unexpected %q", tok)
	}
	if strings.EqualFold(tok, "startswith") {
		if err := p.expect("("); err != nil {
			return nil, err
		}
		path := strings.Split(p.next(), "/")
		if err := p.expect(","); err != nil {
			return nil, err
		}
		lit, err := literal(p.next())
		s, ok := lit.(string)
		if err != nil || !ok {
			return nil, fmt.Errorf("invalid filter clause: startswith needs a string")
		}
		return startsWith{path, s}, p.expect(")")
	}
	path := strings.Split(tok, "/")
	if last := path[len(path)-1]; strings.EqualFold(last, "any") {
		if err := p.expect("("); err != nil {
			return nil, err
		}
		v := p.next()
		if !isIdent(v) || strings.Contains(v, "/") {
			return nil, fmt.Errorf("invalid filter clause: bad lambda variable %q", v)
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		inner := map[string]bool{v: true}
		for k := range vars {
			inner[k] = true
		}
		body, err := p.or(inner)
		if err != nil {
			return nil, err
		}
		return anyOp{path[:len(path)-1], v, body}, p.expect(")")
	}
	op := strings.ToLower(p.next())
	switch op {
	case "eq", "ne", "gt", "ge", "lt", "le":
	default:
		return nil, fmt.Errorf("invalid filter clause: unsupported operator %q", op)
	}
	lit, err := literal(p.next())
	if err != nil {
		return nil, err
	}
	return cmp{path, op, lit}, nil
}

func isIdent(t string) bool {
	r := []rune(t)
	return len(r) > 0 && (unicode.IsLetter(r[0]) || r[0] == '_' || r[0] == '@')
}

func literal(t string) (any, error) {
	switch {
	case strings.HasPrefix(t, "'"):
		return strings.ReplaceAll(t[1:len(t)-1], "''", "'"), nil
	case t == "null":
		return nil, nil
	case t == "true" || t == "false":
		return t == "true", nil
	}
	if tm, err := time.Parse(time.RFC3339Nano, t); err == nil {
		return tm, nil
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil {
		return f, nil
	}
	return nil, fmt.Errorf("invalid filter clause: bad literal %q", t)
}

// tokenize splits a filter into words, quoted strings and punctuation; nil
// for an unterminated string.
func tokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',' || c == ':':
			out = append(out, string(c))
			i++
		case c == '\'':
			j := i + 1
			for {
				if j >= len(s) {
					return nil
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			out = append(out, s[i:j+1])
			i = j + 1
		default:
			// a date-time literal keeps its colons (2023-12-04T00:00:00Z)
			stop := " \t(),:'"
			if c >= '0' && c <= '9' {
				stop = " \t(),'"
			}
			j := i
			for j < len(s) && !strings.ContainsRune(stop, rune(s[j])) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}
