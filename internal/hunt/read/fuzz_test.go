package read

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/text/encoding/unicode"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/testutil"
)

// The hunt readers' fuzz targets (issue 11: every loader has one). Each
// reads arbitrary bytes as one exported file: recognised or refused by
// content, never a panic; a refusal is an input error naming the file; what
// is read is consistent (records, duplicates and bad rows add up, every
// event and bad row has a line, events are in time order), and every
// record read again at its byte offset (the second read of attacker
// records) gives the Detail the first read gave. Seeds: the real captures
// in internal/hunt/testdata/real (large ones cut to their first records)
// and this package's testdata; `make fuzz` runs them longer.

// FuzzReadCSV: portal sign-in, AuthDetails and audit CSVs, the UAL's
// Search-UnifiedAuditLog and Purview CSVs (UTF-8, BOM, UTF-16), Get-InboxRule.
func FuzzReadCSV(f *testing.F) {
	for _, s := range seeds(f, ".csv") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkRead(t, "fuzz.csv", raw) })
}

// FuzzReadJSON: Graph pages (one, several, in an array), bare arrays,
// Management Activity API content, audit log query records, messageRules.
func FuzzReadJSON(f *testing.F) {
	for _, s := range seeds(f, ".json") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkRead(t, "fuzz.json", raw) })
}

// FuzzReadJSONLines: JSON Lines of sign-ins and UAL records.
func FuzzReadJSONLines(f *testing.F) {
	for _, s := range seeds(f, ".jsonl") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) { checkRead(t, "fuzz.jsonl", raw) })
}

func checkRead(t *testing.T, name string, raw []byte) {
	fsys := fstest.MapFS{name: &fstest.MapFile{Data: raw}}
	logs, err := Read(context.Background(), []string{name}, event.NewStrings(), Options{FS: fsys, Workers: 2})
	if err != nil {
		testutil.CheckInputError(t, err, name)
		return
	}
	if len(logs.Files) != 1 {
		t.Fatalf("%d files", len(logs.Files))
	}
	fl := logs.Files[0]
	if fl.Skipped != "" {
		if len(logs.Events) != 0 {
			t.Fatalf("a skipped file gave %d events", len(logs.Events))
		}
		return
	}
	if fl.Kind < event.SignIns || fl.Kind > event.InboxRules {
		t.Fatalf("kind %d", fl.Kind)
	}
	if !fl.Companion && fl.Records != len(logs.Events)+fl.Duplicates {
		t.Fatalf("%d records, %d duplicates, %d events", fl.Records, fl.Duplicates, len(logs.Events))
	}
	if fl.BadRows != len(logs.BadRows) {
		t.Fatalf("%d bad rows counted, %d listed", fl.BadRows, len(logs.BadRows))
	}
	for _, b := range logs.BadRows {
		if b.File != name || b.Line < 1 || b.Reason == "" {
			t.Fatalf("bad row %+v", b)
		}
	}
	var recs []Record
	for i, e := range logs.Events {
		if e.Line < 1 || e.File != 0 || e.Kind != fl.Kind {
			t.Fatalf("event %d: line %d, file %d, kind %d", i, e.Line, e.File, e.Kind)
		}
		if i > 0 {
			p := logs.Events[i-1].Time
			if e.Time != 0 && (p == 0 || p > e.Time) {
				t.Fatalf("events out of time order at %d", i)
			}
		}
		recs = append(recs, Record{Ord: e.Rec, Off: e.Off})
	}
	if len(recs) == 0 {
		return
	}
	again, err := Details(context.Background(), fsys, name, recs)
	if err != nil {
		t.Fatalf("read again: %v", err)
	}
	for _, e := range logs.Events {
		if !bytes.Equal(again[e.Rec], e.Detail) {
			t.Fatalf("record %d (line %d, offset %d) read again gives another detail:\n%s\n%s", e.Rec, e.Line, e.Off, e.Detail, again[e.Rec])
		}
	}
}

// seeds are the sample files with the extension: whole when small, else cut
// to their first records (a fuzzer mutates small inputs faster).
func seeds(tb testing.TB, ext string) [][]byte {
	var out [][]byte
	for _, dir := range []string{filepath.Join("..", "testdata", "real"), "testdata"} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range ents {
			if filepath.Ext(e.Name()) != ext || e.Name() == "manifest.json" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				tb.Fatal(err)
			}
			if len(b) > 16<<10 {
				b = firstRecords(tb, ext, b, 4)
			}
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no %s seeds", ext)
	}
	return out
}

// firstRecords cuts a file to its first n records, as a file of its kind.
func firstRecords(tb testing.TB, ext string, b []byte, n int) []byte {
	switch ext {
	case ".csv":
		utf16 := bytes.HasPrefix(b, []byte{0xFF, 0xFE})
		if utf16 {
			d, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
			if err != nil {
				tb.Fatal(err)
			}
			b = d
		}
		text := string(b)
		prefix := 0
		if strings.HasPrefix(text, "\ufeff") {
			prefix = len("\ufeff")
		}
		if strings.HasPrefix(text[prefix:], "#TYPE") {
			prefix += strings.IndexByte(text[prefix:], '\n') + 1
		}
		r := csv.NewReader(strings.NewReader(text[prefix:]))
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		for range n + 1 {
			if _, err := r.Read(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				tb.Fatal(err)
			}
		}
		cut := []byte(text[:prefix+int(r.InputOffset())])
		if utf16 {
			e, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(cut)
			if err != nil {
				tb.Fatal(err)
			}
			return e
		}
		return cut
	case ".jsonl":
		lines := bytes.SplitAfter(b, []byte("\n"))
		return bytes.Join(lines[:min(n, len(lines))], nil)
	}
	// A page, pages back to back, or an array: the first page's (or the
	// array's) first records, in the same container.
	dec := json.NewDecoder(bytes.NewReader(b))
	var v any
	if err := dec.Decode(&v); err != nil {
		tb.Fatal(err)
	}
	switch x := v.(type) {
	case []any:
		v = x[:min(n, len(x))]
	case map[string]any:
		if vals, ok := x["value"].([]any); ok {
			x["value"] = vals[:min(n, len(vals))]
		}
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
