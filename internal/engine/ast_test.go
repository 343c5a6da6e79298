package engine

import (
	"bytes"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/tenantgate/tenantgate/internal/demo"
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
