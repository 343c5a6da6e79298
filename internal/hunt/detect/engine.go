package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// Entry points: hunt compiles only the Rego these reach (never the audit
// controls).
const (
	Entry         = "data.tenantgate.hunt.detections"
	responseEntry = "data.tenantgate.hunt.response"
)

// Engine holds the compiled hunt policies and their prepared queries. It is
// safe for concurrent use.
type Engine struct {
	catalog  []Detection
	response Detection
	findings map[string]rego.PreparedEvalQuery // by package
	keep     map[string]rego.PreparedEvalQuery
	families map[string]rego.PreparedEvalQuery // sessions phase
	actions  rego.PreparedEvalQuery
	accepted map[int32]bool
}

// New compiles the embedded hunt policies the way the audit engine does:
// without the verification-only compiler stages (engine.Compile), which
// change nothing in what the policies evaluate to (the hunt policies use no
// `with`, which would keep the type check). TestFastCompileSameResults
// (internal/hunt) compiles them with every stage, strict (NewChecked), and
// compares the demo's report from both.
func New(ctx context.Context) (*Engine, error) {
	return compileEngine(ctx, engine.Compile)
}

// NewChecked compiles the embedded hunt policies with every compiler stage,
// strict: what the tests run to hold New's shortcut sound.
func NewChecked(ctx context.Context) (*Engine, error) {
	return compileEngine(ctx, engine.CompileChecked)
}

// Modules are the hunt policies New compiles (the entry points' reach).
func Modules() (map[string]*ast.Module, error) {
	return engine.Modules(Entry, responseEntry)
}

func compileEngine(ctx context.Context, compile func(map[string]*ast.Module) (*ast.Compiler, error)) (*Engine, error) {
	mods, err := Modules()
	if err != nil {
		return nil, err
	}
	cat, resp, err := catalogFrom(mods)
	if err != nil {
		return nil, err
	}
	c, err := compile(mods)
	if err != nil {
		return nil, fmt.Errorf("hunt: %w", err)
	}
	e := &Engine{catalog: cat, response: *resp, findings: map[string]rego.PreparedEvalQuery{}, keep: map[string]rego.PreparedEvalQuery{},
		families: map[string]rego.PreparedEvalQuery{}}
	prep := func(q string) (rego.PreparedEvalQuery, error) {
		return rego.New(rego.Compiler(c), rego.Query(q), rego.StrictBuiltinErrors(true)).PrepareForEval(ctx)
	}
	for _, d := range cat {
		if e.findings[d.Package], err = prep(d.Package + ".findings"); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", d.ID, err)
		}
		if d.Phase == PhaseSessions {
			if e.families[d.Package], err = prep(d.Package + ".families"); err != nil {
				return nil, fmt.Errorf("prepare %s families: %w", d.ID, err)
			}
		}
		for _, f := range d.Filters {
			if len(f.Values) > 0 {
				if e.keep[d.Package], err = prep(d.Package + ".keep"); err != nil {
					return nil, fmt.Errorf("prepare %s keep: %w", d.ID, err)
				}
			}
		}
	}
	if e.actions, err = prep(resp.Package + ".actions"); err != nil {
		return nil, fmt.Errorf("prepare response actions: %w", err)
	}
	// The sign-in outcomes that accept credentials are stated once, in the
	// library; Go reads them for the responder's IOCs.
	q, err := prep("data.tenantgate.hunt.lib.accepted_errors")
	if err != nil {
		return nil, err
	}
	var codes []int32
	if err := evalInto(ctx, q, []byte("{}"), &codes); err != nil || len(codes) == 0 {
		return nil, fmt.Errorf("accepted_errors: %v", err)
	}
	e.accepted = map[int32]bool{}
	for _, c := range codes {
		e.accepted[c] = true
	}
	return e, nil
}

// Accepted reports whether a sign-in error code means the credentials were
// accepted (success or an MFA / Conditional Access interruption).
func (e *Engine) Accepted(code int32) bool { return e.accepted[code] }

// Catalog lists the detections in order.
func (e *Engine) Catalog() []Detection { return e.catalog }

// Response is the containment package's entry (its prefilter).
func (e *Engine) Response() Detection { return e.response }

// Keep says which events keep their Detail on the first read: candidates
// of detections evaluated before correlation that read Detail, and of the
// containment package. (Attributed detections read theirs later.)
func (e *Engine) Keep() func(kind event.Kind, opKey string, rt int16) bool {
	var fs []Filter
	for _, d := range e.catalog {
		if d.Detail && d.Phase == PhaseDetect {
			fs = append(fs, d.Filters...)
		}
	}
	fs = append(fs, e.response.Filters...)
	return func(kind event.Kind, opKey string, rt int16) bool {
		ev := event.Event{Kind: kind, RecordType: rt}
		for i := range fs {
			if len(fs[i].ops) > 0 && fs[i].matches(&ev, opKey) {
				return true
			}
		}
		return false
	}
}

// Input is what detections are evaluated on.
type Input struct {
	Events  []event.Event
	Strings *event.Strings
	// Params is input.params (the baseline's hunt section), a JSON object.
	Params []byte
	// Context is input.context, a JSON object (nil: none).
	Context []byte
	// IPClass classifies an address: "", "trusted" or "microsoft".
	IPClass func(ip event.Sym) string
	// Facts writes the correlation's facts of event i as keys of its object.
	Facts func(i int, w *event.JSON)
	// Detail returns event i's Detail when it is not on the event (read
	// again); nil uses the event's.
	Detail func(i int) []byte
}

// Finding is one detection result (see lib.finding).
type Finding struct {
	Detection string         `json:"-"`
	Event     int            `json:"event"`
	Events    []int          `json:"events"`
	Severity  string         `json:"severity"`
	Summary   string         `json:"summary"`
	Group     string         `json:"-"`
	RawGroup  any            `json:"group"`
	Indicator string         `json:"indicator"`
	Facts     map[string]any `json:"facts"`
}

// Action is one containment action (policies/hunt/response).
type Action struct {
	Event  int            `json:"event"`
	Action string         `json:"action"`
	By     string         `json:"by"`
	Target string         `json:"target"`
	Exempt bool           `json:"exempt"`
	Object string         `json:"object"`
	App    map[string]any `json:"app"`
}

func (in *Input) str(s event.Sym) string { return in.Strings.Str(s) }

// Candidates lists the events (indexes, in order) a prefilter admits; the
// detection's keep rule filters value fields.
func (e *Engine) Candidates(ctx context.Context, d *Detection, in *Input) ([]int, error) {
	var out []int
	for fi := range d.Filters {
		f := &d.Filters[fi]
		var idx []int
		for i := range in.Events {
			ev := &in.Events[i]
			if f.matches(ev, in.str(ev.OpKey)) {
				idx = append(idx, i)
			}
		}
		if len(f.Values) > 0 && len(idx) > 0 {
			kept, err := e.keepValues(ctx, d, f, in, idx)
			if err != nil {
				return nil, err
			}
			n := 0
			for _, i := range idx {
				ev := &in.Events[i]
				for _, field := range f.Values {
					if kept[valueOf(ev, field)] {
						idx[n] = i
						n++
						break
					}
				}
			}
			idx = idx[:n]
		}
		out = append(out, idx...)
	}
	sort.Ints(out)
	// Alternatives may overlap.
	n := 0
	for i, x := range out {
		if i == 0 || x != out[i-1] {
			out[n] = x
			n++
		}
	}
	return out[:n], nil
}

func valueOf(ev *event.Event, field string) event.Sym {
	switch field {
	case "app":
		return ev.App
	case "resource":
		return ev.Resource
	case "ua":
		return ev.UA
	case "clientInfo":
		return ev.ClientInfo
	}
	return 0
}

// keepValues evaluates the package's keep rule once over the distinct
// values of the filter's fields.
func (e *Engine) keepValues(ctx context.Context, d *Detection, f *Filter, in *Input, idx []int) (map[event.Sym]bool, error) {
	seen := map[event.Sym]bool{}
	var w event.JSON
	w.Open('{')
	w.Key("params")
	w.Raw(in.Params)
	w.Key("values")
	w.Open('[')
	for _, i := range idx {
		for _, field := range f.Values {
			if s := valueOf(&in.Events[i], field); s != 0 && !seen[s] {
				seen[s] = true
				w.Str(in.str(s))
			}
		}
	}
	w.Close(']')
	w.Close('}')
	var vals []string
	if err := evalInto(ctx, e.keep[d.Package], w.B, &vals); err != nil {
		return nil, fmt.Errorf("%s keep: %w", d.ID, err)
	}
	kept := map[event.Sym]bool{}
	for _, s := range vals {
		if sym, ok := in.Strings.Lookup(s); ok {
			kept[sym] = true
		}
	}
	return kept, nil
}

// batchSize bounds an evaluation's input: large enough to amortise a
// query, small enough to keep the input's memory low.
const batchSize = 1000

// Findings evaluates a detection on events (indexes), in batches spread
// over the cores; the result is in event order. A detection that declares
// the fields it reads is evaluated once per distinct combination of them
// (and of the correlation's facts): OWA through a proxy is hundreds of
// thousands of records of a few users and addresses.
func (e *Engine) Findings(ctx context.Context, d *Detection, in *Input, idx []int) ([]Finding, error) {
	reps, groups := idx, map[int][]int(nil)
	if len(d.Reads) > 0 {
		reps, groups = distinct(d.Reads, in, idx)
	}
	q := e.findings[d.Package]
	var out []Finding
	err := batches(ctx, reps, func(part []int) (func(), error) {
		var fs []Finding
		if err := evalInto(ctx, q, eventsInput(in, part), &fs); err != nil {
			return nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		return func() { out = append(out, fs...) }, nil
	})
	if err != nil {
		return nil, err
	}
	if groups != nil {
		for i := range out {
			f := &out[i]
			evs := f.Events
			if len(evs) == 0 {
				evs = []int{f.Event}
			}
			var all []int
			for _, x := range evs {
				all = append(all, groups[x]...)
			}
			sort.Ints(all)
			f.Events = all
		}
	}
	finish(d.ID, out)
	return out, nil
}

// distinct picks one event per combination of the fields a detection reads
// and its facts; groups maps each representative to the events it stands
// for (itself first).
func distinct(fields []string, in *Input, idx []int) ([]int, map[int][]int) {
	// Keyed by a 128-bit hash of what the detection reads: the keys of
	// hundreds of thousands of candidates would otherwise be their JSON.
	s1, s2 := maphash.MakeSeed(), maphash.MakeSeed()
	byKey := map[[2]uint64]int{}
	groups := map[int][]int{}
	var reps []int
	var w event.JSON
	for _, i := range idx {
		w.Reset()
		w.Open('{')
		writeFields(&w, in, i, fields)
		if in.Facts != nil {
			in.Facts(i, &w)
		}
		w.Close('}')
		k := [2]uint64{maphash.Bytes(s1, w.B), maphash.Bytes(s2, w.B)}
		if r, ok := byKey[k]; ok {
			groups[r] = append(groups[r], i)
			continue
		}
		byKey[k] = i
		groups[i] = []int{i}
		reps = append(reps, i)
	}
	return reps, groups
}

// SessionFindings evaluates a sessions detection (TG.HUNT.2) on keys: each
// batch is a JSON array for input.sessions, evaluated on every core.
func (e *Engine) SessionFindings(ctx context.Context, d *Detection, params []byte, batchesJSON [][]byte) ([]Finding, error) {
	idx := make([]int, len(batchesJSON))
	for i := range idx {
		idx[i] = i
	}
	var out []Finding
	err := batchesOf(ctx, idx, 1, func(part []int) (func(), error) {
		var b bytes.Buffer
		b.WriteString(`{"params":`)
		b.Write(params)
		b.WriteString(`,"sessions":`)
		b.Write(batchesJSON[part[0]])
		b.WriteByte('}')
		var fs []Finding
		if err := evalInto(ctx, e.findings[d.Package], b.Bytes(), &fs); err != nil {
			return nil, fmt.Errorf("%s: %w", d.ID, err)
		}
		return func() { out = append(out, fs...) }, nil
	})
	if err != nil {
		return nil, err
	}
	finish(d.ID, out)
	return out, nil
}

// Agent is a user agent with the client app the sign-in log gives it.
type Agent struct{ UA, ClientApp string }

// Families evaluates a sessions-phase detection's families rule: the
// browser family of each agent, "" for a client that is not a browser.
func (e *Engine) Families(ctx context.Context, d *Detection, agents []Agent) ([]string, error) {
	var w event.JSON
	w.Open('{')
	w.Key("agents")
	w.Open('[')
	for _, a := range agents {
		w.Open('{')
		w.Key("ua")
		w.Str(a.UA)
		w.Key("clientApp")
		w.Str(a.ClientApp)
		w.Close('}')
	}
	w.Close(']')
	w.Close('}')
	var fams []string
	if err := evalInto(ctx, e.families[d.Package], w.B, &fams); err != nil || len(fams) != len(agents) {
		return nil, fmt.Errorf("%s families: %d for %d agents (%v)", d.ID, len(fams), len(agents), err)
	}
	return fams, nil
}

// Actions evaluates the containment package on events.
func (e *Engine) Actions(ctx context.Context, in *Input, idx []int) ([]Action, error) {
	var out []Action
	err := batches(ctx, idx, func(part []int) (func(), error) {
		var as []Action
		if err := evalInto(ctx, e.actions, eventsInput(in, part), &as); err != nil {
			return nil, fmt.Errorf("response actions: %w", err)
		}
		return func() { out = append(out, as...) }, nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Event < out[j].Event })
	return out, err
}

func finish(id string, fs []Finding) {
	for i := range fs {
		f := &fs[i]
		f.Detection = id
		switch g := f.RawGroup.(type) {
		case string:
			f.Group = g
		case nil:
		default:
			f.Group = fmt.Sprint(g)
		}
		if len(f.Events) == 0 {
			f.Events = []int{f.Event}
		}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Event != fs[j].Event {
			return fs[i].Event < fs[j].Event
		}
		return fs[i].Summary < fs[j].Summary
	})
}

// batches runs f on parts of idx on every core; the functions f returns
// are applied in order (results stay in event order).
func batches(ctx context.Context, idx []int, f func([]int) (func(), error)) error {
	return batchesOf(ctx, idx, batchSize, f)
}

func batchesOf(ctx context.Context, idx []int, size int, f func([]int) (func(), error)) error {
	var parts [][]int
	for len(idx) > 0 {
		n := min(size, len(idx))
		parts = append(parts, idx[:n])
		idx = idx[n:]
	}
	apply := make([]func(), len(parts))
	errs := make([]error, len(parts))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, p := range parts {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			apply[i], errs[i] = f(p)
		}()
	}
	wg.Wait()
	for i := range parts {
		if errs[i] != nil {
			return errs[i]
		}
		apply[i]()
	}
	return nil
}

func eval(ctx context.Context, q rego.PreparedEvalQuery, input []byte) (any, error) {
	v, err := engine.JSONToAST(input)
	if err != nil {
		return nil, fmt.Errorf("build input: %w", err)
	}
	rs, err := q.Eval(ctx, rego.EvalParsedInput(v))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return []any{}, nil
	}
	return rs[0].Expressions[0].Value, nil
}

// evalInto evaluates q on input and decodes its value into out.
func evalInto(ctx context.Context, q rego.PreparedEvalQuery, input []byte, out any) error {
	v, err := eval(ctx, q, input)
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode the result: %w", err)
	}
	return nil
}

// eventsInput is {"params":..., "context":..., "events":[...]}.
func eventsInput(in *Input, idx []int) []byte {
	var w event.JSON
	w.B = make([]byte, 0, 512*len(idx)+len(in.Params)+len(in.Context)+64)
	w.Open('{')
	w.Key("params")
	w.Raw(in.Params)
	if in.Context != nil {
		w.Key("context")
		w.Raw(in.Context)
	}
	w.Key("events")
	w.Open('[')
	for _, i := range idx {
		writeEvent(&w, in, i)
	}
	w.Close(']')
	w.Close('}')
	return w.B
}

// allFields are the fields writeEvent writes (with i, t and time).
var allFields = []string{"kind", "user", "target", "op", "opk", "ip", "ua", "session", "session2", "token", "app", "appName",
	"resource", "clientApp", "clientInfo", "country", "deviceId", "ipClass", "rt", "userType", "asn", "error",
	"signIn", "success", "byUser", "byApp", "detail"}

// writeEvent writes event i as the policies see it (policies/hunt/lib).
func writeEvent(w *event.JSON, in *Input, i int) {
	ev := &in.Events[i]
	w.Open('{')
	w.Key("i")
	w.Int(int64(i))
	w.Key("t")
	w.Int(ev.Time)
	w.Key("time")
	if ev.Time != 0 {
		w.Str(ev.T().Format(time.RFC3339))
	} else {
		w.Str("")
	}
	writeFields(w, in, i, allFields)
	if in.Facts != nil {
		in.Facts(i, w)
	}
	w.Close('}')
}

// writeFields writes the named fields of event i.
func writeFields(w *event.JSON, in *Input, i int, fields []string) {
	ev := &in.Events[i]
	sym := func(k string, v event.Sym) { w.Key(k); w.Str(in.str(v)) }
	num := func(k string, v int64) { w.Key(k); w.Int(v) }
	flag := func(k string, f event.Flags) { w.Key(k); w.Bool(ev.Has(f)) }
	for _, f := range fields {
		switch f {
		case "kind":
			w.Key(f)
			w.Str(ev.Kind.String())
		case "user":
			sym(f, ev.User)
		case "target":
			sym(f, ev.Target)
		case "op":
			sym(f, ev.Op)
		case "opk":
			sym(f, ev.OpKey)
		case "ip":
			sym(f, ev.IP)
		case "ua":
			sym(f, ev.UA)
		case "session":
			sym(f, ev.Session)
		case "session2":
			sym(f, ev.Session2)
		case "token":
			sym(f, ev.Token)
		case "app":
			sym(f, ev.App)
		case "appName":
			sym(f, ev.AppName)
		case "resource":
			sym(f, ev.Resource)
		case "clientApp":
			sym(f, ev.ClientApp)
		case "clientInfo":
			sym(f, ev.ClientInfo)
		case "country":
			sym(f, ev.Country)
		case "deviceId":
			sym(f, ev.DeviceID)
		case "ipClass":
			w.Key(f)
			if in.IPClass != nil && ev.IP != 0 {
				w.Str(in.IPClass(ev.IP))
			} else {
				w.Str("")
			}
		case "rt":
			num(f, int64(ev.RecordType))
		case "userType":
			num(f, int64(ev.UserType))
		case "asn":
			num(f, int64(ev.ASN))
		case "error":
			num(f, int64(ev.ErrorCode))
		case "signIn":
			flag(f, event.SignIn)
		case "success":
			flag(f, event.Success)
		case "byUser":
			flag(f, event.ByUser)
		case "byApp":
			flag(f, event.ByApp)
		case "detail":
			d := ev.Detail
			if in.Detail != nil {
				if x := in.Detail(i); x != nil {
					d = x
				}
			}
			if d != nil {
				w.Key("detail")
				w.Raw(d)
			}
		}
	}
}

// ParamsJSON renders durations as nanoseconds, as the policies compare.
func ParamsJSON(p map[string]any) []byte {
	b, _ := json.Marshal(p)
	return b
}

// Nanos is a duration for ParamsJSON.
func Nanos(d time.Duration) json.Number { return json.Number(strconv.FormatInt(int64(d), 10)) }
