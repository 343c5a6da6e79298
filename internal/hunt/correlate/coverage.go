package correlate

import (
	"fmt"
	"sort"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// coverage fills inputs and coverage: per log kind the files, records,
// duplicates, bad rows and time range; the bad rows and skipped files; the
// blind spots that follow from what is missing.
func (r *run) coverage(res *result.Result) {
	c := &res.Coverage
	for _, k := range result.KindNames {
		*c.Kind(k) = result.KindCoverage{Files: []string{}}
	}
	c.BadRows, c.Skipped, c.BlindSpots = []result.BadRow{}, []result.Skipped{}, []result.BlindSpot{}
	for _, f := range r.logs.Files {
		if f.Skipped != "" {
			c.Skipped = append(c.Skipped, result.Skipped{File: f.Path, Reason: f.Skipped})
			continue
		}
		kind := f.Kind.String()
		res.Inputs = append(res.Inputs, result.Input{File: f.Path, Kind: kind, Records: f.Records, Duplicates: f.Duplicates, BadRows: f.BadRows})
		if f.Companion {
			c.Skipped = append(c.Skipped, result.Skipped{File: f.Path, Reason: fmt.Sprintf("%s: joined to the sign-ins on Request ID (%d records), not a log of its own", f.Format, f.Records)})
			continue
		}
		kc := c.Kind(kind)
		kc.Files = append(kc.Files, f.Path)
		kc.Records += f.Records
		kc.Duplicates += f.Duplicates
		kc.BadRows += f.BadRows
		if f.From != 0 && (kc.From == nil || tp(f.From).Before(*kc.From)) {
			kc.From = tp(f.From)
		}
		if f.To != 0 && (kc.To == nil || tp(f.To).After(*kc.To)) {
			kc.To = tp(f.To)
		}
	}
	for _, g := range r.o.Gaps {
		c.BlindSpots = append(c.BlindSpots, result.BlindSpot{Kind: g.Kind, Message: g.Message})
	}
	c.BlindSpots = append(c.BlindSpots, r.gapBlindSpots()...)
	for _, b := range r.logs.BadRows {
		c.BadRows = append(c.BadRows, result.BadRow{File: b.File, Line: b.Line, Reason: b.Reason})
	}
	missing := map[string]string{
		"signIns":         "no sign-in logs: how and from where the attacker signed in, and which other users signed in from the attacker's addresses, cannot be seen; no user can be called clean",
		"directoryAudits": "no directory audit logs: security info, devices, applications and consents are seen only as far as the unified audit log records them",
		"unifiedAuditLog": "no unified audit log: mail sent, read and deleted, inbox rules and file activity cannot be seen; no user can be called clean",
	}
	for _, k := range []string{"signIns", "directoryAudits", "unifiedAuditLog"} {
		kc := c.Kind(k)
		// The kind's range: its records', extended by what an evidence
		// bundle read whole (kindRange).
		from, to, ok := r.kindRange(k)
		switch {
		case len(kc.Files) == 0:
			c.BlindSpots = append(c.BlindSpots, result.BlindSpot{Kind: k, Message: missing[k], Code: "missing"})
		case !ok || from == 0:
			c.BlindSpots = append(c.BlindSpots, result.BlindSpot{Kind: k, Message: fmt.Sprintf("the %s files hold no record", kindText[k]), Code: "empty"})
		default:
			slack := r.o.Params.CoverageSlack
			if f := tp(from); res.Window.From != nil && f.After(res.Window.From.Add(slack)) {
				c.BlindSpots = append(c.BlindSpots, result.BlindSpot{Kind: k, Message: fmt.Sprintf("%s start %s, after the window's start %s: earlier activity cannot be seen", kindText[k], fmtPtr(f), fmtPtr(res.Window.From)),
					Code: "starts-late", Times: map[string]time.Time{"from": *f, "window": *res.Window.From}})
			}
			if t := tp(to); res.Window.To != nil && t.Before(res.Window.To.Add(-slack)) {
				c.BlindSpots = append(c.BlindSpots, result.BlindSpot{Kind: k, Message: fmt.Sprintf("%s end %s, before the window's end %s: later activity cannot be seen", kindText[k], fmtPtr(t), fmtPtr(res.Window.To)),
					Code: "ends-early", Times: map[string]time.Time{"to": *t, "window": *res.Window.To}})
			}
		}
	}
}

var kindText = map[string]string{"signIns": "sign-in logs", "directoryAudits": "directory audit logs", "unifiedAuditLog": "unified audit log", "inboxRules": "inbox rule exports"}

// blindSpotsAfter adds what the attacker did outside a log's range: "sign-in
// logs end X but the attacker was active until Y".
func (r *run) blindSpotsAfter(res *result.Result) {
	r.attackerOutsideWindow(res)
	var first, last int64
	for i, a := range r.attacker {
		if a && r.in[i] {
			t := r.ev[i].Time
			if t != 0 && (first == 0 || t < first) {
				first = t
			}
			if t > last {
				last = t
			}
		}
	}
	if last == 0 {
		return
	}
	c := &res.Coverage
	for _, k := range []string{"signIns", "directoryAudits", "unifiedAuditLog"} {
		from, to, ok := r.kindRange(k)
		if !ok || from == 0 {
			continue
		}
		if t := tp(to); t.Before(*tp(last)) {
			c.BlindSpots = append(c.BlindSpots, result.BlindSpot{Kind: k, Message: fmt.Sprintf("%s end %s but the attacker was active until %s", kindText[k], fmtPtr(t), fmtPtr(tp(last))),
				Code: "attacker-after", Times: map[string]time.Time{"to": *t, "attacker": *tp(last)}})
		}
		if f := tp(from); f.After(*tp(first)) {
			c.BlindSpots = append(c.BlindSpots, result.BlindSpot{Kind: k, Message: fmt.Sprintf("%s start %s but the attacker was active from %s", kindText[k], fmtPtr(f), fmtPtr(tp(first))),
				Code: "attacker-before", Times: map[string]time.Time{"from": *f, "attacker": *tp(first)}})
		}
	}
	sort.SliceStable(c.BlindSpots, func(i, j int) bool { return kindOrder(c.BlindSpots[i].Kind) < kindOrder(c.BlindSpots[j].Kind) })
}

// attackerOutsideWindow names the attacker activity --since / --until leave
// out of the report: attribution reads every event, the report shows the
// window's.
func (r *run) attackerOutsideWindow(res *result.Result) {
	before, after := -1, -1
	for i, a := range r.attacker {
		if !a || r.in[i] || r.ev[i].Time == 0 {
			continue
		}
		if t := r.ev[i].Time; t < r.window[0] && (before < 0 || t < r.ev[before].Time) {
			before = i
		} else if t > r.window[1] && (after < 0 || t > r.ev[after].Time) {
			after = i
		}
	}
	add := func(i int, side, bound, flag string, edge int64) {
		e := &r.ev[i]
		k := e.Kind.String()
		res.Coverage.BlindSpots = append(res.Coverage.BlindSpots, result.BlindSpot{Kind: k,
			Message: fmt.Sprintf("the attacker was active %s the window: attacker activity %s %s (%s), %s its %s %s; this report leaves it out (widen %s to see it)",
				side, map[string]string{"before": "from", "after": "until"}[side], fmtPtr(tp(e.Time)), kindText[k], side, bound, fmtPtr(tp(edge)), flag),
			Code: "attacker-" + side + "-window", Times: map[string]time.Time{"attacker": *tp(e.Time), "window": *tp(edge)}})
	}
	if before >= 0 {
		add(before, "before", "start", "--since", r.window[0])
	}
	if after >= 0 {
		add(after, "after", "end", "--until", r.window[1])
	}
}

func kindOrder(k string) int {
	for i, n := range result.KindNames {
		if n == k {
			return i
		}
	}
	return len(result.KindNames)
}
