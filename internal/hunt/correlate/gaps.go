package correlate

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// Gap is a part of a log kind known to be missing although its files are
// there: an evidence bundle's source that failed or did not finish, with
// Graph's error in Message. From and To bound the missing time [From, To);
// a zero bound is open (the gap reaches that edge of the window).
type Gap struct {
	Kind, Message string
	From, To      time.Time
}

// verdictKinds are the logs a clean verdict needs (hunt.md "clean").
var verdictKinds = []string{"signIns", "unifiedAuditLog"}

// span is the gap's [from, to) in Unix ns, open bounds as the extremes.
func (g Gap) span() (from, to int64) {
	from, to = math.MinInt64, math.MaxInt64
	if !g.From.IsZero() {
		from = g.From.UnixNano()
	}
	if !g.To.IsZero() {
		to = g.To.UnixNano()
	}
	return from, to
}

// inGap reports whether [a, b] meets a gap of kind.
func (r *run) inGap(kind string, a, b int64) bool {
	for _, g := range r.o.Gaps {
		if g.Kind != kind {
			continue
		}
		if from, to := g.span(); a < to && b >= from {
			return true
		}
	}
	return false
}

// gapped reports whether a gap keeps the user from being called clean: the
// user's activity in the window (first to last event, in any log) reaches
// into a gap of the sign-in logs or the unified audit log, or those two logs
// miss the same time (then nobody can be shown inactive in it). A user whose
// activity lies wholly outside the gaps is judged: each gap is covered by
// the other log, which shows no activity of theirs then (a sign-in is also
// a UAL UserLoggedIn; mailbox and file activity are UAL records).
func (r *run) gapped(u event.Sym) bool {
	if len(r.blindIntervals()) > 0 {
		return true
	}
	var first, last int64
	for _, i := range r.byUser[u] {
		if t := r.ev[i].Time; t != 0 && r.in[i] {
			if first == 0 || t < first {
				first = t
			}
			last = max(last, t)
		}
	}
	if first == 0 {
		return false
	}
	for _, k := range verdictKinds {
		if r.inGap(k, first, last) {
			return true
		}
	}
	return false
}

// interval is [from, to) in Unix ns.
type interval struct{ from, to int64 }

// gapIntervals are a kind's gaps, clipped to the window and merged.
func (r *run) gapIntervals(kind string) []interval {
	var out []interval
	for _, g := range r.o.Gaps {
		if g.Kind != kind {
			continue
		}
		from, to := g.span()
		from, to = max(from, r.window[0]), min(to, r.window[1]+1)
		if from < to {
			out = append(out, interval{from, to})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].from < out[j].from })
	merged := out[:0]
	for _, iv := range out {
		if n := len(merged); n > 0 && iv.from <= merged[n-1].to {
			merged[n-1].to = max(merged[n-1].to, iv.to)
			continue
		}
		merged = append(merged, iv)
	}
	return merged
}

// blindIntervals are the times both the sign-in logs and the unified audit
// log miss.
func (r *run) blindIntervals() []interval {
	if r.blind == nil {
		r.blind = []interval{}
		for _, a := range r.gapIntervals("signIns") {
			for _, b := range r.gapIntervals("unifiedAuditLog") {
				if from, to := max(a.from, b.from), min(a.to, b.to); from < to {
					r.blind = append(r.blind, interval{from, to})
				}
			}
		}
	}
	return r.blind
}

// gapBlindSpots says, per log a verdict needs, which times its gaps miss
// and what follows for the verdicts.
func (r *run) gapBlindSpots() []result.BlindSpot {
	text := func(ivs []interval) string {
		parts := make([]string, len(ivs))
		for i, iv := range ivs {
			parts[i] = fmt.Sprintf("%s to %s", fmtTime(iv.from), fmtTime(iv.to))
		}
		return strings.Join(parts, ", ")
	}
	var out []result.BlindSpot
	for _, k := range verdictKinds {
		if ivs := r.gapIntervals(k); len(ivs) > 0 {
			verb := "miss"
			if k == "unifiedAuditLog" {
				verb = "misses"
			}
			out = append(out, result.BlindSpot{Kind: k, Message: fmt.Sprintf("the %s %s %s: no user active then is called clean", kindText[k], verb, text(ivs))})
		}
	}
	if b := r.blindIntervals(); len(b) > 0 {
		out = append(out, result.BlindSpot{Kind: "signIns", Message: fmt.Sprintf("the sign-in logs and the unified audit log both miss %s: nobody can be shown inactive then, so no user is called clean", text(b))})
	}
	return out
}
