package apply

import (
	"bytes"
	"testing"

	"github.com/tenantgate/tenantgate/internal/testutil"
)

// FuzzPlan: the plan loader never panics, refuses with an input error
// naming the file on one line, and a plan it accepts writes and loads
// again, and shows as text without a raw control character.
func FuzzPlan(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := ParsePlan("fuzz.json", raw)
		if err != nil {
			testutil.CheckInputError(t, err, "fuzz.json")
			return
		}
		var buf bytes.Buffer
		if err := WritePlan(&buf, p); err != nil {
			t.Fatalf("write: %v", err)
		}
		if _, err := ParsePlan("again.json", buf.Bytes()); err != nil {
			t.Fatalf("an accepted plan, written, does not load: %v", err)
		}
		buf.Reset()
		WriteText(&buf, p, true, 80)
		if u := testutil.UnsafeText(buf.String()); u != "" {
			t.Fatalf("plan text: raw %s", u)
		}
	})
}

// FuzzTemplate: the template loader never panics, refuses with an input
// error naming the file, and a template it accepts renders a report-only
// body excluding the break-glass account.
func FuzzTemplate(f *testing.F) {
	entries, err := embedded.ReadDir("templates")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		raw, err := embedded.ReadFile("templates/" + e.Name())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	bg := []Account{{Requested: "bg@x", ID: "00000000-0000-0000-0000-0000000000bb"}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		tpl, err := parseTemplate("fuzz.json", raw)
		if err != nil {
			testutil.CheckInputError(t, err, "fuzz.json")
			return
		}
		body, err := Render(tpl, bg)
		if err != nil {
			return // a template without conditions.users: Build reports it
		}
		b, err := ParseHead(body)
		if err != nil || b.State != ReportOnly {
			t.Fatalf("rendered body not report-only: %s (%v)", body, err)
		}
		found := false
		for _, u := range b.Conditions.Users.ExcludeUsers {
			found = found || u == bg[0].ID
		}
		if !found {
			t.Fatalf("rendered body does not exclude the break-glass account: %s", body)
		}
	})
}
