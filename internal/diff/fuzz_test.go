package diff

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tenantgate/tenantgate/internal/testutil"
)

// FuzzParse: the diff loader (a snapshot or an audit result) never panics,
// refuses with an input error naming the file on one line, and what it
// accepts compares with itself and with the matching fixture (no change,
// no regression from a file compared with itself) and prints as text
// without a raw control character.
func FuzzParse(f *testing.F) {
	fixtures := map[Kind]*Input{}
	for _, name := range []string{"old.snapshot.json", "new.snapshot.json", "old.report.json", "new.report.json"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		in, err := Parse(name, raw)
		if err != nil {
			f.Fatal(err)
		}
		fixtures[in.Kind] = in
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, err := Parse("fuzz.json", raw)
		if err != nil {
			testutil.CheckInputError(t, err, "fuzz.json")
			return
		}
		self, err := Compare(in, in, Options{})
		if err != nil {
			t.Fatalf("compared with itself: %v", err)
		}
		if self.Regressed() || len(self.Changes) > 0 {
			t.Fatalf("a file compared with itself changed: %+v", self)
		}
		res, err := Compare(fixtures[in.Kind], in, Options{})
		if err != nil {
			t.Fatalf("compared with a fixture: %v", err)
		}
		var buf bytes.Buffer
		if err := res.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		if u := testutil.UnsafeText(buf.String()); u != "" {
			t.Fatalf("diff text: raw %s", u)
		}
		if err := res.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
	})
}
