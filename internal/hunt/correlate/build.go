package correlate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/detect"
	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

func tp(ns int64) *time.Time {
	if ns == 0 {
		return nil
	}
	t := time.Unix(0, ns).UTC()
	return &t
}

func sp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// build turns the investigation into the result model.
func (r *run) build() *result.Result {
	res := &result.Result{
		SchemaVersion: result.SchemaVersion,
		Tool:          result.Tool{Name: "tenantgate", Version: r.o.Version},
		GeneratedAt:   r.o.Now.UTC(),
		Window:        result.Window{From: tp(r.window[0]), To: tp(r.window[1])},
		Inputs:        []result.Input{},
		Users:         []result.User{},
		Scope:         append([]string{}, r.o.Users...),
	}
	for _, d := range r.eng.Catalog() {
		res.Detections = append(res.Detections, result.Detection{ID: d.ID, Title: d.Title, Severity: d.Severity, BaseSeverity: d.BaseSeverity, Technique: d.Technique, Seed: d.Seed, Response: d.Response})
	}
	r.coverage(res)
	res.Complete = r.coversWindow("signIns") && r.coversWindow("unifiedAuditLog")
	users := r.users()
	scope := r.scope(users)
	seen := map[event.Sym]bool{}
	for _, u := range users {
		seen[u] = true
	}
	for _, u := range r.o.Users {
		if s, ok := r.strs.Lookup(lower(u)); !ok || !seen[s] {
			res.Unseen = append(res.Unseen, u)
		}
	}
	perUser := r.findingsByUser()
	evDetections := map[int][]string{}
	for _, uf := range perUser {
		for _, f := range uf {
			for _, i := range f.events {
				evDetections[i] = appendUnique(evDetections[i], f.ID)
			}
		}
	}
	for _, u := range users {
		if !scope[u] {
			continue
		}
		if len(perUser[u]) == 0 && !isUPN(r.str(u)) {
			// A rule owner no UPN resolves (a mailbox alias, a user
			// object id): listed for its findings, never counted twice as
			// a clean user beside its UPN.
			continue
		}
		ru := r.user(u, perUser[u], evDetections, res)
		switch ru.Verdict {
		case result.Compromised:
			res.Summary.Compromised++
		case result.Suspicious:
			res.Summary.Suspicious++
		case result.Unknown:
			res.Summary.Unknown++
		default:
			res.Summary.Clean++
		}
		if ru.Verdict != result.Clean || len(ru.Findings) > 0 {
			res.Users = append(res.Users, ru)
		}
	}
	rank := map[string]int{result.Compromised: 0, result.Suspicious: 1, result.Unknown: 2, result.Clean: 3}
	sort.SliceStable(res.Users, func(i, j int) bool {
		if a, b := rank[res.Users[i].Verdict], rank[res.Users[j].Verdict]; a != b {
			return a < b
		}
		return res.Users[i].UPN < res.Users[j].UPN
	})
	r.blindSpotsAfter(res)
	res.Timeline = func(yield func(result.Event) bool) {
		for i := range r.ev {
			if r.in[i] && !yield(r.timelineEvent(i, evDetections[i])) {
				return
			}
		}
	}
	return res
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// users are hunt.md's users: lower-cased UPNs seen as a sign-in subject, a
// UAL user record's UserId (UserType 0 or 2), or an audit initiator or
// target user.
func (r *run) users() []event.Sym {
	set, owners := map[event.Sym]bool{}, map[event.Sym]bool{}
	for i := range r.ev {
		if !r.in[i] {
			continue
		}
		e := &r.ev[i]
		switch e.Kind {
		case event.SignIns:
			set[e.User] = true
		case event.UnifiedAuditLog:
			if e.Has(event.ByUser) {
				set[e.User] = true
			}
			if e.RecordType == 8 || e.RecordType == 15 {
				set[e.Target] = true
			}
		case event.DirectoryAudits:
			if e.Has(event.ByUser) {
				set[e.User] = true
			}
			set[e.Target] = true
		case event.InboxRules:
			// An owner no UPN of the inputs resolves (resolveRuleOwners)
			// is listed under the name the export gives it.
			set[e.User] = true
			owners[e.User] = true
		}
	}
	delete(set, 0)
	out := make([]event.Sym, 0, len(set))
	for u := range set {
		if isUPN(r.str(u)) || owners[u] {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return r.str(out[i]) < r.str(out[j]) })
	return out
}

func isUPN(s string) bool {
	i := strings.IndexByte(s, '@')
	return i > 0 && i < len(s)-1
}

// scope: every user, or the --user list and the other victims found from
// their attackers (transitively), in both directions: a user who signed in
// from another's attacker address and that other user share an attacker,
// whichever of them the investigation reached first.
func (r *run) scope(users []event.Sym) map[event.Sym]bool {
	out := map[event.Sym]bool{}
	if len(r.o.Users) == 0 {
		for _, u := range users {
			out[u] = true
		}
		return out
	}
	for _, u := range r.o.Users {
		if s, ok := r.strs.Lookup(lower(u)); ok {
			out[s] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for v, from := range r.victimOf {
			for u := range from {
				if out[u] != out[v] {
					out[u], out[v], changed = true, true, true
				}
			}
		}
	}
	return out
}

// inWindow is f with only its events inside the window (its first event
// the first of those).
func (r *run) inWindow(f detect.Finding) detect.Finding {
	if r.in[f.Event] && !slices.ContainsFunc(f.Events, func(i int) bool { return !r.in[i] }) {
		return f
	}
	var evs []int
	for _, i := range f.Events {
		if r.in[i] {
			evs = append(evs, i)
		}
	}
	f.Events = evs
	if len(evs) > 0 && !r.in[f.Event] {
		f.Event = slices.Min(evs)
	}
	return f
}

// userFinding is a merged finding with its events.
type userFinding struct {
	result.Finding
	events []int
	facts  []map[string]any
	firsts []int // the event of each facts entry
	event  int   // first event
	state  bool
}

// findingsByUser merges each user's findings of one detection and group
// (a session, an hour, an address) into one, citing every record.
func (r *run) findingsByUser() map[event.Sym][]*userFinding {
	titles := map[string]string{}
	for _, d := range r.eng.Catalog() {
		titles[d.ID] = d.Title
	}
	type key struct {
		id, group, severity string
		user                event.Sym
		attributed          bool
	}
	merged := map[key]*userFinding{}
	var order []key
	for _, d := range r.eng.Catalog() {
		for _, f := range r.final[d.ID] {
			// The report is the window's: a replayed key's events
			// before --since (or after --until) are left out of it.
			if f = r.inWindow(f); len(f.Events) == 0 {
				continue
			}
			u := r.userOf(f.Event)
			if u == 0 {
				continue
			}
			attributed := false
			for _, i := range f.Events {
				attributed = attributed || r.attacker[i]
			}
			k := key{d.ID, f.Group, f.Severity, u, attributed}
			m, ok := merged[k]
			if !ok {
				m = &userFinding{Finding: result.Finding{ID: d.ID, Severity: f.Severity, Title: titles[d.ID], Summary: f.Summary, Attributed: attributed}, event: f.Event}
				merged[k] = m
				order = append(order, k)
			}
			m.events = append(m.events, f.Events...)
			m.facts = append(m.facts, f.Facts)
			m.firsts = append(m.firsts, f.Event)
		}
	}
	out := map[event.Sym][]*userFinding{}
	for _, k := range order {
		m := merged[k]
		sort.Ints(m.events)
		m.events = dedupInts(m.events)
		first, last := r.ev[m.events[0]].Time, r.ev[m.events[len(m.events)-1]].Time
		m.Time = tp(first)
		if n := len(m.events); n > 1 {
			m.Summary += fmt.Sprintf(" (%d records, %s to %s)", n, fmtTime(first), fmtTime(last))
		}
		if m.ID == "TG.HUNT.1" {
			m.Summary += r.sameAgentAs(k.user, m.events)
		}
		if !m.Attributed && m.Severity == "high" && m.ID != "TG.HUNT.2" && m.ID != "TG.HUNT.3" {
			m.Summary += "; not attributed: " + r.whyNotAttributed(m.events[0])
		}
		for _, i := range m.events {
			e := &r.ev[i]
			m.Evidence = append(m.Evidence, result.Evidence{File: r.logs.Files[e.File].Path, Line: int(e.Line), RecordID: e.ID})
		}
		out[k.user] = append(out[k.user], m)
	}
	for u := range out {
		fs := out[u]
		sort.SliceStable(fs, func(i, j int) bool {
			a, b := r.ev[fs[i].events[0]].Time, r.ev[fs[j].events[0]].Time
			if a != b {
				if a == 0 || b == 0 {
					return b == 0
				}
				return a < b
			}
			return idNum(fs[i].ID) < idNum(fs[j].ID)
		})
	}
	return out
}

// sameAgentAs names the other users whose attacker signed in with the user
// agent of these sign-ins: hunt.md "Correlation" 4 looks the attacker's user
// agents up in every other user's events. A shared browser agent alone
// proves nothing, so it is said, not judged.
func (r *run) sameAgentAs(u event.Sym, events []int) string {
	others := map[string]bool{}
	for _, i := range events {
		for v := range r.attackerUAs[r.ev[i].UA] {
			if v != u {
				others[r.str(v)] = true
			}
		}
	}
	if len(others) == 0 {
		return ""
	}
	names := make([]string, 0, len(others))
	for n := range others {
		names = append(names, n)
	}
	sort.Strings(names)
	return "; the same user agent as the attacker's sign-ins to " + strings.Join(names, ", ")
}

func idNum(id string) int {
	var n int
	fmt.Sscanf(strings.TrimPrefix(id, "TG.HUNT."), "%d", &n)
	return n
}

func dedupInts(xs []int) []int {
	n := 0
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			xs[n] = x
			n++
		}
	}
	return xs[:n]
}

func fmtTime(ns int64) string {
	if ns == 0 {
		return "no time"
	}
	return time.Unix(0, ns).UTC().Format(time.RFC3339)
}

// whyNotAttributed says why a high finding could not be tied to the
// attacker.
func (r *run) whyNotAttributed(i int) string {
	e := &r.ev[i]
	switch {
	case e.Time == 0:
		return "an inbox rule export is a state, without time, address or session"
	case !r.covers("signIns", e.Time):
		return "no sign-in logs cover this time"
	case e.IP == 0 && e.Session == 0 && e.Token == 0:
		return "the record carries no address, session or token to tie it to a sign-in"
	}
	return "its address, session and token match no attacker indicator"
}

// covers: a log kind holds records around t (within the coverage slack),
// and t is in none of its gaps.
func (r *run) covers(kind string, t int64) bool {
	if r.inGap(kind, t, t) {
		return false
	}
	from, to, ok := r.kindRange(kind)
	slack := int64(r.o.Params.CoverageSlack)
	return ok && from-slack <= t && to+slack >= t
}

func (r *run) kindRange(kind string) (int64, int64, bool) {
	var from, to int64
	ok := false
	for _, f := range r.logs.Files {
		if f.Kind.String() != kind || f.Companion || f.Skipped != "" {
			continue
		}
		ok = true
		if f.From != 0 && (from == 0 || f.From < from) {
			from = f.From
		}
		if f.To > to {
			to = f.To
		}
	}
	// What an evidence bundle read whole covers the time it asked for,
	// whatever its records' times (a quiet user's first sign-in late in
	// the window is not a late start of the log).
	for _, c := range r.o.Collected {
		if c.Kind != kind || !ok {
			continue
		}
		cf, ct := c.span()
		if from == 0 || cf < from {
			from = cf
		}
		to = max(to, ct)
	}
	return from, to, ok && to != 0
}

// coversWindow: hunt.md "covers": present, starting no later than the slack
// after the window's start and ending no earlier than the slack before its
// end.
func (r *run) coversWindow(kind string) bool {
	from, to, ok := r.kindRange(kind)
	slack := int64(r.o.Params.CoverageSlack)
	return ok && from <= r.window[0]+slack && to >= r.window[1]-slack
}

// logged: the logs hold the user's own activity (Options.LogsOf).
func (r *run) logged(upn string) bool {
	if len(r.o.LogsOf) == 0 {
		return true
	}
	for _, u := range r.o.LogsOf {
		if lower(u) == upn {
			return true
		}
	}
	return false
}

// user builds one user's verdict.
func (r *run) user(u event.Sym, fs []*userFinding, evDet map[int][]string, res *result.Result) result.User {
	name := r.str(u)
	ru := result.User{UPN: name, Indicators: []result.Indicator{}, Findings: []result.Finding{},
		ResponseSeen: []result.Response{}, RemainingActions: []result.Action{}}
	var attackerEvents []int
	for _, i := range r.byUser[u] {
		if r.attacker[i] {
			attackerEvents = append(attackerEvents, int(i))
		}
	}
	if len(attackerEvents) > 0 {
		ru.InitialIntrusion = tp(r.ev[attackerEvents[0]].Time)
	}
	// Verdict.
	compromised, highUnattributed := false, false
	var replayAt int64 = -1
	for _, f := range fs {
		ru.Findings = append(ru.Findings, f.Finding)
		n := idNum(f.ID)
		if n >= 4 && f.Attributed {
			compromised = true
		}
		if f.Severity == "high" && !f.Attributed {
			highUnattributed = true
		}
		if f.ID == "TG.HUNT.2" && (replayAt < 0 || r.ev[f.event].Time < replayAt) {
			replayAt = r.ev[f.event].Time
		}
	}
	if replayAt >= 0 {
		for _, i := range attackerEvents {
			if e := &r.ev[i]; !e.Has(event.SignIn) && e.Time > replayAt {
				compromised = true
				break
			}
		}
	}
	entry := false
	for i := range r.entry {
		if r.ev[i].User == u {
			entry = true
			break
		}
	}
	switch {
	case compromised:
		ru.Verdict = result.Compromised
	case entry || len(r.seenFrom[u]) > 0 || highUnattributed || len(attackerEvents) > 0:
		ru.Verdict = result.Suspicious
	case !r.coversWindow("signIns") || !r.coversWindow("unifiedAuditLog") || r.gapped(u) || !r.logged(name):
		ru.Verdict = result.Unknown
	default:
		ru.Verdict = result.Clean
	}
	for ip := range r.seenFrom[u] {
		ru.SeenFrom = append(ru.SeenFrom, r.str(ip))
	}
	sort.Strings(ru.SeenFrom)
	ru.Indicators = r.indicators(u, attackerEvents)
	evs := r.byUser[u]
	ru.Timeline = func(yield func(result.Event) bool) {
		for _, i := range evs {
			if !yield(r.timelineEvent(int(i), evDet[int(i)])) {
				return
			}
		}
	}
	ru.Artifacts = r.artifacts(fs)
	ru.ResponseSeen = r.responses(u, ru.Artifacts, fs)
	ru.RemainingActions = r.remaining(u, ru, fs)
	return ru
}

func (r *run) timelineEvent(i int, det []string) result.Event {
	e := &r.ev[i]
	country := r.str(e.Country)
	if g, ok := r.geoOf(e.IP, e.Time); ok && country == "" {
		country = r.str(g.country)
	}
	if det == nil {
		det = []string{}
	}
	return result.Event{
		Time: tp(e.Time), Source: e.Kind.String(), Operation: r.str(e.Op), IP: sp(r.str(e.IP)), UserAgent: sp(r.str(e.UA)),
		Session: sp(r.str(e.Session)), Attacker: r.attacker[i], Detections: det,
		User: r.str(r.userOf(i)), Country: country, File: r.logs.Files[e.File].Path, Line: int(e.Line), RecordID: e.ID,
	}
}

// indicators lists the attacker indicators concerning a user: its attacker
// addresses, the user agents of the attacker's sign-ins, and the attacker
// sessions and tokens its records carry, with first and last seen among
// its attacker events.
func (r *run) indicators(u event.Sym, attackerEvents []int) []result.Indicator {
	type span struct{ first, last int64 }
	seen := func(m map[event.Sym]*span, k event.Sym, t int64) {
		s, ok := m[k]
		if !ok {
			m[k] = &span{t, t}
			return
		}
		if t < s.first {
			s.first = t
		}
		if t > s.last {
			s.last = t
		}
	}
	ips, uas, sess, toks := map[event.Sym]*span{}, map[event.Sym]*span{}, map[event.Sym]*span{}, map[event.Sym]*span{}
	for _, i := range attackerEvents {
		e := &r.ev[i]
		if _, ok := r.ips[pair{u, e.IP}]; ok && e.IP != 0 {
			seen(ips, e.IP, e.Time)
		}
		if e.UA != 0 && (r.attackerUAs[e.UA] != nil && e.Has(event.SignIn) || r.entry[i] == "TG.HUNT.3") {
			seen(uas, e.UA, e.Time)
		}
		for _, s := range []event.Sym{e.Session, e.Session2} {
			if _, ok := r.sessions[s]; ok && s != 0 {
				seen(sess, s, e.Time)
			}
		}
		if _, ok := r.tokens[e.Token]; ok && e.Token != 0 {
			seen(toks, e.Token, e.Time)
		}
	}
	out := []result.Indicator{}
	add := func(kind string, m map[event.Sym]*span) {
		keys := make([]event.Sym, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if m[keys[i]].first != m[keys[j]].first {
				return m[keys[i]].first < m[keys[j]].first
			}
			return r.str(keys[i]) < r.str(keys[j])
		})
		for _, k := range keys {
			ind := result.Indicator{Kind: kind, Value: r.str(k), FirstSeen: tp(m[k].first), LastSeen: tp(m[k].last)}
			if kind == "ip" {
				if g, ok := r.geoOf(k, m[k].first); ok {
					ind.Country = sp(r.str(g.country))
					if g.asn != 0 {
						asn := int(g.asn)
						ind.ASN = &asn
					}
				}
			}
			out = append(out, ind)
		}
	}
	add("ip", ips)
	add("userAgent", uas)
	add("session", sess)
	add("token", toks)
	return out
}
