package read

import (
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"github.com/tenantgate/tenantgate/internal/hunt/event"
)

// OpSignIn is the operation of every Entra sign-in log record.
const OpSignIn = "SignIn"

// signIn is one Entra sign-in, whatever file it came from.
type signIn struct {
	id, when, upn, userID, app, appName, resource, ip, clientApp, corr string
	ua, session, token, country, deviceID, browser, os, failure        string
	errorCode                                                          int64
	hasError                                                           bool
	asn                                                                int64
	interactive                                                        bool
	hasInteractive                                                     bool
}

func (w *worker) emitSignIn(s *signIn, line int) error {
	t, ok := parseTime(s.when)
	if !ok {
		return bad("sign-in time %q does not parse", s.when)
	}
	if !s.hasError {
		return bad("sign-in without an error code (status)")
	}
	e := event.Event{
		Time: t.UnixNano(), ID: strings.Clone(s.id), Line: uint32(line), File: w.file, Kind: event.SignIns, UserType: -1,
		User: w.lower(s.upn), UserID: w.lower(s.userID), IP: w.ip(s.ip), UA: w.in.Intern(s.ua),
		Session: w.in.Intern(s.session), Token: w.in.Intern(s.token), Corr: w.in.Intern(s.corr),
		App: w.lower(s.app), AppName: w.in.Intern(s.appName), Resource: w.lower(s.resource),
		ClientApp: w.in.Intern(s.clientApp), Country: w.in.Intern(strings.ToUpper(strings.TrimSpace(s.country))),
		DeviceID: w.in.Intern(strings.TrimSpace(s.deviceID)), ErrorCode: int32(s.errorCode), ASN: uint32(max(s.asn, 0)),
		Flags: event.SignIn,
	}
	w.op(&e, OpSignIn)
	if s.errorCode == 0 {
		e.Flags |= event.Success
	}
	if s.hasInteractive && s.interactive {
		e.Flags |= event.Interactive
	}
	if w.wants(&e) {
		w.j.Reset()
		w.j.Open('{')
		w.j.KeyStr("browser", s.browser)
		w.j.KeyStr("os", s.os)
		w.j.KeyStr("failure", s.failure)
		w.j.Close('}')
		if len(w.j.B) > 2 {
			e.Detail = w.j.Done()
		}
	}
	w.out = append(w.out, e)
	return nil
}

var signInKeys = newKeySet("id", "createdDateTime", "userPrincipalName", "appId", "appDisplayName",
	"resourceId", "ipAddress", "clientAppUsed", "correlationId", "userAgent", "sessionId",
	"uniqueTokenIdentifier", "autonomousSystemNumber", "isInteractive", "status", "deviceDetail", "location",
	"authenticationDetails", "userId")

const (
	siID = iota
	siCreated
	siUPN
	siApp
	siAppName
	siResource
	siIP
	siClientApp
	siCorr
	siUA
	siSession
	siToken
	siASN
	siInteractive
	siStatus
	siDevice
	siLocation
	siAuth
	siUserID
)

// signInJSON maps a Graph /auditLogs/signIns record (v1.0 or beta), a portal
// JSON download or a tool's Graph JSON (keys in any case).
func signInJSON(w *worker, v *fastjson.Value, line int) error {
	o, err := v.Object()
	if err != nil {
		return bad("a sign-in record must be a JSON object")
	}
	s := w.slots[:signInKeys.n]
	signInKeys.collect(o, s)
	r := signIn{
		id: str(s[siID]), when: str(s[siCreated]), upn: str(s[siUPN]), userID: str(s[siUserID]), app: str(s[siApp]), appName: str(s[siAppName]),
		resource: str(s[siResource]), ip: str(s[siIP]), clientApp: str(s[siClientApp]), corr: str(s[siCorr]),
		ua: str(s[siUA]), session: str(s[siSession]), token: str(s[siToken]),
	}
	r.asn, _ = integer(s[siASN])
	r.interactive, r.hasInteractive = boolean(s[siInteractive])
	if st := s[siStatus]; st != nil {
		r.errorCode, r.hasError = integer(get(st, "errorCode"))
		r.failure = str(get(st, "failureReason"))
	}
	if d := s[siDevice]; d != nil {
		r.deviceID, r.browser, r.os = str(get(d, "deviceId")), str(get(d, "browser")), str(get(d, "operatingSystem"))
	}
	if l := s[siLocation]; l != nil {
		r.country = str(get(l, "countryOrRegion"))
	}
	if a := s[siAuth]; a != nil {
		w.graphAuth(r.id, a, line)
	}
	return w.emitSignIn(&r, line)
}

// signInCSV maps the portal's "Download CSV" of interactive or
// non-interactive sign-ins. Columns are found by name (the header varies
// between tenants and over time); the first of repeated columns wins.
func signInCSV(h header) csvMapper {
	c := func(names ...string) int { return h.col(names...) }
	id, when, upnc, app, appName := c("request id"), c("date (utc)", "date"), c("username", "user principal name"), c("application id"), c("application")
	resource, ip, clientApp, corr, ua := c("resource id"), c("ip address"), c("client app"), c("correlation id"), c("user agent")
	session, token, loc, device, userID := c("session id"), c("unique token identifier"), c("location"), c("device id"), c("user id")
	browser, osc, status, code, failure, asn := c("browser"), c("operating system"), c("status"), c("sign-in error code"), c("failure reason"), c("autonomous system number")
	return func(w *worker, row []string, line int) error {
		f := func(i int) string {
			if i < 0 || i >= len(row) {
				return ""
			}
			return row[i]
		}
		r := signIn{
			id: f(id), when: f(when), upn: f(upnc), userID: f(userID), app: f(app), appName: f(appName), resource: f(resource), ip: f(ip),
			clientApp: f(clientApp), corr: f(corr), ua: f(ua), session: f(session), token: strings.TrimPrefix(f(token), "'"),
			deviceID: f(device), browser: f(browser), os: f(osc), failure: f(failure),
		}
		if l := f(loc); l != "" {
			parts := strings.Split(l, ",")
			r.country = strings.TrimSpace(parts[len(parts)-1])
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(f(asn)), 10, 64); err == nil {
			r.asn = n
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(f(code)), 10, 64); err == nil {
			r.errorCode, r.hasError = n, true
		} else if strings.EqualFold(strings.TrimSpace(f(status)), "success") {
			r.hasError = true // an older export without the error code column
		}
		return w.emitSignIn(&r, line)
	}
}

// AuthStep is one authentication step of a sign-in, from the portal's
// InteractiveSignIns_AuthDetails companion file or from a Graph sign-in's
// own authenticationDetails (beta), joined to sign-ins on the request id.
type AuthStep struct {
	Method    string `json:"method"`
	Detail    string `json:"detail,omitempty"`
	Succeeded *bool  `json:"succeeded,omitempty"`
	Result    string `json:"result,omitempty"`
	line      int
	file      uint32
	// record: the step comes from a Graph record, which holds all of its
	// request's steps (a companion file spreads them over rows).
	record bool
}

// graphAuth keeps a Graph sign-in's authenticationDetails (beta; v1.0 has
// none) as its request's steps, in the AuthDetails companion's terms:
// authenticationMethod, authenticationMethodDetail, succeeded,
// authenticationStepResultDetail. Values are interned: a few method names
// repeat over every sign-in.
func (w *worker) graphAuth(id string, v *fastjson.Value, line int) {
	arr, err := v.Array()
	if err != nil || id == "" || len(arr) == 0 {
		return
	}
	text := func(x *fastjson.Value) string { return w.in.Str(w.in.Intern(strings.TrimSpace(str(x)))) }
	steps := make([]AuthStep, 0, len(arr))
	for _, st := range arr {
		a := AuthStep{Method: text(get(st, "authenticationMethod")), Detail: text(get(st, "authenticationMethodDetail")),
			Result: text(get(st, "authenticationStepResultDetail")), line: line, file: w.file, record: true}
		if b, ok := boolean(get(st, "succeeded")); ok {
			a.Succeeded = &b
		}
		if a.Method != "" || a.Result != "" {
			steps = append(steps, a)
		}
	}
	w.addAuth(id, steps...)
}

func (w *worker) addAuth(id string, steps ...AuthStep) {
	if len(steps) == 0 {
		return
	}
	if w.auth == nil {
		w.auth = map[string][]AuthStep{}
	}
	w.auth[id] = append(w.auth[id], steps...)
}

// oneSource keeps a request's steps from one place only, the first file
// that gives them (and, for Graph records, the first record): the same
// sign-in read twice (a repeated page, a portal download beside Graph's)
// does not repeat its steps. steps are sorted by file and line.
func oneSource(steps []AuthStep) []AuthStep {
	for i, st := range steps {
		if st.file != steps[0].file || steps[0].record && st.line != steps[0].line {
			return steps[:i]
		}
	}
	return steps
}

// authDetailsCSV reads the AuthDetails companion: steps by request id.
func authDetailsCSV(h header) csvMapper {
	id, method, detail, ok, result := h.col("request id"), h.col("authentication method"), h.col("authentication method detail"), h.col("succeeded"), h.col("result detail")
	return func(w *worker, row []string, line int) error {
		f := func(i int) string {
			if i < 0 || i >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[i])
		}
		rid := f(id)
		if rid == "" {
			return bad("authentication detail without a request id")
		}
		st := AuthStep{Method: f(method), Detail: f(detail), Result: f(result), line: line, file: w.file}
		if b, isBool := parseBool(f(ok)); isBool {
			st.Succeeded = &b
		}
		w.addAuth(rid, st)
		return nil
	}
}
