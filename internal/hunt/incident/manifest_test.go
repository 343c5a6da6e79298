package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestRealSamplesManifest keeps ../testdata/real/manifest.json honest: every
// sample is listed with its provenance and checksum, and nothing unlisted sits
// beside it (a sample without provenance must not be used as a real shape).
func TestRealSamplesManifest(t *testing.T) {
	dir := filepath.Join("..", "testdata", "real")
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Files []struct {
			File, Kind, Shape, Origin, SHA256 string
			Source                            map[string]string
			Quirks                            []string
		}
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.File] = true
		switch f.Origin {
		case "real", "real-header", "derived":
		default:
			t.Errorf("%s: origin %q is not real, real-header or derived", f.File, f.Origin)
		}
		switch f.Kind {
		case "signIns", "directoryAudits", "unifiedAuditLog", "inboxRules":
		default:
			t.Errorf("%s: kind %q", f.File, f.Kind)
		}
		if f.Source["repository"] == "" || f.Source["licence"] == "" {
			t.Errorf("%s: source needs a repository and a licence", f.File)
		}
		if f.Shape == "" {
			t.Errorf("%s: no shape", f.File)
		}
		b, err := os.ReadFile(filepath.Join(dir, f.File))
		if err != nil {
			t.Errorf("%s: %v", f.File, err)
			continue
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: sha256 differs from the manifest (edited without updating its provenance?)", f.File)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || e.Name() == "manifest.json" || e.Name() == "README.md" {
			continue
		}
		if !listed[e.Name()] {
			t.Errorf("%s is not in manifest.json", e.Name())
		}
	}
}
