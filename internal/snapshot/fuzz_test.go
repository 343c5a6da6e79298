package snapshot_test

import (
	"bytes"
	"maps"
	"slices"
	"testing"

	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/snapshot"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

// FuzzParse: the snapshot loader never panics, refuses with an input error
// naming the file on one line, and what it accepts writes and loads again
// unchanged (the evaluator's side is internal/engine's
// FuzzEvaluateSnapshot). Seeds: testdata/fuzz/FuzzParse; `make fuzz` runs
// it longer.
func FuzzParse(f *testing.F) {
	f.Add(demo.SnapshotJSON())
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := snapshot.Parse("fuzz.json", raw)
		if err != nil {
			testutil.CheckInputError(t, err, "fuzz.json")
			return
		}
		var buf bytes.Buffer
		if err := s.Write(&buf); err != nil {
			t.Fatalf("write: %v", err)
		}
		again, err := snapshot.Parse("again.json", buf.Bytes())
		if err != nil {
			t.Fatalf("a loaded snapshot, written, does not load: %v", err)
		}
		if !slices.Equal(slices.Sorted(maps.Keys(again.Data)), slices.Sorted(maps.Keys(s.Data))) ||
			!maps.Equal(again.Sources, s.Sources) || again.Tenant != s.Tenant {
			t.Fatal("written and loaded again, the snapshot changed")
		}
	})
}
