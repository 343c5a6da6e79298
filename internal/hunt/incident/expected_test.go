package incident

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/demo-expected.json")

// TestDemoExpected: the checked-in expected result of the demo is the one the
// story states (go test ./internal/hunt/incident -update after changing the
// story, then review the diff).
func TestDemoExpected(t *testing.T) {
	sc := Sunnyside()
	w, days, err := sc.Generate(false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(ExpectedFindings(w, days), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "demo-expected.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: go test ./internal/hunt/incident -run TestDemoExpected -update", path)
	}
}
