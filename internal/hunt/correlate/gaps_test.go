package correlate

import (
	"strings"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// TestGapsAreExact: a log kind with a missing interval (an evidence bundle's
// failed day slice) covers the rest of the window. A user active only
// outside the gap is judged (clean here); one whose activity reaches into it
// is unknown, never clean; the blind spots name the interval. A gap without
// bounds is the whole window; gaps of the sign-in logs and the unified audit
// log at the same time leave nobody clean.
func TestGapsAreExact(t *testing.T) {
	const early, late = "early@contoso.com", "late@contoso.com"
	l := newLogs()
	// both logs cover t0-48h .. t0+48h through a bystander working all along
	for d := -48 * time.Hour; d <= 48*time.Hour; d += 12 * time.Hour {
		l.signIn(d, bystand, office, "JP", 2516, "s-bob", 0)
		l.ual(d+time.Minute, bystand, "MailItemsAccessed", 50, office, "s-bob", "")
	}
	l.signIn(-40*time.Hour, early, office, "JP", 2516, "s-e", 0)
	l.ual(-39*time.Hour, early, "MailItemsAccessed", 50, office, "s-e", "")
	l.signIn(-40*time.Hour, late, office, "JP", 2516, "s-l", 0)
	l.ual(30*time.Hour, late, "MailItemsAccessed", 50, office, "s-l", "")
	gapFrom, gapTo := t0.Add(12*time.Hour), t0.Add(36*time.Hour) // a day of sign-ins missing
	day := Gap{Kind: "signIns", Message: "evidence bundle b: interactive sign-ins (…): denied (HTTP 403)", From: gapFrom, To: gapTo}

	verdicts := func(gaps ...Gap) (map[string]string, *result.Result) {
		o := opts()
		o.Gaps = gaps
		res := investigate(t, l.read(), o)
		out := map[string]string{}
		for _, u := range []string{early, late, bystand} {
			if x := userOf(res, u); x != nil {
				out[u] = x.Verdict
			} else {
				out[u] = result.Clean // clean users without findings may be left out
			}
		}
		return out, res
	}

	got, res := verdicts()
	if got[early] != result.Clean || got[late] != result.Clean || got[bystand] != result.Clean {
		t.Fatalf("without gaps: %v", got)
	}
	got, res = verdicts(day)
	if got[early] != result.Clean || got[late] != result.Unknown || got[bystand] != result.Unknown {
		t.Errorf("a day of sign-ins missing: %v (early is active only before it)", got)
	}
	if res.Summary.Clean != 1 || res.Summary.Unknown != 2 || res.ExitCode(false) != result.ExitIncomplete {
		t.Errorf("summary %+v, exit %d", res.Summary, res.ExitCode(false))
	}
	var names, source bool
	for _, b := range res.Coverage.BlindSpots {
		names = names || b.Kind == "signIns" && strings.Contains(b.Message, "the sign-in logs miss "+fmtTime(gapFrom.UnixNano())+" to "+fmtTime(gapTo.UnixNano()))
		source = source || b.Message == day.Message
	}
	if !names || !source {
		t.Errorf("blind spots %+v", res.Coverage.BlindSpots)
	}

	got, _ = verdicts(Gap{Kind: "unifiedAuditLog", Message: "the query failed"})
	if got[early] != result.Unknown || got[late] != result.Unknown {
		t.Errorf("an unbounded UAL gap: %v", got)
	}
	got, res = verdicts(day, Gap{Kind: "unifiedAuditLog", Message: "x", From: gapTo.Add(-time.Hour), To: gapTo.Add(time.Hour)})
	if got[early] != result.Unknown || res.Summary.Clean != 0 {
		t.Errorf("both logs missing an hour: %v", got)
	}
	got, _ = verdicts(Gap{Kind: "directoryAudits", Message: "x", From: gapFrom, To: gapTo})
	if got[early] != result.Clean || got[late] != result.Clean {
		t.Errorf("a directory audit gap decides no verdict: %v", got)
	}
}

// TestLogsOfOthersNeverClean: logs filtered to some users (an evidence
// bundle of evidence --user) hold anyone else only where he appears in
// their records: he is unknown, never clean, even when --user names him;
// the users the logs are of are judged as ever.
func TestLogsOfOthersNeverClean(t *testing.T) {
	const victim, admin = "victim@contoso.com", "admin@contoso.com"
	l := newLogs()
	for d := -48 * time.Hour; d <= 48*time.Hour; d += 12 * time.Hour {
		l.signIn(d, victim, office, "JP", 2516, "s-v", 0)
		l.ual(d+time.Minute, victim, "MailItemsAccessed", 50, office, "s-v", "")
	}
	l.signIn(-40*time.Hour, admin, office, "JP", 2516, "s-a", 0)
	verdict := func(logsOf, users []string) (string, string, *result.Result) {
		o := opts()
		o.LogsOf, o.Users = logsOf, users
		res := investigate(t, l.read(), o)
		v := func(u string) string {
			if x := userOf(res, u); x != nil {
				return x.Verdict
			}
			return result.Clean // clean users without findings may be left out
		}
		return v(victim), v(admin), res
	}
	if v, a, _ := verdict(nil, nil); v != result.Clean || a != result.Clean {
		t.Fatalf("tenant-wide logs: victim %s, admin %s", v, a)
	}
	v, a, res := verdict([]string{"Victim@contoso.com"}, []string{victim, admin})
	if v != result.Clean || a != result.Unknown {
		t.Errorf("logs of the victim only, --user both: victim %s, admin %s (want clean, unknown)", v, a)
	}
	if res.Summary.Clean != 1 || res.Summary.Unknown != 1 || res.ExitCode(false) != result.ExitIncomplete {
		t.Errorf("summary %+v, exit %d", res.Summary, res.ExitCode(false))
	}
}
