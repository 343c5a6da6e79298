package incident

import (
	"io"
	"testing"
	"time"
)

// BenchmarkGenerateUAL measures the generator alone (bench/huntgen's speed):
// one week of 500 people written as Search-UnifiedAuditLog CSV to io.Discard.
func BenchmarkGenerateUAL(b *testing.B) {
	sc := Scenario{Seed: 1, Users: 500, Activity: 1, MailActivity: 4,
		From: time.Date(2023, 12, 8, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 12, 15, 0, 0, 0, 0, time.UTC)}
	for b.Loop() {
		n := 0
		if _, err := sc.Stream(true, UALSearchSink(io.Discard, UALSearchOptions{Locale: EnUS}),
			sinkFuncs{func(d *Day) { n += len(d.UAL) }, func() error { return nil }}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "records/op")
	}
}
