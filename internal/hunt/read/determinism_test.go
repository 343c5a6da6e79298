package read

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRowIDsAreStable: a portal audit CSV row has no record id; the id hunt
// gives it (its evidence's recordId, its dedup key) is the same on every
// run and whatever the column order of the download, so a report is
// reproducible and the same row in two downloads is one record.
func TestRowIDsAreStable(t *testing.T) {
	ids := func(l *Logs) []string {
		var out []string
		for _, e := range l.Events {
			out = append(out, e.ID)
		}
		return out
	}
	a, b := ids(readFiles(t, Options{}, td("audit_portal.csv"))), ids(readFiles(t, Options{}, td("audit_portal.csv")))
	if !slices.Equal(a, b) || len(a) == 0 || !strings.HasPrefix(a[0], "row:") {
		t.Fatalf("two runs gave the rows different ids:\n%v\n%v", a, b)
	}
	// The same rows with the columns in reverse order (another header
	// variant of the download): the same ids, and as a second file every
	// row is a duplicate of the first's.
	rows := readCSV(t, td("audit_portal.csv"))
	for _, r := range rows {
		slices.Reverse(r)
	}
	rev := filepath.Join(t.TempDir(), "AuditLogs_reversed.csv")
	writeCSV(t, rev, rows)
	if c := ids(readFiles(t, Options{}, rev)); !slices.Equal(a, c) {
		t.Errorf("reordered columns changed the ids:\n%v\n%v", a, c)
	}
	l := readFiles(t, Options{}, td("audit_portal.csv"), rev)
	if l.Files[1].Duplicates != l.Files[1].Records || len(l.Events) != l.Files[0].Records-l.Files[0].Duplicates {
		t.Errorf("the same rows in a reordered download: %+v, %d events", l.Files, len(l.Events))
	}
}

func readCSV(t *testing.T, p string) [][]string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func writeCSV(t *testing.T, p string, rows [][]string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
