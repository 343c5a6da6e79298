package correlate

import (
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// covered is a log set whose sign-ins and UAL cover t0-48h .. t0+48h
// through a bystander, and where the victim works from home before.
func covered() *logs {
	l := newLogs()
	for d := -48 * time.Hour; d <= 48*time.Hour; d += 12 * time.Hour {
		l.signIn(d, bystand, office, "JP", 2516, "s-bob", 0)
		l.ual(d+time.Minute, bystand, "MailItemsAccessed", 50, office, "s-bob", "")
	}
	l.signIn(-24*time.Hour, victim, homeIP, "JP", 64501, "s-home", 0)
	return l
}

func finding(u *result.User, id string) *result.Finding {
	if u == nil {
		return nil
	}
	for i := range u.Findings {
		if u.Findings[i].ID == id {
			return &u.Findings[i]
		}
	}
	return nil
}

// TestEscalationAfterUncorroboratedAiTMSignIn: hunt.md TG.HUNT.4/5 are high
// "within followup_window after a TG.HUNT.1/2/3 event of the same user". An
// AiTM-shaped sign-in that nothing corroborates (no replay, no tooling, no
// IOC; the directory audit log carries no session to tie the registration
// to it) is still a TG.HUNT.1 event: security info registered ten minutes
// later is high, and the user is not clean.
func TestEscalationAfterUncorroboratedAiTMSignIn(t *testing.T) {
	l := covered()
	l.signIn(0, victim, proxyIP, "US", 64496, "s-att", 0)
	l.add(ev{at: 10 * time.Minute, kind: event.DirectoryAudits, user: victim, target: victim, op: "User registered security info", ip: proxyIP,
		flags: event.ByUser, detail: `{"actorType":"User","service":"Authentication Methods","resultReason":"User registered Authenticator App with Notification and Code"}`})
	l.add(ev{at: 5 * time.Hour, kind: event.DirectoryAudits, user: victim, target: victim, op: "Register device", ip: proxyIP,
		flags: event.ByUser, detail: `{"actorType":"User","targets":[{"type":"Device","name":"LAPTOP-1"}]}`})
	res := investigate(t, l.read(), opts())
	u := userOf(res, victim)
	if f := finding(u, "TG.HUNT.1"); f == nil || f.Severity != "medium" {
		t.Fatalf("the AiTM-shaped sign-in, uncorroborated: %+v", f)
	}
	if f := finding(u, "TG.HUNT.4"); f == nil || f.Severity != "high" {
		t.Errorf("security info registered 10 min after a TG.HUNT.1 event: %+v", f)
	}
	if f := finding(u, "TG.HUNT.5"); f == nil || f.Severity != "medium" {
		t.Errorf("a device registered 5 h later (outside the followup window): %+v", f)
	}
	if u.Verdict == result.Clean {
		t.Errorf("verdict %s with a high-severity registration after an AiTM-shaped sign-in", u.Verdict)
	}
}

// TestUserScopeBothWays: --user focuses on the users given and the other
// victims found from their attackers. Focusing on the second victim (who
// signed in from the first one's attacker address) reports the first one
// too: the same attacker's addresses tie them, whichever was found first.
func TestUserScopeBothWays(t *testing.T) {
	l := incident()
	l.signIn(2*time.Hour, other, proxyIP, "US", 64496, "s-other", 0)
	o := opts()
	o.Users = []string{other}
	res := investigate(t, l.read(), o)
	if u := userOf(res, victim); u == nil || u.Verdict != result.Compromised {
		t.Errorf("--user %s: the first victim of the same attacker is not reported: %+v", other, u)
	}
	if res.Summary.Compromised != 1 || res.Summary.Suspicious != 1 || res.Summary.Clean != 0 {
		t.Errorf("--user %s: summary %+v", other, res.Summary)
	}
}

// TestAddressPlacedAtItsTime: the UAL carries no place; its records are
// placed where the sign-in logs placed their address at that time.
// An address re-assigned between two users (a home line placed in another
// network ten days earlier) does not make the second user's own session a
// replay "from two networks".
func TestAddressPlacedAtItsTime(t *testing.T) {
	l := covered()
	l.signIn(-240*time.Hour, bystand, "192.0.2.77", "NL", 1136, "s-old", 0)
	l.signIn(0, victim, "192.0.2.77", "JP", 64501, "s-v", 0)
	l.ual(10*time.Minute, victim, "MailItemsAccessed", 50, "192.0.2.77", "s-v", `{"mailAccess":"Bind"}`)
	l.ual(20*time.Minute, victim, "Send", 2, "192.0.2.77", "s-v", `{"items":[{"subject":"Hello"}]}`)
	res := investigate(t, l.read(), opts())
	u := userOf(res, victim)
	if f := finding(u, "TG.HUNT.2"); f != nil {
		t.Errorf("the user's own session taken for a replay: %s", f.Summary)
	}
	if u != nil && (u.Verdict == result.Compromised || u.Verdict == result.Suspicious) {
		t.Errorf("verdict %s", u.Verdict)
	}
	n := 0
	res.Timeline(func(e result.Event) bool {
		if e.User == victim && e.Source == "unifiedAuditLog" {
			n++
			if e.Country != "JP" {
				t.Errorf("%s at %v placed in %q, want JP (the sign-in of that time)", e.Operation, e.Time, e.Country)
			}
		}
		return true
	})
	if n != 2 {
		t.Errorf("%d UAL records of the victim", n)
	}
}
