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
