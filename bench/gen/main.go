// Command gen writes the benchmark inputs of bench/run.sh, derived from the
// embedded demo tenant (see bench/synth):
//
//	go run ./bench/gen -fleet 1000 -out DIR [-opa-inputs DIR] [-baseline FILE]
//	go run ./bench/gen -large FILE [-policies 200 -locations 100] [-opa-inputs DIR]
//	go run ./bench/gen -verify OPA_RESULT.json -report REPORT.json
//	go run ./bench/gen -controls SNAPSHOT.json [-baseline FILE] [-rego DIR]
//
// -fleet writes DIR/tenant-NNNN.json snapshots; -opa-inputs also writes, for
// each, the exact input document the engine gives OPA (engine.Input: the
// snapshot plus input.baseline), so `opa eval -i` evaluates what tenantgate
// evaluates. -controls times each control's query alone on a snapshot (the
// profile table of docs/performance.md). -verify checks that an `opa eval` result and a tenantgate report
// of the same snapshot agree on every control's status.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tenantgate/tenantgate/bench/synth"
	"github.com/tenantgate/tenantgate/internal/baseline"
	"github.com/tenantgate/tenantgate/internal/demo"
	"github.com/tenantgate/tenantgate/internal/engine"
	"github.com/tenantgate/tenantgate/internal/snapshot"
)

func main() {
	fleet := flag.Int("fleet", 0, "number of fleet variants to write to -out")
	out := flag.String("out", "", "directory for the fleet snapshots")
	opaInputs := flag.String("opa-inputs", "", "directory for the matching opa eval input documents")
	basePath := flag.String("baseline", "", "baseline YAML for the opa inputs (default: the demo baseline)")
	large := flag.String("large", "", "write the large tenant snapshot to this file")
	nPol := flag.Int("policies", 200, "Conditional Access policies of the large tenant")
	nLoc := flag.Int("locations", 100, "named locations of the large tenant")
	verify := flag.String("verify", "", "opa eval result (JSON) to compare with -report")
	rep := flag.String("report", "", "tenantgate JSON report of the same snapshot")
	controls := flag.String("controls", "", "time each control's query alone on this snapshot")
	policyDir := flag.String("rego", "", "with -controls or -ab: Rego directory to use instead of the embedded policies")
	extra := flag.String("queries", "", "with -controls: comma-separated further queries to time (e.g. data.tenantgate.lib.ok_sources)")
	ab := flag.String("ab", "", "compare data.tenantgate.main under -rego (default: the embedded policies) and this Rego directory on -snapshots")
	snaps := flag.String("snapshots", "bench/results/fleet/tenant-00*.json", "with -ab: glob of the snapshots to evaluate")
	runs := flag.Int("runs", 15, "with -ab: alternated timed runs")
	flag.Parse()
	if *ab != "" {
		if err := compareTrees(*policyDir, *ab, *snaps, *basePath, *runs); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	if *controls != "" {
		if err := timeControls(*controls, *basePath, *policyDir, *extra); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*fleet, *out, *opaInputs, *basePath, *large, *nPol, *nLoc, *verify, *rep); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(fleet int, out, opaInputs, basePath, large string, nPol, nLoc int, verify, rep string) error {
	if verify != "" {
		return verifyResult(verify, rep)
	}
	if fleet == 0 && large == "" {
		return fmt.Errorf("nothing to do: give -fleet N -out DIR, -large FILE or -verify")
	}
	b, err := loadBaseline(basePath)
	if err != nil {
		return err
	}
	src := demo.SnapshotJSON()
	if fleet > 0 {
		if out == "" {
			return fmt.Errorf("-fleet needs -out DIR")
		}
		for _, d := range []string{out, opaInputs} {
			if d != "" {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return err
				}
			}
		}
		for i := range fleet {
			raw, err := synth.Variant(src, i)
			if err != nil {
				return err
			}
			name := fmt.Sprintf("tenant-%04d.json", i)
			if err := write(filepath.Join(out, name), raw, opaInputs, b); err != nil {
				return err
			}
		}
	}
	if large != "" {
		raw, err := synth.Large(src, nPol, nLoc)
		if err != nil {
			return err
		}
		if err := write(large, raw, opaInputs, b); err != nil {
			return err
		}
	}
	return nil
}

func loadBaseline(path string) (*baseline.Baseline, error) {
	if path == "" {
		return demo.Baseline()
	}
	return baseline.Load(path)
}

// write validates the snapshot (as audit --snapshot would), writes it, and
// writes its OPA input document to inputDir when given.
func write(path string, raw []byte, inputDir string, b *baseline.Baseline) error {
	s, err := snapshot.Parse(path, raw)
	if err != nil {
		return fmt.Errorf("generated snapshot is invalid: %w", err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		return err
	}
	if inputDir == "" {
		return nil
	}
	v, err := engine.Input(s, b)
	if err != nil {
		return err
	}
	j, err := ast.JSON(v)
	if err != nil {
		return err
	}
	in, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(inputDir, filepath.Base(path)), in, 0o644)
}

// verifyResult compares opa eval's data.tenantgate.main with a report.
func verifyResult(opaPath, repPath string) error {
	var o struct {
		Result []struct {
			Expressions []struct {
				Value struct {
					Results map[string]struct {
						Status string `json:"status"`
					} `json:"results"`
				} `json:"value"`
			} `json:"expressions"`
		} `json:"result"`
	}
	var r struct {
		Results []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"results"`
	}
	if err := readJSON(opaPath, &o); err != nil {
		return err
	}
	if err := readJSON(repPath, &r); err != nil {
		return err
	}
	if len(o.Result) != 1 || len(o.Result[0].Expressions) != 1 {
		return fmt.Errorf("%s: no result for data.tenantgate.main", opaPath)
	}
	got := o.Result[0].Expressions[0].Value.Results
	if len(r.Results) == 0 || len(got) != len(r.Results) {
		return fmt.Errorf("opa has %d control results, the report %d", len(got), len(r.Results))
	}
	for _, res := range r.Results {
		pkg := strings.ToLower(strings.ReplaceAll(res.ID, ".", "_"))
		if got[pkg].Status != res.Status {
			return fmt.Errorf("%s: opa eval says %q, tenantgate %q", res.ID, got[pkg].Status, res.Status)
		}
	}
	fmt.Printf("opa eval and tenantgate agree on all %d controls\n", len(r.Results))
	return nil
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
