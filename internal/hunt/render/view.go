package render

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate/internal/hunt/result"
)

// view is the incident report in the talk's three parts, every sentence
// already in the report's language and every time in its zone: the table,
// Markdown and HTML renderers lay out the same view, so they cannot say
// different things. Its texts are plain (unescaped): each renderer escapes
// them for its medium.
type view struct {
	c   *Catalog
	loc *time.Location

	Lang      string
	Title     string
	Intro     string
	Nobody    string // no user to report: an all-clear only when the logs cover the window and every --user is in them
	Zone      string // "Asia/Tokyo (UTC+09:00)"
	Offset    string // "UTC+09:00"
	Generated string
	Window    string
	Tool      string
	Counts    []verdictCount
	Users     []*userView // compromised, suspicious, unknown with findings: the report's subject
	// Unknown are the users without a high-severity finding whom the
	// missing logs keep from being called clean: listed (their findings
	// under Notable), not given a report each.
	Unknown  []string
	Notable  []notable // clean or unknown users' medium/low findings, per detection
	Found    []detectionView
	Coverage coverageView
}

type verdictCount struct {
	Verdict, Label string
	N              int
}

// userView is one user who is not clean.
type userView struct {
	UPN, Verdict, VerdictLabel string
	Intrusion                  string
	Anchor                     string
	// Happened is part ①, one item per kind of trace.
	Happened []item
	Findings []findingView
	// Done is part ② and Todo part ③.
	Done     []doneView
	Todo     []string
	Timeline []eventView
	Attacker int // attacker events in Timeline
}

// item is one numbered entry of part ①: a title, a lead sentence, lines
// and an optional table.
type item struct {
	Key   string // stable id (signins, apps, ...) for anchors and tests
	Title string
	Lead  string
	Lines []string
	Table *grid
	// Narrow is Table one sentence per row, for the terminal when the
	// columns do not fit.
	Narrow []string
}

type grid struct {
	Head []string
	Rows [][]string
}

type findingView struct {
	Time, ID, Severity, Title, Summary string
	Attributed                         bool
	Evidence                           []string // file:line (record id)
	More                               int      // evidence not listed
}

type doneView struct{ Time, Action, By string }

type eventView struct {
	Time     string // display time
	T        time.Time
	Source   string
	Op       string
	IP       string
	Country  string
	UA       string
	Session  string
	Attacker bool
	Det      string
	Where    string
}

type notable struct {
	ID, Title string
	Users     []string
}

type detectionView struct {
	ID, Title, Severity, Technique, Response string
}

type coverageView struct {
	Rows       [][]string // log, files, records, duplicates, bad rows, from, to
	Narrow     []string   // one sentence per log kind
	Head       []string
	BlindSpots []string
	BadRows    []string
	MoreBad    int
	Skipped    []string
	Retention  *retentionView
	Trusted    *retentionView // where the trusted networks came from (no Controls)
}

type retentionView struct {
	Lead     string
	Lines    []string
	Controls [][]string
	Head     []string
	Warnings []string
}

const evidenceShown = 5

func newView(r *result.Result, o Options) (*view, error) {
	c, err := NewCatalog(o.Lang)
	if err != nil {
		return nil, err
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	v := &view{c: c, loc: loc, Lang: c.Lang}
	v.Title = c.T("report.title")
	v.Intro = c.T("report.intro")
	v.Nobody = c.T("report.nobody")
	if !r.Complete || len(r.Unseen) > 0 {
		v.Nobody = c.T("report.nobody.incomplete")
	}
	v.Zone, v.Offset = zoneText(loc, r)
	if !r.GeneratedAt.IsZero() {
		g := r.GeneratedAt
		v.Generated = v.tm(&g)
	}
	v.Window = c.T("report.window", "From", v.tm(r.Window.From), "To", v.tm(r.Window.To))
	v.Tool = strings.TrimSpace(r.Tool.Name + " " + r.Tool.Version)
	counts := map[string]int{result.Compromised: r.Summary.Compromised, result.Suspicious: r.Summary.Suspicious, result.Unknown: r.Summary.Unknown, result.Clean: r.Summary.Clean}
	for _, vd := range result.Verdicts {
		v.Counts = append(v.Counts, verdictCount{Verdict: vd, Label: c.T("verdict." + vd), N: counts[vd]})
	}
	found := map[string]bool{}
	byDet := map[string][]string{}
	for i := range r.Users {
		u := &r.Users[i]
		if u.Verdict == result.Unknown && !hasHigh(u) {
			v.Unknown = append(v.Unknown, u.UPN)
		}
		if u.Verdict == result.Clean || (u.Verdict == result.Unknown && !hasHigh(u)) {
			seen := map[string]bool{}
			for _, f := range u.Findings {
				if !seen[f.ID] {
					seen[f.ID] = true
					byDet[f.ID] = append(byDet[f.ID], u.UPN)
				}
			}
			continue
		}
		for _, f := range u.Findings {
			found[f.ID] = true
		}
		v.Users = append(v.Users, v.user(r, u, len(v.Users)))
	}
	for _, d := range r.Detections {
		if ups, ok := byDet[d.ID]; ok {
			title, _ := c.Detection(d)
			v.Notable = append(v.Notable, notable{ID: d.ID, Title: title, Users: ups})
		}
		if found[d.ID] {
			title, resp := c.Detection(d)
			v.Found = append(v.Found, detectionView{ID: d.ID, Title: title, Severity: c.T("severity." + d.Severity), Technique: d.Technique, Response: resp})
		}
	}
	v.coverage(r)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return v, nil
}

// hasHigh: the user has a high-severity finding (which gets a report of
// its own even when the verdict is unknown).
func hasHigh(u *result.User) bool {
	for _, f := range u.Findings {
		if f.Severity == "high" {
			return true
		}
	}
	return false
}

// zoneText names the display zone and its offset during the window.
func zoneText(loc *time.Location, r *result.Result) (string, string) {
	at := time.Now()
	if r.Window.From != nil {
		at = *r.Window.From
	}
	_, off := at.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	utc := fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
	if loc == time.UTC || loc.String() == "UTC" {
		return "UTC", "UTC"
	}
	return loc.String() + " (" + utc + ")", utc
}

// tm is a display time in the report's zone ("-" when unknown).
func (v *view) tm(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.In(v.loc).Format("2006-01-02 15:04:05")
}

func (v *view) user(r *result.Result, u *result.User, n int) *userView {
	c := v.c
	uv := &userView{UPN: u.UPN, Verdict: u.Verdict, VerdictLabel: c.T("verdict." + u.Verdict), Intrusion: v.tm(u.InitialIntrusion), Anchor: "user-" + strconv.Itoa(n+1)}
	uv.Happened = v.happened(u)
	for _, f := range u.Findings {
		fv := findingView{Time: v.tm(f.Time), ID: f.ID, Severity: c.T("severity." + f.Severity), Title: c.DetectionTitle(r, f.ID, f.Title), Summary: f.Summary, Attributed: f.Attributed}
		for i, e := range f.Evidence {
			if i == evidenceShown {
				fv.More = len(f.Evidence) - i
				break
			}
			s := e.File + ":" + strconv.Itoa(e.Line)
			if e.RecordID != "" {
				s += " (" + e.RecordID + ")"
			}
			fv.Evidence = append(fv.Evidence, s)
		}
		uv.Findings = append(uv.Findings, fv)
	}
	for _, d := range u.ResponseSeen {
		action := d.Action
		if d.Kind != "" {
			action = c.T("response."+d.Kind, "Op", d.Action)
		}
		uv.Done = append(uv.Done, doneView{Time: v.tm(d.Time), Action: action, By: d.By})
	}
	for _, a := range u.RemainingActions {
		uv.Todo = append(uv.Todo, v.action(u, a))
	}
	for e := range u.Timeline {
		uv.Timeline = append(uv.Timeline, v.event(e))
		if e.Attacker {
			uv.Attacker++
		}
	}
	return uv
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (v *view) event(e result.Event) eventView {
	ev := eventView{Time: v.tm(e.Time), Source: v.c.T("kind.short." + e.Source), Op: e.Operation, IP: deref(e.IP), Country: e.Country,
		UA: deref(e.UserAgent), Session: deref(e.Session), Attacker: e.Attacker, Det: strings.Join(e.Detections, " ")}
	if e.Time != nil {
		ev.T = *e.Time
	}
	if e.File != "" {
		ev.Where = e.File + ":" + strconv.Itoa(e.Line)
	}
	return ev
}

// happened is part ①: the traces the talk's report lists, in its order.
func (v *view) happened(u *result.User) []item {
	c := v.c
	var items []item
	a := u.Artifacts

	// 1. Suspicious sign-ins: the attacker's sign-in records, their time
	// range, user agents and addresses.
	var first, last *time.Time
	for e := range u.Timeline {
		if !e.Attacker || e.Time == nil || !isSignIn(e) {
			continue
		}
		if first == nil || e.Time.Before(*first) {
			first = e.Time
		}
		if last == nil || e.Time.After(*last) {
			last = e.Time
		}
	}
	var ips [][]string
	var uas, sessions, ipLines []string
	for _, ind := range u.Indicators {
		switch ind.Kind {
		case "ip":
			country, asn := "-", "-"
			if ind.Country != nil {
				country = *ind.Country
			}
			if ind.ASN != nil {
				asn = "AS" + strconv.Itoa(*ind.ASN)
			}
			ips = append(ips, []string{ind.Value, country, asn, v.tm(ind.FirstSeen), v.tm(ind.LastSeen)})
			ipLines = append(ipLines, c.T("signins.ip", "IP", ind.Value, "Country", country, "ASN", asn, "From", v.tm(ind.FirstSeen), "To", v.tm(ind.LastSeen)))
		case "userAgent":
			uas = append(uas, ind.Value)
		case "session", "token":
			sessions = append(sessions, c.T("signins.session."+ind.Kind, "Value", ind.Value, "From", v.tm(ind.FirstSeen), "To", v.tm(ind.LastSeen)))
		}
	}
	if first != nil || len(ips) > 0 {
		it := item{Key: "signins", Title: c.T("item.signins")}
		if first != nil {
			it.Lead = c.T("signins.lead", "From", v.tm(first), "To", v.tm(last), "Zone", v.Offset, "User", u.UPN)
		} else {
			it.Lead = c.T("signins.lead.nosignin", "User", u.UPN)
		}
		for _, ua := range uas {
			it.Lines = append(it.Lines, c.T("signins.useragent", "Value", ua))
		}
		it.Lines = append(it.Lines, sessions...)
		if len(ips) > 0 {
			it.Table = &grid{Head: []string{c.T("col.ip"), c.T("col.country"), c.T("col.asn"), c.T("col.first"), c.T("col.last")}, Rows: ips}
			it.Narrow = ipLines
		}
		items = append(items, it)
	}

	// 2. Applications added and permissions delegated.
	if len(a.AppsConsented) > 0 {
		it := item{Key: "apps", Title: c.T("item.apps"), Lead: c.T("apps.lead", "User", u.UPN)}
		for _, app := range a.AppsConsented {
			it.Lines = append(it.Lines, c.T("apps.line", "Name", app.Name, "ID", orDash(app.AppID), "Consent", orDash(app.ConsentType), "Scopes", orDash(strings.Join(app.Scopes, " "))))
		}
		items = append(items, it)
	}
	// 3. Security info registered.
	if len(a.MethodsRegistered) > 0 {
		it := item{Key: "methods", Title: c.T("item.methods")}
		for _, m := range a.MethodsRegistered {
			it.Lines = append(it.Lines, c.T("timed.line", "What", m.Method, "Time", v.tm(m.Time)))
		}
		items = append(items, it)
	}
	// 4. Devices registered.
	if len(a.DevicesRegistered) > 0 {
		it := item{Key: "devices", Title: c.T("item.devices")}
		for _, d := range a.DevicesRegistered {
			it.Lines = append(it.Lines, c.T("timed.line", "What", d.Name, "Time", v.tm(d.Time)))
		}
		items = append(items, it)
	}
	// 5. Inbox rules created, with every parameter.
	if len(a.RulesCreated) > 0 {
		it := item{Key: "rules", Title: c.T("item.rules")}
		for _, rl := range a.RulesCreated {
			keys := make([]string, 0, len(rl.Parameters))
			for k := range rl.Parameters {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var ps []string
			for _, k := range keys {
				ps = append(ps, k+"="+rl.Parameters[k])
			}
			it.Lines = append(it.Lines, c.T("rules.line", "Name", rl.Name, "Params", orDash(strings.Join(ps, "; "))))
		}
		items = append(items, it)
	}
	// 6. Mail sent: subjects with counts, and counts per hour.
	if len(a.MailSent) > 0 {
		total := 0
		for _, s := range a.MailSent {
			total += s.Count
		}
		it := item{Key: "sent", Title: c.T("item.sent"), Lead: c.N("sent.lead", total)}
		for _, s := range a.MailSent {
			it.Lines = append(it.Lines, c.N("sent.subject", s.Count, "Subject", s.Subject))
		}
		hours := map[time.Time]int{}
		for e := range u.Timeline {
			if e.Attacker && e.Time != nil && slices.Contains(e.Detections, "TG.HUNT.10") {
				hours[e.Time.In(v.loc).Truncate(time.Hour)]++
			}
		}
		for _, h := range slices.SortedFunc(mapKeys(hours), func(a, b time.Time) int { return a.Compare(b) }) {
			it.Lines = append(it.Lines, c.N("sent.hour", hours[h], "Hour", h.Format("2006-01-02 15:04")+"–"+h.Add(time.Hour).Format("15:04")))
		}
		items = append(items, it)
	}
	// 7. Mail deleted: subjects and InternetMessageIds, to restore them.
	if len(a.MailDeleted) > 0 {
		it := item{Key: "deleted", Title: c.T("item.deleted"), Lead: c.N("deleted.lead", len(a.MailDeleted)),
			Table: &grid{Head: []string{c.T("col.subject"), c.T("col.messageid")}}}
		for _, d := range a.MailDeleted {
			it.Table.Rows = append(it.Table.Rows, []string{d.Subject, d.InternetMessageID})
			it.Narrow = append(it.Narrow, c.T("deleted.line", "Subject", d.Subject, "ID", d.InternetMessageID))
		}
		items = append(items, it)
	}
	// 8. Mail read.
	if len(a.MailRead) > 0 {
		it := item{Key: "read", Title: c.T("item.read"), Lead: c.N("read.lead", len(a.MailRead)),
			Table: &grid{Head: []string{c.T("col.messageid"), c.T("col.folder")}}}
		for _, m := range a.MailRead {
			it.Table.Rows = append(it.Table.Rows, []string{m.InternetMessageID, orDash(m.Folder)})
			it.Narrow = append(it.Narrow, c.T("read.line", "ID", m.InternetMessageID, "Folder", orDash(m.Folder)))
		}
		items = append(items, it)
	}
	// 9. Files downloaded.
	if len(a.FilesAccessed) > 0 {
		it := item{Key: "files", Title: c.T("item.files"), Lead: c.N("files.lead", len(a.FilesAccessed))}
		for _, f := range a.FilesAccessed {
			it.Lines = append(it.Lines, c.T("files.line", "Name", f.Name, "Site", orDash(f.Site)))
		}
		items = append(items, it)
	}
	// Another victim: signed in from the attacker's addresses.
	if len(u.SeenFrom) > 0 {
		items = append(items, item{Key: "seenfrom", Title: c.T("item.seenfrom"), Lead: c.T("seenfrom.lead", "User", u.UPN, "Addresses", strings.Join(u.SeenFrom, ", "))})
	}
	if len(items) == 0 {
		items = append(items, item{Key: "none", Title: c.T("item.none"), Lead: c.T("none.lead")})
	}
	return items
}

// isSignIn: a sign-in record (sign-in logs, or the UAL's logon records).
func isSignIn(e result.Event) bool {
	if e.Source == "signIns" {
		return true
	}
	op := strings.ToLower(e.Operation)
	return op == "userloggedin" || op == "userloginfailed"
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// action is a remaining action in the report's language: its kind and
// objects through the catalog (the English sentence is the JSON's).
func (v *view) action(u *result.User, a result.Action) string {
	if a.Kind == "" {
		return a.Text
	}
	args := []any{"User", u.UPN}
	for k, val := range a.Object {
		args = append(args, strings.ToUpper(k[:1])+k[1:], val)
	}
	id := "todo." + a.Kind
	if st := a.Object["state"]; st != "" {
		id += "." + st
	}
	switch a.Kind {
	case "revoke-sessions":
		if a.Object["addresses"] == "" {
			// No attacker address is known (a rule in a mailbox
			// export, an unattributed registration): say nothing of one.
			id += ".noaddr"
		}
	case "remove-method", "remove-device":
		if t, err := time.Parse(time.RFC3339Nano, a.Object["time"]); err == nil {
			args = append(args, "Time", v.tm(&t))
		} else {
			args = append(args, "Time", "-")
		}
	case "warn-recipients", "restore-mail", "review-mail-read":
		n, _ := strconv.Atoi(a.Object["count"])
		return v.c.N(id, n, args...)
	}
	return v.c.T(id, args...)
}

func (v *view) coverage(r *result.Result) {
	c := v.c
	cv := &v.Coverage
	cv.Head = []string{c.T("col.log"), c.T("col.files"), c.T("col.records"), c.T("col.duplicates"), c.T("col.badrows"), c.T("col.from"), c.T("col.to")}
	for _, k := range result.KindNames {
		kc := r.Coverage.Kind(k)
		cv.Rows = append(cv.Rows, []string{c.T("kind." + k), strconv.Itoa(len(kc.Files)), strconv.Itoa(kc.Records), strconv.Itoa(kc.Duplicates), strconv.Itoa(kc.BadRows), v.tm(kc.From), v.tm(kc.To)})
		if len(kc.Files) == 0 {
			cv.Narrow = append(cv.Narrow, c.T("coverage.none", "Kind", c.T("kind."+k)))
		} else {
			cv.Narrow = append(cv.Narrow, c.N("coverage.line", len(kc.Files), "Kind", c.T("kind."+k), "Files", len(kc.Files), "Records", kc.Records, "Duplicates", kc.Duplicates, "Bad", kc.BadRows, "From", v.tm(kc.From), "To", v.tm(kc.To)))
		}
	}
	for _, b := range r.Coverage.BlindSpots {
		cv.BlindSpots = append(cv.BlindSpots, v.blindSpot(b))
	}
	for i, b := range r.Coverage.BadRows {
		if i == 20 {
			cv.MoreBad = len(r.Coverage.BadRows) - i
			break
		}
		cv.BadRows = append(cv.BadRows, fmt.Sprintf("%s:%d: %s", b.File, b.Line, b.Reason))
	}
	for _, s := range r.Coverage.Skipped {
		cv.Skipped = append(cv.Skipped, s.File+": "+s.Reason)
	}
	if rt := r.Coverage.Retention; rt != nil {
		rv := &retentionView{Lead: c.T("retention.lead", "Snapshot", rt.Snapshot, "Tenant", orDash(rt.Tenant), "Time", v.tm(rt.CollectedAt))}
		if rt.Known {
			rv.Lines = append(rv.Lines, c.T("retention.signins", "Days", rt.SignInDays, "License", rt.SignInLicense, "Since", v.tm(rt.SignInsKeptFrom)))
			if rt.UALDays > 0 {
				rv.Lines = append(rv.Lines, c.T("retention.ual", "Days", rt.UALDays, "License", rt.UALLicense, "Since", v.tm(rt.UALKeptFrom)))
			} else {
				rv.Lines = append(rv.Lines, c.T("retention.noual"))
			}
		} else {
			rv.Lines = append(rv.Lines, c.T("retention.unknown"))
		}
		for _, k := range rt.WindowOlder {
			rv.Warnings = append(rv.Warnings, c.T("retention.older", "Kind", c.T("kind."+k), "Window", v.tm(r.Window.From)))
		}
		rv.Head = []string{c.T("col.control"), c.T("col.status"), c.T("col.finding")}
		for _, ctl := range rt.Controls {
			rv.Controls = append(rv.Controls, []string{ctl.ID, ctl.Status, ctl.Finding})
		}
		cv.Retention = rv
	}
	if tn := r.Coverage.TrustedNetworks; tn != nil {
		cv.Trusted = v.trusted(tn)
	}
}

// trusted says which of an evidence bundle's trusted named locations were
// taken as the trusted networks, which were not, and why.
func (v *view) trusted(tn *result.TrustedNetworks) *retentionView {
	c := v.c
	tv := &retentionView{Lead: c.T("trusted.lead")}
	loc := func(id string, l result.TrustedLocation) string {
		return c.T(id, "Name", l.Name, "Ranges", strings.Join(l.Ranges, ", "), "Reason", l.Reason, "Time", v.tm(&l.Time))
	}
	for _, l := range tn.Used {
		id := "trusted.used"
		if l.Code == "changed-after-window" {
			id = "trusted.used.after"
		}
		tv.Lines = append(tv.Lines, loc(id, l))
	}
	for _, l := range tn.Excluded {
		tv.Warnings = append(tv.Warnings, loc("trusted.excluded."+l.Code, l))
	}
	if tn.Unavailable != "" {
		tv.Warnings = append(tv.Warnings, c.T("trusted.unavailable", "Reason", tn.Unavailable))
	}
	if len(tn.Used) == 0 {
		tv.Warnings = append(tv.Warnings, c.T("trusted.none"))
	}
	return tv
}

func (v *view) blindSpot(b result.BlindSpot) string {
	if b.Code == "" {
		return b.Message
	}
	args := []any{"Kind", v.c.T("kind." + b.Kind)}
	for k, t := range b.Times {
		args = append(args, strings.ToUpper(k[:1])+k[1:], v.tm(&t))
	}
	id := "blind." + b.Code
	if b.Code == "missing" {
		id += "." + b.Kind
	}
	return v.c.T(id, args...)
}
