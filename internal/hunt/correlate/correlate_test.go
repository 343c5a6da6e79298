package correlate

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/detect"
	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/hunt/read"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

var (
	engOnce sync.Once
	eng     *detect.Engine
	engErr  error
)

func engine(t *testing.T) *detect.Engine {
	t.Helper()
	engOnce.Do(func() { eng, engErr = detect.New(context.Background()) })
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

const (
	officeHome = "4765445b-32c6-49b0-83e6-1d93765276ca"
	firefox    = "Mozilla/5.0 (Windows NT 10.0; rv:109.0) Gecko/20100101 Firefox/115.0"
	edge       = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"
)

var t0 = time.Date(2023, 12, 12, 4, 50, 0, 0, time.UTC)

// logs builds the events a test needs, as the readers would: one sign-in
// file and one UAL file (their names are what evidence cites).
type logs struct {
	strs   *event.Strings
	events []event.Event
	files  []read.File
}

func newLogs() *logs {
	return &logs{strs: event.NewStrings(), files: []read.File{
		{Path: "signins.json", Kind: event.SignIns, Format: "sign-in JSON"},
		{Path: "ual.json", Kind: event.UnifiedAuditLog, Format: "unified audit log JSON (AuditData)"},
		{Path: "audit.json", Kind: event.DirectoryAudits, Format: "directory audit JSON"},
	}}
}

type ev struct {
	at                                time.Duration // after t0
	kind                              event.Kind
	user, target, op, ip, ua, session string
	token, app, country               string
	asn                               uint32
	errorCode                         int32
	rt                                int16
	flags                             event.Flags
	detail                            string
	clientApp, clientInfo, device     string
	corr                              string
}

func (l *logs) add(e ev) *logs {
	s := l.strs.Intern
	file := map[event.Kind]uint32{event.SignIns: 0, event.UnifiedAuditLog: 1, event.DirectoryAudits: 2}[e.kind]
	x := event.Event{
		Time: t0.Add(e.at).UnixNano(), ID: "rec-" + string(rune('a'+len(l.events))), File: file, Line: uint32(len(l.events) + 2),
		User: s(e.user), Target: s(e.target), Op: s(e.op), OpKey: s(event.NormOp(e.op)), IP: s(e.ip), UA: s(e.ua), Session: s(e.session),
		Token: s(e.token), App: s(e.app), Resource: s(e.app), Country: s(e.country), ASN: e.asn, ErrorCode: e.errorCode,
		RecordType: e.rt, Kind: e.kind, Flags: e.flags, UserType: -1, ClientApp: s(e.clientApp), ClientInfo: s(e.clientInfo), DeviceID: s(e.device),
		Corr: s(e.corr),
	}
	if e.detail != "" {
		x.Detail = []byte(e.detail)
	}
	l.events = append(l.events, x)
	return l
}

// signIn adds a sign-in (success unless code says otherwise).
func (l *logs) signIn(at time.Duration, user, ip, country string, asn uint32, session string, code int32) *logs {
	f := event.SignIn
	if code == 0 {
		f |= event.Success
	}
	return l.add(ev{at: at, kind: event.SignIns, user: user, op: "SignIn", ip: ip, ua: firefox, session: session, token: "tok-" + session,
		app: officeHome, country: country, asn: asn, errorCode: code, flags: f, clientApp: "Browser"})
}

// ual adds a UAL record of a user.
func (l *logs) ual(at time.Duration, user, op string, rt int16, ip, session, detail string) *logs {
	return l.add(ev{at: at, kind: event.UnifiedAuditLog, user: user, op: op, rt: rt, ip: ip, session: session, flags: event.ByUser, detail: detail})
}

func (l *logs) read(kinds ...event.Kind) *read.Logs {
	present := map[event.Kind]bool{}
	for _, k := range kinds {
		present[k] = true
	}
	out := &read.Logs{Strings: l.strs, Auth: map[string][]read.AuthStep{}}
	keep := map[uint32]bool{}
	for i, f := range l.files {
		if len(kinds) == 0 || present[f.Kind] {
			keep[uint32(i)] = true
		}
	}
	for _, e := range l.events {
		if keep[e.File] {
			out.Events = append(out.Events, e)
		}
	}
	// Events are in time order as the readers leave them.
	for i := 1; i < len(out.Events); i++ {
		for j := i; j > 0 && out.Events[j].Time < out.Events[j-1].Time; j-- {
			out.Events[j], out.Events[j-1] = out.Events[j-1], out.Events[j]
		}
	}
	for i, f := range l.files {
		if !keep[uint32(i)] {
			f = read.File{Path: f.Path, Skipped: "left out by the test"}
		}
		for _, e := range out.Events {
			if e.File == uint32(i) {
				f.Records++
				if f.From == 0 || e.Time < f.From {
					f.From = e.Time
				}
				if e.Time > f.To {
					f.To = e.Time
				}
			}
		}
		out.Files = append(out.Files, f)
	}
	return out
}

func opts() Options {
	return Options{
		Params: Params{ReplayWindow: 12 * time.Hour, FollowupWindow: time.Hour, IPWindow: 168 * time.Hour, CoverageSlack: 24 * time.Hour,
			ToolingUserAgents: []string{"python-requests"}},
		Trusted: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
		Version: "test", Now: t0,
	}
}

func investigate(t *testing.T, l *read.Logs, o Options) *result.Result {
	t.Helper()
	res, err := Run(context.Background(), engine(t), l, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func userOf(res *result.Result, upn string) *result.User {
	for i := range res.Users {
		if res.Users[i].UPN == upn {
			return &res.Users[i]
		}
	}
	return nil
}

const (
	victim   = "johanna@contoso.com"
	other    = "alicea@contoso.com"
	admin    = "yumin@contoso.com"
	bystand  = "bob@contoso.com"
	proxyIP  = "2001:db8:f4c2:1::1"
	replayIP = "198.51.100.162"
	homeIP   = "192.0.2.10"
	office   = "203.0.113.10"
)

// incident is a small AiTM compromise: the proxy's sign-in, the stolen
// session replayed from a second country, an inbox rule in that session;
// a bystander working from the office all along (coverage of every day).
func incident() *logs {
	l := newLogs()
	for d := -48 * time.Hour; d <= 48*time.Hour; d += 12 * time.Hour {
		l.signIn(d, bystand, office, "JP", 2516, "s-bob", 0)
		l.ual(d+time.Minute, bystand, "MailItemsAccessed", 50, office, "s-bob", "")
	}
	l.signIn(0, victim, proxyIP, "US", 64496, "s-att", 50074)
	l.signIn(30*time.Second, victim, proxyIP, "US", 64496, "s-att", 0)
	l.signIn(5*time.Minute, victim, replayIP, "FR", 64497, "s-att", 0)
	l.ual(10*time.Minute, victim, "New-InboxRule", 1, replayIP+":443", "s-att", `{"params":{"Name":"..","MoveToFolder":"Deleted Items"}}`)
	return l
}

func TestCompromised(t *testing.T) {
	res := investigate(t, incident().read(), opts())
	u := userOf(res, victim)
	if u == nil || u.Verdict != result.Compromised || u.InitialIntrusion == nil || !u.InitialIntrusion.Equal(t0) {
		t.Fatalf("victim: %+v", u)
	}
	if b := userOf(res, bystand); b != nil && b.Verdict != result.Clean {
		t.Errorf("bystander: %s", b.Verdict)
	}
	if res.Summary != (result.Summary{Compromised: 1, Clean: 1}) {
		t.Errorf("summary %+v", res.Summary)
	}
	if res.ExitCode(false) != result.ExitFound || res.ExitCode(true) != result.ExitFound {
		t.Errorf("exit codes %d %d", res.ExitCode(false), res.ExitCode(true))
	}
}

// TestMissingLogsUnknownNeverClean: without the unified audit log (or the
// sign-in logs), a user with nothing found is unknown, named in the blind
// spots, never clean; exit 3.
func TestMissingLogsUnknownNeverClean(t *testing.T) {
	l := newLogs()
	for d := time.Duration(0); d <= 48*time.Hour; d += 12 * time.Hour {
		l.signIn(d, bystand, office, "JP", 2516, "s-bob", 0)
	}
	for _, kinds := range [][]event.Kind{{event.SignIns}, {event.UnifiedAuditLog}} {
		l2 := newLogs()
		for d := time.Duration(0); d <= 48*time.Hour; d += 12 * time.Hour {
			l2.signIn(d, bystand, office, "JP", 2516, "s-bob", 0)
			l2.ual(d, bystand, "MailItemsAccessed", 50, office, "s-bob", "")
		}
		res := investigate(t, l2.read(kinds...), opts())
		b := userOf(res, bystand)
		if b == nil || b.Verdict != result.Unknown || res.Summary.Clean != 0 || res.Summary.Unknown != 1 {
			t.Errorf("only %v: bystander %+v, summary %+v", kinds, b, res.Summary)
		}
		if res.ExitCode(false) != result.ExitIncomplete {
			t.Errorf("only %v: exit %d, want 3", kinds, res.ExitCode(false))
		}
		missing := "unifiedAuditLog"
		if kinds[0] == event.UnifiedAuditLog {
			missing = "signIns"
		}
		found := false
		for _, bs := range res.Coverage.BlindSpots {
			found = found || bs.Kind == missing
		}
		if !found {
			t.Errorf("only %v: no blind spot names %s: %+v", kinds, missing, res.Coverage.BlindSpots)
		}
	}
	// A log that ends two days before the window does not cover it.
	res := investigate(t, l.add(ev{at: -72 * time.Hour, kind: event.UnifiedAuditLog, user: bystand, op: "MailItemsAccessed", rt: 50, ip: office}).read(), opts())
	if b := userOf(res, bystand); b == nil || b.Verdict != result.Unknown {
		t.Errorf("UAL ending before the window: %+v", b)
	}
}

// TestSuspiciousWinsOverUnknown: an entry indicator without follow-up and
// no UAL: suspicious (not unknown), and the blind spot is still named.
func TestSuspiciousWinsOverUnknown(t *testing.T) {
	l := newLogs()
	l.signIn(-48*time.Hour, bystand, office, "JP", 2516, "s-bob", 0)
	l.signIn(48*time.Hour, bystand, office, "JP", 2516, "s-bob", 0)
	l.signIn(0, victim, proxyIP, "US", 64496, "s-att", 0)
	l.signIn(time.Minute, victim, replayIP, "FR", 64497, "s-att", 0)
	res := investigate(t, l.read(event.SignIns), opts())
	if u := userOf(res, victim); u == nil || u.Verdict != result.Suspicious {
		t.Fatalf("victim %+v", u)
	}
	if b := userOf(res, bystand); b == nil || b.Verdict != result.Unknown {
		t.Errorf("bystander %+v", b)
	}
	if len(res.Coverage.BlindSpots) == 0 || res.ExitCode(false) != result.ExitFound || res.ExitCode(true) != result.ExitIncomplete {
		t.Errorf("blind spots %+v, exit %d / %d (fail-on compromised)", res.Coverage.BlindSpots, res.ExitCode(false), res.ExitCode(true))
	}
}

// TestOtherVictimFromAttackerIP: another user who signed in successfully
// from the attacker's address is also seen from the attacker (suspicious),
// and only a successful sign-in counts.
func TestOtherVictimFromAttackerIP(t *testing.T) {
	l := incident()
	l.signIn(2*time.Hour, other, proxyIP, "US", 64496, "s-other", 0)
	l.signIn(3*time.Hour, bystand, replayIP, "FR", 64497, "", 50126) // a failed attempt only
	res := investigate(t, l.read(), opts())
	o := userOf(res, other)
	if o == nil || o.Verdict != result.Suspicious || len(o.SeenFrom) != 1 || o.SeenFrom[0] != proxyIP {
		t.Fatalf("other victim: %+v", o)
	}
	hasIP := false
	for _, ind := range o.Indicators {
		hasIP = hasIP || (ind.Kind == "ip" && ind.Value == proxyIP)
	}
	if !hasIP {
		t.Errorf("other victim's indicators: %+v", o.Indicators)
	}
	if b := userOf(res, bystand); b != nil && b.Verdict != result.Clean {
		t.Errorf("a failed attempt from the attacker's address made the bystander %s", b.Verdict)
	}
	if f := o.Findings[0]; f.ID != "TG.HUNT.1" || !strings.Contains(f.Summary, "the same user agent as the attacker's sign-ins to "+victim) {
		t.Errorf("the attacker's user agent looked up in the other victim's sign-ins: %+v", f)
	}
	// --user johanna: the other victim is in scope, the bystander not.
	o2 := opts()
	o2.Users = []string{victim}
	res = investigate(t, l.read(), o2)
	if userOf(res, other) == nil || res.Summary.Compromised+res.Summary.Suspicious != 2 || res.Summary.Clean != 0 {
		t.Errorf("scope --user %s: %+v %+v", victim, res.Summary, res.Users)
	}
}

// TestRepeatAttribution: an address seen inside an attacker session joins
// the indicators, and attribution repeats: activity from that address in
// another session is the attacker's too.
func TestRepeatAttribution(t *testing.T) {
	l := newLogs()
	l.signIn(-48*time.Hour, bystand, office, "JP", 2516, "s-bob", 0)
	l.signIn(48*time.Hour, bystand, office, "JP", 2516, "s-bob", 0)
	l.ual(-48*time.Hour, bystand, "MailItemsAccessed", 50, office, "s-bob", "")
	l.ual(48*time.Hour, bystand, "MailItemsAccessed", 50, office, "s-bob", "")
	// Entry: a tooling user agent in session s1 from 198.51.100.1.
	l.add(ev{at: 0, kind: event.SignIns, user: victim, op: "SignIn", ip: "198.51.100.1", ua: "python-requests/2.31", session: "s1", errorCode: 0, flags: event.SignIn | event.Success, country: "NL", asn: 1136})
	// Session s1 is used from a second address (no sign-in from it).
	l.ual(time.Minute, victim, "MailItemsAccessed", 50, "198.51.100.2", "s1", `{"mailAccess":"Bind","items":[{"internetMessageId":"<a@b>","folder":"\\Inbox"}]}`)
	// That address, in another session: a forwarding rule.
	l.ual(2*time.Hour, victim, "Set-Mailbox", 1, "198.51.100.2", "s2", `{"params":{"ForwardingSmtpAddress":"smtp:x@evil.example"}}`)
	res := investigate(t, l.read(), opts())
	u := userOf(res, victim)
	if u == nil || u.Verdict != result.Compromised {
		t.Fatalf("victim %+v", u)
	}
	ips := map[string]bool{}
	for _, ind := range u.Indicators {
		if ind.Kind == "ip" {
			ips[ind.Value] = true
		}
	}
	if !ips["198.51.100.1"] || !ips["198.51.100.2"] {
		t.Errorf("indicators %+v", u.Indicators)
	}
	var fwd *result.Finding
	for i, f := range u.Findings {
		if f.ID == "TG.HUNT.9" {
			fwd = &u.Findings[i]
		}
	}
	if fwd == nil || !fwd.Attributed {
		t.Errorf("the forwarding set from the second address in another session: %+v", fwd)
	}
}

// TestAdminContainmentNotAttacker: an admin's containment from the trusted
// network, even in the attacker's session window, is response already
// done, never attacker activity; the user's own rule removal in the
// attacker's session is.
func TestAdminContainmentNotAttacker(t *testing.T) {
	l := incident()
	// Even a record that carries the attacker's session key (here the
	// admin's reset) is not attributed when an admin did it from the
	// trusted network.
	l.add(ev{at: 26 * time.Hour, kind: event.DirectoryAudits, user: admin, target: victim, op: "Reset user password", ip: office, session: "s-att", flags: event.ByUser, detail: `{"actorType":"User"}`})
	l.add(ev{at: 26*time.Hour + time.Minute, kind: event.UnifiedAuditLog, user: admin, op: "Remove-InboxRule", rt: 1, ip: office, flags: event.ByUser, detail: `{"params":{"Identity":"johanna@contoso.com\\.."}}`})
	res := investigate(t, l.read(), opts())
	u := userOf(res, victim)
	if u == nil || len(u.ResponseSeen) != 2 || u.ResponseSeen[0].Action != "Reset user password" || u.ResponseSeen[0].By != admin {
		t.Fatalf("response seen: %+v", u)
	}
	if a := userOf(res, admin); a != nil && a.Verdict != result.Clean {
		t.Errorf("admin: %s", a.Verdict)
	}
	n := 0
	res.Timeline(func(e result.Event) bool {
		if e.User == admin && e.Attacker {
			t.Errorf("the admin's %s is attacker activity", e.Operation)
		}
		if e.User == admin {
			n++
		}
		return true
	})
	if n != 2 {
		t.Errorf("%d admin records in the timeline", n)
	}
	for _, a := range u.RemainingActions {
		if a.Kind == "remove-rule" || strings.Contains(a.Text, "reset the password") && !strings.Contains(a.Text, "revoke") {
			t.Errorf("remaining action %q: the rule was removed and the password reset", a.Text)
		}
	}
}

// TestMicrosoftAddressesNeverIndicators: Entra ID and Exchange front-end
// addresses inside an attacker session are not indicators, and a user
// whose records come from them is not another victim.
func TestMicrosoftAddressesNeverIndicators(t *testing.T) {
	l := incident()
	l.ual(6*time.Minute, victim, "Update user.", 8, "20.190.181.19", "s-att", "")
	l.ual(7*time.Minute, victim, "MailItemsAccessed", 50, "2603:1036:303:2850::5", "s-att", `{"mailAccess":"Sync"}`)
	l.signIn(time.Hour, other, "20.190.181.19", "US", 8075, "s-x", 0)
	res := investigate(t, l.read(), opts())
	u := userOf(res, victim)
	for _, ind := range u.Indicators {
		if ind.Kind == "ip" && (strings.HasPrefix(ind.Value, "20.190.") || strings.HasPrefix(ind.Value, "2603:1036")) {
			t.Errorf("Microsoft address %s is an indicator", ind.Value)
		}
	}
	if o := userOf(res, other); o != nil && o.Verdict != result.Clean {
		t.Errorf("a sign-in from a Microsoft address made %s %s", other, o.Verdict)
	}
	_, ranges, err := LoadServiceRanges()
	if err != nil || len(ranges) < 20 {
		t.Fatalf("service ranges: %d, %v", len(ranges), err)
	}
	// Not all of Azure: a phishing proxy on an Azure VM stays an indicator.
	if InPrefixes("20.42.0.1", ranges) || InPrefixes("52.169.0.1", ranges) {
		t.Error("Azure compute addresses must not be never-indicators")
	}
}

// TestIOC: a responder's IOC address is an entry indicator and
// corroborates the AiTM-shaped sign-in; failed sign-ins from it are not
// entries.
func TestIOC(t *testing.T) {
	l := newLogs()
	l.signIn(-48*time.Hour, victim, office, "JP", 2516, "s-own", 0)
	l.signIn(48*time.Hour, victim, office, "JP", 2516, "s-own", 0)
	l.ual(-48*time.Hour, victim, "MailItemsAccessed", 50, office, "s-own", "")
	l.ual(48*time.Hour, victim, "MailItemsAccessed", 50, office, "s-own", "")
	l.signIn(0, victim, proxyIP, "US", 64496, "s-att", 0)
	o := opts()
	res := investigate(t, l.read(), o)
	if u := userOf(res, victim); u == nil || u.Verdict != result.Clean || u.Findings[0].Severity != "medium" {
		t.Fatalf("without the IOC the AiTM-shaped sign-in is notable only: %+v", u)
	}
	o.IOC.IPs = []netip.Prefix{netip.MustParsePrefix("2001:db8:f4c2::/48")}
	res = investigate(t, l.read(), o)
	u := userOf(res, victim)
	if u == nil || u.Verdict != result.Suspicious || u.Findings[0].Severity != "high" {
		t.Errorf("with the IOC: %+v", u)
	}
}

// TestReplayLeavesOutTrustedAndMicrosoft: a session used from the trusted
// office and from Microsoft's front ends besides the user's home is no
// replay (those addresses are left out before counting); from a second
// outside country it is.
func TestReplayLeavesOutTrustedAndMicrosoft(t *testing.T) {
	l := newLogs()
	for d := -48 * time.Hour; d <= 48*time.Hour; d += 24 * time.Hour {
		l.signIn(d, victim, homeIP, "NL", 1136, "s-own", 0)
		l.ual(d+time.Minute, victim, "MailItemsAccessed", 50, homeIP, "s-own", `{"mailAccess":"Sync"}`)
	}
	l.add(ev{at: time.Hour, kind: event.SignIns, user: victim, op: "SignIn", ip: office, ua: firefox, session: "s-own", country: "JP", asn: 2516, flags: event.SignIn | event.Success, app: officeHome, clientApp: "Browser", device: "d1"})
	l.add(ev{at: 2 * time.Hour, kind: event.SignIns, user: victim, op: "SignIn", ip: "20.190.181.19", ua: edge, session: "s-own", country: "US", asn: 8075, flags: event.SignIn | event.Success, app: officeHome, clientApp: "Browser", device: "d1"})
	res := investigate(t, l.read(), opts())
	if u := userOf(res, victim); u != nil {
		for _, f := range u.Findings {
			if f.ID == "TG.HUNT.2" {
				t.Errorf("replay from trusted or Microsoft addresses: %s", f.Summary)
			}
		}
	}
	l.add(ev{at: 3 * time.Hour, kind: event.SignIns, user: victim, op: "SignIn", ip: replayIP, ua: firefox, session: "s-own", country: "FR", asn: 64497, flags: event.SignIn | event.Success, app: officeHome, clientApp: "Browser", device: "d1"})
	res = investigate(t, l.read(), opts())
	u := userOf(res, victim)
	found := false
	for _, f := range u.Findings {
		found = found || (f.ID == "TG.HUNT.2" && strings.Contains(f.Summary, "2 countries (FR, NL)"))
	}
	if !found || u.Verdict == result.Clean {
		t.Errorf("replay from a second outside country: %+v", u.Findings)
	}
}

// An administrator's browser session and the Exchange Online PowerShell
// sign-in that reuses it (its UAL copy has no client app and a
// "Mozilla/5.0 ... PowerShell/7.4.0" agent) are one browser family, not a
// replay, even outside the trusted networks.
func TestReplayNotFromPowerShellBesideBrowser(t *testing.T) {
	const ps = "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.19045; ja-JP) PowerShell/7.4.0"
	l := newLogs()
	for d := -48 * time.Hour; d <= 0; d += 24 * time.Hour {
		l.signIn(d, victim, homeIP, "NL", 1136, "s-old", 0)
	}
	l.add(ev{at: time.Hour, kind: event.SignIns, user: victim, op: "SignIn", ip: homeIP, ua: edge, session: "s-adm", country: "NL", asn: 1136, flags: event.SignIn | event.Success, app: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c", clientApp: "Browser", device: "d1"})
	l.add(ev{at: time.Hour, kind: event.UnifiedAuditLog, user: victim, op: "UserLoggedIn", rt: 15, ip: homeIP, ua: edge, session: "s-adm", flags: event.SignIn | event.Success | event.ByUser, clientApp: "Browser", device: "d1"})
	l.add(ev{at: time.Hour + 11*time.Minute, kind: event.SignIns, user: victim, op: "SignIn", ip: homeIP, ua: ps, session: "s-adm", country: "NL", asn: 1136, flags: event.SignIn | event.Success, app: "fb78d390-0c51-40cd-8e17-fdbfab77341b", clientApp: "Mobile Apps and Desktop clients", device: "d1"})
	l.add(ev{at: time.Hour + 11*time.Minute, kind: event.UnifiedAuditLog, user: victim, op: "UserLoggedIn", rt: 15, ip: homeIP, ua: ps, session: "s-adm", flags: event.SignIn | event.Success | event.ByUser, device: "d1"})
	res := investigate(t, l.read(), opts())
	if u := userOf(res, victim); u != nil {
		for _, f := range u.Findings {
			if f.ID == "TG.HUNT.2" {
				t.Errorf("PowerShell beside the browser taken for a replay: %s", f.Summary)
			}
		}
	}
	// A second browser family in the same session is one.
	l.add(ev{at: 2 * time.Hour, kind: event.UnifiedAuditLog, user: victim, op: "MailItemsAccessed", rt: 50, ip: homeIP, ua: firefox, session: "s-adm", flags: event.ByUser, detail: `{"mailAccess":"Bind"}`})
	res = investigate(t, l.read(), opts())
	found := false
	for _, f := range userOf(res, victim).Findings {
		found = found || (f.ID == "TG.HUNT.2" && strings.Contains(f.Summary, "2 browser families (edge, firefox)"))
	}
	if !found {
		t.Errorf("edge and Firefox in one session: no replay found: %+v", userOf(res, victim))
	}
}

// One security info registration writes two "Update user." records under
// one correlation id (the phone app's details without an address, then
// the method list from the attacker's): one method registered, named by
// the record that says which.
func TestOneRegistrationTwoRecords(t *testing.T) {
	l := incident()
	l.add(ev{at: 3 * time.Minute, kind: event.UnifiedAuditLog, user: victim, target: victim, op: "Update user.", rt: 8, corr: "c-reg",
		detail: `{"modified":[{"name":"StrongAuthenticationPhoneAppDetail","old":"[]","new":"[{\"DeviceName\":\"iPhone 15\"}]"}]}`})
	l.add(ev{at: 3*time.Minute + time.Second, kind: event.UnifiedAuditLog, user: victim, target: victim, op: "Update user.", rt: 8, ip: proxyIP, corr: "c-reg", flags: event.ByUser,
		detail: `{"modified":[{"name":"StrongAuthenticationMethod","old":"[]","new":"[{\"MethodType\":6}]"}]}`})
	u := userOf(investigate(t, l.read(), opts()), victim)
	if u == nil {
		t.Fatal("victim not listed")
	}
	ms := u.Artifacts.MethodsRegistered
	if len(ms) != 1 || ms[0].Method != "Authenticator app on iPhone 15" || !ms[0].Time.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("methods registered: %+v", ms)
	}
	// Without the shared correlation id they are two.
	l = incident()
	l.add(ev{at: 3 * time.Minute, kind: event.UnifiedAuditLog, user: victim, target: victim, op: "Update user.", rt: 8, corr: "c-1",
		detail: `{"modified":[{"name":"StrongAuthenticationPhoneAppDetail","old":"[]","new":"[{\"DeviceName\":\"iPhone 15\"}]"}]}`})
	l.add(ev{at: 3*time.Minute + time.Second, kind: event.UnifiedAuditLog, user: victim, target: victim, op: "Update user.", rt: 8, ip: proxyIP, corr: "c-2", flags: event.ByUser,
		detail: `{"modified":[{"name":"StrongAuthenticationMethod","old":"[]","new":"[{\"MethodType\":6}]"}]}`})
	if ms := userOf(investigate(t, l.read(), opts()), victim).Artifacts.MethodsRegistered; len(ms) != 2 {
		t.Errorf("two registrations: %+v", ms)
	}
}

// TestIPWindowBoundary: an event from an attacker address without the
// attacker's session is attacker activity within hunt.ip_window (7 days)
// of the address's first attacker use, before or after, inclusive; one
// second beyond, it is not.
func TestIPWindowBoundary(t *testing.T) {
	first := 5 * time.Minute // the replay address's first use, in the attacker's session
	week := 168 * time.Hour
	l := incident()
	l.ual(first+week, victim, "Set-Mailbox", 1, replayIP, "", `{"params":{"ForwardingSmtpAddress":"smtp:edge@evil.example"}}`)
	l.ual(first+week+time.Second, victim, "Set-Mailbox", 1, replayIP, "", `{"params":{"ForwardingSmtpAddress":"smtp:beyond@evil.example"}}`)
	l.ual(first-week, victim, "Set-Mailbox", 1, replayIP, "", `{"params":{"ForwardingSmtpAddress":"smtp:before@evil.example"}}`)
	l.ual(first-week-time.Second, victim, "Set-Mailbox", 1, replayIP, "", `{"params":{"ForwardingSmtpAddress":"smtp:longbefore@evil.example"}}`)
	u := userOf(investigate(t, l.read(), opts()), victim)
	if u == nil {
		t.Fatal("victim not listed")
	}
	want := map[string]bool{"edge": true, "beyond": false, "before": true, "longbefore": false}
	got := map[string]bool{}
	for _, f := range u.Findings {
		if f.ID != "TG.HUNT.9" {
			continue
		}
		for w := range want {
			if strings.Contains(f.Summary, "smtp:"+w+"@") {
				got[w] = f.Attributed
			}
		}
	}
	for w, attributed := range want {
		if a, ok := got[w]; !ok || a != attributed {
			t.Errorf("forwarding to %s: finding %v, attributed %v; want attributed %v", w, ok, a, attributed)
		}
	}
}

// TestDisabledAppListedForEveryConsentingUser: hunt.md Correlation 5, "a
// disabled service principal is listed for every user whose consent or app
// registration it concerns": two users consented to "chatbot"; the admin's
// disabling it is response seen for both, and for nobody else.
func TestDisabledAppListedForEveryConsentingUser(t *testing.T) {
	const consent = `{"actorType":"User","targets":[{"type":"ServicePrincipal","name":"chatbot","id":"11111111-2222-4333-8444-555555555555"}],` +
		`"modified":[{"name":"ConsentAction.Permissions","new":"[[Id: g1, ClientId: 11111111-2222-4333-8444-555555555555, ConsentType: Principal, Scope: Mail.ReadWrite User.Read, ]]"}],` +
		`"additional":{"AppId":"0ea8d083-cb0c-4145-a4ce-6115ab5fdeab"}}`
	l := incident()
	l.add(ev{at: 20 * time.Minute, kind: event.DirectoryAudits, user: victim, target: victim, op: "Consent to application", ip: replayIP, session: "s-att", flags: event.ByUser, detail: consent})
	l.add(ev{at: 2 * time.Hour, kind: event.DirectoryAudits, user: other, target: other, op: "Consent to application", ip: homeIP, flags: event.ByUser, detail: consent})
	l.add(ev{at: 26 * time.Hour, kind: event.DirectoryAudits, user: admin, op: "Update service principal", ip: office, flags: event.ByUser,
		detail: `{"actorType":"User","targets":[{"type":"ServicePrincipal","name":"chatbot","id":"11111111-2222-4333-8444-555555555555"}],"modified":[{"name":"AccountEnabled","old":"[true]","new":"[false]"}],"additional":{"AppId":"0ea8d083-cb0c-4145-a4ce-6115ab5fdeab"}}`})
	res := investigate(t, l.read(), opts())
	for _, upn := range []string{victim, other} {
		u := userOf(res, upn)
		if u == nil {
			t.Fatalf("%s not listed", upn)
		}
		found := false
		for _, r := range u.ResponseSeen {
			if r.Action == "Update service principal" && r.By == admin {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the disabled app is not in the response seen: %+v", upn, u.ResponseSeen)
		}
	}
	if u := userOf(res, bystand); u != nil && len(u.ResponseSeen) > 0 {
		t.Errorf("%s did not consent: %+v", bystand, u.ResponseSeen)
	}
}
