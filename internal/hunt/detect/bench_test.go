package detect

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// BenchmarkOfficeHomeSignIns measures Rego on TG.HUNT.1's candidates: the
// detection with the most (every browser sign-in to OfficeHome).
func BenchmarkOfficeHomeSignIns(b *testing.B) {
	e, err := New(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	strs := event.NewStrings()
	const n = 20000
	evs := make([]event.Event, n)
	t0 := time.Date(2023, 12, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	for i := range evs {
		evs[i] = event.Event{
			Kind: event.SignIns, Time: t0 + int64(i)*int64(time.Minute), User: strs.Intern(fmt.Sprintf("user%d@x.com", i%300)),
			Op: strs.Intern("SignIn"), OpKey: strs.Intern("signin"), IP: strs.Intern(fmt.Sprintf("198.51.100.%d", i%250)),
			UA:  strs.Intern("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"),
			App: strs.Intern("4765445b-32c6-49b0-83e6-1d93765276ca"), ClientApp: strs.Intern("Browser"), Country: strs.Intern("JP"),
			ASN: 2516, Flags: event.SignIn | event.Success, Session: strs.Intern(fmt.Sprintf("s%d", i%3000)),
		}
	}
	d := &e.Catalog()[0]
	in := &Input{Events: evs, Strings: strs, Params: params(), IPClass: func(event.Sym) string { return "" },
		Facts: func(i int, w *event.JSON) { w.Key("ipSeenBefore"); w.Bool(true) }}
	idx, err := e.Candidates(context.Background(), d, in)
	if err != nil || len(idx) != n {
		b.Fatal(err, len(idx))
	}
	b.ResetTimer()
	for range b.N {
		if _, err := e.Findings(context.Background(), d, in, idx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
}
