// Package correlate is hunt's investigation (hunt.md "Correlation" and
// "Verdict per user"): it runs the detections before correlation, seeds the
// attacker indicators from the entry indicators, attributes events to the
// attacker until nothing changes (finding other victims on the way), judges
// the detections again with the attribution's facts, and builds the result.
//
// The conditions are the detections' (Rego); this package moves data between
// them: it groups events by session, token, user and address, computes the
// facts the detections read (first successful sign-in from an address,
// attribution, time since an entry indicator), and turns findings into
// verdicts, artifacts and remaining actions.
package correlate

import (
	"cmp"
	"context"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/detect"
	"github.com/tenantgate/tenantgate/internal/hunt/event"
	"github.com/tenantgate/tenantgate/internal/hunt/read"
	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// Params are the baseline's hunt section (defaults in the embedded baseline).
type Params struct {
	ReplayWindow      time.Duration
	FollowupWindow    time.Duration
	IPWindow          time.Duration
	CoverageSlack     time.Duration
	ToolingUserAgents []string
}

// IOC are the responder's indicators (--ioc FILE, --ioc-ip, --ioc-user-agent).
type IOC struct {
	IPs        []netip.Prefix
	UserAgents []string // matched case-insensitively as substrings
	Sessions   []string
}

// Options configure an investigation.
type Options struct {
	Params  Params
	Trusted []netip.Prefix
	IOC     IOC
	// Users focuses the report and the exit code (lower-case UPNs); empty:
	// every user.
	Users        []string
	Since, Until *time.Time
	Version      string
	Now          time.Time
	// FS reads the input files again (nil: the operating system's).
	FS fs.FS
	// Gaps are parts of a log kind known to be missing although its files
	// are there (an evidence bundle's sources that failed or did not
	// finish, with Graph's error): each is a blind spot, and no user whose
	// activity reaches into a gap of the sign-in logs or the unified audit
	// log is called clean (see gaps.go).
	Gaps []Gap
	// Collected are the times a log kind is known to have been read whole
	// (an evidence bundle's sources that ended ok, each for the time slice
	// it asked for): the kind covers them whatever its records' times.
	Collected []Gap
	// LogsOf, when set, are the only users whose activity the logs hold
	// (evidence bundles whose logs were filtered to them): anyone else
	// appears only in their records, so is never called clean (unknown at
	// best), whatever --user says.
	LogsOf []string
	// Phase, when set, is told when each step starts ("detect",
	// "attribute", "judge", "report"): for a progress display or a trace.
	Phase func(name string)
}

// Run investigates the events read.
func Run(ctx context.Context, eng *detect.Engine, logs *read.Logs, o Options) (*result.Result, error) {
	_, ms, err := LoadServiceRanges()
	if err != nil {
		return nil, err
	}
	r := &run{ctx: ctx, eng: eng, logs: logs, ev: logs.Events, strs: logs.Strings, o: o,
		cls: newClassifier(append([]netip.Prefix(nil), o.Trusted...), ms)}
	phase := func(string) {}
	if o.Phase != nil {
		phase = o.Phase
	}
	phase("prepare")
	r.prepare()
	phase("detect")
	if err := r.phase1(); err != nil {
		return nil, err
	}
	phase("attribute")
	r.attribute()
	phase("judge")
	if err := r.phase2(); err != nil {
		return nil, err
	}
	phase("report")
	return r.build(), nil
}

// run is one investigation's state.
type run struct {
	ctx  context.Context
	eng  *detect.Engine
	logs *read.Logs
	ev   []event.Event
	strs *event.Strings
	o    Options
	cls  *classifier

	window       [2]int64   // investigated range (Unix ns)
	blind        []interval // times the gaps of both verdict logs miss (nil: not computed)
	in           []bool     // event inside the window
	ipClass      map[event.Sym]string
	firstSuccess map[pair]int64
	geo          map[event.Sym][]placed // where the sign-in logs placed an address, over time
	params       []byte

	bySession map[event.Sym][]int32
	byToken   map[event.Sym][]int32
	byUserIP  map[pair][]int32
	successIP map[event.Sym][]int32 // successful sign-ins by address
	byUser    map[event.Sym][]int32

	phase1Findings map[string][]detect.Finding
	actions        []detect.Action
	exempt         map[int]bool

	// attribution
	attacker    []bool
	entry       map[int]string        // entry-indicator events and why
	corrob      map[int]bool          // TG.HUNT.1 events corroborated
	escalate    map[event.Sym][]int64 // per user, times of TG.HUNT.1/2/3 events (escalators)
	sessions    map[event.Sym]int64
	tokens      map[event.Sym]int64
	ips         map[pair]int64 // (user, address) -> t0
	intrusion   map[event.Sym]int64
	seenFrom    map[event.Sym]map[event.Sym]bool // victim -> attacker addresses
	victimOf    map[event.Sym]map[event.Sym]bool // victim -> users whose attacker address it was
	attackerUAs map[event.Sym]map[event.Sym]bool // user agent -> users of whose attacker sign-ins it is

	final    map[string][]detect.Finding
	details  map[int][]byte
	appIDMap map[string]string
}

type pair struct{ a, b event.Sym }

type geo struct {
	country event.Sym
	asn     uint32
}

func (r *run) str(s event.Sym) string { return r.strs.Str(s) }

// placed: from t on (until the next entry), the sign-in logs place an
// address in g.
type placed struct {
	t int64
	g geo
}

// place records where a sign-in places its address at its time (events
// come in time order). Only changes are kept: an address is in one place
// at a time, and sign-ins that do not say one part (Graph v1.0 has no
// network number) fill it in.
func (r *run) place(ip event.Sym, t int64, country event.Sym, asn uint32) {
	ps := r.geo[ip]
	if n := len(ps); n > 0 {
		last := &ps[n-1].g
		if (country == 0 || last.country == 0 || country == last.country) && (asn == 0 || last.asn == 0 || asn == last.asn) {
			if last.country == 0 {
				last.country = country
			}
			if last.asn == 0 {
				last.asn = asn
			}
			return
		}
	}
	r.geo[ip] = append(ps, placed{t, geo{country, asn}})
}

// geoOf is where an address was at t, as the sign-in logs placed it: the
// place they gave it last at or before t (the first one for earlier
// records). An address is geolocated, not a user: every user's sign-ins
// from it at one time say the same; over weeks a line is re-assigned or
// the location data changes. The UAL and the audit log carry no place:
// their records from the address are placed so.
func (r *run) geoOf(ip event.Sym, t int64) (geo, bool) {
	ps := r.geo[ip]
	if len(ps) == 0 {
		return geo{}, false
	}
	k, found := slices.BinarySearchFunc(ps, t, func(p placed, t int64) int { return cmp.Compare(p.t, t) })
	if !found && k > 0 {
		k--
	}
	return ps[k].g, true
}

// prepare computes the window, the address classes, the first successful
// sign-in of each user from each address (from every event read, inside
// the window or not: history), the country and network of addresses seen
// in sign-ins, and the indexes.
func (r *run) prepare() {
	var lo, hi int64
	for i := range r.ev {
		if t := r.ev[i].Time; t != 0 {
			if lo == 0 || t < lo {
				lo = t
			}
			if t > hi {
				hi = t
			}
		}
	}
	if r.o.Since != nil {
		lo = r.o.Since.UnixNano()
	}
	if r.o.Until != nil {
		hi = r.o.Until.UnixNano()
	}
	r.window = [2]int64{lo, hi}
	r.propagateUsers()
	r.resolveRuleOwners()
	r.in = make([]bool, len(r.ev))
	r.ipClass = map[event.Sym]string{}
	r.firstSuccess = map[pair]int64{}
	r.geo = map[event.Sym][]placed{}
	r.bySession = map[event.Sym][]int32{}
	r.byToken = map[event.Sym][]int32{}
	r.byUserIP = map[pair][]int32{}
	r.successIP = map[event.Sym][]int32{}
	r.byUser = map[event.Sym][]int32{}
	for i := range r.ev {
		e := &r.ev[i]
		if e.IP != 0 {
			if _, ok := r.ipClass[e.IP]; !ok {
				r.ipClass[e.IP] = r.cls.class(r.str(e.IP))
			}
			if e.Has(event.SignIn | event.Success) {
				k := pair{e.User, e.IP}
				if t, ok := r.firstSuccess[k]; !ok || e.Time < t {
					r.firstSuccess[k] = e.Time
				}
			}
			if e.Kind == event.SignIns && (e.Country != 0 || e.ASN != 0) {
				r.place(e.IP, e.Time, e.Country, e.ASN)
			}
		}
		r.in[i] = e.Time == 0 || (e.Time >= lo && e.Time <= hi)
		n := int32(i)
		for _, s := range []event.Sym{e.Session, e.Session2} {
			if s != 0 {
				r.bySession[s] = append(r.bySession[s], n)
			}
		}
		if e.Token != 0 {
			r.byToken[e.Token] = append(r.byToken[e.Token], n)
		}
		if e.IP != 0 && e.User != 0 {
			r.byUserIP[pair{e.User, e.IP}] = append(r.byUserIP[pair{e.User, e.IP}], n)
			if e.Has(event.SignIn | event.Success) {
				r.successIP[e.IP] = append(r.successIP[e.IP], n)
			}
		}
		// Sessions, tokens and addresses are indexed over every event
		// read: an attacker session stolen before --since still ties the
		// window's events to the attacker. Users' events are the
		// window's (what the report shows and the verdict weighs).
		if e.User != 0 && r.in[i] {
			r.byUser[e.User] = append(r.byUser[e.User], n)
		}
	}
	p := r.o.Params
	r.params = detect.ParamsJSON(map[string]any{
		"replay_window": detect.Nanos(p.ReplayWindow), "followup_window": detect.Nanos(p.FollowupWindow),
		"ip_window": detect.Nanos(p.IPWindow), "tooling_user_agents": nonNil(p.ToolingUserAgents),
	})
}

// propagateUsers gives a directory audit record without a user (a device
// registered by the Device Registration Service) the user of the records
// that share its correlation id ("Add registered owner to device").
func (r *run) propagateUsers() {
	byCorr := map[event.Sym]event.Sym{}
	for i := range r.ev {
		e := &r.ev[i]
		if e.Kind == event.DirectoryAudits && e.Corr != 0 && e.User != 0 {
			if _, ok := byCorr[e.Corr]; !ok {
				byCorr[e.Corr] = e.User
			}
		}
	}
	for i := range r.ev {
		e := &r.ev[i]
		if e.Kind == event.DirectoryAudits && e.User == 0 && e.Corr != 0 {
			e.User = byCorr[e.Corr]
		}
	}
}

// resolveRuleOwners gives an inbox rule export's rule whose owner is not a
// UPN the UPN it stands for: a user object id (a Graph messageRules page
// asked for by id names the mailbox only as users('<id>') in its context)
// through the sign-ins that carry that userId; a mailbox alias
// (Get-InboxRule's MailboxOwnerId, "Johanna") through the local part of
// exactly one user of the inputs. An owner that resolves to none or to
// several is kept as written (users lists it: a rule that hides mail is
// never dropped for want of a UPN).
func (r *run) resolveRuleOwners() {
	var aliases bool
	for i := range r.ev {
		if e := &r.ev[i]; e.Kind == event.InboxRules && e.User != 0 && !isUPN(r.str(e.User)) {
			aliases = true
			break
		}
	}
	if !aliases {
		return
	}
	byLocal := map[string]map[event.Sym]bool{}
	byID := map[event.Sym]map[event.Sym]bool{}
	for i := range r.ev {
		if e := &r.ev[i]; e.UserID != 0 && e.User != 0 && isUPN(r.str(e.User)) {
			if byID[e.UserID] == nil {
				byID[e.UserID] = map[event.Sym]bool{}
			}
			byID[e.UserID][e.User] = true
		}
		for _, u := range []event.Sym{r.ev[i].User, r.ev[i].Target} {
			if name := r.str(u); u != 0 && isUPN(name) {
				local := name[:strings.IndexByte(name, '@')]
				if byLocal[local] == nil {
					byLocal[local] = map[event.Sym]bool{}
				}
				byLocal[local][u] = true
			}
		}
	}
	for i := range r.ev {
		e := &r.ev[i]
		if e.Kind != event.InboxRules || e.User == 0 || isUPN(r.str(e.User)) {
			continue
		}
		upns := byID[e.User] // e.User is lower-cased, as UserID is
		if len(upns) == 0 {
			upns = byLocal[strings.ToLower(r.str(e.User))]
		}
		if len(upns) == 1 {
			for u := range upns {
				e.User = u
			}
		}
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (r *run) input(phase2 bool) *detect.Input {
	return &detect.Input{
		Events: r.ev, Strings: r.strs, Params: r.params,
		IPClass: func(ip event.Sym) string { return r.ipClass[ip] },
		Facts:   r.facts(phase2),
		Detail: func(i int) []byte {
			if d := r.details[i]; d != nil {
				return d
			}
			if !phase2 {
				// The authentication steps only word the final findings;
				// judging candidates without them lets alike sign-ins be
				// judged once.
				return nil
			}
			return r.authDetail(i)
		},
	}
}

// authDetail is a sign-in's Detail with its authentication steps from the
// AuthDetails companion (joined on Request ID); nil when it has none.
func (r *run) authDetail(i int) []byte {
	e := &r.ev[i]
	if e.Kind != event.SignIns || e.ID == "" {
		return nil
	}
	steps := r.logs.Auth[e.ID]
	if len(steps) == 0 {
		return nil
	}
	var w event.JSON
	w.Open('{')
	if d := e.Detail; len(d) > 2 {
		w.B = append(w.B, d[1:len(d)-1]...) // the sign-in's own keys
		w.B = append(w.B, ',')
	}
	w.Key("auth")
	w.Open('[')
	for _, st := range steps {
		w.Open('{')
		w.KeyStr("method", st.Method)
		w.KeyStr("detail", st.Detail)
		if st.Succeeded != nil {
			w.Key("succeeded")
			w.Bool(*st.Succeeded)
		}
		w.KeyStr("result", st.Result)
		w.Close('}')
	}
	w.Close(']')
	w.Close('}')
	return w.B
}

// facts writes what correlation knows of an event.
func (r *run) facts(phase2 bool) func(i int, w *event.JSON) {
	return func(i int, w *event.JSON) {
		e := &r.ev[i]
		// ipSeenBefore: the user signed in successfully from this address
		// earlier in the inputs (failed attempts do not count).
		w.Key("ipSeenBefore")
		t, ok := r.firstSuccess[pair{e.User, e.IP}]
		w.Bool(ok && e.IP != 0 && t < e.Time)
		if !phase2 {
			return
		}
		w.Key("attacker")
		w.Bool(r.attacker[i])
		w.Key("fromIndicator")
		w.Bool(r.fromIndicator(e))
		w.Key("corroborated")
		w.Bool(r.corrob[i])
		w.Key("afterEntry")
		if t, ok := r.lastEntryBefore(e.User, e.Time); ok {
			w.Int(t)
		} else {
			w.Null()
		}
	}
}

// fromIndicator: the event carries an attacker address of its user, or an
// attacker session or token.
func (r *run) fromIndicator(e *event.Event) bool {
	if _, ok := r.ips[pair{e.User, e.IP}]; ok && e.IP != 0 {
		return true
	}
	for _, s := range []event.Sym{e.Session, e.Session2} {
		if _, ok := r.sessions[s]; ok && s != 0 {
			return true
		}
	}
	_, ok := r.tokens[e.Token]
	return ok && e.Token != 0
}

// lastEntryBefore is the time of the user's latest TG.HUNT.1/2/3 event
// (or entry indicator) at or before t: what escalates TG.HUNT.4 and 5.
func (r *run) lastEntryBefore(user event.Sym, t int64) (int64, bool) {
	ts := r.escalators()[user]
	k, _ := slices.BinarySearch(ts, t+1)
	if k == 0 {
		return 0, false
	}
	return ts[k-1], true
}

// escalators are, per user, the times of the events after which a
// registration is high (hunt.md TG.HUNT.4: "within followup_window after a
// TG.HUNT.1/2/3 event of the same user"): every AiTM-shaped sign-in
// (TG.HUNT.1, corroborated or not: a registration from the proxy's
// directory audit record carries no session to corroborate it with), every
// replayed key's events (TG.HUNT.2), the tooling agents that are entries
// (TG.HUNT.3; failed spraying attempts are not), and the responder's IOC
// matches.
func (r *run) escalators() map[event.Sym][]int64 {
	if r.escalate != nil {
		return r.escalate
	}
	r.escalate = map[event.Sym][]int64{}
	add := func(i int) {
		e := &r.ev[i]
		if e.User != 0 && e.Time != 0 {
			r.escalate[e.User] = append(r.escalate[e.User], e.Time)
		}
	}
	for i := range r.entry {
		add(i)
	}
	for _, f := range r.phase1Findings["TG.HUNT.1"] {
		for _, i := range f.Events {
			add(i)
		}
	}
	for u, ts := range r.escalate {
		slices.Sort(ts)
		r.escalate[u] = ts
	}
	return r.escalate
}

// candidates lists a detection's candidates: inside the window, or (all)
// among every event read, for the entry indicators and replays the
// attribution starts from.
func (r *run) candidates(d *detect.Detection, in *detect.Input, all bool) ([]int, error) {
	idx, err := r.eng.Candidates(r.ctx, d, in)
	if err != nil {
		return nil, err
	}
	if all {
		return idx, nil
	}
	n := 0
	for _, i := range idx {
		if r.in[i] {
			idx[n] = i
			n++
		}
	}
	return idx[:n], nil
}

// phase1 evaluates the detections that need no attribution, the replay
// detection on sessions and tokens, and the containment package.
func (r *run) phase1() error {
	r.phase1Findings = map[string][]detect.Finding{}
	in := r.input(false)
	cat := r.eng.Catalog()
	for i := range cat {
		d := &cat[i]
		switch d.Phase {
		case detect.PhaseDetect:
			idx, err := r.candidates(d, in, true)
			if err != nil {
				return err
			}
			if len(idx) == 0 {
				continue
			}
			fs, err := r.eng.Findings(r.ctx, d, in, idx)
			if err != nil {
				return err
			}
			r.phase1Findings[d.ID] = fs
		case detect.PhaseSessions:
			var fs []detect.Finding
			err := r.sessionsJSON(d, func(batch []byte) error {
				got, err := r.eng.SessionFindings(r.ctx, d, r.params, [][]byte{batch})
				fs = append(fs, got...)
				return err
			})
			if err != nil {
				return err
			}
			r.phase1Findings[d.ID] = fs
		}
	}
	resp := r.eng.Response()
	idx, err := r.candidates(&resp, in, false)
	if err != nil {
		return err
	}
	if r.actions, err = r.eng.Actions(r.ctx, in, idx); err != nil {
		return err
	}
	r.resolveAliases()
	r.exempt = map[int]bool{}
	for _, a := range r.actions {
		if a.Exempt {
			r.exempt[a.Event] = true
		}
	}
	return nil
}

// resolveAliases turns a containment target written as a mailbox alias
// (Remove-InboxRule -Identity "Johanna\<rule id>") into the UPN whose local
// part it is, when exactly one user has it.
func (r *run) resolveAliases() {
	byLocal := map[string][]string{}
	seen := map[event.Sym]bool{}
	for i := range r.ev {
		u := r.ev[i].User
		if u == 0 || seen[u] {
			continue
		}
		seen[u] = true
		name := r.str(u)
		if at := strings.IndexByte(name, '@'); at > 0 {
			byLocal[name[:at]] = append(byLocal[name[:at]], name)
		}
	}
	for k := range r.actions {
		a := &r.actions[k]
		if !strings.Contains(a.Target, "@") {
			if upns := byLocal[strings.ToLower(a.Target)]; len(upns) == 1 {
				a.Target = upns[0]
			}
		}
	}
}

// sessionsJSON lists, for every session key and token id, its runs: the
// stretches of its events alike in all TG.HUNT.2 compares (country,
// network, user agent, client app); a new address alone (DHCP, a mobile
// network) does not start a run, it joins the run's addresses. Events from
// addresses that can never be indicators (trusted networks, Microsoft 365
// front ends) are left out before counting, as hunt.md says. Keys whose
// remaining events share one country, one network and one browser family
// (the detection's families rule names them, once for all distinct user
// agents) can make no pair and are left out. The keys go to eval in
// batches (JSON arrays), each evaluated before the next is built.
func (r *run) sessionsJSON(d *detect.Detection, eval func([]byte) error) error {
	family, err := r.agentFamilies(d)
	if err != nil {
		return err
	}
	var w event.JSON
	n := 0
	flush := func() {
		if n > 0 && err == nil {
			w.Close(']')
			err = eval(w.B)
		}
		w.Reset()
		n = 0
	}
	type tuple struct {
		country, ua, client event.Sym
		asn                 uint32
	}
	type runT struct {
		tu           tuple
		ips          []event.Sym
		first, last  int32
		ftime, ltime int64
	}
	emit := func(typ string, key event.Sym, idx []int32) {
		if len(idx) < 2 {
			return
		}
		var runs []runT
		countries, asns, families := map[event.Sym]bool{}, map[uint32]bool{}, map[string]bool{}
		for _, i := range idx {
			e := &r.ev[i]
			if r.ipClass[e.IP] != "" {
				// Trusted networks and Microsoft 365 front ends can never
				// be indicators: left out before counting (hunt.md).
				continue
			}
			tu := tuple{country: e.Country, asn: e.ASN, ua: e.UA, client: e.ClientApp}
			if g, ok := r.geoOf(e.IP, e.Time); ok && tu.country == 0 && tu.asn == 0 {
				tu.country, tu.asn = g.country, g.asn
			}
			countries[tu.country], asns[tu.asn] = true, true
			if f := family[agentKey{e.UA, e.ClientApp}]; f != "" {
				families[f] = true
			}
			if k := len(runs); k > 0 && runs[k-1].tu == tu {
				rn := &runs[k-1]
				rn.last, rn.ltime = i, e.Time
				if e.IP != 0 && len(rn.ips) < 8 && !slices.Contains(rn.ips, e.IP) {
					rn.ips = append(rn.ips, e.IP)
				}
				continue
			}
			rn := runT{tu: tu, first: i, last: i, ftime: e.Time, ltime: e.Time}
			if e.IP != 0 {
				rn.ips = []event.Sym{e.IP}
			}
			runs = append(runs, rn)
		}
		if len(runs) < 2 || (len(countries) < 2 && len(asns) < 2 && len(families) < 2) {
			return
		}
		user := r.ev[idx[0]].User
		if n == 0 {
			w.Open('[')
		}
		n++
		w.Open('{')
		w.KeyStr("key", r.str(key))
		w.KeyStr("type", typ)
		w.Key("user")
		w.Str(r.str(user))
		w.Key("runs")
		w.Open('[')
		for _, rn := range runs {
			w.Open('{')
			w.Key("i")
			w.Int(int64(rn.first))
			w.Key("last")
			w.Int(int64(rn.last))
			w.Key("t")
			w.Int(rn.ftime)
			w.Key("tl")
			w.Int(rn.ltime)
			w.Key("ips")
			w.Open('[')
			for _, ip := range rn.ips {
				w.Str(r.str(ip))
			}
			w.Close(']')
			w.Key("country")
			w.Str(r.str(rn.tu.country))
			w.Key("asn")
			w.Int(int64(rn.tu.asn))
			w.Key("ua")
			w.Str(r.str(rn.tu.ua))
			w.Key("clientApp")
			w.Str(r.str(rn.tu.client))
			w.Close('}')
		}
		w.Close(']')
		w.Close('}')
		if len(w.B) > 1<<20 {
			flush()
		}
	}
	for _, k := range sortedKeys(r.bySession, r.strs) {
		emit("session", k, r.bySession[k])
	}
	for _, k := range sortedKeys(r.byToken, r.strs) {
		emit("token", k, r.byToken[k])
	}
	flush()
	return err
}

type agentKey struct{ ua, client event.Sym }

// agentFamilies asks the sessions detection for the browser family of
// every user agent (with its client app) of the session and token keys'
// events that can be indicators.
func (r *run) agentFamilies(d *detect.Detection) (map[agentKey]string, error) {
	seen := map[agentKey]bool{}
	var keys []agentKey
	var agents []detect.Agent
	for _, m := range []map[event.Sym][]int32{r.bySession, r.byToken} {
		for _, idx := range m {
			if len(idx) < 2 {
				continue
			}
			for _, i := range idx {
				e := &r.ev[i]
				k := agentKey{e.UA, e.ClientApp}
				if seen[k] || r.ipClass[e.IP] != "" {
					continue
				}
				seen[k] = true
				keys = append(keys, k)
				agents = append(agents, detect.Agent{UA: r.str(k.ua), ClientApp: r.str(k.client)})
			}
		}
	}
	out := map[agentKey]string{}
	if len(agents) == 0 {
		return out, nil
	}
	fams, err := r.eng.Families(r.ctx, d, agents)
	if err != nil {
		return nil, err
	}
	for j, k := range keys {
		out[k] = fams[j]
	}
	return out, nil
}

func sortedKeys[V any](m map[event.Sym]V, strs *event.Strings) []event.Sym {
	keys := make([]event.Sym, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return strs.Str(keys[i]) < strs.Str(keys[j]) })
	return keys
}

// phase2 judges the detections again with the attribution's facts: the
// events the first pass found, and (for the attributed detections) the
// candidates attributed to the attacker, read again for their Detail.
func (r *run) phase2() error {
	r.final = map[string][]detect.Finding{}
	r.final["TG.HUNT.2"] = r.phase1Findings["TG.HUNT.2"]
	in := r.input(true)
	cat := r.eng.Catalog()
	var words map[string][]string
	for i := range cat {
		d := &cat[i]
		var idx []int
		switch d.Phase {
		case detect.PhaseSessions:
			continue
		case detect.PhaseDetect:
			seen := map[int]bool{}
			for _, f := range r.phase1Findings[d.ID] {
				for _, e := range f.Events {
					if !seen[e] && r.in[e] {
						seen[e] = true
						idx = append(idx, e)
					}
				}
			}
			sort.Ints(idx)
		case detect.PhaseAttributed:
			cands, err := r.candidates(d, in, false)
			if err != nil {
				return err
			}
			if d.RuleWords && words == nil {
				words = r.ruleWords()
			}
			for _, c := range cands {
				if r.attacker[c] || (d.RuleWords && len(words[r.str(r.ev[c].User)]) > 0) {
					idx = append(idx, c)
				}
			}
			if err := r.readDetails(idx); err != nil {
				return err
			}
		}
		if len(idx) == 0 {
			continue
		}
		in := in
		if d.RuleWords {
			cp := *in
			cp.Context = detect.ParamsJSON(map[string]any{"rule_words": words})
			in = &cp
		}
		fs, err := r.eng.Findings(r.ctx, d, in, idx)
		if err != nil {
			return err
		}
		r.final[d.ID] = fs
	}
	return nil
}

// ruleWords are the words of the hiding rules (TG.HUNT.8) by mailbox.
func (r *run) ruleWords() map[string][]string {
	out := map[string][]string{}
	for _, f := range r.final["TG.HUNT.8"] {
		u := r.str(r.userOf(f.Event))
		for _, w := range anyStrings(f.Facts["words"]) {
			out[u] = append(out[u], w)
		}
	}
	return out
}

// readDetails reads again the records of the events that lack a Detail.
func (r *run) readDetails(idx []int) error {
	byFile := map[uint32][]read.Record{}
	evOf := map[[2]uint32]int{}
	for _, i := range idx {
		e := &r.ev[i]
		if e.Detail != nil || r.details[i] != nil {
			continue
		}
		byFile[e.File] = append(byFile[e.File], read.Record{Ord: e.Rec, Off: e.Off})
		evOf[[2]uint32{e.File, e.Rec}] = i
	}
	if r.details == nil {
		r.details = map[int][]byte{}
	}
	files := make([]uint32, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Slice(files, func(i, j int) bool { return files[i] < files[j] })
	for _, f := range files {
		got, err := read.Details(r.ctx, r.o.FS, r.logs.Files[f].Path, byFile[f])
		if err != nil {
			return fmt.Errorf("read %s again: %w", r.logs.Files[f].Path, err)
		}
		for rec, d := range got {
			if i, ok := evOf[[2]uint32{f, rec}]; ok {
				r.details[i] = d
			}
		}
	}
	return nil
}

// userOf is whom an event concerns: its user, else its target.
func (r *run) userOf(i int) event.Sym {
	if u := r.ev[i].User; u != 0 {
		return u
	}
	return r.ev[i].Target
}

func anyStrings(v any) []string {
	xs, _ := v.([]any)
	var out []string
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
