package read

import (
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// TestSameTimeOrderIsFixed: records of the same time are ordered on their
// content, not on where they stand in the files, so the same records
// exported in another order (newest first, grouped by record type) give
// the same timeline.
func TestSameTimeOrderIsFixed(t *testing.T) {
	rows := readCSV(t, td("ual_purview.csv"))
	hdr, recs := rows[0], rows[1:]
	// Every record at one time: the order is all ties.
	ad := slices.Index(hdr, "AuditData")
	ct := regexp.MustCompile(`"CreationTime":\s*"[^"]*"`)
	for _, r := range recs {
		r[ad] = ct.ReplaceAllString(r[ad], `"CreationTime": "2023-12-12T05:00:00"`)
	}
	dir := t.TempDir()
	fwd, back := filepath.Join(dir, "fwd.csv"), filepath.Join(dir, "back.csv")
	writeCSV(t, fwd, append([][]string{hdr}, recs...))
	rev := slices.Clone(recs)
	slices.Reverse(rev)
	writeCSV(t, back, append([][]string{hdr}, rev...))
	order := func(p string) []string {
		var out []string
		for _, e := range readFiles(t, Options{}, p).Events {
			out = append(out, e.ID)
		}
		return out
	}
	if a, b := order(fwd), order(back); !slices.Equal(a, b) || len(a) != len(recs) {
		t.Errorf("the order of records of the same time follows the file:\n%v\n%v", a, b)
	}
}
