package baseline_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

// FuzzParse: the baseline loader never panics, refuses with an input error
// naming the file on one line, and what it accepts is valid policy input
// (JSON: no .nan or .inf reaches the engine) with waivers it can date.
// internal/engine's FuzzEvaluateBaseline evaluates the accepted ones.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../demo/baseline.yaml", "../../baselines/aitm-defense.yaml"} {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := baseline.Parse("fuzz.yaml", raw)
		if err != nil {
			testutil.CheckInputError(t, err, "fuzz.yaml")
			return
		}
		if _, err := json.Marshal(b.PolicyInput()); err != nil {
			t.Fatalf("an accepted baseline is no policy input: %v", err)
		}
		for _, w := range b.Waivers {
			_ = w.Expires.Expired(time.Now())
			_ = w.Expires.String()
		}
	})
}
