package read

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// audit is one Entra directory audit record, whatever file it came from.
type audit struct {
	id, when, activity, category, corr, result, reason, service, ua, ip string
	actorType, actorUPN, actorApp                                       string
	targets                                                             []auditTarget
	additional                                                          [][2]string
}

type auditTarget struct {
	typ, id, name, upn string
	modified           [][3]string // name, old, new
}

func (w *worker) emitAudit(a *audit, line int) error {
	t, ok := parseTime(a.when)
	if !ok {
		return bad("audit time %q does not parse", a.when)
	}
	e := event.Event{
		Time: t.UnixNano(), ID: a.id, Line: uint32(line), File: w.file, Kind: event.DirectoryAudits, UserType: -1,
		IP: w.ip(a.ip), UA: w.in.Intern(a.ua), Corr: w.in.Intern(a.corr), App: w.lower(a.actorApp),
	}
	w.op(&e, a.activity)
	var target string
	for _, tg := range a.targets {
		if upn(tg.upn) && (target == "" || strings.EqualFold(tg.typ, "user")) {
			target = tg.upn
			if strings.EqualFold(tg.typ, "user") {
				break
			}
		}
	}
	e.Target = w.lower(target)
	switch {
	case upn(a.actorUPN):
		e.User = w.lower(a.actorUPN)
	default:
		// Service-side records (a device registered by the Device
		// Registration Service) belong to the user they target.
		e.User = e.Target
	}
	switch strings.ToLower(a.actorType) {
	case "user":
		e.Flags |= event.ByUser
	case "":
		if upn(a.actorUPN) {
			e.Flags |= event.ByUser
		} else if a.actorApp != "" {
			e.Flags |= event.ByApp
		}
	default:
		e.Flags |= event.ByApp
	}
	if w.wants(&e) {
		j := &w.j
		j.Reset()
		j.Open('{')
		j.KeyStr(event.DActorType, a.actorType)
		j.KeyStr(event.DService, a.service)
		j.KeyStr(event.DCategory, a.category)
		j.KeyStr(event.DResult, a.result)
		j.KeyStr(event.DResultReason, a.reason)
		if len(a.targets) > 0 {
			j.Key(event.DTargets)
			j.Open('[')
			for _, tg := range a.targets {
				j.Open('{')
				j.KeyStr("type", tg.typ)
				j.KeyStr("id", tg.id)
				j.KeyStr("name", tg.name)
				j.KeyStr("upn", strings.ToLower(tg.upn))
				j.Close('}')
			}
			j.Close(']')
			j.Key(event.DModified)
			j.Open('[')
			for _, tg := range a.targets {
				for _, m := range tg.modified {
					j.Open('{')
					j.Key("name")
					j.Str(m[0])
					j.Key("old")
					j.Str(m[1])
					j.Key("new")
					j.Str(m[2])
					j.Close('}')
				}
			}
			j.Close(']')
		}
		if len(a.additional) > 0 {
			j.Key(event.DAdditional)
			j.Open('{')
			for _, kv := range a.additional {
				j.Key(kv[0])
				j.Str(kv[1])
			}
			j.Close('}')
		}
		j.Close('}')
		e.Detail = j.Done()
	}
	w.out = append(w.out, e)
	return nil
}

var auditKeys = newKeySet("id", "activityDateTime", "activityDisplayName", "category", "correlationId",
	"result", "loggedByService", "initiatedBy", "targetResources", "additionalDetails", "resultReason")

const (
	auID = iota
	auWhen
	auActivity
	auCategory
	auCorr
	auResult
	auService
	auInitiated
	auTargets
	auAdditional
	auReason
)

// auditJSON maps a Graph /auditLogs/directoryAudits record, a portal JSON
// download or a tool's Graph JSON (keys in any case).
func auditJSON(w *worker, v *fastjson.Value, line int) error {
	o, err := v.Object()
	if err != nil {
		return bad("an audit record must be a JSON object")
	}
	s := w.slots[:auditKeys.n]
	auditKeys.collect(o, s)
	a := audit{
		id: str(s[auID]), when: str(s[auWhen]), activity: str(s[auActivity]), category: str(s[auCategory]),
		corr: str(s[auCorr]), result: str(s[auResult]), service: str(s[auService]), reason: str(s[auReason]),
	}
	if ib := s[auInitiated]; ib != nil {
		if u := get(ib, "user"); u != nil && u.Type() == fastjson.TypeObject {
			a.actorType = "User"
			a.actorUPN, a.ip = str(get(u, "userPrincipalName")), str(get(u, "ipAddress"))
		}
		if ap := get(ib, "app"); ap != nil && ap.Type() == fastjson.TypeObject {
			if a.actorType == "" {
				a.actorType = "Application"
			}
			a.actorApp = str(get(ap, "appId"))
		}
	}
	for _, tv := range array(s[auTargets]) {
		tg := auditTarget{typ: str(get(tv, "type")), id: str(get(tv, "id")), name: str(get(tv, "displayName")), upn: str(get(tv, "userPrincipalName"))}
		for _, mv := range array(get(tv, "modifiedProperties")) {
			tg.modified = append(tg.modified, [3]string{str(get(mv, "displayName")), str(get(mv, "oldValue")), str(get(mv, "newValue"))})
		}
		a.targets = append(a.targets, tg)
	}
	for _, kv := range array(s[auAdditional]) {
		k, val := str(get(kv, "key")), str(get(kv, "value"))
		a.additional = append(a.additional, [2]string{k, val})
		if strings.EqualFold(k, "User-Agent") {
			a.ua = val
		}
	}
	return w.emitAudit(&a, line)
}

// auditCSV maps the portal's audit log "Download CSV": targets and their
// modified properties flattened into Target1..n / ModifiedProperty1..m
// columns, additional details into AdditionalDetail1..n Key/Value pairs.
func auditCSV(h header) csvMapper {
	c := h.col
	when, corr, service, category, activity, result, reason := c("date (utc)", "date"), c("correlationid", "correlation id"), c("service"), c("category"), c("activity"), c("result"), c("resultreason")
	ua, actorType, actorUPN, ip, actorApp := c("user agent", "useragent"), c("actortype"), c("actoruserprincipalname"), c("ipaddress", "ip address"), c("actorserviceprincipalid")
	type tcols struct {
		typ, id, name, upn int
		mods               [][3]int
	}
	var targets []tcols
	for n := 1; ; n++ {
		p := "target" + strconv.Itoa(n)
		tc := tcols{typ: c(p + "type"), id: c(p + "objectid"), name: c(p + "displayname"), upn: c(p + "userprincipalname")}
		if tc.typ < 0 && tc.id < 0 && tc.name < 0 && tc.upn < 0 {
			break
		}
		for m := 1; ; m++ {
			mp := p + "modifiedproperty" + strconv.Itoa(m)
			mc := [3]int{c(mp + "name"), c(mp + "oldvalue"), c(mp + "newvalue")}
			if mc[0] < 0 {
				break
			}
			tc.mods = append(tc.mods, mc)
		}
		targets = append(targets, tc)
	}
	var details [][2]int
	for n := 1; ; n++ {
		p := "additionaldetail" + strconv.Itoa(n)
		kc, vc := c(p+"key"), c(p+"value")
		if kc < 0 {
			break
		}
		details = append(details, [2]int{kc, vc})
	}
	return func(w *worker, row []string, line int) error {
		f := func(i int) string {
			if i < 0 || i >= len(row) {
				return ""
			}
			return row[i]
		}
		a := audit{
			when: f(when), corr: f(corr), service: f(service), category: f(category), activity: f(activity),
			result: f(result), reason: f(reason), ua: f(ua), actorType: f(actorType), actorUPN: f(actorUPN), ip: f(ip), actorApp: f(actorApp),
			id: rowID(h, row),
		}
		for _, tc := range targets {
			tg := auditTarget{typ: f(tc.typ), id: f(tc.id), name: f(tc.name), upn: f(tc.upn)}
			for _, mc := range tc.mods {
				if n := f(mc[0]); n != "" {
					tg.modified = append(tg.modified, [3]string{n, f(mc[1]), f(mc[2])})
				}
			}
			if tg.typ != "" || tg.id != "" || tg.name != "" || tg.upn != "" {
				a.targets = append(a.targets, tg)
			}
		}
		for _, d := range details {
			if k := f(d[0]); k != "" {
				a.additional = append(a.additional, [2]string{k, f(d[1])})
				if strings.EqualFold(k, "User-Agent") && a.ua == "" {
					a.ua = f(d[1])
				}
			}
		}
		return w.emitAudit(&a, line)
	}
}
