package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/inputerr"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

// jsonToAST must agree with OPA's own conversion on every JSON shape.
func TestJSONToASTMatchesOPA(t *testing.T) {
	docs := []string{
		`{"a": [1, 2.5, -3e10, 12345678901234567890], "b": {"c": null, "d": true, "e": false}, "s": "x\u00e9\n\"y\""}`,
		`[]`, `{}`, `"str"`, `0`, `[{"k": [[], {}]}]`,
		string(demo.SnapshotJSON()),
	}
	for i, d := range docs {
		got, err := jsonToAST([]byte(d))
		if err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		want, err := ast.ValueFromReader(bytes.NewReader([]byte(d)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Compare(want) != 0 {
			t.Errorf("doc %d: got %v\nwant %v", i, got, want)
		}
	}
	if _, err := jsonToAST([]byte(`{"a": `)); err == nil {
		t.Error("truncated JSON accepted")
	}
}

// EvaluateJSON must give the report Parse + Evaluate gives, and reject the
// files snapshot.Parse rejects with the same message.
func TestEvaluateJSONMatchesEvaluate(t *testing.T) {
	e, err := New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Baseline()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	raw := demo.SnapshotJSON()
	s, _ := snapshot.Parse("x", raw)
	want, err := e.Evaluate(context.Background(), s, b, now)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.EvaluateJSON(context.Background(), "x", raw, b, now)
	if err != nil {
		t.Fatal(err)
	}
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if !bytes.Equal(wj, gj) {
		t.Errorf("reports differ:\n%s\n%s", wj, gj)
	}
	bad := []string{
		"", "{", `{"schemaVersion": "1"}`, `[]`,
		strings.Replace(string(raw), `"schemaVersion": 1`, `"schemaVersion": 2`, 1),
		strings.Replace(string(raw), `"status": "ok"`, `"status": "fine"`, 1),
		string(raw) + "\n{}",
	}
	for i, doc := range bad {
		_, perr := snapshot.Parse("f.json", []byte(doc))
		_, jerr := e.EvaluateJSON(context.Background(), "f.json", []byte(doc), b, now)
		if perr == nil || jerr == nil || perr.Error() != jerr.Error() {
			t.Errorf("doc %d: Parse says %v, EvaluateJSON says %v", i, perr, jerr)
		}
	}
}

// A repeated or case-variant key in the envelope, sources or data: fastjson
// sees the first, encoding/json merges them (the last wins), so EvaluateJSON
// (fleet audit) must still agree with Parse + Evaluate (single audit), both
// on the report and on rejecting the file with its name.
func TestEvaluateJSONRepeatedKeys(t *testing.T) {
	e, err := New(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := demo.Baseline()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	raw := string(demo.SnapshotJSON())
	end := strings.LastIndex(raw, "}")
	addLast := func(member string) string { return raw[:end] + ", " + member + raw[end:] }
	// Before the original members, which then come last and win.
	inside := func(key, member string) string {
		return strings.Replace(raw, `"`+key+`": {`, `"`+key+`": {`+member+", ", 1)
	}
	// subscribedSkus denied, and its status given again in another case.
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc["data"].(map[string]any), "subscribedSkus")
	doc["sources"].(map[string]any)["subscribedSkus"] = map[string]any{"status": "denied", "httpStatus": 403}
	denied, _ := json.Marshal(doc)
	statusTwice := strings.Replace(string(denied), `"status":"denied"}`, `"status":"denied","Status":"error"}`, 1)
	tests := []struct {
		name    string
		doc     string
		invalid bool // both must reject it
	}{
		{"sources repeated, the last denies a source with data", addLast(`"sources": {"conditionalAccessPolicies": {"status": "denied", "httpStatus": 403}}`), true},
		{"sources repeated in another case", addLast(`"Sources": {"conditionalAccessPolicies": {"status": "denied", "httpStatus": 403}}`), true},
		{"data repeated", addLast(`"data": {"organization": {"id": "35a4937b-c200-40f5-8db0-1813c0f63ffe", "displayName": "Other"}}`), false},
		{"tenant repeated", addLast(`"tenant": {"id": "another-tenant"}`), false},
		{"a source repeated inside sources", inside("sources", `"subscribedSkus": {"status": "denied"}`), false},
		{"a source repeated inside data", inside("data", `"subscribedSkus": []`), false},
		{"a source's status repeated in another case", statusTwice, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []byte
			s, perr := snapshot.Parse("f.json", []byte(tt.doc))
			if perr == nil {
				r, err := e.Evaluate(context.Background(), s, b, now)
				if err != nil {
					t.Fatal(err)
				}
				want, _ = json.Marshal(r)
			}
			got, jerr := e.EvaluateJSON(context.Background(), "f.json", []byte(tt.doc), b, now)
			if tt.invalid {
				if perr == nil || jerr == nil || perr.Error() != jerr.Error() || !inputerr.Is(jerr) || !strings.Contains(jerr.Error(), "f.json") {
					t.Fatalf("Parse says %v, EvaluateJSON says %v; want the same input error naming f.json", perr, jerr)
				}
				return
			}
			if perr != nil || jerr != nil {
				t.Fatalf("Parse says %v, EvaluateJSON says %v; want both to accept it", perr, jerr)
			}
			if gj, _ := json.Marshal(got); !bytes.Equal(gj, want) {
				t.Errorf("reports differ:\n%s\n%s", want, gj)
			}
		})
	}
}
