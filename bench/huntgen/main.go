// Command huntgen writes the benchmark input of `tenantgate hunt`: about
// 1,000,000 Unified Audit Log records (~1 GB, Search-UnifiedAuditLog |
// Export-Csv) and 200,000 Entra sign-ins (portal CSV, and Graph beta JSON
// pages), with the talk's incident (internal/hunt/incident) embedded in
// ordinary activity of a few thousand people. Output is streamed day by day:
// memory stays at one day's records whatever the size.
//
//	go run ./bench/huntgen -out /tmp/hunt-bench            # defaults: 1,000,000 UAL, 200,000 sign-ins
//	go run ./bench/huntgen -out /tmp/x -ual 100000 -signins 20000
//
// See bench/README.md and docs/performance.md.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/incident"
)

func main() {
	out := flag.String("out", "", "output directory (created)")
	ual := flag.Int("ual", 1_000_000, "Unified Audit Log records to aim for")
	signins := flag.Int("signins", 200_000, "sign-ins to aim for (interactive + non-interactive)")
	days := flag.Int("days", 28, "days of logs (the incident's 2023-12-12 is always inside)")
	graph := flag.Bool("graph", true, "also write the sign-ins as Graph beta JSON pages (graph/)")
	seed := flag.Uint64("seed", 20231212, "generator seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "huntgen: -out DIR is required")
		os.Exit(2)
	}
	if err := run(*out, *ual, *signins, *days, *graph, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "huntgen:", err)
		os.Exit(1)
	}
}

// counts runs a scenario without writing and counts its records.
func counts(sc incident.Scenario) (signins, ual int, err error) {
	_, err = sc.Run(false, func(d *incident.Day) error {
		signins += len(d.SignIns)
		ual += len(d.UAL)
		return nil
	})
	return
}

// scenario sizes the people and their mail activity so that the window holds
// about the wanted numbers: sign-ins grow with people, UAL records with people
// times mail activity (two small calibration runs fit both).
func scenario(wantUAL, wantSignIns, days int, seed uint64) (incident.Scenario, error) {
	from := time.Date(2023, 12, 12, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -days*2/3)
	sc := incident.Scenario{Seed: seed, Users: 200, Activity: 1, MailActivity: 1, From: from, To: from.AddDate(0, 0, days)}
	s1, u1, err := counts(sc)
	if err != nil {
		return sc, err
	}
	sc.MailActivity = 3
	_, u3, err := counts(sc)
	if err != nil {
		return sc, err
	}
	// per 200 people: UAL = a + b*mail
	b := float64(u3-u1) / 2
	a := float64(u1) - b
	scale := float64(wantSignIns) / float64(s1)
	sc.Users = max(12, int(math.Round(200*scale)))
	sc.MailActivity = max(0.1, (float64(wantUAL)/scale-a)/b)
	return sc, nil
}

func create(dir, name string) (*os.File, *bufio.Writer, error) {
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return f, bufio.NewWriterSize(f, 1<<20), nil
}

func run(dir string, wantUAL, wantSignIns, days int, graph bool, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	sc, err := scenario(wantUAL, wantSignIns, days, seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "huntgen: %d people, mail activity %.2f, %s to %s (calibrated in %s)\n",
		sc.Users, sc.MailActivity, sc.From.Format("2006-01-02"), sc.To.Format("2006-01-02"), time.Since(start).Round(time.Millisecond))
	names := []string{"InteractiveSignIns.csv", "NonInteractiveSignIns.csv", "UAL.csv"}
	if graph {
		if err := os.MkdirAll(filepath.Join(dir, "graph"), 0o755); err != nil {
			return err
		}
		names = append(names, "graph/signIns_beta_interactive.json", "graph/signIns_beta_noninteractive.json")
	}
	files := make([]*os.File, len(names))
	bufs := make([]*bufio.Writer, len(names))
	for i, n := range names {
		if files[i], bufs[i], err = create(dir, n); err != nil {
			return err
		}
		defer files[i].Close()
	}
	var nUAL, nSign int
	count := countSink{&nUAL, &nSign}
	sinks := []incident.Sink{
		incident.SignInCSVSink(bufs[0], true, nil),
		incident.SignInCSVSink(bufs[1], false, nil),
		// -NoTypeInformation, UTF-8, en-US dates, all ten columns: the usual
		// Search-UnifiedAuditLog -ResultSize 5000 | Export-Csv of a collection script
		incident.UALSearchSink(bufs[2], incident.UALSearchOptions{Locale: incident.EnUS, Encoding: incident.UTF8, ResultCount: wantUAL}),
		count,
	}
	if graph {
		sinks = append(sinks, incident.SignInGraphSink(bufs[3], incident.Beta, true, 1000), incident.SignInGraphSink(bufs[4], incident.Beta, false, 1000))
	}
	gen := time.Now()
	if _, err := sc.Stream(true, sinks...); err != nil {
		return err
	}
	var total int64
	for i, b := range bufs {
		if err := b.Flush(); err != nil {
			return err
		}
		if err := files[i].Close(); err != nil {
			return err
		}
		st, err := os.Stat(filepath.Join(dir, names[i]))
		if err != nil {
			return err
		}
		total += st.Size()
		fmt.Fprintf(os.Stderr, "  %-40s %8.1f MB\n", names[i], float64(st.Size())/1e6)
	}
	el := time.Since(gen)
	fmt.Fprintf(os.Stderr, "huntgen: %d UAL records, %d sign-ins, %.1f MB in %s (%.0f MB/s, %.0f records/s)\n",
		nUAL, nSign, float64(total)/1e6, el.Round(time.Millisecond), float64(total)/1e6/el.Seconds(), float64(nUAL+nSign)/el.Seconds())
	return nil
}

type countSink struct{ ual, signins *int }

func (c countSink) Day(d *incident.Day) { *c.ual += len(d.UAL); *c.signins += len(d.SignIns) }
func (c countSink) Close() error        { return nil }
