package hunt

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/tenantgate/tenantgate/internal/hunt/demo"
	"github.com/tenantgate/tenantgate/internal/hunt/detect"
)

// TestFastCompileSameResults: the hunt policies pass every compiler check,
// strict (detect.NewChecked), and the engine New compiles without the
// verification-only stages gives the demo's report byte for byte as the
// fully checked one does.
func TestFastCompileSameResults(t *testing.T) {
	checked, err := detect.NewChecked(context.Background())
	if err != nil {
		t.Fatalf("the hunt policies fail a compiler check: %v", err)
	}
	fsys, err := demo.FS()
	if err != nil {
		t.Fatal(err)
	}
	report := func(e *detect.Engine) []byte {
		res, err := Run(context.Background(), e, Options{FS: fsys, Correlate: params()})
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if fast, full := report(engine(t)), report(checked); !bytes.Equal(fast, full) || len(fast) < 1000 {
		t.Errorf("the fast compile changes the demo's report (%d / %d bytes)", len(fast), len(full))
	}
}
