package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/tenantgate/tenantgate/internal/report"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenFormats are the formats every golden report is rendered in, with the
// extension of their golden file: testdata/<name>.<ext>.golden.
var goldenFormats = []struct {
	format, ext string
	opts        Options
}{
	{"table", "txt", Options{}},
	{"json", "json", Options{}},
	{"sarif", "sarif", Options{}},
	{"junit", "xml", Options{}},
	{"markdown", "md", Options{}},
	{"html", "html", Options{}},
}

// checkGolden renders r in every format of goldenFormats and compares each
// with testdata/<name>.<ext>.golden (rewritten with -update). It is the one
// entry point for golden reports: a test for the demo tenant is
//
//	checkGolden(t, "demo", demoReport)
func checkGolden(t *testing.T, name string, r *report.Report) {
	t.Helper()
	for _, f := range goldenFormats {
		t.Run(f.format, func(t *testing.T) {
			checkGoldenFormat(t, name+"."+f.ext, f.format, r, f.opts)
		})
	}
}

// checkGoldenFormat renders one format and compares it with testdata/<file>.golden.
func checkGoldenFormat(t *testing.T, file, format string, r *report.Report, opts Options) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, opts); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	compareGolden(t, filepath.Join("testdata", file+".golden"), buf.Bytes())
}

func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	testutil.Golden(t, path, got, *update, "./internal/render")
}

// loadReport reads a report fixture (audit JSON).
func loadReport(t *testing.T, path string) *report.Report {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r report.Report
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &r
}

// fixtures are hand-built reports of all 18 controls: contoso mixes every
// status with waivers and run warnings; fabrikam is a tenant without Entra ID
// P1 or Intune where nothing fails.
var fixtures = []string{"contoso", "fabrikam"}

func loadFixture(t *testing.T, name string) *report.Report {
	return loadReport(t, filepath.Join("testdata", name+".report.json"))
}

func TestGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			checkGolden(t, name, loadFixture(t, name))
		})
	}
}

// The fixtures' summaries are hand-written; keep them equal to what the model
// computes so the goldens show real numbers.
func TestFixtureSummaries(t *testing.T) {
	for _, name := range fixtures {
		r := loadFixture(t, name)
		want := r.Summary
		r.Summarize()
		if r.Summary != want {
			t.Errorf("%s: summary in fixture %+v, computed %+v", name, want, r.Summary)
		}
		if len(r.Results) != 18 {
			t.Errorf("%s: %d results, want all 18 controls", name, len(r.Results))
		}
	}
}

func TestFormatsRegistered(t *testing.T) {
	for _, f := range []string{"table", "json", "sarif", "junit", "markdown", "html"} {
		if !Has(f) {
			t.Errorf("format %q is not registered", f)
		}
	}
}
