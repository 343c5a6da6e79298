package demo

import (
	"bytes"
	"compress/gzip"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/tenantgate/tenantgate/internal/hunt/incident"
)

var update = flag.Bool("update", false, "rewrite data/*.gz from the generator")

// TestEmbeddedSetIsGenerated: the embedded files are exactly what
// incident.Sunnyside().DemoSet() writes (run with -update after changing the
// generator, and read the diff of the expected findings).
func TestEmbeddedSetIsGenerated(t *testing.T) {
	want, _, err := incident.Sunnyside().DemoSet()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		old, _ := filepath.Glob("data/*.gz")
		for _, f := range old {
			os.Remove(f)
		}
		for name, b := range want {
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			zw.Write(b)
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("data", name+".gz"), z.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Skip("data/ rewritten; run again without -update")
	}
	got, err := FS()
	if err != nil {
		t.Fatal(err)
	}
	if len(Names()) != len(want) {
		t.Fatalf("embedded %v, generator writes %d files", Names(), len(want))
	}
	for name, b := range want {
		g, err := fs.ReadFile(got, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(g, b) {
			t.Errorf("%s: embedded file differs from the generator's (%d vs %d bytes): go test ./internal/hunt/demo -update", name, len(g), len(b))
		}
	}
}

func TestFS(t *testing.T) {
	f, err := FS()
	if err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(f, Names()...); err != nil {
		t.Fatal(err)
	}
}

func TestExtract(t *testing.T) {
	dir := t.TempDir()
	paths, err := Extract(filepath.Join(dir, "set"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(Names()) {
		t.Fatalf("%d paths", len(paths))
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != 0o600 || st.Size() == 0 {
			t.Errorf("%s: %v %v", p, st.Mode(), err)
		}
	}
	if _, err := Extract(filepath.Join(dir, "set")); err == nil {
		t.Error("extracting over existing files must fail")
	}
}
