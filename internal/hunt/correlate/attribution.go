package correlate

import (
	"sort"
	"strings"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// attribute is hunt.md "Correlation" 1, 2 and 4: entry indicators seed the
// attacker's addresses, sessions and tokens; an event carrying an attacker
// session or token, or coming from an attacker address of its user within
// ip_window of t0, is attacker activity; what attacker activity carries (a
// second address inside an attacker session, another session, a token)
// becomes an indicator too; an attacker address is looked up in every other
// user's successful sign-ins (another victim, investigated the same way);
// and all this repeats until nothing changes.
func (r *run) attribute() {
	r.attacker = make([]bool, len(r.ev))
	r.entry = map[int]string{}
	r.corrob = map[int]bool{}
	r.sessions = map[event.Sym]int64{}
	r.tokens = map[event.Sym]int64{}
	r.ips = map[pair]int64{}
	r.intrusion = map[event.Sym]int64{}
	r.seenFrom = map[event.Sym]map[event.Sym]bool{}
	r.victimOf = map[event.Sym]map[event.Sym]bool{}
	r.attackerUAs = map[event.Sym]map[event.Sym]bool{}

	a := &attribution{run: r}
	r.entries(a)
	a.drain()
}

// attribution holds the work queue of the fixpoint.
type attribution struct {
	*run
	marked []int  // attacker events not yet followed
	newIPs []pair // addresses not yet looked up in other users' sign-ins
}

// entries finds the entry indicators (hunt.md "Correlation" 1) and seeds
// the indicators from them.
func (r *run) entries(a *attribution) {
	keysOf := func(i int) []event.Sym {
		e := &r.ev[i]
		var ks []event.Sym
		for _, k := range []event.Sym{e.Session, e.Session2, e.Token} {
			if k != 0 {
				ks = append(ks, k)
			}
		}
		return ks
	}
	// Keys (sessions, tokens) that show another detection: what
	// corroborates an AiTM-shaped sign-in (TG.HUNT.1).
	corroborating := map[event.Sym]bool{}
	for id, fs := range r.phase1Findings {
		if id == "TG.HUNT.1" {
			continue
		}
		for _, f := range fs {
			if id == "TG.HUNT.3" && f.Indicator != "yes" {
				continue // a failed attempt corroborates nothing
			}
			if id == "TG.HUNT.2" {
				if k, ok := r.strs.Lookup(asString(f.Facts["key"])); ok {
					corroborating[k] = true
				}
			}
			for _, i := range f.Events {
				for _, k := range keysOf(i) {
					corroborating[k] = true
				}
			}
		}
	}
	var seeds []int
	for _, f := range r.phase1Findings["TG.HUNT.1"] {
		for _, i := range f.Events {
			ok := r.iocIP(i)
			for _, k := range keysOf(i) {
				ok = ok || corroborating[k]
			}
			if ok {
				r.corrob[i] = true
				r.entry[i] = "TG.HUNT.1"
				seeds = append(seeds, i)
			}
		}
	}
	for _, f := range r.phase1Findings["TG.HUNT.3"] {
		if f.Indicator == "yes" {
			r.entry[f.Event] = "TG.HUNT.3"
			seeds = append(seeds, f.Event)
		}
	}
	// A replayed key is the indicator; its events are entry events (their
	// addresses join through the session, below).
	for _, f := range r.phase1Findings["TG.HUNT.2"] {
		k, ok := r.strs.Lookup(asString(f.Facts["key"]))
		if !ok {
			continue
		}
		for _, i := range f.Events {
			r.entry[i] = "TG.HUNT.2"
		}
		if asString(f.Facts["type"]) == "token" {
			a.addToken(k, r.ev[f.Event].Time)
		} else {
			a.addSession(k, r.ev[f.Event].Time)
		}
	}
	for i := range r.ev {
		if r.iocMatch(i) {
			r.entry[i] = "ioc"
			seeds = append(seeds, i)
		}
	}
	sort.Ints(seeds)
	for _, i := range seeds {
		e := &r.ev[i]
		a.mark(i)
		if e.IP != 0 && r.ipClass[e.IP] == "" {
			a.addIP(e.User, e.IP, e.Time)
		}
	}
}

// iocIP: the event's address is a responder's IOC.
func (r *run) iocIP(i int) bool {
	e := &r.ev[i]
	return e.IP != 0 && len(r.o.IOC.IPs) > 0 && InPrefixes(r.str(e.IP), r.o.IOC.IPs)
}

// iocMatch: the event matches a responder's IOC (address, user agent or
// session) and is not a failed sign-in (attempts are not entries).
func (r *run) iocMatch(i int) bool {
	e := &r.ev[i]
	if e.Has(event.SignIn) && !r.eng.Accepted(e.ErrorCode) {
		return false
	}
	if r.iocIP(i) {
		return true
	}
	if e.UA != 0 {
		ua := strings.ToLower(r.str(e.UA))
		for _, x := range r.o.IOC.UserAgents {
			if x != "" && strings.Contains(ua, strings.ToLower(x)) {
				return true
			}
		}
	}
	for _, s := range r.o.IOC.Sessions {
		if s != "" && (r.str(e.Session) == s || r.str(e.Session2) == s || r.str(e.Token) == s) {
			return true
		}
	}
	return false
}

// mark makes event i attacker activity, unless it is containment an admin
// did from a trusted network.
func (a *attribution) mark(i int) {
	if a.attacker[i] || a.exempt[i] {
		return
	}
	a.attacker[i] = true
	e := &a.ev[i]
	if t, ok := a.intrusion[e.User]; !ok || e.Time < t {
		if e.Time != 0 {
			a.intrusion[e.User] = e.Time
		}
	}
	a.marked = append(a.marked, i)
}

func (a *attribution) addSession(s event.Sym, t int64) {
	if s == 0 {
		return
	}
	if _, ok := a.sessions[s]; ok {
		return
	}
	a.sessions[s] = t
	for _, i := range a.bySession[s] {
		a.reach(int(i))
	}
}

// reach makes event i attacker activity through a session or token; an
// event already attributed through its address alone now anchors that
// address's window too (whichever was found first).
func (a *attribution) reach(i int) {
	if !a.attacker[i] {
		a.mark(i)
		return
	}
	e := &a.ev[i]
	if _, known := a.ips[pair{e.User, e.IP}]; known && e.IP != 0 {
		a.addIP(e.User, e.IP, e.Time)
	}
}

// anchors: event i may set its address's t0: an entry indicator, or an
// event carrying an attacker session or token.
func (a *attribution) anchors(i int) bool {
	if a.entry[i] != "" {
		return true
	}
	e := &a.ev[i]
	for _, s := range []event.Sym{e.Session, e.Session2} {
		if _, ok := a.sessions[s]; ok && s != 0 {
			return true
		}
	}
	_, ok := a.tokens[e.Token]
	return ok && e.Token != 0
}

func (a *attribution) addToken(k event.Sym, t int64) {
	if k == 0 {
		return
	}
	if _, ok := a.tokens[k]; ok {
		return
	}
	a.tokens[k] = t
	for _, i := range a.byToken[k] {
		a.reach(int(i))
	}
}

// addIP makes an address an attacker address of a user from t0 (the
// earliest attacker event from it); an earlier t0 widens the window.
func (a *attribution) addIP(user, ip event.Sym, t0 int64) {
	if ip == 0 || user == 0 || a.ipClass[ip] != "" {
		return
	}
	k := pair{user, ip}
	if cur, ok := a.ips[k]; ok && cur <= t0 {
		return
	} else if !ok {
		a.newIPs = append(a.newIPs, k)
	}
	a.ips[k] = t0
	w := int64(a.o.Params.IPWindow)
	for _, i := range a.byUserIP[k] {
		if d := a.ev[i].Time - t0; d <= w && d >= -w {
			a.mark(int(i))
		}
	}
}

// drain follows attacker events until nothing changes.
func (a *attribution) drain() {
	for len(a.marked) > 0 || len(a.newIPs) > 0 {
		for len(a.marked) > 0 {
			i := a.marked[0]
			a.marked = a.marked[1:]
			e := &a.ev[i]
			a.addSession(e.Session, e.Time)
			a.addSession(e.Session2, e.Time)
			a.addToken(e.Token, e.Time)
			if e.Has(event.SignIn) && e.UA != 0 {
				if a.attackerUAs[e.UA] == nil {
					a.attackerUAs[e.UA] = map[event.Sym]bool{}
				}
				a.attackerUAs[e.UA][e.User] = true
			}
			if e.IP == 0 || a.ipClass[e.IP] != "" {
				continue
			}
			// An event reached only through its address (within
			// ip_window of t0) does not move t0: the window is the entry
			// indicator's (hunt.md Correlation 2), not a chain of weekly
			// steps from one use of the address to the next.
			if _, known := a.ips[pair{e.User, e.IP}]; known && !a.anchors(i) {
				continue
			}
			// A second address inside an attacker session joins, unless
			// the user had signed in from it successfully before the
			// intrusion: that is the user's own network, seen in a
			// session the attacker stole.
			if first, ok := a.firstSuccess[pair{e.User, e.IP}]; ok {
				if start, ok := a.intrusion[e.User]; ok && first < start {
					if _, known := a.ips[pair{e.User, e.IP}]; !known {
						continue
					}
				}
			}
			a.addIP(e.User, e.IP, e.Time)
		}
		// Other victims: successful sign-ins of other users from an
		// attacker address, near the attacker's own use of it.
		for len(a.newIPs) > 0 {
			k := a.newIPs[0]
			a.newIPs = a.newIPs[1:]
			lo, hi := a.useOf(k.b)
			w := int64(a.o.Params.IPWindow)
			for _, j := range a.successIP[k.b] {
				v := a.ev[j].User
				t := a.ev[j].Time
				if v == 0 || v == k.a || t < lo-w || t > hi+w || !a.in[j] {
					continue
				}
				if _, ok := a.ips[pair{v, k.b}]; ok {
					continue
				}
				if a.seenFrom[v] == nil {
					a.seenFrom[v], a.victimOf[v] = map[event.Sym]bool{}, map[event.Sym]bool{}
				}
				a.seenFrom[v][k.b] = true
				a.victimOf[v][k.a] = true
				a.addIP(v, k.b, t)
			}
		}
	}
}

// useOf is the first and last attacker event from an address.
func (r *run) useOf(ip event.Sym) (int64, int64) {
	var lo, hi int64
	for k, t0 := range r.ips {
		if k.b != ip {
			continue
		}
		for _, i := range r.byUserIP[k] {
			if !r.attacker[i] {
				continue
			}
			t := r.ev[i].Time
			if lo == 0 || t < lo {
				lo = t
			}
			if t > hi {
				hi = t
			}
		}
		if lo == 0 || t0 < lo {
			lo = t0
		}
	}
	return lo, hi
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
